"""The offset backend: Relay slices over an offset/limit vendor listing.

The vendor is reached through one callable, `fetch(offset, limit) -> (items, has_more)`,
where `has_more` is the vendor's own word that items follow (e.g. a `next` link). Positions
are item indexes; `after`/`before` carry the index of the edge they name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from trunkline.errors import CursorError

T = TypeVar("T")

# The vendors' docs type `offset` as Integer (LiveVox says so; CRM.COM states no
# bound): a 32-bit signed integer is the most a read may ask for. An edge index
# below MAX_OFFSET keeps the next read's offset (index + 1) within it.
MAX_OFFSET = 2**31 - 1

Fetch = Callable[[int, int], Awaitable[tuple[Sequence[T], bool]]]


@dataclass(frozen=True, slots=True)
class OffsetSlice(Generic[T]):
    items: Sequence[T]
    start: int  # index of items[0]
    has_next: bool
    has_previous: bool


def offset_index(state: Any) -> int:
    """The edge index an offset cursor's state `{"i": n}` holds, checked: a
    non-negative integer below MAX_OFFSET, else CursorError (before any call)."""
    i = state.get("i") if isinstance(state, dict) else None
    if not isinstance(i, int) or isinstance(i, bool) or i < 0:
        raise CursorError("Invalid cursor: malformed position.")
    if i >= MAX_OFFSET:
        raise CursorError(
            f"Invalid cursor: its position is past the largest offset ({MAX_OFFSET})."
        )
    return i


async def read_range(
    fetch: Fetch[T], start: int, count: int, max_call: int
) -> tuple[list[T], bool]:
    """Read `count` items from `start`, in calls of at most `max_call`."""
    items: list[T] = []
    has_more = True
    while len(items) < count and has_more:
        want = min(max_call, count - len(items))
        got, has_more = await fetch(start + len(items), want)
        items.extend(got)
        if len(got) < want:
            has_more = False
    return items, has_more


async def find_end(fetch: Fetch[T], lower: int = 0) -> int:
    """Count the items (the index one past the last) with O(log n) one-item probes."""

    async def exists(index: int) -> bool:
        got, _ = await fetch(index, 1)
        return bool(got)

    if not await exists(lower):
        return lower
    lo, step = lower, 1  # invariant: item `lo` exists
    while await exists(lo + step):
        lo, step = lo + step, step * 2
    hi = lo + step  # item `hi` does not exist
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if await exists(mid):
            lo = mid
        else:
            hi = mid
    return hi


async def offset_slice(
    fetch: Fetch[T],
    *,
    first: int | None,
    last: int | None,
    after: int | None,
    before: int | None,
    max_call: int,
) -> OffsetSlice[T]:
    """Resolve a Relay slice: `after`/`before` are edge indexes, exclusive."""
    lo = 0 if after is None else after + 1
    if last is None:
        count = first if first is not None else 0
        if before is not None:
            count = max(0, min(count, before - lo))
        items, has_more = await read_range(fetch, lo, count, max_call)
        if before is not None:
            has_next = lo + len(items) < before
        else:
            has_next = len(items) == count and has_more
        return OffsetSlice(items, lo, has_next=has_next, has_previous=lo > 0)
    hi = before if before is not None else await find_end(fetch, lo)
    start = max(lo, hi - last)
    items, _ = await read_range(fetch, start, hi - start, max_call)
    return OffsetSlice(
        items, start, has_next=before is not None, has_previous=start > 0
    )


__all__ = [
    "MAX_OFFSET",
    "Fetch",
    "OffsetSlice",
    "find_end",
    "offset_index",
    "offset_slice",
    "read_range",
]
