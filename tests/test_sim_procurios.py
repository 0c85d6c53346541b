"""The Procurios simulator speaks the vendor's doc, CONTRACT.md filling the gaps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from trunkline.simulators import procurios
from trunkline.simulators.procurios import (
    JUNK_RECIPIENT,
    TAGS,
    ProcuriosStore,
    create_app,
    parse_since,
    schema_for,
    validate,
)
from trunkline.simulators.seed import HEAVY, HUGE, people

NOW = datetime(2026, 3, 1, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
BASE = "/l/contact_moment_api/contact_moment"
ACCEPT = {"Accept": "application/vnd.procurios.contact_moment+json; version=1"}
AUTH = {"Authorization": "Bearer test-token"}
HEAVY_RELATION = people()[HEAVY].relation_id
HUGE_RELATION = people()[HUGE].relation_id


@pytest.fixture
def app() -> Starlette:
    app = create_app(now=NOW, token="test-token")
    app.state.store.clock = lambda: float(NOW_TS)
    return app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    headers = {**ACCEPT, **AUTH}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim", headers=headers
    ) as client:
        yield client


def store_of(app: Starlette) -> ProcuriosStore:
    store: ProcuriosStore = app.state.store
    return store


async def page(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(BASE, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


async def walk(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """Every page until one holds fewer than 25 items."""
    items: list[dict[str, Any]] = []
    number = 1
    while True:
        batch = await page(client, page=number, **params)
        items += batch
        if len(batch) < 25:
            return items
        number += 1


def expected_ids(
    store: ProcuriosStore, relations: set[int], since: int | None = None
) -> list[int]:
    return [
        m.id
        for m in store.ordered
        if m.relations() & relations and (since is None or m.updated >= since)
    ]


def assert_error(response: httpx.Response, status: int, text: str = "") -> None:
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert isinstance(errors, str) and text in errors


# --- headers -------------------------------------------------------------------


async def test_bearer_token_is_required(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(BASE, headers={"Authorization": ""}), 401)
    assert_error(await client.get(BASE, headers={"Authorization": "Bearer "}), 401)
    assert_error(await client.get(BASE, headers={"Authorization": "Basic eDp5"}), 401)
    # only the configured token passes
    other = {"Authorization": "Bearer other-token"}
    assert_error(await client.get(BASE, headers=other), 401)
    assert_error(await client.get(f"{BASE}/types", headers=other), 401)


def test_token_defaults_to_the_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUNKLINE_PROCURIOS_TOKEN", raising=False)
    monkeypatch.delenv("TRUNKLINE_SECRETS_FILE", raising=False)
    assert create_app().state.token == procurios.EMBEDDED_TOKEN
    monkeypatch.setenv("TRUNKLINE_PROCURIOS_TOKEN", "bench")
    assert create_app().state.token == "bench"


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.procurios.contact_moment+json;version=1",
        "application/vnd.procurios.contact_moment+json ;  version = 1",
        "application/json, application/vnd.procurios.contact_moment+json; version=1",
    ],
)
async def test_accept_header_tolerates_spacing(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.get(BASE, headers={"Accept": accept})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "accept",
    ["application/json", "application/vnd.procurios.contact_moment+json; version=2"],
)
async def test_wrong_accept_header_is_refused(
    client: httpx.AsyncClient, accept: str
) -> None:
    assert_error(await client.get(BASE, headers={"Accept": accept}), 406)


# --- list ----------------------------------------------------------------------


async def test_pages_hold_25_and_a_short_page_is_the_last(
    client: httpx.AsyncClient,
) -> None:
    items = await walk(client, relationIds=HEAVY_RELATION)
    assert len(items) == 350  # 14 full pages, then an empty page 15
    assert await page(client, page=15, relationIds=HEAVY_RELATION) == []
    assert len(await page(client, page=14, relationIds=HEAVY_RELATION)) == 25
    assert len(await page(client)) == 25


async def test_order_is_datetime_then_id_descending(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    items = await walk(client, relationIds=HUGE_RELATION)
    keys = [(item["dateTime"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)
    assert [item["id"] for item in items] == expected_ids(
        store_of(app), {HUGE_RELATION}
    )


async def test_moments_are_shaped_like_the_doc(client: httpx.AsyncClient) -> None:
    types = {type_id for type_id, _, _ in procurios.TYPES}
    for item in await walk(client, relationIds=HEAVY_RELATION):
        assert item["type"] in types
        assert {"id", "subject", "senderId", "sender", "dateTime", "action"} <= set(
            item
        )
        assert isinstance(item["tags"], dict) and isinstance(item["recipients"], list)
        assert parse_since(item["dateTime"]) is not None  # no zone, seconds
        assert "contents" not in item and "reference" not in item  # not in the doc
        ints = [r for r in item["recipients"] if isinstance(r, int)]
        assert HEAVY_RELATION in [item["senderId"], *ints]


async def test_relation_batch_is_the_union_of_single_relations(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    store = store_of(app)
    shared = next(  # a moment two asked relations share, so the merge must dedupe
        m for m in store.by_relation[HUGE_RELATION] if len(m.relations()) > 2
    )
    relations = [p.relation_id for p in people()[:19]]
    relations += [r for r in shared.relations() if r in procurios.OTHER_RELATIONS]
    single: set[int] = set()
    for relation in relations:
        single |= {item["id"] for item in await walk(client, relationIds=relation)}
    batched = await walk(client, relationIds=",".join(map(str, relations)))
    batched_ids = [item["id"] for item in batched]
    assert len(batched_ids) == len(set(batched_ids)) == len(single)
    assert set(batched_ids) == single
    assert batched_ids.count(shared.id) == 1
    assert batched_ids == expected_ids(store, set(relations))


async def test_relation_ids_as_an_array(client: httpx.AsyncClient) -> None:
    relations = [HEAVY_RELATION, people()[5].relation_id]
    joined = await page(client, relationIds=f"{relations[0]},{relations[1]}")
    repeated = await page(client, relationIds=relations)
    brackets = await client.get(
        BASE, params=[("relationIds[]", str(r)) for r in relations]
    )
    assert joined == repeated == brackets.json()


async def test_since_keeps_moments_created_or_updated_since(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    store = store_of(app)
    since = NOW_TS - 200 * 86_400
    raw = datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    items = await walk(client, relationIds=HUGE_RELATION, since=raw)
    ids = [item["id"] for item in items]
    assert ids == expected_ids(store, {HUGE_RELATION}, since)
    edited = [item for item in items if (parse_since(item["dateTime"]) or 0) < since]
    assert edited  # old moments that were changed later come back too


async def test_junk_recipients_are_passed_through(client: httpx.AsyncClient) -> None:
    items = await walk(client, relationIds=HUGE_RELATION)
    junk = [item for item in items if JUNK_RECIPIENT in item["recipients"]]
    assert 0.02 * len(items) < len(junk) < 0.1 * len(items)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "two"},
        {"since": "2020-01-01"},
        {"since": "2020-13-01T00:00:00"},
        {"relationIds": "400000,abc"},
        {"relationIds": ""},
    ],
)
async def test_bad_parameters_answer_400(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    assert_error(await client.get(BASE, params=params), 400)


# --- types, tags, schema -------------------------------------------------------


async def test_types_link_to_their_schema(client: httpx.AsyncClient) -> None:
    types = (await client.get(f"{BASE}/types")).json()
    titles = {t["id"]: t["title"] for t in types}
    assert titles == {
        "ContactMomentPhone": "Telephone call",
        "ContactMomentEmail": "E-mail",
        "ContactMomentVisit": "Visit",
        "ContactMomentLetter": "Letter",
        "ContactMomentSms": "Text message",
    }
    for kind in types:
        link = kind["_links"]["schema"]
        assert link["type"] == ["GET"]
        schema = (await client.get(link["href"])).json()
        assert schema[0]["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert "contents" not in schema[0]["properties"]  # the doc's schema has none


async def test_tags_and_unknown_schema(client: httpx.AsyncClient) -> None:
    tags = (await client.get(f"{BASE}/tags")).json()
    assert tags == TAGS and tags["3"] == "Label 1" and len(tags) >= 8
    assert_error(await client.get(f"{BASE}/type/ContactMomentFax/schema"), 404)


# --- create --------------------------------------------------------------------

RETENTION = {
    "subject": "Retention call",
    "dateTime": "2018-11-13T20:20:39+02:00",
    "senderId": 1516,
    "recipients": [429000],
    "contents": "We had a good call and the person decided to stay a member",
    "action_code": 2,
    "reference": "MyRefernce0123",
}


async def test_create_shows_up_in_lists(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    body = {**RETENTION, "recipients": [HEAVY_RELATION, 429000], "tagIds": [3, 6]}
    response = await client.post(f"{BASE}/type/ContactMomentPhone", json=body)
    assert response.status_code == 200, response.text
    new_id = response.json()["contactMomentId"]
    assert isinstance(new_id, int) and new_id not in {
        m.id for m in procurios._seeded(7, NOW_TS)
    }
    mine = await walk(client, relationIds=HEAVY_RELATION)
    assert [item["id"] for item in mine] == expected_ids(
        store_of(app), {HEAVY_RELATION}
    )
    created = next(item for item in mine if item["id"] == new_id)
    assert created["dateTime"] == "2018-11-13T18:20:39"  # stored in UTC
    assert created["tags"] == {"3": "Label 1", "6": "Retention"}
    assert created["sender"] == "Jan de Vries" and created["action"] == 2
    assert "contents" not in created and "reference" not in created  # not listed
    stored = store_of(app).moments[new_id]
    assert (stored.contents, stored.reference) == (
        "We had a good call and the person decided to stay a member",
        "MyRefernce0123",
    )
    recent = await page(client, since="2026-03-01T00:00:00", relationIds=429000)
    assert [item["id"] for item in recent] == [new_id]


async def test_create_without_datetime_uses_now(client: httpx.AsyncClient) -> None:
    body = {"subject": "Hello", "senderId": 42, "recipients": [HEAVY_RELATION]}
    response = await client.post(f"{BASE}/type/ContactMomentEmail", json=body)
    new_id = response.json()["contactMomentId"]
    first = (await page(client, relationIds=HEAVY_RELATION))[0]
    assert first["id"] == new_id and first["dateTime"] == "2026-03-01T00:00:00"


async def test_update_by_contact_moment_id(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    old = next(
        m
        for m in store_of(app).by_relation[HEAVY_RELATION]
        if m.type == "ContactMomentVisit"
    )
    body = {
        "contactMomentId": old.id,
        "subject": "Visit, rescheduled",
        "senderId": 42,
        "recipients": [HEAVY_RELATION],
    }
    response = await client.post(f"{BASE}/type/ContactMomentVisit", json=body)
    assert response.json() == {"contactMomentId": old.id}
    recent = await page(client, since="2026-03-01T00:00:00")
    assert [(m["id"], m["subject"]) for m in recent] == [(old.id, "Visit, rescheduled")]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"senderId": 9999}, "Sender is not available in CRM"),
        ({"recipients": [9999]}, "Not all recipients are available in CRM"),
        ({"recipients": [429000, 9999]}, "Not all recipients are available in CRM"),
        ({"subject": None}, "subject"),
        ({"recipients": []}, "recipients"),
        ({"recipients": [429000, 429000]}, "recipients"),
        ({"recipients": [429000, "other relation ids as int"]}, "recipients[1]"),
        ({"senderId": "1516"}, "senderId"),
        ({"reference": "r" * 256}, "reference"),
        ({"tagIds": [99]}, "tags"),
        ({"dateTime": "yesterday"}, "dateTime"),
        ({"contactMomentId": 1}, "does not exist"),
    ],
)
async def test_create_is_validated(
    client: httpx.AsyncClient, changes: dict[str, Any], message: str
) -> None:
    body = {**RETENTION, **changes}
    body = {k: v for k, v in body.items() if v is not None}
    response = await client.post(f"{BASE}/type/ContactMomentPhone", json=body)
    assert_error(response, 400, message)


async def test_create_refuses_bad_types_and_bodies(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.post(f"{BASE}/type/ContactMomentFax", json=RETENTION), 404
    )
    sms = await client.post(f"{BASE}/type/ContactMomentSms", json=RETENTION)
    assert_error(sms, 400, "cannot be added")
    not_json = await client.post(f"{BASE}/type/ContactMomentPhone", content=b"{")
    assert_error(not_json, 400)
    a_list = await client.post(f"{BASE}/type/ContactMomentPhone", json=[RETENTION])
    assert_error(a_list, 400)


def test_validator_covers_the_schema_subset() -> None:
    schema = schema_for("ContactMomentEmail")
    assert validate(RETENTION, schema) == []
    assert validate({"senderId": True, "recipients": [1]}, schema) == [
        "The property subject is required",
        "senderId must be of type integer",
    ]


# --- seed and faults -----------------------------------------------------------


def test_seed_is_deterministic() -> None:
    seeded = procurios._seeded.__wrapped__  # uncached
    one = seeded(7, NOW_TS)
    # no timing assert here: speed targets live in bench/, not in unit tests
    assert seeded(7, NOW_TS) == one
    assert seeded(8, NOW_TS) != one
    assert len({m.id for m in one}) == len(one)
    stamps = [m.ts for m in one]
    assert max(stamps) < NOW_TS and max(stamps) - min(stamps) > 2 * 365 * 86_400


async def test_down_switch_answers_503(client: httpx.AsyncClient) -> None:
    await client.put("/_sim/faults", json={"down": True})
    assert (await client.get(BASE)).status_code == 503
    await client.put("/_sim/faults", json={"down": False, "burst_429": 1})
    limited = await client.get(BASE)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert (await client.get(BASE)).status_code == 200


# --- knobs ---------------------------------------------------------------------


async def test_timezone_knob_writes_and_reads_local_wall_time(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    utc = await page(client, relationIds=HEAVY_RELATION)
    put = await client.put("/_sim/knobs", json={"timezone": "Asia/Kolkata"})
    assert put.status_code == 200 and put.json()["timezone"] == "Asia/Kolkata"
    local = await page(client, relationIds=HEAVY_RELATION)
    assert [m["id"] for m in local] == [m["id"] for m in utc]
    for a, b in zip(utc, local, strict=True):  # +05:30, no zone written
        wall = datetime.fromisoformat(b["dateTime"])
        assert wall - datetime.fromisoformat(a["dateTime"]) == timedelta(
            hours=5, minutes=30
        )
    # `since` is read in the same zone
    newest = store_of(app).by_relation[HEAVY_RELATION][0]
    since = datetime.fromtimestamp(newest.updated, ZoneInfo("Asia/Kolkata"))
    text = since.strftime("%Y-%m-%dT%H:%M:%S")
    got = await page(client, relationIds=HEAVY_RELATION, since=text)
    assert newest.id in [m["id"] for m in got]
    bad = await client.put("/_sim/knobs", json={"timezone": "Mars/Olympus"})
    assert bad.status_code == 400


async def test_order_knobs(app: Starlette, client: httpx.AsyncClient) -> None:
    newest = await walk(client, relationIds=HUGE_RELATION)
    app.state.knobs.order = "oldest_first"
    oldest = await walk(client, relationIds=HUGE_RELATION)
    assert [m["id"] for m in oldest] == [m["id"] for m in newest][::-1]
    app.state.knobs.order = "newest_first"
    app.state.knobs.ties = "id_asc"
    ties = await walk(client, relationIds=HUGE_RELATION)
    keys = [(m["dateTime"], -m["id"]) for m in ties]
    assert keys == sorted(keys, reverse=True)
    assert sorted(m["id"] for m in ties) == sorted(m["id"] for m in newest)


async def test_since_knob_excludes_its_own_second(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    moment = store_of(app).by_relation[HEAVY_RELATION][0]
    text = datetime.fromtimestamp(moment.updated, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    got = await page(client, relationIds=HEAVY_RELATION, since=text)
    assert moment.id in [m["id"] for m in got]
    app.state.knobs.since_inclusive = False
    got = await page(client, relationIds=HEAVY_RELATION, since=text)
    assert moment.id not in [m["id"] for m in got]


async def test_empty_tags_knob_writes_a_list(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    items = await walk(client, relationIds=HEAVY_RELATION)
    assert any(m["tags"] == {} for m in items)
    app.state.knobs.empty_tags = "list"
    items = await walk(client, relationIds=HEAVY_RELATION)
    assert any(m["tags"] == [] for m in items) and not any(
        m["tags"] == {} for m in items
    )
