"""The page backend: walks over fixed-size pages see every item once, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.pagination.counted import count_of, page_of
from trunkline.pagination.merge import Batch
from trunkline.pagination.page import read_pages


class PagedVendor:
    """A 1-based page vendor over a list; logs every page it serves."""

    def __init__(self, items: Sequence[int], page_size: int) -> None:
        self.items = list(items)
        self.page_size = page_size
        self.fetched: list[int] = []

    async def fetch(self, page: int) -> list[int]:
        assert page >= 1
        self.fetched.append(page)
        start = (page - 1) * self.page_size
        return self.items[start : start + self.page_size]


async def walk(
    vendor: PagedVendor,
    limits: list[int],
    keep: Callable[[int], bool] | None,
) -> tuple[list[tuple[int, Any]], list[tuple[int, list[int]]]]:
    """Walk to the end; answers the items seen and, per read, (start, pages fetched)."""
    seen: list[tuple[int, Any]] = []
    reads: list[tuple[int, list[int]]] = []
    position: Any = None
    step = 0
    while True:
        limit = limits[step % len(limits)]
        step += 1
        before = len(vendor.fetched)
        batch: Batch[int] = await read_pages(
            vendor.fetch, position, page_size=vendor.page_size, limit=limit, keep=keep
        )
        reads.append((count_of(position), vendor.fetched[before:]))
        assert len(batch.items) <= limit
        seen.extend(batch.items)
        if batch.next is None:
            return seen, reads
        assert count_of(batch.next) > count_of(position) or batch.items == []
        position = batch.next
        assert step < 10_000, "the walk does not end"


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(0, 120),
    page_size=st.integers(1, 30),
    limits=st.lists(st.integers(1, 40), min_size=1, max_size=8),
    mask=st.lists(st.booleans(), min_size=1, max_size=17),
    filtered=st.booleans(),
)
def test_walk_sees_every_item_once_in_order(
    total: int, page_size: int, limits: list[int], mask: list[bool], filtered: bool
) -> None:
    items = list(range(1000, 1000 + total))

    def keep(item: int) -> bool:
        return mask[item % len(mask)]

    vendor = PagedVendor(items, page_size)
    seen, reads = asyncio.run(walk(vendor, limits, keep if filtered else None))
    expected = [i for i in items if not filtered or keep(i)]
    assert [item for item, _ in seen] == expected
    # Each item's position is "raw items consumed up to and including it".
    assert all(count_of(pos) == items.index(item) + 1 for item, pos in seen)
    # No page twice within the walk, except the page a position points into.
    fetched_before: set[int] = set()
    for start, pages in reads:
        assert len(pages) == len(set(pages))
        first, skip = page_of(start, page_size)
        if pages:
            assert pages[0] == first
        for page in pages:
            if page in fetched_before:
                assert page == first and skip > 0, (start, pages)
        fetched_before.update(pages)


@settings(max_examples=60, deadline=None)
@given(
    full_pages=st.integers(0, 5),
    short=st.integers(0, 24),
    limits=st.lists(st.integers(1, 60), min_size=1, max_size=5),
)
def test_a_short_page_ends_the_stream(
    full_pages: int, short: int, limits: list[int]
) -> None:
    """A short page is the last, even if the vendor would serve more past it."""
    page_size = 25
    last_page = full_pages + 1
    real = list(range(full_pages * page_size + short))
    past: list[int] = []

    class Sneaky(PagedVendor):
        async def fetch(self, page: int) -> list[int]:
            if page > last_page:  # a full page of strays after the short one
                past.append(page)
                return list(range(10_000, 10_000 + page_size))
            return await super().fetch(page)

    vendor = Sneaky(real, page_size)
    seen, _ = asyncio.run(walk(vendor, limits, None))
    assert [item for item, _ in seen] == real
    assert past == []


def test_position_points_into_a_page_and_skips() -> None:
    vendor = PagedVendor(list(range(60)), 25)
    batch = asyncio.run(read_pages(vendor.fetch, {"n": 30}, page_size=25, limit=3))
    assert [i for i, _ in batch.items] == [30, 31, 32]
    assert batch.next == {"n": 33}
    assert vendor.fetched == [2]


def test_one_page_per_read_passing_over_filtered_out_pages() -> None:
    vendor = PagedVendor(list(range(100)), 25)
    batch = asyncio.run(
        read_pages(
            vendor.fetch, None, page_size=25, limit=5, keep=lambda i: i % 20 == 0
        )
    )
    assert [i for i, _ in batch.items] == [0, 20]
    assert vendor.fetched == [1]
    assert batch.next == {"n": 25}
    batch = asyncio.run(
        read_pages(vendor.fetch, None, page_size=25, limit=5, keep=lambda i: i >= 60)
    )
    assert [i for i, _ in batch.items] == [60, 61, 62, 63, 64]
    assert vendor.fetched == [1, 1, 2, 3]


def test_exact_full_last_page_ends_on_the_next_empty_page() -> None:
    vendor = PagedVendor(list(range(50)), 25)
    first = asyncio.run(read_pages(vendor.fetch, None, page_size=25, limit=50))
    assert len(first.items) == 25 and first.next == {"n": 25}
    second = asyncio.run(read_pages(vendor.fetch, first.next, page_size=25, limit=50))
    assert len(second.items) == 25 and second.next == {"n": 50}
    rest = asyncio.run(read_pages(vendor.fetch, second.next, page_size=25, limit=50))
    assert rest.items == [] and rest.next is None
    assert vendor.fetched == [1, 2, 3]


def test_zero_limit_costs_no_call() -> None:
    vendor = PagedVendor(list(range(10)), 25)
    batch = asyncio.run(read_pages(vendor.fetch, {"n": 4}, page_size=25, limit=0))
    assert batch.items == [] and batch.next == {"n": 4}
    assert vendor.fetched == []


def test_bad_page_size() -> None:
    vendor = PagedVendor([], 25)
    with pytest.raises(ValueError):
        asyncio.run(read_pages(vendor.fetch, None, page_size=0, limit=1))
