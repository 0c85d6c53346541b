"""Merging several vendors' ordered streams behind one composite cursor.

Each vendor stream is read through `Stream.read(position, limit)`, which answers a `Batch`:
items in the stream's order, each with the stream position *after* it, and where to go
next (`None` once the stream has run dry). Positions are small JSON values the stream
alone understands.

The merged page pops the smallest head (by `key`) until it has `first` items. Each edge's
cursor snapshots, per vendor, the position after the last item of that vendor already
shown, so the next page resumes every vendor exactly where it stopped: nothing re-read
from the start, nothing skipped or repeated. A vendor that has run dry is marked `DONE`
and not asked again. A vendor whose read fails keeps its position (the client can retry
it with the same cursor) and is reported in `failures`; the others still answer.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from trunkline.errors import ConnectorError
from trunkline.pagination.types import Batch, Position

T = TypeVar("T")

DONE = 0  # marks a stream that has run dry inside a composite cursor


class Stream(Protocol[T]):
    # Any awaitable: a stream that hands back a future (a dataloader's) lets a page
    # start every stream's first read in one go, without a task per stream.
    def read(self, position: Position | None, limit: int) -> Awaitable[Batch[T]]: ...


@dataclass
class MergedEdge(Generic[T]):
    item: T
    state: dict[str, Position]  # the composite cursor state after this item
    heads: dict[str, Any]  # the keys of the streams' next items, where known


@dataclass
class MergedPage(Generic[T]):
    edges: list[MergedEdge[T]]
    has_next: bool
    state: dict[str, Position]  # where every stream stands after the page
    heads: dict[str, Any]
    failures: dict[str, ConnectorError] = field(default_factory=dict)


def _frozen(value: Any) -> Any:
    """A key back from JSON: lists to tuples, so it compares with fresh keys."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass
class _Cursor(Generic[T]):
    name: str
    stream: Stream[T]
    consumed: Position | None  # position after the last item shown (None: start)
    next: Position | None  # where to read next (None: the start)
    exhausted: bool = False
    failed: bool = False
    buffer: deque[tuple[T, Position]] = field(default_factory=deque)
    head: Any = None  # key of the next unread item, known from the last cursor
    floor: Any = None  # the last batch's floor: no unread item comes before it

    @property
    def dry(self) -> bool:
        return self.exhausted and not self.buffer


async def _fill(
    cur: _Cursor[T], limit: int, failures: dict[str, ConnectorError]
) -> None:
    """Read until the buffer has an item or the stream is dry (empty batches skipped)."""
    while not cur.buffer and not cur.exhausted and not cur.failed:
        try:
            batch = await cur.stream.read(cur.next, limit)
        except ConnectorError as exc:
            cur.failed = True
            failures[cur.name] = exc
            return
        if _take(cur, batch):
            return


async def _fill_all(
    cursors: Sequence[_Cursor[T]], limit: int, failures: dict[str, ConnectorError]
) -> None:
    """`_fill` for several streams at once. Their first reads start here, in this
    turn, and are awaited together; only a stream that needs a second read (an empty
    window) gets a task of its own."""
    reads = [c.stream.read(c.next, limit) for c in cursors]
    results = await asyncio.gather(*reads, return_exceptions=True)
    again = []
    for cur, result in zip(cursors, results, strict=True):
        if isinstance(result, ConnectorError):
            cur.failed = True
            failures[cur.name] = result
        elif isinstance(result, BaseException):
            raise result
        elif not _take(cur, result) and not cur.buffer and not cur.exhausted:
            again.append(cur)
    if again:
        await asyncio.gather(*(_fill(c, limit, failures) for c in again))


def _take(cur: _Cursor[T], batch: Batch[T]) -> bool:
    """Buffer a batch's items; True if the stream is now parked at its floor."""
    cur.buffer.extend(batch.items)
    cur.next = batch.next
    cur.exhausted = batch.next is None
    cur.floor = None if cur.exhausted else batch.floor
    if not batch.items and not cur.exhausted:
        # Nothing read lies unshown (the buffer was empty and the read gave no
        # items, e.g. an empty window), so the stream's shown position moves past
        # what this read covered: a cursor from here does not read it again.
        cur.consumed = batch.next
    return _park(cur)


def _park(cur: _Cursor[T]) -> bool:
    """Park a drained stream at its floor (its next read is not due before that key)."""
    if cur.buffer or cur.exhausted or cur.failed or cur.floor is None:
        return False
    cur.head, cur.floor = cur.floor, None
    return True


def _push(
    heap: list[tuple[Any, str]], cur: _Cursor[T], key: Callable[[T], Any]
) -> None:
    if cur.buffer:
        heapq.heappush(heap, (key(cur.buffer[0][0]), cur.name))
    elif cur.head is not None:
        heapq.heappush(heap, (cur.head, cur.name))


async def merge_page(
    streams: Mapping[str, Stream[T]],
    state: Mapping[str, Position],
    first: int,
    key: Callable[[T], Any],
    *,
    heads: Mapping[str, Any] | None = None,
    read_limit: int | None = None,
) -> MergedPage[T]:
    """One forward page of `first` items over every stream, smallest key first.

    `state` maps stream name to its position (absent or None: from the start; `DONE`:
    dry). `heads` are the next items' keys that an earlier page saw (the cursor keeps
    them): a stream whose head is known is not read until that head is due, so a vendor
    whose next item is older than this whole page costs no call. The others are read
    concurrently, and again only when their buffer runs out before the page is full;
    a stream whose last batch gave a floor (a windowed vendor) is read again only once
    that floor is due, and reads that gave no items move its position past them.
    """
    limit = read_limit or first + 1
    known = heads or {}
    failures: dict[str, ConnectorError] = {}
    cursors = {
        name: _Cursor(
            name,
            stream,
            consumed=state.get(name),
            next=state.get(name),
            head=_frozen(known.get(name)),
        )
        for name, stream in streams.items()
        if state.get(name) != DONE
    }
    await _fill_all([c for c in cursors.values() if c.head is None], limit, failures)

    def snapshot() -> tuple[dict[str, Position], dict[str, Any]]:
        out: dict[str, Position] = {n: DONE for n in streams if state.get(n) == DONE}
        next_keys: dict[str, Any] = {}
        for name, cur in cursors.items():
            out[name] = DONE if cur.dry and not cur.failed else cur.consumed
            if cur.buffer:
                next_keys[name] = key(cur.buffer[0][0])
            elif cur.head is not None:
                next_keys[name] = cur.head
        return out, next_keys

    heap: list[tuple[Any, str]] = []
    for name, cur in cursors.items():
        if cur.buffer:
            heap.append((key(cur.buffer[0][0]), name))
        elif cur.head is not None:
            heap.append((cur.head, name))
    heapq.heapify(heap)
    edges: list[MergedEdge[T]] = []
    while heap and len(edges) < first:
        _, name = heapq.heappop(heap)
        cur = cursors[name]
        if not cur.buffer:  # a known head (or floor) is due: read it now
            cur.head = None
            await _fill(cur, limit, failures)
            _push(heap, cur, key)
            continue
        item, after = cur.buffer.popleft()
        cur.consumed = after
        # The page needs more: this stream's next head, unless the stream is parked
        # at its floor (then it is read only once that floor is due).
        if len(edges) + 1 < first and not _park(cur):
            await _fill(cur, limit, failures)
        _push(heap, cur, key)
        edges.append(MergedEdge(item, *snapshot()))
    # A full page does not read ahead to prove the end: a stream not yet known to be dry
    # makes hasNextPage true, and the next page may then come back empty.
    maybe_more = any(not c.exhausted and not c.failed for c in cursors.values())
    final_state, final_heads = snapshot()
    return MergedPage(
        edges,
        has_next=bool(heap) or maybe_more,
        state=final_state,
        heads=final_heads,
        failures=failures,
    )


__all__ = [
    "DONE",
    "Batch",
    "MergedEdge",
    "MergedPage",
    "Position",
    "Stream",
    "merge_page",
]
