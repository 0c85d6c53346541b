"""A request's combined Procurios stream: reads answered as it goes, none read twice.

Within one request (a `ReadScope`), the combined `relationIds` stream answers each
relation's read as soon as it has something to say (items, or how far back it has
read), keeps reading in the background, and answers later reads of the relations it
follows without calls of their own. Without a scope it behaves as a plain batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.config import Secrets, VendorSettings
from trunkline.connectors.base import HistoryRead, ReadScope
from trunkline.connectors.procurios import ProcuriosConnector
from trunkline.connectors.procurios_stream import SharedStream
from trunkline.connectors.transport import make_client
from trunkline.domain import Interaction, InteractionFilter
from trunkline.errors import VendorUnavailable
from trunkline.loaders import position_text
from trunkline.pagination.merge import Batch
from trunkline.simulators.procurios import ProcuriosStore, create_app
from trunkline.simulators.seed import people

NOW = datetime(2026, 3, 1, tzinfo=UTC)
LIST_PATH = "/l/contact_moment_api/contact_moment"
PEOPLE = people()
# Two busy relations and 18 quiet ones: the stream narrows as it goes (the Q3 mix).
RELATIONS = [p.relation_id for p in PEOPLE[:20]]
FIELDS = frozenset({"subject", "occurredAt"})


def make_conn(app: ASGIApp) -> ProcuriosConnector:
    vs = VendorSettings(name="procurios", options={}, secrets=Secrets({}))
    return ProcuriosConnector(vs, make_client(vs, app=app))  # type: ignore[arg-type]


@pytest.fixture
def sim() -> Starlette:
    return create_app(now=NOW)


@pytest.fixture
async def conn(sim: Starlette) -> AsyncIterator[ProcuriosConnector]:
    connector = make_conn(sim)
    yield connector
    await connector.aclose()


def list_calls(sim: Starlette) -> int:
    return sum(1 for _, path, _ in sim.state.calls.entries if path == LIST_PATH)


def read(relation: int, position: Any = None, limit: int = 11) -> HistoryRead:
    return HistoryRead(
        str(relation), InteractionFilter(), FIELDS, position_text(position), limit
    )


def own_ids(sim: Starlette, relation: int) -> list[str]:
    store: ProcuriosStore = sim.state.store
    return [str(m.id) for m in store.select([relation], None)]


def streams(scope: ReadScope) -> set[SharedStream]:
    return {stream for stream, _ in scope.values()}


async def finished(scope: ReadScope) -> None:
    for stream in streams(scope):
        assert stream.task is not None
        await stream.task


async def answer(
    conn: ProcuriosConnector, r: HistoryRead, scope: ReadScope
) -> Batch[Interaction]:
    (got,) = await conn.read_histories([r], scope)
    assert isinstance(got, Batch), got
    return got


async def test_reads_are_answered_before_the_stream_ends(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """The first answers come after the first page, not after the last one."""
    plain = await conn.read_histories([read(r) for r in RELATIONS])
    pages = list_calls(sim)
    assert pages > 3
    sim.state.calls.clear()

    scope = ReadScope()
    sim.state.faults.latency_ms = 20  # a vendor that takes its time, as they do
    first = await conn.read_histories([read(r) for r in RELATIONS], scope)
    assert list_calls(sim) < pages
    assert all(isinstance(b, Batch) for b in first)
    # Each answer is a start of what the plain batch answered, and says how far back
    # the stream has read when it has taken everything seen so far.
    for got, whole in zip(first, plain, strict=True):
        assert isinstance(got, Batch) and isinstance(whole, Batch)
        assert got.items == whole.items[: len(got.items)]
        if got.next is not None and len(got.items) < 11:
            assert got.floor is not None
    await finished(scope)
    assert list_calls(sim) == pages  # the same pages as one batch reads


async def test_following_a_stream_reads_each_history_once_in_order(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """Walking every relation from the stream's answers sees its own list once, in
    order; reads of relations the stream still follows make no calls of their own."""
    scope = ReadScope()
    first = await conn.read_histories([read(r) for r in RELATIONS], scope)
    await finished(scope)
    (stream,) = streams(scope)
    stream_pages = list_calls(sim)
    followed = {r for r in RELATIONS if r in stream.active}
    assert followed and stream.ended
    for relation, batch in zip(RELATIONS, first, strict=True):
        assert isinstance(batch, Batch)
        seen = [i.source.vendor_id for i, _ in batch.items]
        position = batch.next
        before = list_calls(sim)
        while position is not None:
            more = await answer(conn, read(relation, position), scope)
            seen += [i.source.vendor_id for i, _ in more.items]
            assert more.next != position
            position = more.next
        assert seen == own_ids(sim, relation)
        if relation in followed:
            assert list_calls(sim) == before  # answered from the stream
    assert list_calls(sim) > stream_pages  # those that left it read alone


async def test_an_empty_answer_says_how_far_back_the_stream_has_read(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """A quiet relation's reads come back empty while the stream reads others'
    moments, each with an older floor and a new position, until its items come."""
    scope = ReadScope()
    quiet = min(RELATIONS, key=lambda r: len(own_ids(sim, r)))
    sim.state.faults.latency_ms = 10
    batches = await conn.read_histories([read(r) for r in RELATIONS], scope)
    batch = batches[RELATIONS.index(quiet)]
    assert isinstance(batch, Batch)
    floors: list[Any] = []
    positions = []
    while not batch.items and batch.next is not None:
        floors.append(batch.floor)
        positions.append(batch.next)
        batch = await answer(conn, read(quiet, batch.next), scope)
    assert len(floors) >= 2 and all(f is not None for f in floors)
    assert floors == sorted(floors)  # keys grow: each floor lies further back
    assert len(set(map(str, positions))) == len(positions)
    await finished(scope)


async def test_a_failure_mid_stream_reaches_the_reads_that_wait(sim: Starlette) -> None:
    """Pages after the first fail: the first answers stand, later reads get the
    vendor's error (the merge reports it and keeps the other vendors)."""
    served = 0

    async def flaky(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal served
        if scope["type"] == "http" and scope["path"] == LIST_PATH:
            served += 1
            if served > 1:
                await send({"type": "http.response.start", "status": 503})
                await send({"type": "http.response.body", "body": b""})
                return
        await sim(scope, receive, send)

    conn = make_conn(flaky)
    try:
        scope = ReadScope()
        quiet = min(RELATIONS, key=lambda r: len(own_ids(sim, r)))
        first = await conn.read_histories([read(r) for r in RELATIONS], scope)
        assert all(isinstance(b, Batch) for b in first)
        batch = first[RELATIONS.index(quiet)]
        assert isinstance(batch, Batch) and batch.next is not None
        (later,) = await conn.read_histories([read(quiet, batch.next)], scope)
        assert isinstance(later, VendorUnavailable)
    finally:
        await conn.aclose()


async def test_a_finished_request_stops_its_stream(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """When the request's answer is ready, pages nobody will read are not asked."""
    await conn.read_histories([read(r) for r in RELATIONS])
    pages = list_calls(sim)
    sim.state.calls.clear()
    sim.state.faults.latency_ms = 20
    scope = ReadScope()
    await conn.read_histories([read(r) for r in RELATIONS], scope)
    scope.close()
    (stream,) = streams(scope)
    assert stream.task is not None
    with pytest.raises(asyncio.CancelledError):
        await stream.task
    asked = list_calls(sim)
    await asyncio.sleep(0.1)
    assert list_calls(sim) == asked < pages
