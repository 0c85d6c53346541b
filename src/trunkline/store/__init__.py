"""Stores: explicit identity links today, idempotency records next.

`IdentityStore` is the interface; SQLite (a file, created on first use) is the embedded
default, and a Postgres implementation can serve several processes behind the same methods.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from trunkline.domain import Vendor
from trunkline.errors import BadUserInput
from trunkline.store.sqlite import SqliteIdentityStore

VENDORS = {v.value for v in Vendor}


class IdentityStore(Protocol):
    async def links_for(
        self, accounts: Sequence[str]
    ) -> Mapping[str, Mapping[str, str]]:
        """account -> {vendor: vendor_id} for the accounts that have links."""
        ...

    async def link(self, account: str, vendor: str, vendor_id: str) -> bool:
        """Link; False if that exact link was already there."""
        ...

    async def unlink(self, account: str, vendor: str) -> bool:
        """Unlink; False if there was no link."""
        ...

    async def aclose(self) -> None: ...


def open_identity_store(location: str) -> IdentityStore:
    """An identity store for a config value: a SQLite path (or ':memory:')."""
    if location.startswith(("postgres://", "postgresql://")):
        raise BadUserInput("the Postgres identity store is not built yet")
    return SqliteIdentityStore(location)


@dataclass(frozen=True, slots=True)
class LinkRow:
    row: int  # the line of the CSV file it starts on (the header is row 1)
    account: str
    vendor: str
    vendor_id: str


def read_links_csv(path: Path) -> tuple[list[LinkRow], list[str]]:
    """The `contact_account,vendor,vendor_id` rows of a file (header optional), and a
    problem per bad row, as `row N: what is wrong`."""
    rows: list[LinkRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        n = 0
        for record in reader:
            n, start = reader.line_num, n + 1
            if not record or record[0].strip().startswith("#"):
                continue
            if start == 1 and record[0].strip().lower() in {
                "contact_account",
                "account",
            }:
                continue
            if len(record) != 3 or not all(c.strip() for c in record):
                problems.append(
                    f"row {start}: expected contact_account,vendor,vendor_id"
                )
                continue
            account, vendor, vendor_id = (c.strip() for c in record)
            if vendor.lower() not in VENDORS:
                problems.append(
                    f"row {start}: unknown vendor {vendor!r}; one of "
                    + ", ".join(sorted(VENDORS))
                )
                continue
            key = (account, vendor.lower())
            if key in seen:
                problems.append(
                    f"row {start}: account {account!r} is linked to {vendor.lower()} "
                    f"in row {seen[key]} already"
                )
                continue
            seen[key] = start
            rows.append(LinkRow(start, account, vendor.lower(), vendor_id))
    return rows, problems


async def import_links(location: str, rows: Sequence[LinkRow]) -> int:
    """Store the links; the number stored."""
    store = open_identity_store(location)
    try:
        for r in rows:
            await store.link(r.account, r.vendor, r.vendor_id)
    finally:
        await store.aclose()
    return len(rows)


__all__ = [
    "IdentityStore",
    "LinkRow",
    "import_links",
    "open_identity_store",
    "read_links_csv",
]
