"""The Procurios connector over its simulator, in-process."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import math
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.config import Secrets, VendorSettings
from trunkline.connectors import connector_classes
from trunkline.connectors.base import HistoryRead, ReadScope
from trunkline.connectors.procurios import (
    PcMoment,
    ProcuriosConnector,
    moment_to_interaction,
)
from trunkline.connectors.procurios_stream import SharedStream
from trunkline.connectors.transport import make_client
from trunkline.details.procurios import ContactMomentDetail
from trunkline.domain import (
    Channel,
    Direction,
    Interaction,
    InteractionFilter,
    Vendor,
)
from trunkline.errors import (
    ConfigError,
    VendorProtocolError,
    VendorRejected,
    VendorUnavailable,
)
from trunkline.loaders import position_text
from trunkline.pagination.merge import Batch
from trunkline.simulators.procurios import (
    JUNK_RECIPIENT,
    Moment,
    ProcuriosKnobs,
    ProcuriosStore,
    create_app,
)
from trunkline.simulators.seed import HEAVY, HUGE, people

NOW = datetime(2026, 3, 1, tzinfo=UTC)
LIST_PATH = "/l/contact_moment_api/contact_moment"
TYPES_PATH = f"{LIST_PATH}/types"
PEOPLE = people()
HEAVY_RELATION = PEOPLE[HEAVY].relation_id
HUGE_RELATION = PEOPLE[HUGE].relation_id
ALL = InteractionFilter()
PLAIN = frozenset({"subject", "occurredAt"})
DETAIL = frozenset({"subject", "detail"})


def make_conn(
    sim: ASGIApp, options: dict[str, Any] | None = None, **secrets: str
) -> ProcuriosConnector:
    vs = VendorSettings(
        name="procurios", options=options or {}, secrets=Secrets(secrets)
    )
    return ProcuriosConnector(vs, make_client(vs, app=sim))


@pytest.fixture
def sim() -> Starlette:
    return create_app(now=NOW)


@pytest.fixture
async def conn(sim: Starlette) -> AsyncIterator[ProcuriosConnector]:
    connector = make_conn(sim)
    yield connector
    await connector.aclose()


def store_of(sim: Starlette) -> ProcuriosStore:
    store: ProcuriosStore = sim.state.store
    return store


def calls(sim: Starlette, path: str = LIST_PATH) -> list[dict[str, list[str]]]:
    """The query of every call the simulator answered on `path`."""
    return [parse_qs(q) for _, p, q in sim.state.calls.entries if p == path]


def relation_ids(query: dict[str, list[str]]) -> set[int]:
    return {int(r) for v in query.get("relationIds", []) for r in v.split(",")}


def own_stream(sim: Starlette, relation: int) -> list[Moment]:
    """A relation's whole history in list order, straight from the simulator."""
    return list(store_of(sim).select([relation], None))


def read(
    key: int | str | None,
    position: Any = None,
    limit: int = 10,
    f: InteractionFilter = ALL,
    fields: frozenset[str] = PLAIN,
) -> HistoryRead:
    return HistoryRead(
        None if key is None else str(key), f, fields, position_text(position), limit
    )


async def one(conn: ProcuriosConnector, r: HistoryRead) -> Batch[Interaction]:
    (answer,) = await conn.read_histories([r])
    assert isinstance(answer, Batch), answer
    return answer


async def walk(
    conn: ProcuriosConnector,
    key: int,
    limits: Sequence[int],
    f: InteractionFilter = ALL,
    fields: frozenset[str] = PLAIN,
) -> tuple[list[tuple[Interaction, Any]], int]:
    """Read a history to its end: the items, and how many reads it took."""
    seen: list[tuple[Interaction, Any]] = []
    position: Any = None
    for step in range(10_000):
        limit = limits[step % len(limits)]
        batch = await one(conn, read(key, position, limit, f, fields))
        seen.extend(batch.items)
        if batch.next is None:
            return seen, step + 1
        position = batch.next
    raise AssertionError("the walk does not end")


# ---- module shape -------------------------------------------------------------------


def test_registered_and_declared() -> None:
    assert connector_classes()[Vendor.PROCURIOS] is ProcuriosConnector
    ep = ProcuriosConnector.endpoints["list"]
    assert (ep.paging, ep.max_page_size, ep.batch_key) == ("page", 25, "relationIds")
    assert ProcuriosConnector.endpoints["create"].idempotent is False
    assert ProcuriosConnector.default_contact_key == "link"
    assert ProcuriosConnector.embedded_options == {"contact_key": "custom_field:COL5"}


# ---- walking one history --------------------------------------------------------------


@functools.cache
def walk_sim() -> tuple[Starlette, list[int]]:
    """One simulator for every example, and its heavy relation's ids in list order:
    built on first use, not at import (every xdist worker imports every module)."""
    sim = create_app(now=NOW)
    return sim, [m.id for m in own_stream(sim, HEAVY_RELATION)]


@settings(max_examples=15, deadline=None)
@given(
    limits=st.lists(st.integers(1, 80), min_size=1, max_size=6),
    cached=st.booleans(),
)
def test_walk_sees_every_moment_once_in_order(limits: list[int], cached: bool) -> None:
    sim, heavy_ids = walk_sim()

    async def go() -> tuple[list[tuple[Interaction, Any]], int]:
        options = {"page_cache_s": 30} if cached else {"page_cache_s": 0}
        connector = make_conn(sim, options)
        try:
            return await walk(connector, HEAVY_RELATION, limits)
        finally:
            await connector.aclose()

    sim.state.calls.clear()
    seen, reads = asyncio.run(go())
    assert len(heavy_ids) == 350
    assert [int(i.source.vendor_id) for i, _ in seen] == heavy_ids
    assert [pos for _, pos in seen] == [{"n": k} for k in range(1, 351)]
    pages = [int(q["page"][0]) for q in calls(sim)]
    assert all(relation_ids(q) == {HEAVY_RELATION} for q in calls(sim))
    # 350 = 14 full pages and a short one.
    if cached:  # resumed reads find their first page in the cache
        assert sorted(pages) == list(range(1, 16))
    else:  # each page once, plus the page each resumed read points into
        assert set(pages) == set(range(1, 16))
        assert len(pages) <= 15 + reads - 1


async def test_moment_maps_to_an_interaction(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    batch = await one(conn, read(HEAVY_RELATION, limit=400, fields=DETAIL))
    by_id = {m.id: m for m in own_stream(sim, HEAVY_RELATION)}
    for item, _ in batch.items:
        m = by_id[int(item.source.vendor_id)]
        assert item.occurred_at == datetime.fromtimestamp(m.ts, UTC)
        assert item.occurred_at.tzinfo is UTC
        assert item.vendor_type == m.type
        assert item.subject == m.subject
        assert item.body is None  # the list sends no body (the doc's example)
        assert item.tags == tuple(m.tags.values())
        assert isinstance(item.detail, ContactMomentDetail)
        assert item.detail.sender_id == m.sender_id
        assert item.detail.action_code == m.action
        assert item.detail.reference is None  # nor a reference
        stamp = item.occurred_at.strftime("%Y-%m-%dT%H:%M:%S")
        assert item.node_key == f"{HEAVY_RELATION}|{stamp}|{m.id}"
        expected = (
            Direction.OUTBOUND if HEAVY_RELATION in m.recipients else Direction.INBOUND
        )
        assert item.direction is expected
    channels = {i.channel for i, _ in batch.items}
    assert {Channel.PHONE, Channel.EMAIL, Channel.VISIT, Channel.LETTER} <= channels
    titles = {
        i.detail.type_title
        for i, _ in batch.items
        if isinstance(i.detail, ContactMomentDetail)
    }
    assert "Telephone call" in titles
    assert any(i.direction is Direction.INBOUND for i, _ in batch.items)


def test_channels_titles_and_tolerant_payload() -> None:
    doc_example = {
        "id": 12345,
        "subject": "Test contact moment",
        "senderId": 42,
        "sender": "Douglas Adams",
        "type": "ContactMomentVisit",
        "dateTime": "2020-01-01T01:23:45",
        "action": 1234,
        "tags": {"99": "Tag name"},
        "recipients": [123, 124, 126, "other relation ids as int"],
    }
    m = PcMoment.model_validate(doc_example)
    assert m.recipients == (123, 124, 126)
    assert m.dateTime == datetime(2020, 1, 1, 1, 23, 45, tzinfo=UTC)
    item = moment_to_interaction(m, 124, {"ContactMomentVisit": "Visit"}, "100007")
    assert item.channel is Channel.VISIT
    assert item.direction is Direction.OUTBOUND
    assert item.tags == ("Tag name",)
    assert item.contact_account == "100007"
    assert item.detail == ContactMomentDetail(
        type_title="Visit",
        sender="Douglas Adams",
        sender_id=42,
        recipient_ids=(123, 124, 126),
        action_code=1234,
    )
    assert moment_to_interaction(m, 42, {}, None).direction is Direction.INBOUND
    assert moment_to_interaction(m, 7, {}, None).direction is None
    assert moment_to_interaction(m, None, {}, None).node_key.startswith("|2020-")
    # PHP writes an empty tag object as []; unknown types are OTHER.
    odd = PcMoment.model_validate({**doc_example, "tags": [], "type": "Fax"})
    assert odd.tags == ()
    assert moment_to_interaction(odd, 42, {}, None).channel is Channel.OTHER
    assert PcMoment.model_validate({**doc_example, "tags": None}).tags == ()


async def test_junk_recipients_are_skipped(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    junky = next(
        (p.relation_id, m)
        for p in PEOPLE[:60]
        for m in own_stream(sim, p.relation_id)
        if JUNK_RECIPIENT in m.recipients
    )
    relation, moment = junky
    seen, _ = await walk(conn, relation, [50], fields=DETAIL)
    (item,) = [i for i, _ in seen if i.source.vendor_id == str(moment.id)]
    assert isinstance(item.detail, ContactMomentDetail)
    ints = tuple(r for r in moment.recipients if isinstance(r, int))
    assert item.detail.recipient_ids == ints
    assert all(type(r) is int for r in item.detail.recipient_ids)


# ---- the batch path ----------------------------------------------------------------


def needed_pages(sim: Starlette, relations: list[int], limit: int) -> int:
    """Combined pages until every relation has `limit` moments or a short page."""
    combined = list(store_of(sim).select(relations, None))
    counts = [0] * len(relations)  # in combined[: page * 25], counted page by page
    for page in range(1, math.ceil((len(combined) + 1) / 25) + 1):
        if len(combined) < page * 25:
            return page
        for m in combined[(page - 1) * 25 : page * 25]:
            related = m.relations()
            counts = [
                c + (r in related) for c, r in zip(counts, relations, strict=True)
            ]
        if all(c >= limit for c in counts):
            return page
    raise AssertionError("unreachable")


async def test_start_reads_share_one_combined_stream(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    relations = [p.relation_id for p in PEOPLE[2:22]]
    reads = [read(r, limit=6) for r in relations]
    answers = await conn.read_histories(reads)

    queries = calls(sim)
    assert len(queries) == needed_pages(sim, relations, 6)
    assert [int(q["page"][0]) for q in queries] == list(range(1, len(queries) + 1))
    assert all(relation_ids(q) == set(relations) for q in queries)
    assert calls(sim, TYPES_PATH) == []  # no detail selected: no types call

    sim.state.calls.clear()
    for relation, answer in zip(relations, answers, strict=True):
        await assert_like_alone(conn, sim, relation, answer, 6)
    # The individual reads asked one relation each.
    assert all(len(relation_ids(q)) == 1 for q in calls(sim))


async def assert_like_alone(
    conn: ProcuriosConnector,
    sim: Starlette,
    relation: int,
    answer: Batch[Interaction] | BaseException,
    limit: int,
) -> None:
    """A combined batch holds what a single-relation read from the start holds."""
    assert isinstance(answer, Batch), answer
    alone = await one(conn, read(relation, limit=limit))
    assert answer.items == alone.items
    assert [i.source.vendor_id for i, _ in answer.items] == [
        str(m.id) for m in own_stream(sim, relation)[:limit]
    ]
    # Either both continue at the same place, or one already knows it is dry and
    # the other learns it with one more (empty) read.
    if answer.next != alone.next:
        rest = await one(conn, read(relation, answer.next or alone.next, limit))
        assert rest.items == [] and rest.next is None


async def test_busy_relations_leave_the_combined_stream(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """People 0 and 1 (350 and 3000 moments) with 18 quiet ones: once the busy ones
    have their items, the quiet ones go on without them instead of paging through
    the busy histories (the plain rule would take `needed_pages`: 140 calls)."""
    relations = [p.relation_id for p in PEOPLE[:20]]
    answers = await conn.read_histories([read(r, limit=6) for r in relations])
    queries = calls(sim)
    assert needed_pages(sim, relations, 6) > 100
    assert len(queries) <= 10
    assert relation_ids(queries[0]) == set(relations)
    narrowed = [relation_ids(q) for q in queries[1:]]
    assert all(ids <= set(relations) for ids in narrowed)
    assert {HEAVY_RELATION, HUGE_RELATION}.isdisjoint(narrowed[-1])
    for before, after in itertools.pairwise([set(relations), *narrowed]):
        assert after <= before  # a relation that left does not come back
    sim.state.calls.clear()
    for relation, answer in zip(relations, answers, strict=True):
        await assert_like_alone(conn, sim, relation, answer, 6)


async def test_combined_batches_resume_alone(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """A combined read's positions count each relation's own stream: resuming from
    them with single-relation reads walks every relation to its end exactly once."""
    relations = [HEAVY_RELATION, *(p.relation_id for p in PEOPLE[2:8])]
    email = InteractionFilter(channels=frozenset({Channel.EMAIL, Channel.PHONE}))
    answers = await conn.read_histories([read(r, limit=4, f=email) for r in relations])
    for relation, answer in zip(relations, answers, strict=True):
        assert isinstance(answer, Batch)
        seen = list(answer.items)
        position = answer.next
        while position is not None:
            batch = await one(conn, read(relation, position, 7, email))
            seen.extend(batch.items)
            position = batch.next
        expected = [
            str(m.id)
            for m in own_stream(sim, relation)
            if m.type in ("ContactMomentEmail", "ContactMomentPhone")
        ]
        assert [i.source.vendor_id for i, _ in seen] == expected


async def test_mixed_batch_answers_every_slot_in_order(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    a, b = PEOPLE[2].relation_id, PEOPLE[3].relation_id
    phone = InteractionFilter(channels=frozenset({Channel.PHONE}))
    reads = [
        read(a, limit=2),
        read(HEAVY_RELATION, {"n": 30}, limit=5),  # resumed: alone
        read(b, limit=2),
        read(None, limit=3),  # every relation: alone, no relationIds
        read(a, limit=2, f=phone),  # another filter: another stream
        read("not-a-relation", limit=2),
    ]
    answers = await conn.read_histories(reads)
    assert len(answers) == len(reads)
    batches = [x for x in answers if isinstance(x, Batch)]
    assert len(batches) == len(reads)
    heavy = own_stream(sim, HEAVY_RELATION)
    assert [i.source.vendor_id for i, _ in batches[1].items] == [
        str(m.id) for m in heavy[30:35]
    ]
    assert batches[1].next == {"n": 35}
    everyone = list(store_of(sim).select(None, None))[:3]
    assert [i.source.vendor_id for i, _ in batches[3].items] == [
        str(m.id) for m in everyone
    ]
    assert all(i.direction is None for i, _ in batches[3].items)
    assert all(i.channel is Channel.PHONE for i, _ in batches[4].items)
    assert batches[5].items == [] and batches[5].next is None
    wires = [relation_ids(q) for q in calls(sim)]
    assert {a, b} in wires and {HEAVY_RELATION} in wires and set() in wires
    assert {a} in wires  # the phone-only read went on its own stream


async def test_account_is_stamped_but_does_not_split_groups(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    a, b = PEOPLE[4], PEOPLE[5]
    reads = [
        read(p.relation_id, limit=3, f=InteractionFilter(contact_account=p.account))
        for p in (a, b)
    ]
    answers = await conn.read_histories(reads)
    assert len(calls(sim)) == len({tuple(sorted(relation_ids(q))) for q in calls(sim)})
    assert all(relation_ids(q) == {a.relation_id, b.relation_id} for q in calls(sim))
    for person, answer in zip((a, b), answers, strict=True):
        assert isinstance(answer, Batch)
        assert all(i.contact_account == person.account for i, _ in answer.items)


async def test_since_is_pushed_and_applied_locally(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    since = datetime(2025, 6, 1, 12, 30, 15, 999_000, tzinfo=UTC)
    f = InteractionFilter(since=since)
    seen, _ = await walk(conn, HUGE_RELATION, [3000], f)
    (first, *_) = calls(sim)
    assert first["since"] == ["2025-06-01T12:30:14"]  # one second before: a superset
    assert seen and all(i.occurred_at >= since for i, _ in seen)
    since_ts = int(since.timestamp())
    expected = [
        str(m.id) for m in own_stream(sim, HUGE_RELATION) if m.ts >= since.timestamp()
    ]
    assert [i.source.vendor_id for i, _ in seen] == expected
    # The vendor also sent old moments edited since: filtered here, but counted.
    edited = [
        m for m in store_of(sim).select([HUGE_RELATION], since_ts) if m.ts < since_ts
    ]
    assert edited


async def test_vendor_down_answers_errors_in_the_slots(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    sim.state.faults.down = True
    reads = [
        read(PEOPLE[2].relation_id, limit=2),
        read(PEOPLE[3].relation_id, limit=2),
        read(HEAVY_RELATION, {"n": 40}, limit=2),
        read(None, limit=2, fields=DETAIL),
    ]
    answers = await conn.read_histories(reads)
    assert len(answers) == 4
    assert all(isinstance(a, VendorUnavailable) for a in answers)
    sim.state.faults.down = False
    assert all(isinstance(a, Batch) for a in await conn.read_histories(reads))


# ---- the page cache ----------------------------------------------------------------


async def test_resumed_reads_reuse_pages_until_a_write(sim: Starlette) -> None:
    conn = make_conn(sim, {"page_cache_s": 30})
    first = await one(conn, read(HEAVY_RELATION, limit=10))
    assert len(calls(sim)) == 1
    second = await one(conn, read(HEAVY_RELATION, first.next, limit=10))
    assert len(calls(sim)) == 1  # page 1 again: from the cache
    assert [p for _, p in second.items] == [{"n": k} for k in range(11, 21)]
    await conn.create_moment(
        "ContactMomentEmail",
        {"subject": "Hello", "senderId": 42, "recipients": [HEAVY_RELATION]},
    )
    fresh = await one(conn, read(HEAVY_RELATION, limit=1))
    assert len(calls(sim)) == 2  # a write empties the cache
    assert fresh.items[0][0].subject == "Hello"
    await conn.aclose()


async def test_page_cache_can_be_switched_off(sim: Starlette) -> None:
    connector = make_conn(sim, {"page_cache_s": 0})
    for _ in range(2):
        await one(connector, read(HEAVY_RELATION, limit=3))
    assert len(calls(sim)) == 2
    await connector.aclose()


# ---- titles ---------------------------------------------------------------------------


async def test_type_titles_only_when_selected_and_cached(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    await conn.read_histories([read(PEOPLE[2].relation_id, limit=3)])
    assert calls(sim, TYPES_PATH) == []
    for _ in range(3):
        await conn.read_histories([read(PEOPLE[3].relation_id, limit=3, fields=DETAIL)])
    assert len(calls(sim, TYPES_PATH)) == 1


# ---- single interactions -------------------------------------------------------------


async def test_get_interaction_round_trip(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    huge = await one(conn, read(HUGE_RELATION, {"n": 2500}, limit=3, fields=DETAIL))
    everyone = await one(conn, read(None, limit=2, fields=DETAIL))
    for item, _ in [*huge.items, *everyone.items]:
        sim.state.calls.clear()
        again = await conn.get_interaction(item.node_key)
        assert again == item
        assert all("since" in q for q in calls(sim))
    token = huge.items[0][0].node_key
    relation, stamp, moment_id = token.split("|")
    assert await conn.get_interaction(f"{relation}|{stamp}|1") is None
    assert (
        await conn.get_interaction(f"{PEOPLE[2].relation_id}|{stamp}|{moment_id}")
        is None
    )
    for garbage in ("", "x", "1|2|3", f"{relation}|{stamp}|abc", f"abc|{stamp}|1"):
        assert await conn.get_interaction(garbage) is None


# ---- types, tags, schemas, writes ---------------------------------------------------


async def test_types_tags_and_schema(conn: ProcuriosConnector) -> None:
    types = {t.id: t for t in await conn.list_types()}
    assert types["ContactMomentPhone"].title == "Telephone call"
    assert types["ContactMomentSms"].addable is False
    tags = await conn.list_tags()
    assert tags["3"] == "Label 1"
    schema = await conn.type_schema("ContactMomentPhone")
    assert schema["required"] == ["subject", "senderId", "recipients"]
    assert "contents" not in schema["properties"]  # the doc's schema names none
    await conn.ready()


async def test_create_moment_and_its_validation(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    relation = PEOPLE[6].relation_id
    created = await conn.create_moment(
        "ContactMomentPhone",
        {
            "subject": "Retention call",
            "dateTime": "2026-02-28T10:00:00",
            "senderId": 1516,
            "recipients": [relation],
            "contents": "Stays a member",
        },
    )
    batch = await one(conn, read(relation, limit=50))
    (item,) = [i for i, _ in batch.items if i.source.vendor_id == str(created)]
    # the list does not show what was said (the doc's example has no contents)
    assert item.body is None and item.direction is Direction.OUTBOUND
    assert store_of(sim).moments[created].contents == "Stays a member"
    with pytest.raises(VendorRejected, match="Sender is not available in CRM"):
        await conn.create_moment(
            "ContactMomentPhone",
            {"subject": "x", "senderId": 9999, "recipients": [429000]},
        )
    with pytest.raises(VendorRejected, match="The property senderId is required"):
        await conn.create_moment(
            "ContactMomentPhone", {"subject": "x", "recipients": [1]}
        )
    assert len(calls(sim, f"{LIST_PATH}/type/ContactMomentPhone")) == 3  # no retries


# ---- wire details ---------------------------------------------------------------------


async def test_headers_and_token_from_settings() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/types"):
            return httpx.Response(200, json=[])
        return httpx.Response(401, json={"errors": "Bad token"})

    vs = VendorSettings(
        name="procurios",
        base_url="https://crm.example",
        secrets=Secrets({"TOKEN": "s3cret"}),
    )
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url=vs.base_url or ""
    )
    connector = ProcuriosConnector(vs, http)
    await connector.ready()
    (answer,) = await connector.read_histories([read(7, limit=1)])
    assert isinstance(answer, VendorRejected)
    assert "Bad token" in answer.message and "s3cret" not in answer.message
    assert len(seen) == 2  # a static token: a 401 is not retried
    for request in seen:
        assert request.headers["Authorization"] == "Bearer s3cret"
        assert request.headers["Accept"] == (
            "application/vnd.procurios.contact_moment+json; version=1"
        )
    await connector.aclose()


async def test_schema_as_object_and_tags_as_list() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/schema"):
            return httpx.Response(200, json={"type": "object"})
        if request.url.path.endswith("/tags"):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={"unexpected": True})

    vs = VendorSettings(name="procurios")
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="http://x"
    )
    connector = ProcuriosConnector(vs, http)
    assert await connector.type_schema("ContactMomentPhone") == {"type": "object"}
    assert await connector.list_tags() == {}
    (answer,) = await connector.read_histories([read(7, limit=1)])
    assert type(answer).__name__ == "VendorProtocolError"
    await connector.aclose()


def test_history_applies_without_a_key_only_to_everyone(
    conn: ProcuriosConnector,
) -> None:
    assert conn.history_applies("400002", InteractionFilter(contact_account="100002"))
    assert conn.history_applies(None, InteractionFilter())
    # A contact with no Procurios id has no moments here, not everybody's.
    assert not conn.history_applies(None, InteractionFilter(contact_account="100002"))


# ---- a request's shared stream -----------------------------------------------------
# Within one request (a ReadScope), the combined stream answers each relation's read
# as soon as it has something to say (items, or how far back it has read), keeps
# reading in the background, and answers later reads of the relations it follows
# without calls of their own. Two busy relations and 18 quiet ones: it narrows.
RELATIONS = [p.relation_id for p in PEOPLE[:20]]


def streams(scope: ReadScope) -> set[SharedStream]:
    return {stream for stream, _ in scope.values()}


async def finished(scope: ReadScope) -> None:
    for stream in streams(scope):
        assert stream.task is not None
        await stream.task


async def answer_in(
    conn: ProcuriosConnector, r: HistoryRead, scope: ReadScope
) -> Batch[Interaction]:
    (got,) = await conn.read_histories([r], scope)
    assert isinstance(got, Batch), got
    return got


async def test_reads_are_answered_before_the_stream_ends(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """The first answers come after the first page, not after the last one."""
    plain = await conn.read_histories([read(r, limit=11) for r in RELATIONS])
    pages = len(calls(sim))
    assert pages > 3
    sim.state.calls.clear()

    scope = ReadScope()
    sim.state.faults.latency_ms = 20  # a vendor that takes its time, as they do
    first = await conn.read_histories([read(r, limit=11) for r in RELATIONS], scope)
    assert len(calls(sim)) < pages
    assert all(isinstance(b, Batch) for b in first)
    # Each answer is a start of what the plain batch answered, and says how far back
    # the stream has read when it has taken everything seen so far.
    for got, whole in zip(first, plain, strict=True):
        assert isinstance(got, Batch) and isinstance(whole, Batch)
        assert got.items == whole.items[: len(got.items)]
        if got.next is not None and len(got.items) < 11:
            assert got.floor is not None
    await finished(scope)
    assert len(calls(sim)) == pages  # the same pages as one batch reads


async def test_following_a_stream_reads_each_history_once_in_order(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """Walking every relation from the stream's answers sees its own list once, in
    order; reads of relations the stream still follows make no calls of their own."""
    scope = ReadScope()
    first = await conn.read_histories([read(r, limit=11) for r in RELATIONS], scope)
    await finished(scope)
    (stream,) = streams(scope)
    stream_pages = len(calls(sim))
    followed = {r for r in RELATIONS if r in stream.active}
    assert followed and stream.ended
    for relation, batch in zip(RELATIONS, first, strict=True):
        assert isinstance(batch, Batch)
        seen = [i.source.vendor_id for i, _ in batch.items]
        position = batch.next
        before = len(calls(sim))
        while position is not None:
            more = await answer_in(conn, read(relation, position, 11), scope)
            seen += [i.source.vendor_id for i, _ in more.items]
            assert more.next != position
            position = more.next
        assert seen == [str(m.id) for m in own_stream(sim, relation)]
        if relation in followed:
            assert len(calls(sim)) == before  # answered from the stream
    assert len(calls(sim)) > stream_pages  # those that left it read alone


async def test_an_empty_answer_says_how_far_back_the_stream_has_read(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """A quiet relation's reads come back empty while the stream reads others'
    moments, each with an older floor and a new position, until its items come."""
    scope = ReadScope()
    quiet = min(RELATIONS, key=lambda r: len(own_stream(sim, r)))
    sim.state.faults.latency_ms = 10
    batches = await conn.read_histories([read(r, limit=11) for r in RELATIONS], scope)
    batch = batches[RELATIONS.index(quiet)]
    assert isinstance(batch, Batch)
    floors: list[Any] = []
    positions = []
    while not batch.items and batch.next is not None:
        floors.append(batch.floor)
        positions.append(batch.next)
        batch = await answer_in(conn, read(quiet, batch.next, 11), scope)
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
        quiet = min(RELATIONS, key=lambda r: len(own_stream(sim, r)))
        first = await conn.read_histories([read(r, limit=11) for r in RELATIONS], scope)
        assert all(isinstance(b, Batch) for b in first)
        batch = first[RELATIONS.index(quiet)]
        assert isinstance(batch, Batch) and batch.next is not None
        (later,) = await conn.read_histories([read(quiet, batch.next, 11)], scope)
        assert isinstance(later, VendorUnavailable)
    finally:
        await conn.aclose()


async def test_a_finished_request_stops_its_stream(
    conn: ProcuriosConnector, sim: Starlette
) -> None:
    """When the request's answer is ready, pages nobody will read are not asked."""
    await conn.read_histories([read(r, limit=11) for r in RELATIONS])
    pages = len(calls(sim))
    sim.state.calls.clear()
    sim.state.faults.latency_ms = 20
    scope = ReadScope()
    await conn.read_histories([read(r, limit=11) for r in RELATIONS], scope)
    scope.close()
    (stream,) = streams(scope)
    assert stream.task is not None
    with pytest.raises(asyncio.CancelledError):
        await stream.task
    asked = len(calls(sim))
    await asyncio.sleep(0.1)
    assert len(calls(sim)) == asked < pages


# ---- what the doc leaves open: zone, order, page size, since, body ---------------


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/New_York"])
async def test_the_timezone_option_makes_occurred_at_the_vendors_time(
    zone: str,
) -> None:
    """The vendor writes dateTime with no zone; here it writes local wall time. Read as
    UTC (the default) every occurredAt is off by the zone's offset; with
    `[vendors.procurios] timezone` it is the moment's own time, and `since` is sent
    in that zone too."""
    sim = create_app(now=NOW, knobs=ProcuriosKnobs(timezone=zone))
    truth = {m.id: m.ts for m in own_stream(sim, HEAVY_RELATION)}
    naive = make_conn(sim)
    try:
        wrong, _ = await walk(naive, HEAVY_RELATION, [100])
    finally:
        await naive.aclose()
    assert all(
        i.occurred_at.timestamp() != truth[int(i.source.vendor_id)] for i, _ in wrong
    )
    local = make_conn(sim, {"timezone": zone})
    since = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
    try:
        right, _ = await walk(local, HEAVY_RELATION, [100], ALL, DETAIL)
        recent, _ = await walk(
            local, HEAVY_RELATION, [100], InteractionFilter(since=since)
        )
        for item, _ in right[:3]:
            assert await local.get_interaction(item.node_key) == item
    finally:
        await local.aclose()
    assert [int(i.source.vendor_id) for i, _ in right] == list(truth)
    for item, _ in right:
        assert item.occurred_at.tzinfo is UTC
        assert item.occurred_at.timestamp() == truth[int(item.source.vendor_id)]
    assert [i.source.vendor_id for i, _ in recent] == [
        str(m) for m, ts in truth.items() if ts >= since.timestamp()
    ]
    wall = since.astimezone(ZoneInfo(zone)) - timedelta(seconds=1)
    sent = [c["since"] for c in calls(sim) if "since" in c]
    assert [wall.strftime("%Y-%m-%dT%H:%M:%S")] in sent


def test_an_unknown_timezone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="timezone"):
        make_conn(create_app(now=NOW), {"timezone": "Mars/Olympus"})


@pytest.mark.parametrize("since_inclusive", [True, False])
@pytest.mark.parametrize("ties", ["id_desc", "id_asc"])
async def test_walks_are_exact_however_since_and_ties_are_read(
    since_inclusive: bool, ties: str
) -> None:
    """Moments sharing a second (in either id order) and moments exactly at `since`:
    each comes back once, and node lookups find them."""
    sim = create_app(now=NOW, knobs=ProcuriosKnobs(ties=ties))
    sim.state.knobs.since_inclusive = since_inclusive
    store = store_of(sim)
    relation = PEOPLE[4].relation_id
    at = int(datetime(2025, 5, 5, 5, 5, 5, tzinfo=UTC).timestamp())
    base = store_of(sim).moments[next(iter(store.moments))]
    for n in range(30):  # more than a page's worth in one second
        store.add(
            dataclasses.replace(
                base, id=90_000 + n, ts=at, updated=at, recipients=(relation,)
            )
        )
    f = InteractionFilter(since=datetime.fromtimestamp(at, UTC))
    conn = make_conn(sim)
    try:
        for flt in (ALL, f):
            seen, _ = await walk(conn, relation, [4, 25], flt, DETAIL)
            want = [
                m for m in own_stream(sim, relation) if flt.since is None or m.ts >= at
            ]
            assert sorted(int(i.source.vendor_id) for i, _ in seen) == sorted(
                m.id for m in want
            )
            assert len(seen) == len({i.source.vendor_id for i, _ in seen})
        tied = [i for i, _ in seen if int(i.source.vendor_id) >= 90_000]
        assert len(tied) == 30
        for item in tied[::7]:
            assert await conn.get_interaction(item.node_key) == item
    finally:
        await conn.aclose()


def _serving(pages: list[list[dict[str, Any]]]) -> ProcuriosConnector:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json=pages[page - 1] if page <= len(pages) else [])

    vs = VendorSettings(name="procurios")
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="http://x"
    )
    return ProcuriosConnector(vs, http)


def _moment(n: int, when: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": n,
        "subject": "s",
        "senderId": 42,
        "sender": "Douglas Adams",
        "type": "ContactMomentPhone",
        "dateTime": when,
        "action": 1,
        "tags": {},
        "recipients": [7],
        **extra,
    }


async def test_a_page_longer_than_25_fails_loudly() -> None:
    conn = _serving([[_moment(n, "2025-01-01T00:00:00") for n in range(26, 0, -1)]])
    (answer,) = await conn.read_histories([read(7, limit=5)])
    await conn.aclose()
    assert isinstance(answer, VendorProtocolError)
    assert "26 items, more than 25" in answer.message


async def test_body_and_reference_only_from_what_the_vendor_sends() -> None:
    conn = _serving(
        [
            [
                _moment(2, "2025-01-02T00:00:00", contents="Stays", reference="R1"),
                _moment(1, "2025-01-01T00:00:00"),
            ]
        ]
    )
    batch = await one(conn, read(7, limit=5))
    await conn.aclose()
    (sent, bare) = [i for i, _ in batch.items]
    assert sent.body == "Stays" and sent.detail.reference == "R1"  # type: ignore[union-attr]
    assert bare.body is None and bare.detail.reference is None  # type: ignore[union-attr]


async def test_a_dst_fall_back_hour_is_not_an_order_error() -> None:
    """Amsterdam, 2024-10-27: 02:30 happens twice. Newest first in true time, the wall
    times step back from 02:10 (the second one) to 02:50 (the first one)."""
    conn = _serving(
        [
            [
                _moment(3, "2024-10-27T03:10:00"),
                _moment(2, "2024-10-27T02:10:00"),
                _moment(1, "2024-10-27T02:50:00"),
            ]
        ]
    )
    conn.zone = ZoneInfo("Europe/Amsterdam")
    conn._context = {"zone": conn.zone}
    batch = await one(conn, read(7, limit=5))
    await conn.aclose()
    assert [i.source.vendor_id for i, _ in batch.items] == ["3", "2", "1"]
