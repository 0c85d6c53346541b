"""The CRM.COM connector against its simulator, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from trunkline.config import VendorSettings
from trunkline.connectors import connector_classes
from trunkline.connectors.base import HistoryRead, InteractionSource
from trunkline.connectors.crmcom import (
    CcCommunication,
    CrmComConnector,
    parse_date,
    wire_fields,
)
from trunkline.connectors.transport import make_client
from trunkline.domain import Channel, Direction, Interaction, InteractionFilter, Vendor
from trunkline.errors import (
    VendorConflict,
    VendorNotFound,
    VendorRejected,
    VendorUnavailable,
)
from trunkline.pagination.merge import Batch
from trunkline.simulators.crmcom import create_app
from trunkline.simulators.seed import HEAVY, people

HEAVY_ID = people()[HEAVY].crmcom_id
LOGIN = "/crmapi/rest/v2/authentication/login"
LIST = "/crmapi/rest/v2/communications/list"
EVERYTHING = InteractionFilter()


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[Starlette]:
    """One simulator for the tests that only read (seeding takes a moment)."""
    yield create_app()


@pytest.fixture
def sim() -> Starlette:
    """A simulator of its own, for tests that change state or faults."""
    return create_app()


def connector(app: Starlette) -> CrmComConnector:
    vs = VendorSettings(name="crmcom")
    return CrmComConnector(vs, make_client(vs, app=app))


@pytest.fixture
async def conn(sim: Starlette) -> AsyncIterator[CrmComConnector]:
    c = connector(sim)
    yield c
    await c.aclose()


def calls(app: Starlette, path: str) -> list[dict[str, list[str]]]:
    """The query strings of the calls the simulator answered on `path`."""
    return [parse_qs(q) for _, p, q in app.state.calls.entries if p == path]


def read(
    key: str | None,
    *,
    limit: int = 50,
    position: str | None = None,
    f: InteractionFilter = EVERYTHING,
    fields: frozenset[str] = frozenset(),
) -> HistoryRead:
    return HistoryRead(key, f, fields, position, limit)


async def one(c: CrmComConnector, r: HistoryRead) -> Batch[Interaction]:
    (answer,) = await c.read_histories([r])
    assert isinstance(answer, Batch), answer
    return answer


async def walk(
    c: CrmComConnector, key: str, sizes: list[int], f: InteractionFilter = EVERYTHING
) -> list[Interaction]:
    """Read a whole history, page sizes cycling through `sizes`."""
    seen: list[Interaction] = []
    position: str | None = None
    for step in range(10_000):
        batch = await one(
            c, read(key, limit=sizes[step % len(sizes)], position=position, f=f)
        )
        seen.extend(item for item, _ in batch.items)
        if batch.next is None:
            return seen
        position = orjson.dumps(batch.next).decode()
    raise AssertionError("the history never ended")


def expected_ids(app: Starlette, key: str) -> list[str]:
    return [c.id for c in app.state.store.by_contact[key]]


# ---- the registry and the protocol -------------------------------------------------


def test_registered_as_an_interaction_source() -> None:
    assert connector_classes()[Vendor.CRMCOM] is CrmComConnector
    assert CrmComConnector.default_contact_key == "link"
    c = connector(create_app())
    assert isinstance(c, InteractionSource)
    assert c.option("contact_key") == "custom_field:COL6"  # embedded mode
    remote = VendorSettings(name="crmcom", base_url="https://crm.example")
    assert CrmComConnector(remote, c.http).option("contact_key") is None
    assert all(ep.path.startswith("/crmapi/rest/v2/") for ep in c.endpoints.values())
    posts = [ep for ep in c.endpoints.values() if ep.method == "POST"]
    assert posts and not any(ep.idempotent for ep in posts)


def test_history_needs_a_contact() -> None:
    c = connector(create_app())
    assert not c.history_applies(None, EVERYTHING)
    assert c.history_applies("X", EVERYTHING)
    assert c.history_applies("X", InteractionFilter(channels=frozenset({Channel.SMS})))
    notes_only = InteractionFilter(channels=frozenset({Channel.NOTE}))
    assert not c.history_applies("X", notes_only)


# ---- reading histories -----------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sizes=st.lists(st.integers(1, 200), min_size=1, max_size=4))
async def test_walking_a_history_sees_everything_once_newest_first(
    shared_sim: Starlette, sizes: list[int]
) -> None:
    c = connector(shared_sim)
    try:
        seen = await walk(c, HEAVY_ID, sizes)
    finally:
        await c.aclose()
    ids = [i.source.vendor_id for i in seen]
    assert ids == expected_ids(shared_sim, HEAVY_ID)
    assert len(set(ids)) == len(ids) > 300
    keys = [i.sort_key for i in seen]
    assert keys == sorted(keys)  # newest first, ties by id


async def test_a_communication_maps_to_an_interaction(shared_sim: Starlette) -> None:
    c = connector(shared_sim)
    batch = await one(c, read(HEAVY_ID, limit=500))
    comms = {x.id: x for x in shared_sim.state.store.by_contact[HEAVY_ID]}
    for item, _ in batch.items:
        comm = comms[item.source.vendor_id]
        assert item.source.vendor is Vendor.CRMCOM
        assert item.node_key == comm.id
        assert item.occurred_at == comm.created
        assert item.occurred_at.tzinfo is not None
        assert item.channel.value == comm.media
        assert item.vendor_type == comm.media
        want = Direction.INBOUND if comm.direction == "INCOMING" else Direction.OUTBOUND
        assert item.direction is want
        assert (item.subject, item.body) == (comm.subject, comm.content)
        # The list answers no viewed/viewed_on (the doc's example has neither).
        assert item.status == comm.life_cycle_state.lower()
        assert item.tags == ((comm.category.name,) if comm.category else ())
        assert item.contact_account is None
        d = item.detail
        assert d is not None
        assert (d.number, d.sender, d.recipient) == (
            comm.number,
            comm.sender,
            comm.recipient,
        )
        assert d.viewed_on is None
    assert {i.status for i, _ in batch.items} == {"draft", "completed"}
    await c.aclose()


async def test_fields_set_asks_only_for_what_the_query_selects(
    sim: Starlette, conn: CrmComConnector
) -> None:
    fields = frozenset({"id", "subject", "occurredAt", "contact", "__typename"})
    batch = await one(conn, read(HEAVY_ID, limit=5, fields=fields))
    ((query),) = calls(sim, LIST)
    assert query["fields_set"] == ["id,log_information,subject"]
    assert query["number_of_results"] == ["5"]
    assert query["offset"] == ["0"]
    assert query["contact_information_identifier"] == [f'{{"id":"{HEAVY_ID}"}}']
    item = batch.items[0][0]
    assert item.subject and item.body is None and item.occurred_at.year > 2000

    # What the filter reads is asked for too; nothing selected asks for everything.
    text = InteractionFilter(text="bill")
    assert wire_fields({"occurredAt"}, text) == [
        "id",
        "log_information",
        "subject",
        "content",
    ]
    assert set(wire_fields({"detail"}, EVERYTHING)) == {
        "id",
        "log_information",
        "media",
        "category",
        "number",
        "from",
        "to",
    }
    everything = set(wire_fields(set(), EVERYTHING))
    assert everything == {
        "id",
        "log_information",
        "media",
        "direction",
        "subject",
        "content",
        "life_cycle_state",
        "category",
        "number",
        "from",
        "to",
    }


async def test_direction_and_a_single_channel_are_pushed_down(
    sim: Starlette, conn: CrmComConnector
) -> None:
    f = InteractionFilter(
        channels=frozenset({Channel.EMAIL}), direction=Direction.OUTBOUND
    )
    seen = await walk(conn, HEAVY_ID, [40], f)
    want = [
        c.id
        for c in sim.state.store.by_contact[HEAVY_ID]
        if c.media == "EMAIL" and c.direction == "OUTGOING"
    ]
    assert [i.source.vendor_id for i in seen] == want
    queries = calls(sim, LIST)
    assert all(q["media"] == ["EMAIL"] for q in queries)
    assert all(q["direction"] == ["OUTGOING"] for q in queries)
    assert len(queries) == len(want) // 40 + 1

    sim.state.calls.clear()
    two = InteractionFilter(channels=frozenset({Channel.SMS, Channel.PHONE}))
    seen = await walk(conn, HEAVY_ID, [100], two)
    assert seen and {i.channel for i in seen} <= {Channel.SMS, Channel.PHONE}
    assert not any("media" in q for q in calls(sim, LIST))


async def test_since_stops_reading_at_older_communications(
    sim: Starlette, conn: CrmComConnector
) -> None:
    comms = sim.state.store.by_contact[HEAVY_ID]
    since = comms[30].created + timedelta(seconds=1)
    seen = await walk(conn, HEAVY_ID, [10], InteractionFilter(since=since))
    assert [i.source.vendor_id for i in seen] == [
        c.id for c in comms if c.created >= since
    ]
    assert len(calls(sim, LIST)) <= 4  # not the 35 a full walk would take


async def test_an_unknown_contact_has_an_empty_history(
    sim: Starlette, conn: CrmComConnector
) -> None:
    batch = await one(conn, read("0" * 32))
    assert batch == Batch([], None)
    sim.state.http_errors = False  # the same, told in the envelope only
    assert await one(conn, read("1" * 32)) == Batch([], None)


async def test_reads_answer_in_order_and_a_position_resumes(
    shared_sim: Starlette,
) -> None:
    c = connector(shared_sim)
    ids = expected_ids(shared_sim, HEAVY_ID)
    first, rest, none = await c.read_histories(
        [
            read(HEAVY_ID, limit=3),
            read(HEAVY_ID, limit=3, position='{"n": 3}'),
            read(None),
        ]
    )
    assert isinstance(first, Batch) and isinstance(rest, Batch)
    assert [i.source.vendor_id for i, _ in first.items] == ids[:3]
    assert [i.source.vendor_id for i, _ in rest.items] == ids[3:6]
    assert first.next["n"] == 3 and rest.next["n"] == 6  # offsets, plus _Mark
    assert none == Batch([], None)
    await c.aclose()


# ---- auth and errors ---------------------------------------------------------------


@pytest.mark.parametrize("http_errors", [True, False])
async def test_an_expired_token_logs_in_again_once(
    sim: Starlette, conn: CrmComConnector, http_errors: bool
) -> None:
    sim.state.http_errors = http_errors
    await one(conn, read(HEAVY_ID, limit=2))
    assert len(calls(sim, LOGIN)) == 1
    sim.state.tokens.clear()
    batch = await one(conn, read(HEAVY_ID, limit=2))
    assert len(batch.items) == 2
    assert len(calls(sim, LOGIN)) == 2
    assert len(calls(sim, LIST)) == 3  # first read, refused, retried
    assert await conn.get_interaction(batch.items[0][0].node_key) is not None
    assert len(calls(sim, LOGIN)) == 2


async def test_envelope_errors_on_http_200_still_raise(
    sim: Starlette, conn: CrmComConnector
) -> None:
    sim.state.http_errors = False
    with pytest.raises(VendorRejected) as rejected:
        await conn.list_queue(0, 10)  # neither media nor system: MISSING_PARAMETER
    assert rejected.type is VendorRejected
    assert rejected.value.message.startswith("CRMCOM: ")
    assert "specify one of" in rejected.value.message
    assert rejected.value.status is None  # HTTP said 200
    assert conn._token and conn._token not in rejected.value.message
    assert "crmapi" not in rejected.value.message
    (entry, *_) = await conn.list_queue(0, 5, media="SMS", life_cycle_state="PENDING")
    await conn.process_queue_entry(entry.id)
    with pytest.raises(VendorConflict):
        await conn.process_queue_entry(entry.id)
    with pytest.raises(VendorNotFound):
        await conn.process_queue_entry("NOPE")
    assert await conn.get_interaction("NOPE") is None


async def test_a_bad_login_is_rejected(sim: Starlette) -> None:
    vs = VendorSettings(name="crmcom", base_url="http://crmcom.embedded")
    c = CrmComConnector(vs, make_client(vs, app=sim))  # not embedded: no defaults
    with pytest.raises(VendorRejected, match="CRMCOM: "):
        await c.ready()
    await c.aclose()


async def test_a_vendor_that_is_down_fails_only_its_reads(
    sim: Starlette, conn: CrmComConnector
) -> None:
    await conn.ready()
    sim.state.faults.down = True
    answers = await conn.read_histories([read(HEAVY_ID), read("0" * 32)])
    assert len(answers) == 2
    assert all(isinstance(a, VendorUnavailable) for a in answers)
    assert str(answers[0]).startswith("CRMCOM: ")
    with pytest.raises(VendorUnavailable):
        await conn.ready()


# ---- single reads ----------------------------------------------------------------


async def test_get_interaction_found_and_not_found(shared_sim: Starlette) -> None:
    c = connector(shared_sim)
    comm = shared_sim.state.store.by_contact[HEAVY_ID][7]
    found = await c.get_interaction(comm.id)
    assert found is not None
    assert found.node_key == comm.id and found.subject == comm.subject
    assert found.occurred_at == comm.created
    assert await c.get_interaction("F" * 32) is None
    assert await c.get_interaction("") is None
    await c.aclose()


# ---- the queue ---------------------------------------------------------------------


async def test_queue_process_reject_remove(
    sim: Starlette, conn: CrmComConnector
) -> None:
    pending = await conn.list_queue(0, 3, media="EMAIL", life_cycle_state="PENDING")
    assert len(pending) == 3
    assert all(e.life_cycle_state == "PENDING" for e in pending)
    assert all(e.communication and e.communication.id for e in pending)
    first, second, third = pending

    done = await conn.process_queue_entry(first.id)
    assert done.id == first.id and done.life_cycle_state == "COMPLETED"
    with pytest.raises(VendorConflict) as conflict:
        await conn.process_queue_entry(first.id)
    assert conflict.value.message.startswith("CRMCOM: ")
    assert conflict.value.status == 409

    rejected = await conn.reject_queue_entry(second.id, "03", "Recipient not valid")
    assert rejected.life_cycle_state == "REJECTED"
    assert (rejected.error_code, rejected.error_description) == (
        "03",
        "Recipient not valid",
    )
    removed = await conn.remove_queue_entry(third.id)
    assert removed.life_cycle_state == "COMPLETED_AND_REMOVED"

    shown = await conn.get_queue_entry(first.id)
    assert shown is not None and shown.life_cycle_state == "COMPLETED"
    assert await conn.get_queue_entry("NOPE") is None
    by_system = await conn.list_queue(0, 500, external_system_name="EXT 1")
    assert {e.external_system.name for e in by_system if e.external_system} == {"EXT 1"}
    with pytest.raises(ValueError):
        await conn.list_queue(0, 5, colour="red")


# ---- wire parsing ------------------------------------------------------------------


def test_dates_without_zone_are_utc_and_java_style_dates_are_read() -> None:
    assert parse_date("2017-05-22T12:42:03") == datetime(
        2017, 5, 22, 12, 42, 3, tzinfo=UTC
    )
    assert parse_date("Mon May 22 12:42:03 EEST 2017") == datetime(
        2017, 5, 22, 9, 42, 3, tzinfo=UTC
    )
    assert parse_date("Mon May 22 12:42:03 XYZ 2017") is None
    assert parse_date("yesterday") is None
    assert parse_date(None) is None
    assert parse_date(1495446123) is None


def test_the_model_is_tolerant() -> None:
    comm = CcCommunication.model_validate(
        {
            "id": 42,
            "media": "FAX",
            "direction": "INBOUND",
            "viewed_on": "Mon May 22 12:42:03 EEST 2017",
            "viewed": 1,
            "category": "Billing",
            "log_information": {"created_date": "2017-05-22T10:00:00"},
            "life_cycle_state": "COMPLETED",
            "something_new": {"a": 1},
        }
    )
    item = comm.to_interaction()
    assert item.source.vendor_id == "42" == item.node_key
    assert item.channel is Channel.OTHER and item.vendor_type == "FAX"
    assert item.direction is Direction.INBOUND
    assert item.status == "viewed" and item.tags == ("Billing",)
    assert item.occurred_at == datetime(2017, 5, 22, 10, tzinfo=UTC)
    bare = CcCommunication.model_validate({"id": "A", "viewed_on": "soon"})
    assert bare.to_interaction().status is None
    assert bare.viewed_on is None
    with pytest.raises(ValueError):
        CcCommunication.model_validate({"subject": "no id"})
