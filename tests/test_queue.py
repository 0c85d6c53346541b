"""Queues over the embedded CRM.COM simulator: reads, paging, node(id), mutations."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs

import pytest

from support import GraphQLClient
from trunkline.app import create_app
from trunkline.config import load_settings
from trunkline.domain import Vendor
from trunkline.errors import ConfigError
from trunkline.queues import QueueRef, queues_option

QUEUE_PATH = "/crmapi/rest/v2/communications/queue/"


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def queue_calls(gql: GraphQLClient, name: str) -> list[dict[str, str]]:
    """The query parameters of each call to `communications/queue/<name>`."""
    return [
        {k: v[0] for k, v in parse_qs(query).items() if k != "token"}
        for _, path, query in gql.calls(Vendor.CRMCOM)
        if path == QUEUE_PATH + name
    ]


def store(gql: GraphQLClient) -> Any:
    return gql.sim(Vendor.CRMCOM).state.store


def ext1(gql: GraphQLClient, states: tuple[str, ...] | None = None) -> list[Any]:
    """The simulator's EXT 1 entries in list order (newest first)."""
    return [
        e
        for e in store(gql).queue
        if e.external_system is not None
        and e.external_system.name == "EXT 1"
        and (states is None or e.life_cycle_state in states)
    ]


OUT_OF_THE_BOX = "{ queues { id entries(first: 5) { edges { node { id state } } } } }"


async def test_configured_queues_answer_out_of_the_box(gql: GraphQLClient) -> None:
    gql.reset_calls()
    data = await gql.data(OUT_OF_THE_BOX)
    # the README's vendor-calls table: one queue/list per configured queue
    paths = [path for _, path, _ in gql.calls(Vendor.CRMCOM)]
    assert [p for p in paths if not p.endswith("/login")] == [
        "/crmapi/rest/v2/communications/queue/list",
    ] * 2
    queues = data["queues"]
    assert [q["id"] for q in queues] == [
        gid("Queue", "crmcom:external_system:EXT 1"),
        gid("Queue", "crmcom:media:SMS"),
    ]
    first = ext1(gql)[:5]
    assert [e["node"] for e in queues[0]["entries"]["edges"]] == [
        {"id": gid("QueueEntry", f"crmcom:{e.id}"), "state": e.life_cycle_state}
        for e in first
    ]
    sms = [e for e in store(gql).queue if e.communication.media == "SMS"][:5]
    assert [e["node"]["id"] for e in queues[1]["entries"]["edges"]] == [
        gid("QueueEntry", f"crmcom:{e.id}") for e in sms
    ]


PAGE = """query ($after: String, $state: QueueEntryState) {
  queue(externalSystem: "EXT 1") {
    entries(first: 7, after: $after, filter: { state: $state }) {
      edges { node { id number state } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def test_entries_page_by_exact_offsets(gql: GraphQLClient) -> None:
    expected = ext1(gql, ("PENDING",))
    seen: list[str] = []
    after = None
    gql.reset_calls()
    while True:
        data = await gql.data(PAGE, {"after": after, "state": "PENDING"})
        conn = data["queue"]["entries"]
        seen += [e["node"]["number"] for e in conn["edges"]]
        assert {e["node"]["state"] for e in conn["edges"]} <= {"PENDING"}
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [e.number for e in expected]
    calls = queue_calls(gql, "list")
    pages = -(-len(expected) // 7) + (len(expected) % 7 == 0)
    assert len(calls) == pages
    for n, call in enumerate(calls):
        assert call["offset"] == str(7 * n)
        assert call["number_of_results"] == "8"  # one more tells if more follow
        assert call["life_cycle_state"] == "PENDING"
        assert call["communication_queue_external_system_identifier"] == (
            '{"name":"EXT 1"}'
        )


async def test_a_cursor_of_another_filter_is_refused(gql: GraphQLClient) -> None:
    data = await gql.data(PAGE, {"state": "PENDING"})
    cursor = data["queue"]["entries"]["pageInfo"]["endCursor"]
    body = await gql.query(PAGE, {"after": cursor, "state": "COMPLETED"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_latest_and_pending_completed(gql: GraphQLClient) -> None:
    query = """{ queue(media: SMS) {
      latest(count: 4) { number state }
      pendingCompleted(first: 6) { edges { node { number state } } pageInfo { hasNextPage } }
    } }"""
    gql.reset_calls()
    data = (await gql.data(query))["queue"]
    sms = [e for e in store(gql).queue if e.communication.media == "SMS"]
    pending = [e for e in sms if e.life_cycle_state == "PENDING"]
    assert data["latest"] == [
        {"number": e.number, "state": "PENDING"} for e in pending[:4]
    ]
    both = [e for e in sms if e.life_cycle_state in ("PENDING", "COMPLETED")]
    assert [e["node"] for e in data["pendingCompleted"]["edges"]] == [
        {"number": e.number, "state": e.life_cycle_state} for e in both[:6]
    ]
    assert data["pendingCompleted"]["pageInfo"]["hasNextPage"] is True
    assert queue_calls(gql, "get_latest") == [
        {
            "media": "SMS",
            "number": "4",
            "fields_set": queue_calls(gql, "get_latest")[0]["fields_set"],
        }
    ]
    [pc] = queue_calls(gql, "get_pending_completed")
    assert (pc["media"], pc["offset"], pc["number_of_results"]) == ("SMS", "0", "7")
    body = await gql.query("{ queue(media: SMS) { latest(count: 0) { number } } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


ENTRY = """query ($id: ID!) { node(id: $id) { id ... on QueueEntry {
  number state errorCode createdAt externalSystem
  queue { id kind externalSystem configured }
  contact { source { vendor vendorId } firstName lastName }
  communication { id subject source { vendor vendorId } }
} } }"""


async def test_node_for_queue_and_queue_entry(gql: GraphQLClient) -> None:
    entry = ext1(gql)[0]
    entry_id = gid("QueueEntry", f"crmcom:{entry.id}")
    gql.reset_calls()
    node = (await gql.data(ENTRY, {"id": entry_id}))["node"]
    comm = entry.communication
    assert node["id"] == entry_id
    assert node["number"] == entry.number
    assert node["state"] == entry.life_cycle_state
    assert node["externalSystem"] == "EXT 1"
    assert node["queue"] == {
        "id": gid("Queue", "crmcom:external_system:EXT 1"),
        "kind": "EXTERNAL_SYSTEM",
        "externalSystem": "EXT 1",
        "configured": True,
    }
    assert node["contact"] == {
        "source": {"vendor": "CRMCOM", "vendorId": comm.contact.id},
        "firstName": comm.contact.person.first_name,
        "lastName": comm.contact.person.last_name,
    }
    assert node["communication"]["source"] == {"vendor": "CRMCOM", "vendorId": comm.id}
    assert node["communication"]["subject"] == comm.subject
    # one show of the entry, one of its communication
    assert [p for _, p, _ in gql.calls(Vendor.CRMCOM) if "login" not in p] == [
        QUEUE_PATH + "show",
        "/crmapi/rest/v2/communications/show",
    ]
    queue_id = gid("Queue", "crmcom:media:EMAIL")
    found = await gql.data(
        "query ($id: ID!) { node(id: $id) { id ... on Queue { media configured } } }",
        {"id": queue_id},
    )
    assert found["node"] == {"id": queue_id, "media": "EMAIL", "configured": False}
    one = "query ($id: ID!) { node(id: $id) { id } }"
    for unknown in (
        gid("QueueEntry", "crmcom:" + "F" * 32),  # the vendor's NOT_FOUND
        gid("QueueEntry", "livevox:1"),  # a vendor without queues
        gid("Queue", "moxiworks:media:SMS"),
    ):
        assert await gql.data(one, {"id": unknown}) == {"node": None}
    for bad in (
        gid("QueueEntry", "crmcom:../x"),  # not an id CRM.COM could have
        gid("QueueEntry", "nowhere:1"),
        gid("Queue", "crmcom:media:FAX"),
        gid("Queue", "crmcom:colour:red"),
    ):
        body = await gql.query(one, {"id": bad})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad


async def test_queue_needs_exactly_one_of_system_or_media(gql: GraphQLClient) -> None:
    for args in ("", '(externalSystem: "EXT 1", media: SMS)', '(externalSystem: " ")'):
        body = await gql.query(f"{{ queue{args} {{ id }} }}")
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# ---- mutations ------------------------------------------------------------------

PROCESS = """mutation ($id: ID!) {
  processQueueEntry(input: { id: $id, clientMutationId: "p1" }) {
    queueEntry { id state updatedAt }
    clientMutationId
    userErrors { field message code }
  }
}"""
REJECT = """mutation ($id: ID!, $code: String, $description: String) {
  rejectQueueEntry(input: { id: $id, errorCode: $code, errorDescription: $description }) {
    queueEntry { state errorCode errorDescription }
    clientMutationId
    userErrors { field message code }
  }
}"""
REMOVE = """mutation ($id: ID!) {
  removeQueueEntry(input: { id: $id }) {
    queueEntry { state } userErrors { field message code }
  }
}"""


def entry_gid(entry: Any) -> str:
    return gid("QueueEntry", f"crmcom:{entry.id}")


def writes(gql: GraphQLClient) -> list[str]:
    """The POSTs that reached the vendor (logins excluded)."""
    return [
        p for m, p, _ in gql.calls(Vendor.CRMCOM) if m == "POST" and "login" not in p
    ]


async def test_process_shows_completed(gql: GraphQLClient) -> None:
    entry = ext1(gql, ("PENDING",))[0]
    data = (await gql.data(PROCESS, {"id": entry_gid(entry)}))["processQueueEntry"]
    assert data["queueEntry"]["id"] == entry_gid(entry)
    assert data["queueEntry"]["state"] == "COMPLETED"
    assert (data["clientMutationId"], data["userErrors"]) == ("p1", [])
    assert entry.life_cycle_state == "COMPLETED"
    node = await gql.data(
        "query ($id: ID!) { node(id: $id) { ... on QueueEntry { state } } }",
        {"id": entry_gid(entry)},
    )
    assert node["node"]["state"] == "COMPLETED"


async def test_final_states_are_refused_as_user_errors(gql: GraphQLClient) -> None:
    done = ext1(gql, ("COMPLETED",))[0]
    rejected = ext1(gql, ("REJECTED",))[0]
    removed = ext1(gql, ("COMPLETED_AND_REMOVED",))[0]
    cases = [
        (PROCESS, "processQueueEntry", done, {}),
        (PROCESS, "processQueueEntry", rejected, {}),
        (REJECT, "rejectQueueEntry", removed, {"code": "01", "description": "x"}),
        (REMOVE, "removeQueueEntry", rejected, {}),
        (REMOVE, "removeQueueEntry", removed, {}),
    ]
    for query, name, entry, extra in cases:
        before = (entry.life_cycle_state, entry.updated, entry.error_code)
        data = (await gql.data(query, {"id": entry_gid(entry), **extra}))[name]
        assert data["queueEntry"] is None
        [error] = data["userErrors"]
        assert (error["field"], error["code"]) == (["id"], "CONFLICT"), name
        assert entry.life_cycle_state in error["message"]
        assert (entry.life_cycle_state, entry.updated, entry.error_code) == before


async def test_reject_needs_code_and_description(gql: GraphQLClient) -> None:
    entry = ext1(gql, ("PENDING",))[0]
    gql.reset_calls()
    for variables, fields in (
        ({}, [["errorCode"], ["errorDescription"]]),
        ({"code": "01"}, [["errorDescription"]]),
        ({"code": " ", "description": "Not configured."}, [["errorCode"]]),
        ({"code": "01", "description": "x" * 1001}, [["errorDescription"]]),
    ):
        data = await gql.data(REJECT, {"id": entry_gid(entry), **variables})
        errors = data["rejectQueueEntry"]["userErrors"]
        assert [e["field"] for e in errors] == fields
        assert {e["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert writes(gql) == []  # nothing reached the vendor
    assert (entry.life_cycle_state, entry.error_code) == ("PENDING", None)
    data = await gql.data(
        REJECT,
        {"id": entry_gid(entry), "code": "01", "description": "Not configured."},
    )
    assert data["rejectQueueEntry"]["queueEntry"] == {
        "state": "REJECTED",
        "errorCode": "01",
        "errorDescription": "Not configured.",
    }
    assert (entry.life_cycle_state, entry.error_code) == ("REJECTED", "01")


async def test_remove_and_bad_ids(gql: GraphQLClient) -> None:
    entry = ext1(gql, ("COMPLETED",))[0]
    data = await gql.data(REMOVE, {"id": entry_gid(entry)})
    assert data["removeQueueEntry"] == {
        "queueEntry": {"state": "COMPLETED_AND_REMOVED"},
        "userErrors": [],
    }
    gql.reset_calls()
    for bad, code in (
        (gid("QueueEntry", "crmcom:" + "F" * 32), "NOT_FOUND"),
        (gid("QueueEntry", "crmcom:a/b"), "BAD_USER_INPUT"),
        (gid("QueueEntry", "nowhere:1"), "BAD_USER_INPUT"),
        (gid("Contact", "1000"), "BAD_USER_INPUT"),
        ("!!", "BAD_USER_INPUT"),
    ):
        data = await gql.data(PROCESS, {"id": bad})
        [error] = data["processQueueEntry"]["userErrors"]
        assert (error["field"], error["code"]) == (["id"], code), bad
    assert writes(gql) == [QUEUE_PATH + "process"]  # only the well-formed unknown id


async def test_vendor_down_is_a_graphql_error(gql: GraphQLClient) -> None:
    entry = ext1(gql, ("PENDING",))[0]
    await gql.data("{ __typename }")
    gql.sim(Vendor.CRMCOM).state.faults.down = True
    body = await gql.query(PROCESS, {"id": entry_gid(entry)})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VENDOR_UNAVAILABLE"
    assert error["extensions"]["vendor"] == "CRMCOM"
    assert entry.life_cycle_state == "PENDING"


def vendor_calls(gql: GraphQLClient) -> list[str]:
    return [
        p.removeprefix("/crmapi/rest/v2/")
        for _, p, _ in gql.calls(Vendor.CRMCOM)
        if "login" not in p
    ]


async def test_vendor_calls_per_queue_query(gql: GraphQLClient) -> None:
    """The figures the README quotes."""
    await gql.data("{ __typename }")
    gql.reset_calls()
    await gql.data(OUT_OF_THE_BOX)
    assert vendor_calls(gql) == ["communications/queue/list"] * 2  # one per queue
    gql.reset_calls()
    await gql.data("""{ queue(externalSystem: "EXT 1") { entries(first: 5) {
      edges { node { number communication { subject occurredAt } } } } } }""")
    # CRM.COM shows one communication per call: no batch form
    assert vendor_calls(gql) == [
        "communications/queue/list",
        *["communications/show"] * 5,
    ]
    gql.reset_calls()
    await gql.data("{ queue(media: SMS) { entries(first: 499) { edges { cursor } } } }")
    assert vendor_calls(gql) == ["communications/queue/list"]
    gql.reset_calls()
    data = await gql.data(
        "{ queue(media: SMS) { entries(first: 500) { pageInfo { hasNextPage } } } }"
    )
    # 500 is the vendor's cap: no one-more probe, and the short answer ends the list
    assert vendor_calls(gql) == ["communications/queue/list"]
    assert data["queue"]["entries"]["pageInfo"]["hasNextPage"] is False
    [call] = queue_calls(gql, "list")
    assert call["number_of_results"] == "500"


def test_queues_option() -> None:
    crm = Vendor.CRMCOM
    assert queues_option(crm, ["SMS", "EXT 1", {"media": "EMAIL"}, "SMS"]) == [
        QueueRef(crm, "media", "SMS"),
        QueueRef(crm, "external_system", "EXT 1"),
        QueueRef(crm, "media", "EMAIL"),
    ]
    assert queues_option(crm, None) == []
    for bad in ("SMS", [{"media": "FAX"}], [{"colour": "red"}], [3], [" "]):
        with pytest.raises(Exception) as caught:
            queues_option(crm, bad)
        assert caught.type.__name__ in ("ValueError", "BadUserInput")


def test_configured_queues_come_from_the_config_file(tmp_path: Any) -> None:
    config = tmp_path / "trunkline.toml"
    config.write_text('[vendors.crmcom]\nqueues = [{ media = "EMAIL" }]\n')
    env = {"TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3")}
    app = create_app(load_settings(config, env=env), lazy_simulators=True)
    [connector] = [
        c for v, c in app.state.gateway.connectors.items() if v is Vendor.CRMCOM
    ]
    assert [q.key for q in connector.configured_queues()] == ["crmcom:media:EMAIL"]
    config.write_text('[vendors.crmcom]\nqueues = [{ media = "FAX" }]\n')
    with pytest.raises(ConfigError, match="queues"):
        create_app(load_settings(config, env=env), lazy_simulators=True)
