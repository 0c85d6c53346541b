"""The pure pagination library: cursors, offset slices and the cross-vendor merge."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.errors import (
    BadUserInput,
    ConnectorError,
    CursorError,
    VendorUnavailable,
)
from trunkline.pagination.args import slice_args
from trunkline.pagination.cursor import decode_cursor, encode_cursor, scope_of
from trunkline.pagination.merge import DONE, Batch, merge_page
from trunkline.pagination.offset import find_end, offset_slice


class ListVendor:
    """An offset/limit vendor over a list, with a call counter and a per-call cap."""

    def __init__(self, items: Sequence[int], cap: int = 1000) -> None:
        self.items = list(items)
        self.cap = cap
        self.calls = 0

    async def fetch(self, offset: int, limit: int) -> tuple[list[int], bool]:
        assert 0 < limit <= self.cap, "asked for more than the vendor allows"
        self.calls += 1
        got = self.items[offset : offset + limit]
        return got, offset + limit < len(self.items)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


# ---- cursors ------------------------------------------------------------------------


def test_cursor_round_trip_and_scope() -> None:
    scope = scope_of("Contact", {"name": "x"})
    c = encode_cursor("Contact", scope, {"i": 41})
    assert decode_cursor(c, "Contact", scope) == {"i": 41}
    with pytest.raises(CursorError, match="different arguments"):
        decode_cursor(c, "Contact", scope_of("Contact", {"name": "y"}))
    with pytest.raises(CursorError, match="Interaction list"):
        decode_cursor(c, "Interaction", scope)


@given(st.text(max_size=40))
def test_garbage_cursor_is_bad_input_never_a_crash(garbage: str) -> None:
    with pytest.raises(CursorError):
        decode_cursor(garbage, "Contact", "abc")


def test_slice_args_bounds() -> None:
    with pytest.raises(BadUserInput):
        slice_args(-1, None, None, None, max_page_size=100)
    with pytest.raises(BadUserInput):
        slice_args(100000, None, None, None, max_page_size=100)
    with pytest.raises(BadUserInput):
        slice_args(1, None, 1, None, max_page_size=100)
    assert slice_args(None, None, None, None, max_page_size=100).first == 50


# ---- offset backend --------------------------------------------------------------------


async def walk_forward(vendor: ListVendor, sizes: list[int], cap: int) -> list[int]:
    seen: list[int] = []
    after: int | None = None
    i = 0
    while True:
        size = sizes[i % len(sizes)]
        i += 1
        page = await offset_slice(
            vendor.fetch, first=size, last=None, after=after, before=None, max_call=cap
        )
        seen.extend(page.items)
        if page.items:
            after = page.start + len(page.items) - 1
        if not page.has_next:
            return seen
        assert page.items, "has_next with an empty page would loop"


async def walk_backward(vendor: ListVendor, sizes: list[int], cap: int) -> list[int]:
    seen: list[int] = []
    before: int | None = None
    i = 0
    while True:
        size = sizes[i % len(sizes)]
        i += 1
        page = await offset_slice(
            vendor.fetch, first=None, last=size, after=None, before=before, max_call=cap
        )
        seen[:0] = page.items
        if page.items:
            before = page.start
        if not page.has_previous:
            return seen


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(0, 400),
    sizes=st.lists(st.integers(1, 120), min_size=1, max_size=6),
    cap=st.integers(1, 50),
)
def test_offset_walks_see_every_item_once_in_order(
    total: int, sizes: list[int], cap: int
) -> None:
    items = list(range(total))
    assert run(walk_forward(ListVendor(items, cap), sizes, cap)) == items
    assert run(walk_backward(ListVendor(items, cap), sizes, cap)) == items


@given(st.integers(0, 5000))
def test_find_end_counts_with_few_probes(total: int) -> None:
    vendor = ListVendor(range(total))
    assert run(find_end(vendor.fetch)) == total
    assert vendor.calls <= 2 * max(1, total).bit_length() + 2


def test_first_page_is_one_call_and_uses_next() -> None:
    vendor = ListVendor(range(120))
    page = run(
        offset_slice(
            vendor.fetch, first=50, last=None, after=None, before=None, max_call=1000
        )
    )
    assert page.items == list(range(50)) and page.has_next and not page.has_previous
    assert vendor.calls == 1


# ---- merge ------------------------------------------------------------------------------


class ListStream:
    """A vendor stream over a sorted list; positions are counts consumed."""

    def __init__(self, items: Sequence[tuple[int, str]], fail_after: int | None = None):
        self.items = list(items)
        self.reads: list[int] = []
        self.fail_after = fail_after

    async def read(self, position: int | None, limit: int) -> Batch[tuple[int, str]]:
        start = position or 0
        if self.fail_after is not None and len(self.reads) >= self.fail_after:
            raise VendorUnavailable("x", "down")
        self.reads.append(start)
        chunk = self.items[start : start + limit]
        nxt = start + len(chunk)
        return Batch(
            [(it, start + n + 1) for n, it in enumerate(chunk)],
            nxt if nxt < len(self.items) else None,
        )


async def walk_merged(
    streams: dict[str, ListStream], sizes: list[int]
) -> list[tuple[int, str]]:
    state: dict[str, object] = {}
    heads: dict[str, object] = {}
    seen: list[tuple[int, str]] = []
    i = 0
    while True:
        page = await merge_page(
            streams, state, sizes[i % len(sizes)], key=lambda t: t, heads=heads
        )
        i += 1
        seen.extend(e.item for e in page.edges)
        state, heads = page.state, page.heads
        for e in page.edges:
            assert isinstance(e.state, dict)
        if not page.has_next:
            return seen


@settings(max_examples=80, deadline=None)
@given(
    data=st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.lists(st.integers(0, 500), max_size=60),
        max_size=4,
    ),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5),
)
def test_merge_sees_every_item_once_in_order(
    data: dict[str, list[int]], sizes: list[int]
) -> None:
    streams = {n: ListStream(sorted((v, n) for v in vals)) for n, vals in data.items()}
    expected = sorted(it for s in streams.values() for it in s.items)
    assert run(walk_merged(streams, sizes)) == expected
    for s in streams.values():  # resumes where it stood: reads never go backwards
        assert s.reads == sorted(s.reads)


class FutureStream:
    """A stream that answers with a future, as a dataloader-backed stream does."""

    def __init__(self, items: Sequence[tuple[int, str]]) -> None:
        self.items = list(items)
        self.pending: list[asyncio.Future[Batch[tuple[int, str]]]] = []

    def read(
        self, position: int | None, limit: int
    ) -> asyncio.Future[Batch[tuple[int, str]]]:
        future: asyncio.Future[Batch[tuple[int, str]]]
        future = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        return future

    def answer(self, fail: bool = False) -> None:
        future = self.pending.pop(0)
        if fail:
            future.set_exception(VendorUnavailable("x", "down"))
        else:
            future.set_result(
                Batch([(it, n + 1) for n, it in enumerate(self.items)], None)
            )


def test_a_page_starts_every_streams_first_read_in_its_own_first_step() -> None:
    # The reads are queued before the page first waits (no task per stream, which
    # would start them a loop turn later), and a failed one still degrades.
    async def scenario() -> None:
        a = FutureStream([(1, "a"), (3, "a")])
        b = FutureStream([(2, "b")])
        page_task = asyncio.ensure_future(
            merge_page({"a": a, "b": b}, {}, 5, key=lambda t: t)
        )
        await asyncio.sleep(0)  # the page's task has taken exactly one step
        assert (len(a.pending), len(b.pending)) == (1, 1)
        a.answer()
        b.answer(fail=True)
        page = await page_task
        assert [e.item for e in page.edges] == [(1, "a"), (3, "a")]
        assert isinstance(page.failures["b"], ConnectorError)

    run(scenario())


def test_merge_dry_vendor_not_asked_again() -> None:
    short = ListStream([(1, "a")])
    long = ListStream([(n, "b") for n in range(10)])
    page = run(merge_page({"a": short, "b": long}, {}, 3, key=lambda t: t))
    assert page.state["a"] == DONE
    run(merge_page({"a": short, "b": long}, page.state, 3, key=lambda t: t))
    assert len(short.reads) == 1


def test_merge_failure_degrades_and_cursor_retries_the_vendor() -> None:
    broken = ListStream([(n, "a") for n in range(5)], fail_after=0)
    fine = ListStream([(n, "b") for n in range(5)])
    page = run(merge_page({"a": broken, "b": fine}, {}, 3, key=lambda t: t))
    assert [e.item for e in page.edges] == [(0, "b"), (1, "b"), (2, "b")]
    assert isinstance(page.failures["a"], ConnectorError)
    assert page.state["a"] is None  # still to be read from its start next time


def test_a_stream_whose_next_item_is_not_due_is_not_read() -> None:
    old = ListStream([(100 + n, "a") for n in range(5)])
    new = ListStream([(n, "b") for n in range(50)])
    page = run(merge_page({"a": old, "b": new}, {}, 10, key=lambda t: t))
    assert page.heads["a"] == (100, "a")
    reads = len(old.reads)
    page = run(
        merge_page(
            {"a": old, "b": new}, page.state, 10, key=lambda t: t, heads=page.heads
        )
    )
    assert [e.item for e in page.edges] == [(n, "b") for n in range(10, 20)]
    assert len(old.reads) == reads  # its head (100) comes after this page: no call


class WindowedStream:
    """Items (ints, ascending = newest first) answered in windows of `step` keys;
    an empty window answers a floor instead of reading on."""

    def __init__(self, items: Sequence[int], step: int, end: int) -> None:
        self.items = sorted(items)
        self.step = step
        self.end = end
        self.reads = 0

    async def read(self, position: int | None, limit: int) -> Batch[tuple[int, str]]:
        self.reads += 1
        lo = position or 0
        hi = lo + self.step
        got = [(v, "w") for v in self.items if lo <= v < hi]
        nxt = hi if hi < self.end else None
        floor = (hi, "") if not got and nxt is not None else None
        # after an item, resume just past it; after the window, at its end
        return Batch([(it, it[0] + 1) for it in got], nxt, floor)


@settings(max_examples=60, deadline=None)
@given(
    windowed=st.lists(st.integers(0, 999), max_size=30, unique=True),
    other=st.lists(st.integers(0, 999), max_size=60),
    sizes=st.lists(st.integers(1, 30), min_size=1, max_size=4),
)
def test_merge_with_floors_sees_everything_once(
    windowed: list[int], other: list[int], sizes: list[int]
) -> None:
    w = WindowedStream(windowed, 90, 1000)
    o = ListStream(sorted((v, "o") for v in other))
    seen = run(walk_merged({"w": w, "o": o}, sizes))  # type: ignore[dict-item]
    assert seen == sorted([(v, "w") for v in windowed] + [(v, "o") for v in other])


def test_floored_windows_are_read_only_when_due() -> None:
    w = WindowedStream([950], 90, 1000)  # one old item, many empty windows before it
    o = ListStream([(n, "o") for n in range(100)])
    page = run(merge_page({"w": w, "o": o}, {}, 10, key=lambda t: t))
    assert [e.item for e in page.edges] == [(n, "o") for n in range(10)]
    assert w.reads == 1  # its first window was empty: parked at floor 90
