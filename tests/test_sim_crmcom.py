"""The CRM.COM simulator speaks CONTRACT.md's CRM.COM section."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from trunkline.simulators.crmcom import create_app
from trunkline.simulators.seed import HEAVY, people

API = "/crmapi/rest/v2"
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
HEAVY_ID = people()[HEAVY].crmcom_id
CREDS = {"username": "trunkline", "password": "embedded"}  # the embedded defaults


@pytest.fixture(scope="module")
def shared_app() -> Iterator[Starlette]:
    """One app for the tests that only read (seeding takes a moment)."""
    yield create_app()


@pytest.fixture
async def client(shared_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=shared_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


@pytest.fixture
def fresh_app() -> Starlette:
    return create_app()


@pytest.fixture
async def fresh(fresh_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app of its own, for tests that change state."""
    transport = httpx.ASGITransport(app=fresh_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


async def login(client: httpx.AsyncClient) -> str:
    r = await client.post(f"{API}/authentication/login", json=CREDS)
    assert r.status_code == 200
    body = r.json()
    assert body["status"]["code"] == "OK"
    token: str = body["data"]["token"]
    return token


def query(token: str | None, **params: Any) -> dict[str, str]:
    """Query parameters: identifiers (dicts) JSON-encoded, the rest as strings."""
    out = {
        k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in params.items()
    }
    if token is not None:
        out["token"] = token
    return out


async def get(
    client: httpx.AsyncClient, path: str, token: str | None, **params: Any
) -> httpx.Response:
    return await client.get(f"{API}/{path}", params=query(token, **params))


async def post(
    client: httpx.AsyncClient, path: str, token: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{API}/{path}", json={"token": token, **body})


def code(r: httpx.Response) -> str:
    status: str = r.json()["status"]["code"]
    return status


def data(r: httpx.Response) -> Any:
    assert code(r) == "OK", r.json()["status"]
    return r.json()["data"]


async def test_token_is_required(client: httpx.AsyncClient) -> None:
    ident = {"id": HEAVY_ID}
    r = await get(
        client, "communications/list", None, contact_information_identifier=ident
    )
    assert (r.status_code, code(r)) == (401, "INVALID_TOKEN")
    assert r.json()["data"] is None
    r = await get(
        client, "communications/list", "BOGUS", contact_information_identifier=ident
    )
    assert code(r) == "INVALID_TOKEN"
    r = await client.post(
        f"{API}/authentication/login", json={"username": "", "password": "p"}
    )
    assert code(r) == "INVALID_LOGIN"
    token = await login(client)
    r = await get(
        client, "communications/list", token, contact_information_identifier=ident
    )
    assert len(data(r)) == 50  # the default page size


async def test_expired_token_then_login_again(
    fresh: httpx.AsyncClient, fresh_app: Starlette
) -> None:
    token = await login(fresh)
    ident = {"id": HEAVY_ID}
    assert (
        code(
            await get(
                fresh,
                "communications/list",
                token,
                contact_information_identifier=ident,
            )
        )
        == "OK"
    )
    fresh_app.state.tokens.clear()  # every token expires
    r = await get(
        fresh, "communications/list", token, contact_information_identifier=ident
    )
    assert (r.status_code, code(r)) == (401, "INVALID_TOKEN")
    r = await post(
        fresh,
        "communications/queue/process",
        token,
        communication_queue_identifier={"number": "1"},
    )
    assert code(r) == "INVALID_TOKEN"  # POST bodies carry the token too
    token = await login(fresh)
    assert (
        code(
            await get(
                fresh,
                "communications/list",
                token,
                contact_information_identifier=ident,
            )
        )
        == "OK"
    )


async def test_token_ttl() -> None:
    app = create_app(token_ttl_s=0.0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        token = await login(c)
        r = await get(
            c,
            "communications/list",
            token,
            contact_information_identifier={"id": HEAVY_ID},
        )
        assert code(r) == "INVALID_TOKEN"


async def test_list_walks_every_communication_once_in_order(
    client: httpx.AsyncClient,
) -> None:
    token = await login(client)
    seen: list[dict[str, Any]] = []
    offset = 0
    while True:
        r = await get(
            client,
            "communications/list",
            token,
            contact_information_identifier={"id": HEAVY_ID},
            offset=offset,
            number_of_results=60,
            fields_set="id,log_information",
        )
        page = data(r)
        seen.extend(page)
        if len(page) < 60:
            break
        offset += 60
    ids = [c["id"] for c in seen]
    assert len(ids) == 350 == len(set(ids))
    keys = [(c["log_information"]["created_date"], c["id"]) for c in seen]
    # created_date descending, then id ascending
    assert keys == sorted(keys, key=lambda k: (_neg(k[0]), k[1]))
    created = [k[0] for k in keys]
    assert len(set(created)) < len(created)  # ties exist, so the id tie-break matters


def _neg(date: str) -> tuple[int, ...]:
    return tuple(-int(x) for x in re.findall(r"\d+", date))


async def test_page_size_cap_and_bad_paging(client: httpx.AsyncClient) -> None:
    token = await login(client)
    ident = {"id": people()[1].crmcom_id}
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier=ident,
        number_of_results=500,
    )
    assert len(data(r)) == 500
    for bad in (
        {"number_of_results": 501},
        {"number_of_results": 0},
        {"offset": -1},
        {"offset": "x"},
    ):
        r = await get(
            client,
            "communications/list",
            token,
            contact_information_identifier=ident,
            **bad,
        )
        assert (r.status_code, code(r)) == (400, "INVALID_PARAMETER"), bad


async def test_list_needs_contact_or_category_and_filters(
    client: httpx.AsyncClient,
) -> None:
    token = await login(client)
    r = await get(client, "communications/list", token)
    assert code(r) == "MISSING_PARAMETER"
    ident = {"id": HEAVY_ID}
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier=ident,
        direction="INCOMING",
        media="EMAIL",
        category_identifier={"code": "bill"},
        number_of_results=500,
    )
    items = data(r)
    assert items
    for c in items:
        assert (c["direction"], c["media"], c["category"]["code"]) == (
            "INCOMING",
            "EMAIL",
            "bill",
        )
        assert c["contact_information"]["id"] == HEAVY_ID
    r = await get(
        client, "communications/list", token, category_identifier={"name": "Billing"}
    )
    assert {c["category"]["name"] for c in data(r)} == {"Billing"}
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier=ident,
        direction="INBOUND",
    )
    assert code(r) == "INVALID_PARAMETER"
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier={"id": "0" * 32},
    )
    assert (r.status_code, code(r)) == (404, "NOT_FOUND")


async def test_fields_set(client: httpx.AsyncClient) -> None:
    token = await login(client)
    ident = {"id": HEAVY_ID}
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier=ident,
        fields_set="subject,media",
    )
    assert all(set(c) == {"subject", "media"} for c in data(r))
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier=ident,
        fields_set="id, contact_information,nonsense",
        number_of_results=1,
    )
    (item,) = data(r)
    assert set(item) == {"id", "contact_information"}
    assert item["contact_information"]["id"] == HEAVY_ID
    assert item["contact_information"]["name"] == people()[HEAVY].name


async def test_show_by_id_and_number_with_doc_shape(client: httpx.AsyncClient) -> None:
    token = await login(client)
    r = await get(
        client,
        "communications/list",
        token,
        contact_information_identifier={"id": HEAVY_ID},
        number_of_results=1,
    )
    (first,) = data(r)
    by_id = data(
        await get(
            client,
            "communications/show",
            token,
            communication_identifier={"id": first["id"]},
        )
    )
    by_number = data(
        await get(
            client,
            "communications/show",
            token,
            communication_identifier={"number": first["number"]},
        )
    )
    # show answers `notes` too; the list example has none (test_conformance_crmcom)
    assert by_id == by_number == {**first, "notes": None}
    for key in (
        "id",
        "number",
        "code",
        "media",
        "direction",
        "subject",
        "content",
        "from",
        "to",
        "contact_information",
        "category",
        "life_cycle_state",
        "log_information",
        "owned_by_group",
        "referring_to",
        "follow_up_set",
        "privacy_level",
        "communication_queue_external_system",
        "udf_string_1",
        "udf_float_4",
        "udf_date_4",
    ):
        assert key in first, key
    assert re.fullmatch(r"[0-9A-F]{32}", first["id"])
    assert first["media"] in ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
    assert first["direction"] in ("INCOMING", "OUTGOING")
    log = first["log_information"]
    assert DATE.match(log["created_date"]) and DATE.match(log["updated_date"])
    assert {"created_by_user", "updated_by_user", "created_by_unit"} <= set(log)


async def test_bad_identifiers(client: httpx.AsyncClient) -> None:
    token = await login(client)
    show = "communications/show"
    r = await get(client, show, token)
    assert code(r) == "MISSING_PARAMETER"
    for bad in (
        "not json",
        '{"id": "A", "number": "B"}',
        '{"email": "x"}',
        '{"id": 5}',
        "[]",
    ):
        r = await client.get(
            f"{API}/{show}", params={"token": token, "communication_identifier": bad}
        )
        assert (r.status_code, code(r)) == (400, "INVALID_PARAMETER"), bad
    r = await get(client, show, token, communication_identifier={"number": "CM999999"})
    assert code(r) == "NOT_FOUND"


async def test_queue_state_rules(fresh: httpx.AsyncClient) -> None:
    token = await login(fresh)
    latest = data(
        await get(
            fresh, "communications/queue/get_latest", token, media="EMAIL", number=3
        )
    )
    assert len(latest) == 3 and {q["life_cycle_state"] for q in latest} == {"PENDING"}
    a, b, c = ({"number": q["number"]} for q in latest)

    done = data(
        await post(
            fresh,
            "communications/queue/process",
            token,
            communication_queue_identifier=a,
        )
    )
    assert done["life_cycle_state"] == "COMPLETED"
    r = await post(
        fresh, "communications/queue/process", token, communication_queue_identifier=a
    )
    assert (r.status_code, code(r)) == (409, "INVALID_LIFE_CYCLE_STATE")
    gone = data(
        await post(
            fresh,
            "communications/queue/remove",
            token,
            communication_queue_identifier=a,
        )
    )
    assert gone["life_cycle_state"] == "COMPLETED_AND_REMOVED"
    for action in ("process", "remove"):
        r = await post(
            fresh,
            f"communications/queue/{action}",
            token,
            communication_queue_identifier=a,
        )
        assert code(r) == "INVALID_LIFE_CYCLE_STATE"

    r = await post(
        fresh, "communications/queue/reject", token, communication_queue_identifier=b
    )
    assert code(r) == "MISSING_PARAMETER"
    rejected = data(
        await post(
            fresh,
            "communications/queue/reject",
            token,
            communication_queue_identifier=b,
            error_code="01",
            error_description="Communication definition is not configured.",
            fields_set="number,life_cycle_state,error_code,error_description",
        )
    )
    assert rejected == {
        "number": b["number"],
        "life_cycle_state": "REJECTED",
        "error_code": "01",
        "error_description": "Communication definition is not configured.",
    }
    for action in ("process", "remove"):
        r = await post(
            fresh,
            f"communications/queue/{action}",
            token,
            communication_queue_identifier=b,
        )
        assert code(r) == "INVALID_LIFE_CYCLE_STATE"

    # A pending entry can be completed and removed in one step.
    gone = data(
        await post(
            fresh,
            "communications/queue/remove",
            token,
            communication_queue_identifier=c,
        )
    )
    assert gone["life_cycle_state"] == "COMPLETED_AND_REMOVED"
    shown = data(
        await get(
            fresh,
            "communications/queue/show",
            token,
            communication_queue_identifier={"id": gone["id"]},
        )
    )
    assert shown == gone
    r = await post(
        fresh,
        "communications/queue/process",
        token,
        communication_queue_identifier={"number": "99999"},
    )
    assert code(r) == "NOT_FOUND"


async def test_queue_lists(client: httpx.AsyncClient) -> None:
    token = await login(client)
    r = await get(client, "communications/queue/list", token)
    assert code(r) == "MISSING_PARAMETER"
    system = {"name": "EXT 1"}
    r = await get(
        client,
        "communications/queue/list",
        token,
        media="EMAIL",
        communication_queue_external_system_identifier=system,
    )
    assert code(r) == "INVALID_PARAMETER"  # only one of the two
    entries = data(
        await get(
            client,
            "communications/queue/list",
            token,
            media="SMS",
            number_of_results=500,
        )
    )
    assert 0 < len(entries) < 300
    states = {q["life_cycle_state"] for q in entries}
    assert states == {"PENDING", "REJECTED", "COMPLETED", "COMPLETED_AND_REMOVED"}
    keys = [(q["log_information"]["created_date"], q["id"]) for q in entries]
    assert keys == sorted(keys, key=lambda k: (_neg(k[0]), k[1]))
    entry = entries[0]
    assert set(entry) == {
        "id",
        "number",
        "life_cycle_state",
        "error_code",
        "error_description",
        "communication",
        "communication_queue_external_system",
        "log_information",
    }
    assert {
        "id",
        "number",
        "life_cycle_state",
        "subject",
        "contact_information",
    } == set(entry["communication"])
    assert entry["communication_queue_external_system"]["name"] == "External SMS System"

    rejected = data(
        await get(
            client,
            "communications/queue/list",
            token,
            communication_queue_external_system_identifier=system,
            life_cycle_state="REJECTED",
        )
    )
    assert rejected and all(
        q["error_code"] and q["life_cycle_state"] == "REJECTED" for q in rejected
    )
    pc = data(
        await get(
            client,
            "communications/queue/get_pending_completed",
            token,
            media="EMAIL",
            number_of_results=500,
        )
    )
    assert {q["life_cycle_state"] for q in pc} == {"PENDING", "COMPLETED"}
    r = await get(client, "communications/queue/get_latest", token, media="EMAIL")
    assert code(r) == "MISSING_PARAMETER"  # number is mandatory


async def test_create_update_complete_view(fresh: httpx.AsyncClient) -> None:
    token = await login(fresh)
    contact = {"id": people()[5].crmcom_id}
    r = await post(
        fresh,
        "communications/create",
        token,
        contact_information_identifier=contact,
        direction="OUTGOING",
        media="EMAIL",
        subject="Hi",
        content="Body",
    )
    assert code(r) == "MISSING_PARAMETER"  # "to" is mandatory for EMAIL
    made = data(
        await post(
            fresh,
            "communications/create",
            token,
            contact_information_identifier=contact,
            direction="OUTGOING",
            media="EMAIL",
            subject="Hi",
            content="Body",
            to="x@example.com",
            life_cycle_state="DRAFT",
            category_identifier={"code": "cci"},
        )
    )
    assert made["life_cycle_state"] == "DRAFT" and made["to"] == "x@example.com"
    assert made["category"]["code"] == "cci" and made["number"].startswith("CM")
    ident = {"id": made["id"]}
    listed = data(
        await get(
            fresh,
            "communications/list",
            token,
            contact_information_identifier=contact,
            number_of_results=1,
        )
    )
    assert listed[0]["id"] == made["id"]  # newest first

    updated = data(
        await post(
            fresh,
            "communications/update",
            token,
            communication_identifier=ident,
            subject="Hello",
            notes=None,
        )
    )
    assert (updated["subject"], updated["content"]) == ("Hello", "Body")
    r = await post(
        fresh, "communications/set_as_viewed", token, communication_identifier=ident
    )
    assert code(r) == "INVALID_LIFE_CYCLE_STATE"  # only completed ones
    done = data(
        await post(
            fresh,
            "communications/complete",
            token,
            communication_identifier={"number": made["number"]},
        )
    )
    assert done["life_cycle_state"] == "COMPLETED"
    for path in ("update", "complete"):
        r = await post(
            fresh, f"communications/{path}", token, communication_identifier=ident
        )
        assert code(r) == "INVALID_LIFE_CYCLE_STATE"
    viewed = data(
        await post(
            fresh,
            "communications/set_as_viewed",
            token,
            communication_identifier=ident,
            viewed_on="2026-01-02T03:04:05",
            fields_set="viewed_on,viewed",
        )
    )
    # The doc's example writes viewed_on Java-style, zone named.
    assert viewed == {"viewed_on": "Fri Jan 02 03:04:05 UTC 2026", "viewed": 1}


async def test_create_for_external_system_queues_it(fresh: httpx.AsyncClient) -> None:
    token = await login(fresh)
    made = data(
        await post(
            fresh,
            "communications/create",
            token,
            contact_information_identifier={"id": HEAVY_ID},
            template_identifier={"name": "Welcome SMS"},
            communication_queue_external_system_identifier={
                "name": "External SMS System"
            },
        )
    )
    assert (made["media"], made["life_cycle_state"]) == ("SMS", "COMPLETED")
    latest = data(
        await get(
            fresh, "communications/queue/get_latest", token, media="SMS", number=1
        )
    )
    assert latest[0]["communication"]["id"] == made["id"]
    assert latest[0]["life_cycle_state"] == "PENDING"


async def test_fault_knobs(fresh: httpx.AsyncClient) -> None:
    r = await fresh.put("/_sim/faults", json={"down": True})
    assert r.status_code == 200
    r = await fresh.post(f"{API}/authentication/login", json=CREDS)
    assert r.status_code == 503
    await fresh.put(
        "/_sim/faults", json={"down": False, "burst_429": 1, "retry_after_s": 3}
    )
    r = await fresh.post(f"{API}/authentication/login", json=CREDS)
    assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    await login(fresh)  # the burst is over
    calls = (await fresh.get("/_sim/calls")).json()
    assert calls["count"] == 3


async def test_errors_can_answer_http_200(
    fresh: httpx.AsyncClient, fresh_app: Starlette
) -> None:
    fresh_app.state.http_errors = False
    r = await get(
        fresh, "communications/show", "BOGUS", communication_identifier={"id": "X"}
    )
    assert (r.status_code, code(r)) == (200, "INVALID_TOKEN")


def test_seeding_is_deterministic() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    a = create_app(seed=3, now=now).state.store
    b = create_app(seed=3, now=now).state.store
    assert list(a.comms) == list(b.comms)
    assert len(a.queue) == 300
    assert len(a.by_contact[HEAVY_ID]) == 350
    assert len(a.by_contact[people()[1].crmcom_id]) == 3000
