"""Per-request dataloaders: built in the context getter, never at module level."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trunkline.connectors.base import ContactSource
from trunkline.domain import Contact, ContactGroup, Interaction
from trunkline.loaders.base import Loader, by_key

ALL = "all"


@dataclass
class Loaders:
    contact: Loader[str, Contact | None]  # by LiveVox account
    groups: Loader[str, Mapping[str, ContactGroup]]  # ALL -> groups by id
    field_labels: Loader[str, Mapping[str, str]]  # ALL -> label by field
    notes: Loader[str, Sequence[Interaction]]  # by account


def build_loaders(source: ContactSource, *, max_batch: int = 1000) -> Loaders:
    async def contacts(accounts: Sequence[str]) -> list[Contact | None]:
        found = dict(await source.get_contacts(accounts))
        return by_key(accounts, found, lambda _: None)

    async def groups(keys: Sequence[str]) -> list[Mapping[str, ContactGroup]]:
        by_id = {g.id: g for g in await source.list_groups()}
        return [by_id for _ in keys]

    async def labels(keys: Sequence[str]) -> list[Mapping[str, str]]:
        found = await source.custom_field_labels()
        return [found for _ in keys]

    async def notes(accounts: Sequence[str]) -> list[Sequence[Interaction] | BaseException]:
        results = await asyncio.gather(
            *(source.contact_notes(a) for a in accounts), return_exceptions=True
        )
        return list(results)

    return Loaders(
        contact=Loader(contacts, max_batch_size=max_batch),
        groups=Loader(groups),
        field_labels=Loader(labels),
        notes=Loader(notes),
    )


__all__ = ["ALL", "Loaders", "build_loaders"]
