"""Per-request dataloaders: built in the context getter, never at module level."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from functools import cached_property

import orjson

from trunkline.domain import Contact, ContactGroup, Interaction, Vendor
from trunkline.loaders.base import Loader, by_key
from trunkline.pagination.types import Batch
from trunkline.sources import (
    ContactSource,
    HistoryRead,
    InteractionSource,
    ReadScope,
)
from trunkline.store import IdentityStore

ALL = "all"


class Loaders:
    """A request's loaders, each built when first used: most requests touch a few."""

    def __init__(
        self,
        source: ContactSource,
        histories: Sequence[InteractionSource] = (),
        identity: IdentityStore | None = None,
        *,
        max_batch: int = 1000,
    ) -> None:
        self._source = source
        self._histories = histories
        self._identity = identity
        self._max_batch = max_batch

    @cached_property
    def contact(self) -> Loader[str, Contact | None]:  # by LiveVox account
        source = self._source

        async def contacts(accounts: Sequence[str]) -> list[Contact | None]:
            found = dict(await source.get_contacts(accounts))
            return by_key(accounts, found, lambda _: None)

        return Loader(contacts, max_batch_size=self._max_batch)

    @cached_property
    def groups(self) -> Loader[str, Mapping[str, ContactGroup]]:  # ALL -> by id
        source = self._source

        async def groups(keys: Sequence[str]) -> list[Mapping[str, ContactGroup]]:
            by_id = {g.id: g for g in await source.list_groups()}
            return [by_id for _ in keys]

        return Loader(groups)

    @cached_property
    def field_labels(self) -> Loader[str, Mapping[str, str]]:  # ALL -> by field
        source = self._source

        async def labels(keys: Sequence[str]) -> list[Mapping[str, str]]:
            found = await source.custom_field_labels()
            return [found for _ in keys]

        return Loader(labels)

    @cached_property
    def notes(self) -> Loader[str, Sequence[Interaction]]:  # by account
        source = self._source

        async def notes(
            accounts: Sequence[str],
        ) -> list[Sequence[Interaction] | BaseException]:
            results = await asyncio.gather(
                *(source.contact_notes(a) for a in accounts), return_exceptions=True
            )
            return list(results)

        return Loader(notes)

    @cached_property
    def links(self) -> Loader[str, Mapping[str, str]]:  # account -> {vendor: id}
        identity = self._identity

        async def links(accounts: Sequence[str]) -> list[Mapping[str, str]]:
            if identity is None:
                return [{} for _ in accounts]
            found = dict(await identity.links_for(accounts))
            return by_key(accounts, found, lambda _: {})

        return Loader(links, max_batch_size=500)

    @cached_property
    def history(self) -> Mapping[Vendor, Loader[HistoryRead, Batch[Interaction]]]:
        return {s.vendor: _history_loader(s, self._scopes) for s in self._histories}

    @cached_property
    def _scopes(self) -> list[ReadScope]:
        return []

    def close(self) -> None:
        """The request is over: stop the vendor reads it left running."""
        if "_scopes" in self.__dict__:
            for scope in self._scopes:
                scope.close()


def _history_loader(
    source: InteractionSource, scopes: list[ReadScope]
) -> Loader[HistoryRead, Batch[Interaction]]:
    scope = ReadScope()  # this request's: a loader lives as long as its request
    scopes.append(scope)

    async def read(
        reads: Sequence[HistoryRead],
    ) -> Sequence[Batch[Interaction] | BaseException]:
        return await source.read_histories(reads, scope)

    # Without a batch form, a batch would only make each read wait for the slowest:
    # batches of one still go out in the order of their first loads (`read_order`).
    return Loader(read, max_batch_size=None if source.batch_reads else 1)


def build_loaders(
    source: ContactSource,
    histories: Sequence[InteractionSource] = (),
    identity: IdentityStore | None = None,
    *,
    max_batch: int = 1000,
) -> Loaders:
    return Loaders(source, histories, identity, max_batch=max_batch)


def position_text(position: object) -> str | None:
    """A stream position as hashable JSON text (a loader key part)."""
    return None if position is None else orjson.dumps(position).decode()


__all__ = ["ALL", "Loaders", "build_loaders", "position_text"]
