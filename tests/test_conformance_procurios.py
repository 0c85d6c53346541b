"""Procurios: every answer the connector receives has exactly the documented keys.

The documented keys are written here from
/work/shared/vendor-docs/procurios-contact-moments.txt (the doc wins) and CONTRACT.md's
"Procurios" section (which fills what the doc leaves open). The connector is driven
through every endpoint it calls, under every knob setting, in front of a recorder that
keeps the simulator's raw answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette

from trunkline.config import Secrets, VendorSettings
from trunkline.connectors.base import HistoryRead
from trunkline.connectors.procurios import ProcuriosConnector
from trunkline.connectors.transport import make_client
from trunkline.domain import InteractionFilter
from trunkline.errors import VendorProtocolError, VendorRejected
from trunkline.pagination.merge import Batch
from trunkline.simulators.procurios import ProcuriosKnobs, create_app
from trunkline.simulators.seed import people
from wire_recorder import Answer, Recorder, assert_keys

# The doc, "Contact moments", GET /l/contact_moment_api/contact_moment, Examples (200):
# the list item's fields. (No `contents`, no `reference`: the list never shows them.)
MOMENT_KEYS = {
    "id",
    "subject",
    "senderId",
    "sender",
    "type",
    "dateTime",
    "action",
    "tags",
    "recipients",
}
# The doc, "Contact moment types", GET .../contact_moment/types, Examples (200).
TYPE_KEYS = {"id", "title", "addable", "_links"}
LINKS_KEYS = {"schema"}
LINK_KEYS = {"href", "type"}
# The doc, "Schema for a certain type", GET .../type/ContactMomentPhone/schema,
# Examples (200): a list holding one draft-07 schema with these keys and properties.
SCHEMA_KEYS = {"$schema", "title", "type", "properties", "required"}
SCHEMA_PROPERTIES = {
    "contactMomentId",
    "subject",
    "dateTime",
    "senderId",
    "recipients",
    "action_code",
    "reference",
    "tagIds",
}
# The doc, "Contact moment", POST .../contact_moment/type/ContactMomentPhone, Examples:
# 200 {"contactMomentId": 42}; 400 {"errors": "Sender is not available in CRM"}.
CREATE_KEYS = {"contactMomentId"}
ERROR_KEYS = {"errors"}
# The doc's list example writes dateTime as yyyy-mm-ddThh:mm:ss, with no zone.
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")

BASE = "/l/contact_moment_api/contact_moment"
TOKEN = "s3cret"
RELATIONS = [p.relation_id for p in people()[2:10]]
PLAIN: frozenset[str] = frozenset()
DETAIL = frozenset({"detail"})

KNOB_SETTINGS: list[dict[str, Any]] = [
    {},
    {"timezone": "Asia/Kolkata"},
    {"timezone": "Europe/Amsterdam"},
    {"ties": "id_asc"},
    {"since_inclusive": False},
    {"empty_tags": "list"},
]


def check_moment(item: Any, where: str) -> None:
    assert_keys(item, MOMENT_KEYS, where)
    assert type(item["id"]) is int and type(item["senderId"]) is int, where
    assert isinstance(item["subject"], str) and isinstance(item["sender"], str), where
    assert isinstance(item["type"], str), where
    assert DATETIME.fullmatch(item["dateTime"]), where
    # the doc shows an int; a moment entered without an action (the create schema's
    # action_code is optional) has none
    assert item["action"] is None or type(item["action"]) is int, where
    tags = item["tags"]  # the doc: {"99": "Tag name"}; none: {} or PHP's []
    assert isinstance(tags, dict) or tags == [], where
    tags = tags or {}
    assert all(k.isdigit() and isinstance(v, str) for k, v in tags.items()), where
    # the doc's example holds ints and a placeholder string
    assert isinstance(item["recipients"], list), where
    assert all(type(r) in (int, str) for r in item["recipients"]), where


def check(answer: Answer) -> str:
    """Check one recorded answer; returns the endpoint it came from."""
    where = f"{answer.method} {answer.path} {answer.status}"
    body = answer.body
    if answer.status >= 400:
        assert_keys(body, ERROR_KEYS, where)
        assert isinstance(body["errors"], str), where
        return "error"
    if answer.method == "GET" and answer.path == BASE:
        assert isinstance(body, list) and len(body) <= 25, where  # the doc: 25 a page
        for n, item in enumerate(body):
            check_moment(item, f"{where} [{n}]")
        return "list"
    if answer.method == "GET" and answer.path == f"{BASE}/types":
        assert isinstance(body, list) and body, where
        for kind in body:
            assert_keys(kind, TYPE_KEYS, where)
            assert isinstance(kind["id"], str) and isinstance(kind["title"], str)
            assert type(kind["addable"]) is bool, where
            assert_keys(kind["_links"], LINKS_KEYS, f"{where} _links")
            assert_keys(kind["_links"]["schema"], LINK_KEYS, f"{where} _links.schema")
            assert kind["_links"]["schema"]["type"] == ["GET"], where
        return "types"
    if answer.method == "GET" and answer.path == f"{BASE}/tags":
        assert isinstance(body, dict), where  # the doc: {"3": "Label 1", ...}
        assert all(k.isdigit() and isinstance(v, str) for k, v in body.items()), where
        return "tags"
    if answer.method == "GET" and answer.path.endswith("/schema"):
        assert isinstance(body, list) and len(body) == 1, where
        (schema,) = body
        assert_keys(schema, SCHEMA_KEYS, where)
        assert_keys(schema["properties"], SCHEMA_PROPERTIES, f"{where} properties")
        assert schema["required"] == ["subject", "senderId", "recipients"], where
        return "schema"
    if answer.method == "POST" and answer.path.startswith(f"{BASE}/type/"):
        assert_keys(body, CREATE_KEYS, where)
        assert type(body["contactMomentId"]) is int, where
        return "create"
    raise AssertionError(f"{where}: an endpoint the connector does not call")


def connector(app: Any, token: str = TOKEN, **options: Any) -> ProcuriosConnector:
    vs = VendorSettings(
        name="procurios",
        base_url="https://procurios.example",
        options=options,
        secrets=Secrets({"TOKEN": token}),
    )
    return ProcuriosConnector(vs, make_client(vs, app=app))


def read(
    key: int, position: Any = None, limit: int = 10, since: datetime | None = None
) -> HistoryRead:
    text = None if position is None else orjson.dumps(position).decode()
    return HistoryRead(str(key), InteractionFilter(since=since), DETAIL, text, limit)


async def walk_all(
    conn: ProcuriosConnector, keys: Sequence[int], since: datetime | None = None
) -> dict[int, list[Any]]:
    """Whole histories: the first reads together (one relationIds stream), then each
    resumed alone."""
    items: dict[int, list[Any]] = {k: [] for k in keys}
    pending = {k: None for k in keys}
    while pending:
        reads = [read(k, p, 7, since) for k, p in pending.items()]
        answers = await conn.read_histories(reads)
        for key, batch in zip(list(pending), answers, strict=True):
            assert isinstance(batch, Batch), batch
            items[key] += [i for i, _ in batch.items]
            if batch.next is None:
                del pending[key]
            else:
                pending[key] = batch.next
    return items


@pytest.mark.parametrize("knobs", KNOB_SETTINGS, ids=lambda k: str(k) or "defaults")
async def test_every_answer_has_exactly_the_documented_keys(
    knobs: dict[str, Any],
) -> None:
    sim: Starlette = create_app(token=TOKEN, knobs=replace(ProcuriosKnobs(), **knobs))
    rec = Recorder(sim)
    conn = connector(rec, timezone=knobs.get("timezone", "UTC"))
    since = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
    try:
        await conn.ready()
        for walk_since in (None, since):
            histories = await walk_all(conn, RELATIONS, walk_since)
            for relation, items in histories.items():
                moments = [
                    m
                    for m in sim.state.store.by_relation.get(relation, [])
                    if walk_since is None or m.ts >= walk_since.timestamp()
                ]
                # each moment once, newest first, at the vendor's own time
                assert sorted(int(i.source.vendor_id) for i in items) == sorted(
                    m.id for m in moments
                )
                times = [i.occurred_at for i in items]
                assert times == sorted(times, reverse=True)
                truth = {m.id: m.ts for m in moments}
                for item in items:
                    assert item.occurred_at.tzinfo is UTC
                    assert (
                        item.occurred_at.timestamp()
                        == truth[int(item.source.vendor_id)]
                    )
                for item in items[:2]:
                    assert await conn.get_interaction(item.node_key) == item
        await conn.list_tags()
        schema = await conn.type_schema("ContactMomentPhone")
        assert set(schema["properties"]) == SCHEMA_PROPERTIES
        created = await conn.create_moment(
            "ContactMomentPhone",
            {
                "subject": "Retention call",
                "dateTime": "2026-02-28T10:00:00",
                "senderId": 1516,
                "recipients": [RELATIONS[0]],
                "contents": "Stays a member",
                "reference": "MyRefernce0123",
                "action_code": 2,
            },
        )
        new = (await walk_all(conn, RELATIONS[:1]))[RELATIONS[0]]
        (item,) = [i for i in new if i.source.vendor_id == str(created)]
        assert item.body is None and item.detail.reference is None  # not listed
        with pytest.raises(VendorRejected, match="Sender is not available in CRM"):
            await conn.create_moment(
                "ContactMomentPhone",
                {"subject": "x", "senderId": 9999, "recipients": [429000]},
            )
    finally:
        await conn.aclose()
    seen = {check(answer) for answer in rec.answers}
    # every endpoint the connector declares was called and checked, and an error too
    assert seen == {"list", "types", "tags", "schema", "create", "error"}
    assert set(ProcuriosConnector.endpoints) == {
        "list",
        "types",
        "tags",
        "schema",
        "create",
    }


async def test_refusals_have_the_documented_error_shape() -> None:
    rec = Recorder(create_app(token=TOKEN))
    wrong = connector(rec, token="other")
    with pytest.raises(VendorRejected):
        await wrong.ready()
    (answer,) = await wrong.read_histories([read(RELATIONS[0])])
    assert isinstance(answer, VendorRejected) and answer.status == 401
    await wrong.aclose()
    assert {a.status for a in rec.answers} == {401}
    assert all(check(a) == "error" for a in rec.answers)


async def test_a_list_in_another_order_fails_loudly() -> None:
    sim = create_app(token=TOKEN, knobs=ProcuriosKnobs(order="oldest_first"))
    conn = connector(sim)
    answers = await conn.read_histories([read(r) for r in RELATIONS[:4]])
    (alone,) = await conn.read_histories([read(people()[0].relation_id)])
    await conn.aclose()
    for answer in [*answers, alone]:
        assert isinstance(answer, VendorProtocolError), answer
        assert answer.code == "VENDOR_PROTOCOL_ERROR"
        assert "PROCURIOS" in answer.message and "newest first" in answer.message


def test_an_undocumented_key_fails_the_check() -> None:
    item = {
        "id": 12345,
        "subject": "Test contact moment",
        "senderId": 42,
        "sender": "Douglas Adams",
        "type": "ContactMomentVisit",
        "dateTime": "2020-01-01T01:23:45",
        "action": 1234,
        "tags": {"99": "Tag name"},
        "recipients": [123, 124, 126, "other relation ids as int"],
    }  # the doc's own example
    assert check(Answer("GET", BASE, 200, [item])) == "list"
    for extra in ("contents", "reference"):
        with pytest.raises(AssertionError, match="undocumented keys"):
            check(Answer("GET", BASE, 200, [{**item, extra: "x"}]))
    with pytest.raises(AssertionError, match="undocumented keys"):
        check(Answer("POST", f"{BASE}/type/X", 200, {"contactMomentId": 1, "ok": 1}))
