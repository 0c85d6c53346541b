"""The MoxiWorks connector over its simulator, in-process."""

from __future__ import annotations

import asyncio
import itertools
import urllib.parse
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from starlette.applications import Starlette

from trunkline.config import Secrets, VendorSettings
from trunkline.connectors import connector_classes
from trunkline.connectors.base import HistoryRead, InteractionSource, answer_each
from trunkline.connectors.moxiworks import (
    STEP_S,
    WINDOW_S,
    MoxiAction,
    MoxiWorksConnector,
    to_interaction,
)
from trunkline.connectors.transport import make_client
from trunkline.details.moxiworks import ActionLogDetail
from trunkline.domain import (
    Address,
    Channel,
    Interaction,
    InteractionFilter,
    Vendor,
)
from trunkline.errors import (
    BadUserInput,
    ConfigError,
    VendorMisconfigured,
    VendorNotFound,
    VendorProtocolError,
    VendorRejected,
    VendorUnavailable,
)
from trunkline.pagination.merge import Batch
from trunkline.simulators.moxiworks import (
    AGENT_ID,
    AGENT_UUID,
    COMPANY_ID,
    SOURCE_AGENT_ID,
    ActionLog,
    MoxiStore,
    create_app,
)
from trunkline.simulators.seed import HEAVY, people

HEAVY_ACCOUNT = people()[HEAVY].account
INDEX = "/api/action_logs"


def store_of(sim: Starlette) -> MoxiStore:
    store: MoxiStore = sim.state.store
    return store


def newest_first(entries: Sequence[ActionLog]) -> list[str]:
    return [e.id for e in sorted(entries, key=lambda e: (-e.timestamp, e.id))]


def index_calls(sim: Starlette) -> list[dict[str, str]]:
    calls: list[tuple[str, str, str]] = sim.state.calls.entries
    return [
        dict(urllib.parse.parse_qsl(query))
        for method, path, query in calls
        if method == "GET" and path == INDEX
    ]


def assert_windows_bounded(sim: Starlette) -> None:
    for params in index_calls(sim):
        low, high = int(params["date_min"]), int(params["date_max"])
        assert 0 < high - low <= WINDOW_S


CREDS = {"USERNAME": "partner", "PASSWORD": "s3cret"}


def connector(
    sim: Starlette, *, url: str | None = None, **kw: Any
) -> MoxiWorksConnector:
    kw.setdefault("secrets", Secrets(CREDS))
    vs = VendorSettings(name="moxiworks", base_url=url, **kw)
    return MoxiWorksConnector(vs, make_client(vs, app=sim))


@pytest.fixture
def sim() -> Starlette:
    return create_app(username=CREDS["USERNAME"], password=CREDS["PASSWORD"])


@pytest.fixture
async def conn(sim: Starlette) -> AsyncIterator[MoxiWorksConnector]:
    c = connector(sim)
    yield c
    await c.aclose()


def read(
    key: str | None = HEAVY_ACCOUNT,
    position: Any = None,
    limit: int = 10,
    f: InteractionFilter | None = None,
) -> HistoryRead:
    text = None if position is None else orjson.dumps(position).decode()
    return HistoryRead(key, f or InteractionFilter(), frozenset(), text, limit)


async def one(conn: MoxiWorksConnector, r: HistoryRead) -> Batch[Interaction]:
    (result,) = await conn.read_histories([r])
    assert isinstance(result, Batch), result
    return result


async def walk(
    conn: MoxiWorksConnector,
    limits: Sequence[int],
    key: str = HEAVY_ACCOUNT,
    f: InteractionFilter | None = None,
) -> list[Batch[Interaction]]:
    batches: list[Batch[Interaction]] = []
    position: Any = None
    for n in range(10_000):
        batch = await one(conn, read(key, position, limits[n % len(limits)], f))
        batches.append(batch)
        if batch.next is None:
            return batches
        position = batch.next
    raise AssertionError("the walk never ended")


def ids_of(batches: Sequence[Batch[Interaction]]) -> list[str]:
    return [item.source.vendor_id for b in batches for item, _ in b.items]


# ---- the history walk ---------------------------------------------------------------


def test_registry_finds_the_connector() -> None:
    assert connector_classes()[Vendor.MOXIWORKS] is MoxiWorksConnector
    assert isinstance(connector(create_app()), InteractionSource)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 120), min_size=1, max_size=4))
def test_walk_returns_the_whole_history_once_newest_first(limits: list[int]) -> None:
    async def run() -> None:
        sim = create_app(username="partner", password="s3cret")
        conn = connector(sim)
        try:
            batches = await walk(conn, limits)
        finally:
            await conn.aclose()
        expected = newest_first(store_of(sim).logs[HEAVY_ACCOUNT])
        assert len(expected) == 350
        assert ids_of(batches) == expected
        # an empty read always says how far the stream is known to be empty
        assert all(b.items or b.floor is not None for b in batches[:-1])
        assert_windows_bounded(sim)

    asyncio.run(run())


async def test_history_reaches_past_the_first_window(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    items = [i for b in await walk(conn, [500]) for i, _ in b.items]
    oldest = items[-1].occurred_at
    assert datetime.now(UTC) - oldest > timedelta(days=2 * 365)
    assert [i.occurred_at for i in items] == sorted(
        (i.occurred_at for i in items), reverse=True
    )
    assert_windows_bounded(sim)
    # consecutive windows tile the history: each ends where the previous began, and
    # asks from one second earlier (the doc's date_min is exclusive)
    calls = index_calls(sim)
    for newer, older in itertools.pairwise(calls):
        assert int(older["date_max"]) == int(newer["date_min"]) + 1


async def test_a_full_first_window_costs_one_call(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    now = datetime.now(UTC).timestamp()
    recent = [
        e for e in store_of(sim).logs[HEAVY_ACCOUNT] if e.timestamp > now - WINDOW_S
    ]
    assert len(recent) >= 5, "seed: the newest window should hold 5 entries"
    batch = await one(conn, read(limit=5))
    assert len(index_calls(sim)) == 1
    assert len(batch.items) >= 5 and batch.next is not None
    assert [i.source.vendor_id for i, _ in batch.items][:5] == newest_first(recent)[:5]


async def test_one_window_per_read_and_empty_windows_answer_a_floor(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    """A read covers one window; an empty one answers a floor, so a merge reads the
    next window only when everything newer from other vendors has been shown."""
    costs: list[int] = []
    floors: list[Any] = []
    position: Any = None
    while True:
        before = len(index_calls(sim))
        batch = await one(conn, read(position=position, limit=1))
        costs.append(len(index_calls(sim)) - before)
        if batch.next is None:
            break
        if not batch.items:
            assert batch.floor == (-float(batch.next["e"]), "", "")
            floors.append(batch.floor)
        position = batch.next
    assert set(costs) == {1}
    assert len(floors) >= 2  # the seeded hiatus spans several empty windows


async def test_position_after_any_item_resumes_right_after_it(
    conn: MoxiWorksConnector,
) -> None:
    batch = await one(conn, read(limit=3))
    everything = ids_of(await walk(conn, [1000]))
    for n, (_, after) in enumerate(batch.items):
        rest = await one(conn, read(position=after, limit=1))
        assert rest.items[0][0].source.vendor_id == everything[n + 1]


async def test_filter_keeps_matches_and_bounds_windows(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    now = datetime.now(UTC)
    f = InteractionFilter(
        channels=frozenset({Channel.PHONE}),
        since=now - timedelta(days=400),
        until=now - timedelta(days=30),
    )
    got = ids_of(await walk(conn, [7], f=f))
    low, high = f.since.timestamp(), f.until.timestamp()  # type: ignore[union-attr]
    expected = newest_first(
        [
            e
            for e in store_of(sim).logs[HEAVY_ACCOUNT]
            if e.type == "call" and low <= e.timestamp < high
        ]
    )
    assert got == expected
    for params in index_calls(sim):
        assert low <= int(params["date_min"]) + 1
        assert int(params["date_max"]) <= high + 1
    assert_windows_bounded(sim)


async def test_unknown_contact_is_an_empty_history(conn: MoxiWorksConnector) -> None:
    batches = await walk(conn, [5], key="no-such-account")
    assert ids_of(batches) == []
    assert batches[-1].next is None


def test_history_needs_a_contact(conn: MoxiWorksConnector) -> None:
    assert conn.history_applies("A1", InteractionFilter())
    assert not conn.history_applies(None, InteractionFilter())


# ---- faults, errors, auth ----------------------------------------------------------


async def test_down_puts_the_error_in_the_read_slot(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    sim.state.faults.down = True
    results = await conn.read_histories([read(), read(people()[2].account)])
    assert all(isinstance(r, VendorUnavailable) for r in results)


async def test_one_failing_read_leaves_the_others(conn: MoxiWorksConnector) -> None:
    results = await conn.read_histories([read(None), read(limit=2)])
    assert isinstance(results[0], VendorRejected)
    assert isinstance(results[1], Batch) and results[1].items


async def test_session_cookie_is_sent_back(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    await one(conn, read(limit=1))
    await one(conn, read(limit=1))
    sessions = store_of(sim).sessions
    assert len(sessions) == 1
    assert next(iter(sessions.values())) >= 1


async def test_sends_basic_auth_and_accept(sim: Starlette) -> None:
    seen: list[httpx.Request] = []
    conn = connector(sim)
    conn.http.event_hooks["request"].append(_record(seen))
    await conn.ready()
    await conn.aclose()
    assert seen[0].headers["Accept"] == "application/vnd.moxi-platform+json;version=1"
    assert seen[0].headers["Authorization"].startswith("Basic ")


def _record(seen: list[httpx.Request]) -> Any:
    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    return hook


async def test_validation_error_is_rejected(conn: MoxiWorksConnector) -> None:
    with pytest.raises(VendorRejected) as info:
        await conn.call("index", params=conn.agent_params())  # no contact: 422
    assert not isinstance(info.value, VendorNotFound)
    assert info.value.status == 422
    assert "contact" in info.value.message


async def test_unknown_agent_is_a_rejection_not_a_missing_record(
    sim: Starlette,
) -> None:
    conn = connector(
        sim, options={"agent_uuid": "00000000-dead-beef-0000-000000000000"}
    )
    (result,) = await conn.read_histories([read()])
    await conn.aclose()
    assert isinstance(result, VendorRejected)
    assert not isinstance(result, VendorNotFound)
    assert "agent" in result.message and result.status == 404


REMOTE = "https://moxi.example"


@pytest.mark.parametrize(
    ("options", "secrets"),
    [
        ({"agent_uuid": AGENT_UUID}, {}),
        ({}, {"AGENT_UUID": AGENT_UUID}),  # TRUNKLINE_MOXIWORKS_AGENT_UUID
        ({"moxi_works_agent_id": AGENT_ID}, {}),
        ({"source_agent_id": SOURCE_AGENT_ID, "moxi_works_company_id": COMPANY_ID}, {}),
    ],
)
async def test_each_agent_naming_works(
    sim: Starlette, options: dict[str, str], secrets: dict[str, str]
) -> None:
    conn = connector(
        sim, url=REMOTE, options=options, secrets=Secrets({**CREDS, **secrets})
    )
    batch = await one(conn, read(limit=5))
    await conn.aclose()
    assert batch.items


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({}, "exactly one"),
        ({"agent_uuid": AGENT_UUID, "moxi_works_agent_id": AGENT_ID}, "exactly one"),
        ({"source_agent_id": SOURCE_AGENT_ID}, "company"),
    ],
)
async def test_bad_agent_config_is_a_config_error(
    sim: Starlette, options: dict[str, str], match: str
) -> None:
    conn = connector(sim, url=REMOTE, options=options, secrets=Secrets(CREDS))
    (result,) = await conn.read_histories([read()])
    await conn.aclose()
    # the port answers a vendor failure; the setting is named only in the log
    assert isinstance(result, VendorMisconfigured)
    assert isinstance(result.__cause__, ConfigError)
    assert match in result.__cause__.message
    assert len(sim.state.calls) == 0  # caught before any call


async def test_missing_credentials_are_a_config_error(sim: Starlette) -> None:
    conn = connector(
        sim, url=REMOTE, options={"agent_uuid": AGENT_UUID}, secrets=Secrets({})
    )
    with pytest.raises(VendorMisconfigured) as caught:
        await conn.ready()
    assert isinstance(caught.value.__cause__, ConfigError)
    assert "USERNAME" in caught.value.__cause__.message
    await conn.aclose()


async def test_ready(sim: Starlette, conn: MoxiWorksConnector) -> None:
    await conn.ready()
    assert len(index_calls(sim)) == 1
    sim.state.faults.down = True
    with pytest.raises(VendorUnavailable):
        await conn.ready()


# ---- mapping ------------------------------------------------------------------------

ACTION: TypeAdapter[MoxiAction] = TypeAdapter(MoxiAction)


def test_mapping_tolerates_nulls_and_maps_channels() -> None:
    bare = ACTION.validate_python(
        {
            "moxi_works_action_log_id": "x1",
            "type": "weird",
            "timestamp": 5,
            "log_data": None,
        }
    )
    item = to_interaction(bare, "A1", None)
    assert item.channel is Channel.ACTION_LOG and item.subject is None
    assert item.node_key == "A1|5|x1"
    assert item.occurred_at == datetime.fromtimestamp(5, UTC)
    assert isinstance(item.detail, ActionLogDetail) and item.detail.address is None

    located = ACTION.validate_python(
        {
            "moxi_works_action_log_id": "x2",
            "type": "inperson",
            "timestamp": "7",
            "log_data": {
                "agent_action": "inperson",
                "agent_action_address": "1 Oak St",
                "agent_action_address2": "",
                "agent_action_city": "Tacoma",
                "agent_action_zip": None,
                "title": None,
                "body": "hi",
            },
        }
    )
    item = to_interaction(located, "A1", "moxi-1")
    assert item.channel is Channel.FACE_TO_FACE
    assert item.subject == "inperson" and item.body == "hi"
    assert isinstance(item.detail, ActionLogDetail)
    assert item.detail.address == Address(line1="1 Oak St", city="Tacoma")
    assert item.detail.moxi_works_contact_id == "moxi-1"
    for kind, channel in [
        ("call", Channel.PHONE),
        ("email", Channel.EMAIL),
        ("text", Channel.SMS),
        ("mail", Channel.LETTER),
        ("meeting", Channel.FACE_TO_FACE),
        ("manual", Channel.ACTION_LOG),
        ("other", Channel.ACTION_LOG),
    ]:
        action: MoxiAction = {**bare, "type": kind}
        assert to_interaction(action, "A1", None).channel is channel


# ---- node lookup and writes ---------------------------------------------------------


async def test_get_interaction_round_trip(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    batch = await one(conn, read(limit=3))
    for item, _ in batch.items:
        again = await conn.get_interaction(item.node_key)
        assert again == item
    sim.state.calls.clear()
    assert await conn.get_interaction("garbage") is None
    assert await conn.get_interaction("A1|notanumber|x") is None
    assert len(sim.state.calls) == 0
    first = batch.items[0][0]
    partner, ts, _ = first.node_key.split("|")
    assert await conn.get_interaction(f"{partner}|{ts}|no-such-id") is None


async def test_create_then_delete(sim: Starlette, conn: MoxiWorksConnector) -> None:
    account = people()[3].account
    created = await conn.create_action_log(
        account,
        "Called about the listing",
        "Left a voicemail.",
        agent_action="call",
        address=Address(line1="1 Oak St", city="Tacoma"),
    )
    assert created.channel is Channel.PHONE
    assert created.subject == "Called about the listing"
    assert isinstance(created.detail, ActionLogDetail)
    assert created.detail.address == Address(line1="1 Oak St", city="Tacoma")
    assert created.source.vendor_id in store_of(sim).by_id

    newest = await one(conn, read(account, limit=1))
    assert newest.items[0][0] == created
    assert await conn.get_interaction(created.node_key) == created

    assert await conn.delete_action_log(account, created.source.vendor_id) is True
    assert created.source.vendor_id not in store_of(sim).by_id
    assert await conn.delete_action_log(account, created.source.vendor_id) is False


@pytest.mark.parametrize(("title", "body"), [("t", ""), ("t", "x" * 5000), ("", "b")])
async def test_create_validates_text_locally(
    sim: Starlette, conn: MoxiWorksConnector, title: str, body: str
) -> None:
    with pytest.raises(BadUserInput, match="1 to 4999"):
        await conn.create_action_log(HEAVY_ACCOUNT, title, body)
    assert len(sim.state.calls) == 0


async def test_create_for_unknown_contact_is_not_found(
    conn: MoxiWorksConnector,
) -> None:
    with pytest.raises(VendorNotFound):
        await conn.create_action_log("no-such-account", "t", "b")


async def test_reads_answer_each_in_its_slot_and_a_single_read_in_the_callers_task() -> (
    None
):
    # Every window step of a walk is a single read: it runs in the loader's task,
    # with no task (and no loop turn) of its own; a failure is that read's answer.
    caller = asyncio.current_task()
    seen: list[object] = []

    async def read_one(n: int) -> int:
        seen.append(asyncio.current_task())
        if n < 0:
            raise VendorUnavailable("moxiworks", "down")
        return n * 10

    assert await answer_each([3], read_one) == [30]
    assert seen == [caller]
    [failed] = await answer_each([-1], read_one)
    assert isinstance(failed, VendorUnavailable)
    answers = await answer_each([1, -1, 2], read_one)
    assert answers[0] == 10 and answers[2] == 20
    assert isinstance(answers[1], VendorUnavailable)

    async def cancelled(n: int) -> int:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await answer_each([1, 2], cancelled)


def _answering(body: bytes) -> MoxiWorksConnector:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    vs = VendorSettings(name="moxiworks", options={"agent_uuid": "a-1"})
    return MoxiWorksConnector(vs, make_client(vs, app=app))


@pytest.mark.parametrize(
    ("body", "error", "text"),
    [
        (
            b'{"actions": [{"moxi_works_action_log_id": "x"}]}',
            VendorProtocolError,
            "actions.0.timestamp",
        ),
        (
            b'{"actions": [{"moxi_works_action_log_id": "", "timestamp": 5}]}',
            VendorProtocolError,
            "moxi_works_action_log_id",
        ),
        (b'{"actions": "none"}', VendorProtocolError, "actions"),
        (
            b'{"status": "fail", "messages": ["agent suspended"]}',
            VendorRejected,
            "agent suspended",
        ),
        (
            b'{"status": "error", "actions": 7, "message": "try later"}',
            VendorRejected,
            "try later",
        ),
        (b"<html>", VendorProtocolError, "not JSON"),
        (b"[]", VendorProtocolError, "not an object"),
    ],
)
async def test_a_malformed_or_refused_window_is_an_error_not_an_empty_one(
    body: bytes, error: type[Exception], text: str
) -> None:
    conn = _answering(body)
    with pytest.raises(error, match=text):
        await conn.fetch_window("A1", 0, 10)
    await conn.aclose()


async def test_a_window_takes_lenient_values_and_cleans_its_text() -> None:
    body = orjson.dumps(
        {
            "moxi_works_contact_id": 77,
            "actions": [
                {
                    "moxi_works_action_log_id": 42,
                    "timestamp": "5",
                    "type": "CALL",
                    "log_data": {
                        "title": {"odd": 1},
                        "agent_action": " call ",
                        "body": 12,
                        "agent_action_city": " ",
                    },
                },
                {"moxi_works_action_log_id": "b", "timestamp": 9, "log_data": None},
                {"moxi_works_action_log_id": "c", "timestamp": 10},  # past the window
            ],
        }
    )
    conn = _answering(body)
    newer, older = await conn.fetch_window("A1", 0, 10)
    await conn.aclose()
    assert (newer.source.vendor_id, older.source.vendor_id) == ("b", "42")
    assert (older.channel, older.subject, older.body) == (Channel.PHONE, "call", "12")
    assert isinstance(older.detail, ActionLogDetail)
    assert older.detail.address is None and older.detail.moxi_works_contact_id == "77"
    assert newer.channel is Channel.ACTION_LOG and newer.subject is None


# ---- bounds the doc and CONTRACT.md read differently --------------------------------

BOUND_KNOBS = [
    {},
    {"date_min_inclusive": True},
    {"date_max_inclusive": True},
    {"date_min_inclusive": True, "date_max_inclusive": True},
    {"order": "newest_first"},
    {"order": "shuffled", "date_min_inclusive": True},
]


@pytest.mark.parametrize("knobs", BOUND_KNOBS, ids=lambda k: str(k) or "defaults")
async def test_entries_on_every_window_edge_come_back_exactly_once(
    sim: Starlette, monkeypatch: pytest.MonkeyPatch, knobs: dict[str, Any]
) -> None:
    """Entries one second either side of each window's edges, and on them, under
    either reading of date_min and date_max: each comes back once, in order, and
    `node(id)` finds it."""
    for key, value in knobs.items():
        setattr(sim.state.knobs, key, value)
    now = 1_780_000_000
    monkeypatch.setattr("trunkline.connectors.moxiworks.time.time", lambda: now)
    until, since = now + 1, now - 1825 * 86_400
    account = people()[5].account
    store = store_of(sim)
    for entry in list(store.logs.get(account, [])):
        store.remove(entry)
    stamps = sorted(
        {
            t
            for k in range(25)
            for t in (until - k * STEP_S + d for d in (-1, 0, 1))
            if since <= t < until
        }
    )
    for n, t in enumerate(stamps):
        store.add(ActionLog(f"edge-{n:03d}", account, "call", t, {"title": "x"}))
    conn = connector(sim)
    try:
        items = [i for b in await walk(conn, [3, 50], key=account) for i, _ in b.items]
        assert [int(i.occurred_at.timestamp()) for i in items] == stamps[::-1]
        assert len({i.source.vendor_id for i in items}) == len(stamps)
        for item in items[:6]:
            assert await conn.get_interaction(item.node_key) == item
    finally:
        await conn.aclose()
    assert_windows_bounded(sim)
    for params in index_calls(sim):  # never past the doc's 90 days from date_min
        assert int(params["date_max"]) - int(params["date_min"]) <= WINDOW_S


async def test_an_unknown_contact_answered_404_is_an_empty_history(
    sim: Starlette, conn: MoxiWorksConnector
) -> None:
    sim.state.knobs.unknown_contact = "404"
    batches = await walk(conn, [5], key="no-such-account")
    assert ids_of(batches) == [] and batches[-1].next is None
    await conn.ready()  # the readiness probe names no real contact
    assert await conn.get_interaction("no-such-account|5|x") is None
