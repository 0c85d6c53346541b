"""The merged interaction history: every selected vendor's stream, newest first."""

from __future__ import annotations

import asyncio
from asyncio import Future
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from urllib.parse import quote

from trunkline.context import Context
from trunkline.domain import Contact, Interaction, InteractionFilter
from trunkline.errors import CursorError
from trunkline.loaders import position_text
from trunkline.pagination.args import SliceArgs
from trunkline.pagination.cursor import decode_cursor, encode_cursor, scope_of
from trunkline.pagination.merge import MergedPage, merge_page
from trunkline.pagination.types import Batch, Page, Position
from trunkline.resolvers.contacts import contact as load_contact
from trunkline.resolvers.guard import (
    check_positions,
    clamp_dates,
    history_key,
    interaction_source,
)
from trunkline.resolvers.identity import vendor_key, vendor_keys
from trunkline.sources import HistoryRead, InteractionSource

KIND = "Interaction"
# The composite cursor's own version: 2 since SoundBite Engage joined the history. A
# cursor from before holds no Engage position, so its next page would show Engage's
# newest items again: it is refused, never read as a wrong page.
STATE_VERSION = 2


@dataclass
class LoaderStream:
    """One vendor's history, read through the request's batching loader."""

    ctx: Context
    source: InteractionSource
    key: str | None
    filter: InteractionFilter
    fields: frozenset[str]
    loaded: list[HistoryRead] = field(default_factory=list)

    def read(self, position: Position | None, limit: int) -> Future[Batch[Interaction]]:
        """The loader's future itself: the load is queued now, with no task to run."""
        read = HistoryRead(
            self.key, self.filter, self.fields, position_text(position), limit
        )
        self.loaded.append(read)
        return self.ctx.loaders.history[self.source.vendor].load(read)

    def release(self) -> None:
        """Drop this stream's answers from the request's loader cache.

        A merged page keeps only the items it shows; the batches behind it (whole
        MoxiWorks windows, Procurios pages, a LiveVox notes list) are of no use once
        the page is merged. The loader cache would hold them as long as the request
        context lives, and the context may outlive the request until the cyclic GC
        runs (graphql-core's execution context is a reference cycle), so over a
        long walk they piled up page after page."""
        loader = self.ctx.loaders.history[self.source.vendor]
        for read in self.loaded:
            loader.clear(read)
        self.loaded.clear()


def _scope(f: InteractionFilter) -> str:
    return scope_of(
        KIND,
        f.contact_account,
        sorted(v.value for v in f.vendors or ()),
        sorted(c.value for c in f.channels or ()),
        f.since,
        f.until,
        f.direction.value if f.direction else None,
        f.text,
    )


def _decode(cursor: str, scope: str) -> dict[str, Any]:
    state = decode_cursor(cursor, KIND, scope)
    if not isinstance(state, dict) or not isinstance(state.get("s"), dict):
        raise CursorError("Invalid cursor: malformed position.")
    if state.get("v") != STATE_VERSION:
        raise CursorError(
            "Invalid cursor: it was issued before this history gained a vendor; "
            "read the history again from the start."
        )
    return state


def _state(
    cursor: str | None, scope: str | Callable[[], str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The vendors' positions and their known next keys, from an `after` cursor."""
    if cursor is None:
        return {}, {}
    decoded = _decode(cursor, scope if isinstance(scope, str) else scope())
    heads = decoded.get("h")
    state, known = dict(decoded["s"]), dict(heads) if isinstance(heads, dict) else {}
    check_positions(state, known)  # a client's positions reach vendor calls
    return state, known


def _item_key(item: Interaction) -> list[str]:
    return [item.source.vendor.value, item.source.vendor_id]


def _cursor(
    scope: str, state: dict[str, Any], heads: dict[str, Any], item: Interaction
) -> str:
    return encode_cursor(
        KIND, scope, {"v": STATE_VERSION, "s": state, "h": heads, "k": _item_key(item)}
    )


async def _streams(
    ctx: Context, f: InteractionFilter, contact: Contact | None, fields: frozenset[str]
) -> dict[str, LoaderStream]:
    sources = [
        s
        for s in ctx.gateway.interaction_sources()
        if not f.vendors or s.vendor in f.vendors
    ]
    # Their first reads go out in this order: the longest chains start first.
    sources.sort(key=lambda s: s.read_order)
    if contact is None:
        keys: list[str | None] = [None] * len(sources)
    else:
        keys = [
            history_key(s, k)
            for s, k in zip(
                sources, await vendor_keys(ctx, sources, contact), strict=True
            )
        ]
    # The vendors read only what can hold data: the horizon back, up to today.
    f = clamp_dates(f, ctx.gateway.settings.history_horizon_days)
    return {
        s.vendor.value: LoaderStream(ctx, s, key, f, fields)
        for s, key in zip(sources, keys, strict=True)
        if s.history_applies(key, f)
    }


async def interactions_page(
    ctx: Context,
    f: InteractionFilter,
    args: SliceArgs,
    fields: frozenset[str],
    path: tuple[str | int, ...],
    contact: Contact | None = None,
) -> Page[Interaction]:
    """A page of the merged history; vendor failures degrade, not break. `contact`:
    the filter's contact when the caller holds it already (a Contact's own field)."""
    if contact is None and f.contact_account:
        contact = await load_contact(ctx, f.contact_account)
    streams = await _streams(ctx, f, contact, fields)
    if args.backward:
        account = contact.account if contact is not None else None
        return await _backward(ctx, streams, _scope(f), args, path, account)
    # The filter's hash, made only if a cursor is read or written (before the
    # vendor calls, it would delay them).
    scope = cache(lambda: _scope(f))
    state, heads = _state(args.after, scope)
    page = await _merge(streams, state, args.first or 0, heads)
    for error in page.failures.values():
        ctx.report(error, path)
    edges = page.edges

    def cursor_at(n: int) -> str:
        e = edges[n]
        return _cursor(scope(), e.state, e.heads, e.item)

    has_next = page.has_next or bool(page.failures)
    account = contact.account if contact is not None else None
    return Page(
        [for_contact(e.item, account) for e in edges],
        cursor_at,
        has_next=has_next,
        has_previous=args.after is not None,
    )


def _sort_key(item: Interaction) -> tuple[float, str, str]:
    return item.sort_key


async def _merge(
    streams: dict[str, LoaderStream],
    state: dict[str, Any],
    first: int,
    heads: dict[str, Any],
) -> MergedPage[Interaction]:
    """One merged page; the vendors' batches behind it are let go right after."""
    try:
        return await merge_page(streams, state, first, key=_sort_key, heads=heads)
    finally:
        for stream in streams.values():
            stream.release()


BACKWARD_CHUNK = 200


async def _backward(
    ctx: Context,
    streams: dict[str, LoaderStream],
    scope: str,
    args: SliceArgs,
    path: tuple[str | int, ...],
    account: str | None = None,
) -> Page[Interaction]:
    """`last`/`before`: vendors only page forward, so walk forward from the start and
    keep the last `last` items before the `before` edge (memory O(last); vendor reads
    bounded by the history before that edge). Cursors equal the forward walk's."""
    target = _decode(args.before, scope).get("k") if args.before else None
    state, heads = _state(args.after, scope)
    after = bool(state)
    window: deque[tuple[str, Interaction]] = deque(maxlen=args.last or 0)
    dropped = False
    while True:
        page = await _merge(streams, state, BACKWARD_CHUNK, heads)
        for error in page.failures.values():
            ctx.report(error, path)
        for e in page.edges:
            if target is not None and _item_key(e.item) == target:
                return _window_page(window, True, dropped or bool(after))
            dropped = dropped or len(window) == window.maxlen
            item = for_contact(e.item, account)
            window.append((_cursor(scope, e.state, e.heads, e.item), item))
        if not page.has_next or not page.edges:
            break
        state, heads = page.state, page.heads
    if target is not None:
        raise CursorError("Invalid cursor: it no longer points into this history.")
    return _window_page(window, False, dropped or bool(after))


def _window_page(
    window: deque[tuple[str, Interaction]], has_next: bool, has_previous: bool
) -> Page[Interaction]:
    cursors = [c for c, _ in window]
    return Page(
        [i for _, i in window],
        cursors.__getitem__,
        has_next=has_next,
        has_previous=has_previous,
    )


def node_id_of(item: Interaction) -> str:
    """An interaction's node id: `<vendor>:<connector token>`, or, for one read as a
    contact's history, `<vendor>@<account>:<token>` (the account %-escaped). The
    contact is part of what was fetched, so `node(id:)` answers `contact` and
    `participants` as the history did, whatever the vendor's own record says."""
    vendor = item.source.vendor.value
    if item.contact_account is None:
        return f"{vendor}:{item.node_key}"
    return f"{vendor}@{quote(item.contact_account, safe='')}:{item.node_key}"


def for_contact(item: Interaction, account: str | None) -> Interaction:
    """The item as part of `account`'s history (a copy only when that differs: a
    batch may share its items with other contacts' histories)."""
    if account is None or item.contact_account == account:
        return item
    return replace(item, contact_account=account)


async def interaction(ctx: Context, node_id: str) -> Interaction | None:
    """One interaction by its node id (`node_id_of`); None when it names nothing.

    An ID's contact is the client's claim: it names the item only when the vendor's
    record belongs to that contact's id there (its link or rule), else another
    contact's account paired with a real token would answer for the wrong person.
    The contact's id is found while the item is read."""
    found = interaction_source(ctx, node_id)  # BAD_USER_INPUT if misshapen
    if found is None:
        return None
    source, token, account = found
    if account is None:
        item: Interaction | None = await source.get_interaction(token)
        return item
    return await owned(ctx, source, token, account)


async def owned(
    ctx: Context, source: InteractionSource, token: str, account: str
) -> Interaction | None:
    """The item `token` names as part of `account`'s history, None unless the
    vendor's record belongs to that contact's id there. node(id) and the interaction
    mutations both ask this of an ID that names a contact."""
    read, key = await asyncio.gather(
        source.get_interaction(token), vendor_key(ctx, source, account)
    )
    if read is None or history_key(source, key) is None or read.contact_key != key:
        return None
    return for_contact(read, account)


__all__ = ["for_contact", "interaction", "interactions_page", "node_id_of", "owned"]
