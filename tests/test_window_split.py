"""Windows that split themselves (pagination.window.read_split_windows), under
Hypothesis: any density, any cap, any page size, every item exactly once, newest first,
and the window walk of MoxiWorks (read_windows) untouched beside it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.pagination.window import read_split_windows
from trunkline.resolvers.guard import check_positions


class TooLarge(Exception):
    pass


def vendor(times: list[int], cap: int, log: list[tuple[int, int]]) -> Any:
    items = sorted(((t, n) for n, t in enumerate(times)), reverse=True)

    async def fetch(start: int, end: int) -> list[tuple[int, int]]:
        log.append((start, end))
        got = [i for i in items if start <= i[0] < end]
        if len(got) > cap:
            raise TooLarge
        return got

    return fetch


def walk(fetch: Any, *, until: int, since: int, step: int, limit: int) -> list[Any]:
    async def run() -> list[Any]:
        out: list[Any] = []
        position: Any = None
        for _ in range(10_000):
            batch = await read_split_windows(
                fetch,
                position,
                until=until,
                since=since,
                step=step,
                limit=limit,
                key_of=lambda i: list(i),
                too_large=TooLarge,
            )
            page = list(batch.items)[:limit]  # a client page: cut inside a window
            out.extend(i for i, _ in page)
            if len(page) < len(batch.items):
                position = page[-1][1]
            elif batch.next is None:
                return out
            else:
                position = batch.next
            # the position travels in a client's cursor: its check must take it
            check_positions({"engage": position}, {})
        raise AssertionError("no end")

    return asyncio.run(run())


@settings(max_examples=150, deadline=None)
@given(
    clusters=st.lists(
        st.tuples(st.integers(0, 9_999), st.integers(1, 60), st.integers(0, 80)),
        max_size=6,
    ),
    cap=st.integers(3, 40),
    limit=st.integers(1, 50),
    step=st.integers(1, 20_000),
)
def test_every_item_once_newest_first(
    clusters: list[tuple[int, int, int]], cap: int, limit: int, step: int
) -> None:
    # clusters of items (dense stretches) at random places; at most `cap` share a second
    times = [
        min(9_999, at + (k * spread) // max(1, n))
        for at, spread, n in clusters
        for k in range(n)
    ]
    per_second: dict[int, int] = {}
    for t in times:
        per_second[t] = per_second.get(t, 0) + 1
    times = [t for t in times if per_second[t] <= cap]
    log: list[tuple[int, int]] = []
    got = walk(vendor(times, cap, log), until=10_000, since=0, step=step, limit=limit)
    expected = sorted(((t, n) for n, t in enumerate(times)), reverse=True)
    assert got == expected  # every item exactly once, newest first
    assert all(0 <= s < e <= 10_000 for s, e in log)


def test_a_window_past_the_cap_is_halved_newer_half_first() -> None:
    times = list(range(100))  # 100 items in [0, 100), cap 60
    log: list[tuple[int, int]] = []
    got = walk(vendor(times, 60, log), until=100, since=0, step=100, limit=1000)
    assert [t for t, _ in got] == list(reversed(times))
    assert log == [(0, 100), (50, 100), (0, 50)]


def test_a_page_boundary_inside_a_split_window_resumes_exactly() -> None:
    times = list(range(100))
    log: list[tuple[int, int]] = []
    fetch = vendor(times, 60, log)

    async def run() -> tuple[Any, Any]:
        first = await read_split_windows(
            fetch, None, until=100, since=0, step=100, limit=10,
            key_of=list, too_large=TooLarge,
        )  # fmt: skip
        cut = list(first.items)[:10]
        assert [i[0] for i, _ in cut] == list(range(99, 89, -1))
        second = await read_split_windows(
            fetch, cut[-1][1], until=100, since=0, step=100, limit=10,
            key_of=list, too_large=TooLarge,
        )  # fmt: skip
        return cut, second

    _, second = asyncio.run(run())
    assert [i[0] for i, _ in second.items][:3] == [89, 88, 87]


def test_a_window_that_cannot_be_split_raises() -> None:
    log: list[tuple[int, int]] = []
    with pytest.raises(TooLarge):
        walk(vendor([5] * 10, 3, log), until=10, since=0, step=10, limit=5)


def test_a_page_ending_on_a_windows_last_item_resumes() -> None:
    # the page's last item closes its window: the position says "next window" with
    # no last key (k: null), and a cursor carrying it must be accepted
    times = list(range(20))
    got = walk(vendor(times, 60, []), until=100, since=0, step=10, limit=5)
    assert [t for t, _ in got] == list(reversed(times))
