"""Stores: explicit identity links today, idempotency records next.

`IdentityStore` is the interface; SQLite (a file, created on first use) is the embedded
default, and a Postgres implementation can serve several processes behind the same methods.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
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


async def import_links_csv(location: str, path: Path) -> int:
    """Import `contact_account,vendor,vendor_id` rows (header optional)."""
    store = open_identity_store(location)
    count = 0
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.reader(fh), 1):
                if not row or row[0].strip().startswith("#"):
                    continue
                if n == 1 and row[0].strip().lower() in {"contact_account", "account"}:
                    continue
                if len(row) != 3 or not all(c.strip() for c in row):
                    raise BadUserInput(f"{path}:{n}: expected account,vendor,vendor_id")
                account, vendor, vendor_id = (c.strip() for c in row)
                if vendor.lower() not in VENDORS:
                    raise BadUserInput(f"{path}:{n}: unknown vendor {vendor!r}")
                await store.link(account, vendor.lower(), vendor_id)
                count += 1
    finally:
        await store.aclose()
    return count


__all__ = ["IdentityStore", "import_links_csv", "open_identity_store"]
