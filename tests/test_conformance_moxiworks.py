"""MoxiWorks: every answer the connector receives has exactly the documented keys.

The documented keys are written here from /work/shared/vendor-docs/moxiworks-actionlog.txt
(the doc wins) and CONTRACT.md's "MoxiWorks" section (which fills what the doc leaves
open). The connector is driven through every endpoint it calls, under every knob
setting, in front of a recorder that keeps the simulator's raw answers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette

from trunkline.config import Secrets, VendorSettings
from trunkline.connectors.base import HistoryRead
from trunkline.connectors.moxiworks import MoxiWorksConnector
from trunkline.connectors.transport import make_client
from trunkline.domain import Address, InteractionFilter
from trunkline.errors import VendorRejected
from trunkline.pagination.merge import Batch
from trunkline.simulators.moxiworks import MoxiWorksKnobs, create_app
from trunkline.simulators.seed import people
from wire_recorder import Answer, Recorder, assert_keys

# The doc, attribute `actions`: "an Array containing any ActionLog entries found for
# the Index request - [moxi_works_action_log_id, type, timestamp, log_data]".
ACTION_KEYS = {"moxi_works_action_log_id", "type", "timestamp", "log_data"}
# The doc's ActionLog attributes an entry is made of: `title`, `body` (General Info),
# `agent_action`, `agent_action_address`, `agent_action_address2`,
# `agent_action_city`, `agent_action_state`, `agent_action_zip` (ActionLog Info).
LOG_DATA_KEYS = {
    "title",
    "body",
    "agent_action",
    "agent_action_address",
    "agent_action_address2",
    "agent_action_city",
    "agent_action_state",
    "agent_action_zip",
}
# CONTRACT.md, MoxiWorks, Index "Response:" (the doc names no other index fields; these
# are its attributes `agent_uuid`, `moxi_works_agent_id`, `partner_contact_id`,
# `moxi_works_contact_id`, `actions`).
INDEX_KEYS = {
    "agent_uuid",
    "moxi_works_agent_id",
    "partner_contact_id",
    "moxi_works_contact_id",
    "actions",
}
IDENTITY_KEYS = INDEX_KEYS - {"actions"}
# CONTRACT.md, MoxiWorks, Create: "answers the created entry with its
# moxi_works_action_log_id" (the entry as the index shows it, with the ids).
CREATE_KEYS = IDENTITY_KEYS | ACTION_KEYS
# The doc, attributes `status`, `deleted` ("whether that request was successful") and
# `messages` ("an array of strings ... associated with the delete request status");
# CONTRACT.md: Delete answers {"status": "success", "deleted": true, "messages": []}.
DELETE_KEYS = {"status", "deleted", "messages"}
# CONTRACT.md, MoxiWorks, Errors: {"status": "error" | "fail", "messages": [str]}.
ERROR_KEYS = {"status", "messages"}

INDEX = "/api/action_logs"
ONE_ENTRY = re.compile(r"/api/action_logs/[^/]+")
CREDS = {"USERNAME": "partner", "PASSWORD": "s3cret"}
ACCOUNTS = [p.account for p in people()[:8]]

KNOB_SETTINGS: list[dict[str, Any]] = [
    {},
    {"date_min_inclusive": True},
    {"date_max_inclusive": True},
    {"date_min_inclusive": True, "date_max_inclusive": True},
    {"order": "newest_first"},
    {"order": "shuffled"},
    {"unknown_contact": "404"},
]


def _is_uuid(value: Any) -> bool:
    try:
        return str(uuid.UUID(str(value))) == value
    except ValueError:
        return False


def check_action(action: Any, where: str) -> None:
    assert_keys(action, ACTION_KEYS, where)
    # the doc: an RFC 4122 UUID; a Unix timestamp
    assert _is_uuid(action["moxi_works_action_log_id"]), where
    assert type(action["timestamp"]) is int, where
    assert isinstance(action["type"], str), where
    assert_keys(action["log_data"], LOG_DATA_KEYS, f"{where}.log_data")
    for key, value in action["log_data"].items():
        assert value is None or isinstance(value, str), f"{where}.log_data.{key}"
    body = action["log_data"]["body"]
    assert body is None or 0 < len(body) < 5000, where  # the doc: 1 to 4999


def check_identity(body: dict[str, Any], where: str) -> None:
    assert _is_uuid(body["agent_uuid"]), where  # the doc: an RFC 4122 UUID
    assert isinstance(body["moxi_works_agent_id"], str), where
    assert isinstance(body["partner_contact_id"], str), where
    moxi_id = body["moxi_works_contact_id"]
    assert moxi_id is None or _is_uuid(moxi_id), where  # None: an unknown contact


def check(answer: Answer) -> str:
    """Check one recorded answer; returns the endpoint it came from."""
    where = f"{answer.method} {answer.path} {answer.status}"
    body = answer.body
    if answer.status >= 400:
        assert_keys(body, ERROR_KEYS, where)
        assert body["status"] in ("error", "fail"), where
        assert all(isinstance(m, str) for m in body["messages"]), where
        return "error"
    if answer.method == "GET" and answer.path == INDEX:
        assert_keys(body, INDEX_KEYS, where)
        check_identity(body, where)
        assert isinstance(body["actions"], list), where
        for n, action in enumerate(body["actions"]):
            check_action(action, f"{where} actions[{n}]")
        return "index"
    if answer.method == "POST" and answer.path == INDEX:
        assert_keys(body, CREATE_KEYS, where)
        check_identity(body, where)
        check_action({k: body[k] for k in ACTION_KEYS}, where)
        return "create"
    if answer.method == "DELETE" and ONE_ENTRY.fullmatch(answer.path):
        assert_keys(body, DELETE_KEYS, where)
        assert body["status"] == "success" and type(body["deleted"]) is bool, where
        assert body["messages"] == [], where
        return "delete"
    raise AssertionError(f"{where}: an endpoint the connector does not call")


def connector(
    app: Any, creds: dict[str, str] = CREDS, **options: Any
) -> MoxiWorksConnector:
    vs = VendorSettings(
        name="moxiworks",
        base_url="https://moxi.example",
        options={"agent_uuid": "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10", **options},
        secrets=Secrets(creds),
    )
    return MoxiWorksConnector(vs, make_client(vs, app=app))


@pytest.fixture
def sim() -> Starlette:
    return create_app(username=CREDS["USERNAME"], password=CREDS["PASSWORD"])


@pytest.fixture
async def rec(sim: Starlette) -> AsyncIterator[Recorder]:
    yield Recorder(sim)


def read(key: str, position: Any = None, limit: int = 10) -> HistoryRead:
    text = None if position is None else orjson.dumps(position).decode()
    return HistoryRead(key, InteractionFilter(), frozenset(), text, limit)


async def walk_all(conn: MoxiWorksConnector, key: str) -> list[Any]:
    items: list[Any] = []
    position: Any = None
    while True:
        (batch,) = await conn.read_histories([read(key, position, 10)])
        assert isinstance(batch, Batch), batch
        items += [i for i, _ in batch.items]
        if batch.next is None:
            return items
        position = batch.next


@pytest.mark.parametrize("knobs", KNOB_SETTINGS, ids=lambda k: str(k) or "defaults")
async def test_every_answer_has_exactly_the_documented_keys(
    sim: Starlette, rec: Recorder, knobs: dict[str, Any]
) -> None:
    sim.state.knobs = replace(MoxiWorksKnobs(), **knobs)
    conn = connector(rec)
    seen: set[str] = set()
    try:
        await conn.ready()
        for account in ACCOUNTS:  # index: whole histories, window by window
            items = await walk_all(conn, account)
            # each entry once, newest first, at the vendor's time, whatever the knobs
            entries = sorted(
                sim.state.store.logs[account], key=lambda e: (-e.timestamp, e.id)
            )
            assert [i.source.vendor_id for i in items] == [e.id for e in entries]
            assert [i.occurred_at.timestamp() for i in items] == [
                e.timestamp for e in entries
            ]
            for item in items[:2]:  # index: one second
                assert await conn.get_interaction(item.node_key) == item
        assert await walk_all(conn, "no-such-contact") == []
        created = await conn.create_action_log(
            ACCOUNTS[2],
            "Showing",
            "Walked through the house.",
            agent_action="inperson",
            address=Address(line1="12 Oak St", city="Austin"),
        )
        await conn.create_action_log(ACCOUNTS[3], "Note", "Plain note.")
        log_id = created.source.vendor_id
        assert await conn.delete_action_log(ACCOUNTS[2], log_id) is True
        assert await conn.delete_action_log(ACCOUNTS[2], log_id) is False  # 404
        with pytest.raises(VendorRejected):  # 422: the body's cap
            await conn.call(
                "create",
                json={
                    **conn.agent_params(),
                    "partner_contact_id": ACCOUNTS[2],
                    "title": "t",
                    "body": "b" * 5000,
                },
            )
    finally:
        await conn.aclose()
    assert rec.answers
    for answer in rec.answers:
        seen.add(check(answer))
    # every endpoint the connector declares was called and checked, and errors too
    assert seen == {"index", "create", "delete", "error"}
    assert set(MoxiWorksConnector.endpoints) == {"index", "create", "delete"}


async def test_refusals_have_the_documented_error_shape(rec: Recorder) -> None:
    wrong = connector(rec, {**CREDS, "PASSWORD": "wrong"})
    with pytest.raises(VendorRejected, match="credentials"):
        await wrong.ready()
    await wrong.aclose()
    nobody = connector(rec, agent_uuid="00000000-0000-4000-8000-000000000000")
    with pytest.raises(VendorRejected, match="agent"):
        await nobody.ready()
    await nobody.aclose()
    assert {a.status for a in rec.answers} == {401, 404}
    for answer in rec.answers:
        assert check(answer) == "error"


def test_an_undocumented_key_fails_the_check() -> None:
    entry = {
        "moxi_works_action_log_id": str(uuid.uuid4()),
        "type": "call",
        "timestamp": 5,
        "log_data": dict.fromkeys(LOG_DATA_KEYS),
    }
    body = {
        "agent_uuid": str(uuid.uuid4()),
        "moxi_works_agent_id": "a",
        "partner_contact_id": "1",
        "moxi_works_contact_id": None,
        "actions": [entry],
    }
    assert check(Answer("GET", INDEX, 200, body)) == "index"
    for doctored in (
        {**body, "next_page": 2},
        {**body, "actions": [{**entry, "contents": "x"}]},
        {**body, "actions": [{**entry, "log_data": {**entry["log_data"], "x": None}}]},
    ):
        with pytest.raises(AssertionError, match="undocumented keys"):
            check(Answer("GET", INDEX, 200, doctored))
