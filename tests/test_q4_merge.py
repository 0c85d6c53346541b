"""Issue #4, Q4: the merge reads a vendor only as far as a page needs it.

- A windowed stream that has shown its window's items waits at the window's floor
  instead of reading the next window (which the page may never reach).
- Windows read empty move the stream's cursor position past them, so the next page
  does not read them again.
- A lone Procurios relation's first read answers one page, like its resumed reads.
- A merged page lets go of the vendors' batches behind it (the request's loader cache).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from support import GraphQLClient
from trunkline.config import Secrets, VendorSettings
from trunkline.connectors.base import HistoryRead
from trunkline.connectors.procurios import ProcuriosConnector
from trunkline.connectors.transport import make_client
from trunkline.domain import Interaction, InteractionFilter
from trunkline.pagination.merge import Batch, MergedPage, merge_page
from trunkline.resolvers import interactions as resolver
from trunkline.simulators.procurios import create_app as procurios_app
from trunkline.simulators.seed import HEAVY, people

Item = tuple[int, str]


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def key(item: Item) -> Item:
    return item


class Listed:
    """A stream over a sorted list, `limit` items a read; counts its reads."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = sorted(items)
        self.reads = 0

    async def read(self, position: int | None, limit: int) -> Batch[Item]:
        self.reads += 1
        start = position or 0
        got = self.items[start : start + limit]
        end = start + len(got)
        return Batch(
            [(it, start + i + 1) for i, it in enumerate(got)],
            end if end < len(self.items) else None,
        )


class Windowed:
    """Keys in windows of `step` from 0 to `end`, one window a read, each answered
    with its floor (the window's end), as `read_windows` answers with `floor_of`.
    Records the start of every window read."""

    def __init__(self, keys: Sequence[int], step: int, end: int) -> None:
        self.keys = sorted(keys)
        self.step = step
        self.end = end
        self.windows: list[int] = []

    async def read(self, position: Any, limit: int) -> Batch[Item]:
        lo, skip = position or (0, 0)
        self.windows.append(lo)
        hi = lo + self.step
        got = [(k, "w") for k in self.keys if lo <= k < hi]
        nxt = [hi, 0] if hi < self.end else None
        items = [
            (it, [lo, i + 1] if i + 1 < len(got) else nxt or [hi, 0])
            for i, it in enumerate(got)
        ][skip:]
        return Batch(items, nxt, (hi, "") if nxt is not None else None)


async def walk(
    streams: dict[str, Any], first: int
) -> tuple[list[Item], list[MergedPage[Item]]]:
    seen: list[Item] = []
    pages: list[MergedPage[Item]] = []
    state: dict[str, Any] = {}
    heads: dict[str, Any] = {}
    while True:
        page = await merge_page(streams, state, first, key, heads=heads)
        pages.append(page)
        seen += [e.item for e in page.edges]
        if not page.has_next:
            return seen, pages
        state, heads = page.state, page.heads


def test_a_window_shown_whole_waits_at_its_floor() -> None:
    w = Windowed([5], 90, 1000)  # one item in the first window, then nothing
    o = Listed([(n, "o") for n in range(100)])
    page = run(merge_page({"w": w, "o": o}, {}, 10, key))
    assert [e.item for e in page.edges][:7] == [(n, "o") for n in range(6)] + [(5, "w")]
    # The page ends at (8, "o"): the next window starts at 90 and is not read.
    assert w.windows == [0]
    assert page.heads["w"] == (90, "")
    assert page.state["w"] == [90, 0]


def test_empty_windows_read_on_a_page_are_not_read_again() -> None:
    w = Windowed([250], 90, 1000)
    o = Listed([(n, "o") for n in range(0, 400, 10)])
    first = run(merge_page({"w": w, "o": o}, {}, 12, key))
    # keys 0..110 of "o": the windows from 0 and 90 were due, and empty
    assert w.windows == [0, 90]
    assert first.state["w"] == [180, 0]  # the cursor stands after them
    second = run(merge_page({"w": w, "o": o}, first.state, 20, key, heads=first.heads))
    assert (250, "w") in [e.item for e in second.edges]
    assert w.windows[:3] == [0, 90, 180]
    assert len(w.windows) == len(set(w.windows))  # no window read twice


@settings(max_examples=60, deadline=None)
@given(
    windowed=st.lists(st.integers(0, 999), max_size=40, unique=True),
    other=st.lists(st.integers(0, 999), max_size=60, unique=True),
    first=st.integers(1, 25),
)
def test_walks_see_everything_once_and_read_empty_windows_once(
    windowed: list[int], other: list[int], first: int
) -> None:
    w = Windowed(windowed, 90, 1000)
    o = Listed([(v, "o") for v in other])
    seen, _ = run(walk({"w": w, "o": o}, first))
    assert seen == sorted([(v, "w") for v in windowed] + [(v, "o") for v in other])
    # A window is read again only by a page whose cursor points into it (some of its
    # items shown, some not); an empty window never is.
    empty = {
        lo for lo in range(0, 1000, 90) if not any(lo <= k < lo + 90 for k in windowed)
    }
    assert all(w.windows.count(lo) <= 1 for lo in empty)


# ---- Procurios: a lone relation's first read ----------------------------------------

LIST_PATH = "/l/contact_moment_api/contact_moment"


@pytest.fixture
def sim() -> Starlette:
    return procurios_app(now=datetime(2026, 3, 1, tzinfo=UTC))


@pytest.fixture
async def conn(sim: Starlette) -> AsyncIterator[ProcuriosConnector]:
    vs = VendorSettings(name="procurios", options={}, secrets=Secrets({}))
    connector = ProcuriosConnector(vs, make_client(vs, app=sim))
    yield connector
    await connector.aclose()


def list_calls(sim: Starlette) -> list[str]:
    return [q for _, p, q in sim.state.calls.entries if p == LIST_PATH]


def history_read(relation: int, position: str | None, limit: int) -> HistoryRead:
    return HistoryRead(
        str(relation), InteractionFilter(), frozenset({"id"}), position, limit
    )


async def test_a_lone_relation_reads_one_page_at_a_time(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    relation = people()[HEAVY].relation_id
    (batch,) = await conn.read_histories([history_read(relation, None, 101)])
    assert isinstance(batch, Batch)
    # One page of 25, not the five pages 101 items would take: a merged page of
    # 100 over four vendors took 23 of them.
    assert list_calls(sim) == [f"page=1&relationIds={relation}"]
    assert len(batch.items) == 25 and batch.next == {"n": 25}
    (more,) = await conn.read_histories([history_read(relation, '{"n":25}', 101)])
    assert isinstance(more, Batch)
    assert list_calls(sim)[1:] == [f"page=2&relationIds={relation}"]
    assert more.items[0][1] == {"n": 26}


async def test_several_relations_still_read_on_to_their_limit(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    relations = [people()[HEAVY].relation_id, people()[2].relation_id]
    answers = await conn.read_histories([history_read(r, None, 60) for r in relations])
    assert all(isinstance(a, Batch) for a in answers)
    # resumed alone they would each read again: the combined stream reads ahead
    assert len(list_calls(sim)) > 1


# ---- the request lets go of the batches behind a page --------------------------------


async def test_a_page_lets_go_of_the_vendor_batches(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached: list[int] = []
    merge = resolver._merge

    async def spy(streams: dict[str, Any], *args: Any) -> MergedPage[Interaction]:
        page = await merge(streams, *args)
        for stream in streams.values():
            loader = stream.ctx.loaders.history[stream.source.vendor]
            cached.append(len(loader._cache))
            assert stream.loaded == []
        return page

    monkeypatch.setattr(resolver, "_merge", spy)
    query = """query ($id: ID!) { interactions(first: 100, filter: { contactId: $id })
      { edges { node { id } } } }"""
    account = people()[HEAVY].account
    data = await gql.data(
        query, {"id": base64.b64encode(f"Contact:{account}".encode()).decode()}
    )
    assert len(data["interactions"]["edges"]) == 100
    assert cached and set(cached) == {0}
