"""The date-window backend: every item once, newest first, windows never over `step`."""

from __future__ import annotations

import asyncio
import bisect
import math
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.pagination.merge import Batch
from trunkline.pagination.window import read_windows, window_position

DAY = 86_400
STEP = 90 * DAY
T0 = 1_600_000_000
SPAN = 4 * 365 * DAY


class WindowVendor:
    """Timestamps served by half-open window, newest first; logs every fetch."""

    def __init__(self, times: Sequence[int]) -> None:
        self.times = sorted(times)
        self.fetches: list[tuple[int, int]] = []

    async def fetch(self, start: int, end: int) -> list[int]:
        self.fetches.append((start, end))
        lo = bisect.bisect_left(self.times, start)
        hi = bisect.bisect_left(self.times, end)
        return self.times[lo:hi][::-1]


async def walk(
    vendor: WindowVendor,
    *,
    until: int,
    since: int,
    limits: Sequence[int],
    keep: Any = None,
) -> list[int]:
    """Read from the start until dry, each read from the previous batch's `next`."""
    seen: list[int] = []
    position: Any = None
    for n in range(10_000):
        batch: Batch[int] = await read_windows(
            vendor.fetch,
            position,
            until=until,
            since=since,
            step=STEP,
            limit=limits[n % len(limits)],
            keep=keep,
        )
        seen.extend(item for item, _ in batch.items)
        if batch.next is None:
            return seen
        position = batch.next
    raise AssertionError("the walk never ended")


times_st = st.lists(st.integers(T0, T0 + SPAN), max_size=150)
bounds_st = st.tuples(st.integers(T0 - DAY, T0 + SPAN), st.integers(0, SPAN))


@settings(max_examples=60, deadline=None)
@given(times_st, st.lists(st.integers(1, 40), min_size=1, max_size=5), bounds_st)
def test_walk_yields_every_item_once_newest_first(
    times: list[int], limits: list[int], bounds: tuple[int, int]
) -> None:
    since, length = bounds
    until = since + length
    vendor = WindowVendor(times)
    seen = asyncio.run(walk(vendor, until=until, since=since, limits=limits))
    expected = sorted((t for t in times if since <= t < until), reverse=True)
    assert seen == expected
    assert all(0 < end - start <= STEP for start, end in vendor.fetches)
    assert all(since <= start and end <= until for start, end in vendor.fetches)


@settings(max_examples=60, deadline=None)
@given(times_st, st.lists(st.integers(1, 40), min_size=1, max_size=5), bounds_st)
def test_cursor_after_any_item_resumes_right_after_it(
    times: list[int], limits: list[int], bounds: tuple[int, int]
) -> None:
    """Every item's own position (not only `next`) resumes exactly after it."""
    since, length = bounds
    until = since + length
    vendor = WindowVendor(times)
    expected = sorted((t for t in times if since <= t < until), reverse=True)

    async def check() -> None:
        batch = await read_windows(
            vendor.fetch, None, until=until, since=since, step=STEP, limit=limits[0]
        )
        for n, (_, after) in enumerate(batch.items):
            rest = await read_windows(
                vendor.fetch, after, until=until, since=since, step=STEP, limit=10**6
            )
            assert [item for item, _ in rest.items] == expected[n + 1 :]

    asyncio.run(check())


@settings(max_examples=60, deadline=None)
@given(bounds_st, st.integers(1, 50))
def test_empty_history_costs_one_fetch_per_window(
    bounds: tuple[int, int], limit: int
) -> None:
    since, length = bounds
    until = since + length
    vendor = WindowVendor([])
    batch = asyncio.run(
        read_windows(
            vendor.fetch, None, until=until, since=since, step=STEP, limit=limit
        )
    )
    assert batch.items == [] and batch.next is None
    assert len(vendor.fetches) <= math.ceil(length / STEP)


@settings(max_examples=40, deadline=None)
@given(times_st, st.integers(1, 20))
def test_keep_drops_items_but_the_walk_still_ends(times: list[int], limit: int) -> None:
    since, until = T0, T0 + SPAN + 1
    vendor = WindowVendor(times)
    seen = asyncio.run(
        walk(
            vendor, until=until, since=since, limits=[limit], keep=lambda t: t % 2 == 0
        )
    )
    assert seen == sorted((t for t in times if t % 2 == 0), reverse=True)


async def test_a_full_window_stops_the_read() -> None:
    until = T0 + 10 * STEP
    vendor = WindowVendor([until - k * DAY for k in range(1, 11)])
    batch = await read_windows(
        vendor.fetch, None, until=until, since=T0, step=STEP, limit=5
    )
    assert len(vendor.fetches) == 1
    # the window comes whole; the last item points at the next window
    assert [t for t, _ in batch.items] == vendor.times[::-1]
    assert batch.items[0][1] == {"e": until, "i": 1}
    assert batch.items[-1][1] == {"e": until - STEP, "i": 0}
    assert batch.next == {"e": until - STEP, "i": 0}


async def test_empty_windows_are_skipped_within_one_read() -> None:
    until = T0 + 10 * STEP
    vendor = WindowVendor([T0 + 5, until - 1])
    first = await read_windows(
        vendor.fetch, None, until=until, since=T0, step=STEP, limit=1
    )
    assert [t for t, _ in first.items] == [until - 1]
    second = await read_windows(
        vendor.fetch, first.next, until=until, since=T0, step=STEP, limit=1
    )
    assert [t for t, _ in second.items] == [T0 + 5]
    assert second.next is None  # the oldest window reaches since
    assert len(vendor.fetches) == 10


async def test_positions_are_stable_when_until_moves() -> None:
    """A cursor made under one `until` means the same window under a later one."""
    vendor = WindowVendor([T0 + k * DAY for k in range(300)])
    until = T0 + 300 * DAY
    first = await read_windows(
        vendor.fetch, None, until=until, since=T0, step=STEP, limit=3
    )
    later = await read_windows(
        vendor.fetch, first.items[2][1], until=until + 999, since=T0, step=STEP, limit=3
    )
    assert later.items[0][0] == first.items[3][0]


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (None, (100, 0)),
        ("garbage", (100, 0)),
        ({"e": 50, "i": 3}, (50, 3)),
        ({"e": 50, "i": -3}, (50, 0)),
        ({"e": 500, "i": 3}, (100, 0)),  # never past until
        ({"e": True, "i": 0}, (100, 0)),
        ({"e": 50}, (100, 0)),
    ],
)
def test_window_position_tolerates_garbage(
    position: Any, expected: tuple[int, int]
) -> None:
    assert window_position(position, 100) == expected


async def test_step_must_be_positive() -> None:
    vendor = WindowVendor([])
    with pytest.raises(ValueError):
        await read_windows(vendor.fetch, None, until=10, since=0, step=0, limit=1)
