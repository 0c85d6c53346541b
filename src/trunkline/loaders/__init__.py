"""Per-request dataloaders: built in the context getter, never at module level."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import orjson

from trunkline.connectors.base import ContactSource, HistoryRead, InteractionSource
from trunkline.domain import Contact, ContactGroup, Interaction, Vendor
from trunkline.loaders.base import Loader, by_key
from trunkline.pagination.merge import Batch
from trunkline.store import IdentityStore

ALL = "all"


@dataclass
class Loaders:
    contact: Loader[str, Contact | None]  # by LiveVox account
    groups: Loader[str, Mapping[str, ContactGroup]]  # ALL -> groups by id
    field_labels: Loader[str, Mapping[str, str]]  # ALL -> label by field
    notes: Loader[str, Sequence[Interaction]]  # by account
    links: Loader[str, Mapping[str, str]]  # account -> {vendor: vendor id}
    history: Mapping[Vendor, Loader[HistoryRead, Batch[Interaction]]]


def _contact_loaders(source: ContactSource, max_batch: int) -> dict[str, Loader]:  # type: ignore[type-arg]
    async def contacts(accounts: Sequence[str]) -> list[Contact | None]:
        found = dict(await source.get_contacts(accounts))
        return by_key(accounts, found, lambda _: None)

    async def groups(keys: Sequence[str]) -> list[Mapping[str, ContactGroup]]:
        by_id = {g.id: g for g in await source.list_groups()}
        return [by_id for _ in keys]

    async def labels(keys: Sequence[str]) -> list[Mapping[str, str]]:
        found = await source.custom_field_labels()
        return [found for _ in keys]

    async def notes(
        accounts: Sequence[str],
    ) -> list[Sequence[Interaction] | BaseException]:
        results = await asyncio.gather(
            *(source.contact_notes(a) for a in accounts), return_exceptions=True
        )
        return list(results)

    return {
        "contact": Loader(contacts, max_batch_size=max_batch),
        "groups": Loader(groups),
        "field_labels": Loader(labels),
        "notes": Loader(notes),
    }


def _history_loader(
    source: InteractionSource,
) -> Loader[HistoryRead, Batch[Interaction]]:
    async def read(
        reads: Sequence[HistoryRead],
    ) -> Sequence[Batch[Interaction] | BaseException]:
        return await source.read_histories(reads)

    return Loader(read)


def build_loaders(
    source: ContactSource,
    histories: Sequence[InteractionSource] = (),
    identity: IdentityStore | None = None,
    *,
    max_batch: int = 1000,
) -> Loaders:
    async def links(accounts: Sequence[str]) -> list[Mapping[str, str]]:
        if identity is None:
            return [{} for _ in accounts]
        found = dict(await identity.links_for(accounts))
        return by_key(accounts, found, lambda _: {})

    return Loaders(
        **_contact_loaders(source, max_batch),
        links=Loader(links, max_batch_size=500),
        history={s.vendor: _history_loader(s) for s in histories},
    )


def position_text(position: object) -> str | None:
    """A stream position as hashable JSON text (a loader key part)."""
    return None if position is None else orjson.dumps(position).decode()


__all__ = ["ALL", "Loaders", "build_loaders", "position_text"]
