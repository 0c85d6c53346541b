"""Queue resolvers: configured queues, entry pages over offsets, actions on entries."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from trunkline.context import Context, Gateway
from trunkline.domain import Vendor
from trunkline.errors import BadUserInput, NotFound, shown
from trunkline.pagination.args import SliceArgs
from trunkline.pagination.cursor import decode_cursor, encode_cursor, scope_of
from trunkline.pagination.offset import offset_index, offset_slice
from trunkline.pagination.types import Page
from trunkline.queues import (
    QueueAction,
    QueueEntry,
    QueueEntryState,
    QueueRef,
    QueueSource,
)

KIND = "QueueEntry"
MAX_CALL = 500  # CRM.COM's cap per call
MAX_LATEST = 500
MAX_ERROR_CODE = 50
MAX_ERROR_DESCRIPTION = 1000


def queue_sources(gateway: Gateway) -> list[QueueSource]:
    return [c for c in gateway.connectors.values() if isinstance(c, QueueSource)]


def source_for(gateway: Gateway, vendor: Vendor) -> QueueSource:
    for source in queue_sources(gateway):
        if source.vendor is vendor:
            return source
    raise NotFound(f"{vendor.name} has no queues.")


def configured(gateway: Gateway) -> list[QueueRef]:
    return [q for s in queue_sources(gateway) for q in s.configured_queues()]


def _index(cursor: str | None, scope: Callable[[], str]) -> int | None:
    if cursor is None:
        return None
    return offset_index(decode_cursor(cursor, KIND, scope()))


async def entries_page(
    ctx: Context,
    queue: QueueRef,
    args: SliceArgs,
    state: QueueEntryState | None = None,
    *,
    pending_completed: bool = False,
) -> Page[QueueEntry]:
    """A Relay page of a queue's entries (newest first), by offset."""
    source = source_for(ctx.gateway, queue.vendor)
    listing = "pendingCompleted" if pending_completed else "entries"
    scope = cache(
        lambda: scope_of(KIND, listing, queue.key, state.value if state else None)
    )

    async def fetch(offset: int, limit: int) -> tuple[list[QueueEntry], bool]:
        if pending_completed:
            items, more = await source.pending_completed_entries(queue, offset, limit)
        else:
            items, more = await source.queue_entries(queue, offset, limit, state)
        return list(items), more

    result = await offset_slice(
        fetch,
        first=args.first,
        last=args.last,
        after=_index(args.after, scope),
        before=_index(args.before, scope),
        max_call=MAX_CALL,
    )
    start = result.start
    return Page(
        result.items,
        lambda n: encode_cursor(KIND, scope(), {"i": start + n}),
        has_next=result.has_next,
        has_previous=result.has_previous,
    )


async def latest(ctx: Context, queue: QueueRef, count: int) -> list[QueueEntry]:
    if not 1 <= count <= MAX_LATEST:
        raise BadUserInput(f"Argument 'count' must be 1 to {MAX_LATEST}.")
    source = source_for(ctx.gateway, queue.vendor)
    return list(await source.latest_queue_entries(queue, count))


def entry_key(raw: str) -> tuple[Vendor, str]:
    """A QueueEntry node key, `<vendor>:<vendor's id>`."""
    vendor_name, _, entry_id = raw.partition(":")
    try:
        return Vendor(vendor_name), entry_id
    except ValueError:
        raise BadUserInput(f"Unknown queue entry {shown(raw)}.") from None


async def entry(ctx: Context, key: str) -> QueueEntry | None:
    """The entry a node key names; None when it names nothing."""
    vendor, entry_id = entry_key(key)
    if not any(s.vendor is vendor for s in queue_sources(ctx.gateway)):
        return None
    return await source_for(ctx.gateway, vendor).queue_entry(entry_id)


def check_reject_reason(
    error_code: str | None, error_description: str | None
) -> list[tuple[str, BadUserInput]]:
    """The reject input's faults, by input field (both are required, and bounded)."""
    faults: list[tuple[str, BadUserInput]] = []
    for name, value, limit in (
        ("errorCode", error_code, MAX_ERROR_CODE),
        ("errorDescription", error_description, MAX_ERROR_DESCRIPTION),
    ):
        if value is None or not value.strip():
            faults.append((name, BadUserInput(f"{name} is required to reject.")))
        elif len(value) > limit:
            faults.append(
                (name, BadUserInput(f"{name} must be at most {limit} characters."))
            )
    return faults


async def act(
    ctx: Context,
    key: str,
    action: QueueAction,
    error_code: str | None = None,
    error_description: str | None = None,
) -> QueueEntry:
    vendor, entry_id = entry_key(key)
    source = source_for(ctx.gateway, vendor)
    return await source.act_on_queue_entry(
        entry_id,
        action,
        error_code.strip() if error_code else None,
        error_description.strip() if error_description else None,
    )


__all__ = [
    "act",
    "check_reject_reason",
    "configured",
    "entries_page",
    "entry",
    "entry_key",
    "latest",
    "queue_sources",
    "source_for",
]
