"""Campaigns through GraphQL over the embedded Engage simulator: the supervisor's
query, filters and paging, node(id:), state changes, contact batches."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import timedelta
from typing import Any

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.base import anchor_now
from trunkline.simulators.engage import Fault, operations
from trunkline.simulators.engage_data import BUSY_ATTEMPTS


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def ops(gql: GraphQLClient) -> Counter[str]:
    return Counter(operations(gql.sim(Vendor.ENGAGE)))


SUPERVISOR = """
query Supervisor($since: DateTime!, $until: DateTime!) {
  campaigns(first: 5, filter: { state: ACTIVE }) {
    totalCount
    edges { node {
      id name createdAt
      outreachStrategy { name channel }
      defaultAgentGroup { externalId }
      subCampaigns { id name state passes { channel contactsPerMinute } }
      contactBatches(since: $since, until: $until) {
        id externalId state contactCount attemptedCount completedCount
      }
      complianceRules { type name }
      scripts { name }
    } }
    pageInfo { hasNextPage endCursor }
  }
  contactAttempts(contactKey: "100027", until: $until, first: 50) {
    edges { node { id startedAt channel result } }
    pageInfo { hasNextPage }
  }
}
"""


async def test_the_supervisor_query_answers_with_one_call_per_list(
    gql: GraphQLClient,
) -> None:
    now = anchor_now()
    gql.reset_calls()
    data = await gql.data(
        SUPERVISOR,
        {"since": (now - timedelta(days=7)).isoformat(), "until": now.isoformat()},
    )
    page = data["campaigns"]
    assert page["totalCount"] == 4  # the four campaigns with an active sub-campaign
    nodes = [e["node"] for e in page["edges"]]
    assert [n["name"] for n in nodes] == [
        "Spring drive 1", "Summer drive 2", "Autumn drive 3", "Winter drive 4",
    ]  # fmt: skip
    first = nodes[0]
    assert [s["state"] for s in first["subCampaigns"]] == ["RUNNING"]
    assert [s["state"] for s in nodes[1]["subCampaigns"]] == ["RUNNING", "PAUSED"]
    assert {b["state"] for b in first["contactBatches"]} == {"RUNNING", "DONE"}
    assert all(
        b["contactCount"] >= b["attemptedCount"] for b in first["contactBatches"]
    )
    assert [r["type"] for r in first["complianceRules"]] == ["Date", "Region", "Time"]
    assert first["outreachStrategy"] == {"name": "Payment reminder", "channel": "Voice"}
    attempts = data["contactAttempts"]
    assert len(attempts["edges"]) == 50 and attempts["pageInfo"]["hasNextPage"]
    times = [e["node"]["startedAt"] for e in attempts["edges"]]
    assert times == sorted(times, reverse=True)
    # no N+1: each list is one call, whatever the number of campaigns
    assert ops(gql) == Counter(
        {
            "listCampaigns": 1,
            "listSubCampaignStates": 1,
            "listContactBatchStates": 1,
            "listComplianceRules": 1,
            "listScripts": 1,
            "listOutreachStrategy": 1,
            # a busy contact's day is past the cap: its newer half fills the page
            "listContactAttempts": 2,
        }
    )


async def test_filters_and_paging(gql: GraphQLClient) -> None:
    q = """query($f: CampaignFilter, $after: String, $last: Int, $before: String, $first: Int) {
      campaigns(first: $first, after: $after, last: $last, before: $before, filter: $f) {
        totalCount edges { cursor node { name externalId } }
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }"""
    every = (await gql.data(q, {"first": 50}))["campaigns"]
    assert every["totalCount"] == 12
    names = [e["node"]["externalId"] for e in every["edges"]]
    assert names == [f"CAMP-{n:02d}" for n in range(1, 13)]  # newest first
    one = (await gql.data(q, {"first": 5}))["campaigns"]
    two = (await gql.data(q, {"first": 5, "after": one["pageInfo"]["endCursor"]}))[
        "campaigns"
    ]
    assert [e["node"]["externalId"] for e in two["edges"]] == names[5:10]
    assert two["pageInfo"] == {
        "hasNextPage": True, "hasPreviousPage": True,
        "endCursor": two["edges"][-1]["cursor"], "startCursor": two["edges"][0]["cursor"],
    }  # fmt: skip
    back = (await gql.data(q, {"last": 2, "before": two["edges"][0]["cursor"]}))[
        "campaigns"
    ]
    assert [e["node"]["externalId"] for e in back["edges"]] == names[3:5]
    text = (await gql.data(q, {"first": 50, "f": {"text": "winter"}}))["campaigns"]
    assert [e["node"]["name"] for e in text["edges"]] == [
        "Winter drive 4", "Winter drive 8", "Winter drive 12",
    ]  # fmt: skip
    now = anchor_now()
    recent = {"createdFrom": (now - timedelta(days=40)).isoformat()}
    got = (await gql.data(q, {"first": 50, "f": recent}))["campaigns"]
    assert [e["node"]["externalId"] for e in got["edges"]] == ["CAMP-01", "CAMP-02"]
    done = (await gql.data(q, {"first": 50, "f": {"states": ["CANCELLED"]}}))[
        "campaigns"
    ]
    assert 0 < done["totalCount"] < 12
    # a cursor is bound to its filter
    body = await gql.query(
        q, {"first": 5, "after": one["pageInfo"]["endCursor"], "f": {"text": "x"}}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_answers_every_campaign_type(gql: GraphQLClient) -> None:
    q = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
      ... on Campaign { name }
      ... on SubCampaign { state campaign { name } }
      ... on ContactBatch { externalId batchState: state campaign { externalId } } } }"""
    ids = [
        gid("Campaign", "6002"),
        gid("SubCampaign", "7002"),
        gid("ContactBatch", "BATCH-02-1"),
        gid("Campaign", "1"),
        gid("SubCampaign", "1"),
        gid("ContactBatch", "NOPE"),
    ]
    got = (await gql.data(q, {"ids": ids}))["nodes"]
    assert got[0] == {"__typename": "Campaign", "id": ids[0], "name": "Summer drive 2"}
    assert (
        got[1]["state"] == "RUNNING" and got[1]["campaign"]["name"] == "Summer drive 2"
    )
    assert (
        got[2]["externalId"] == "BATCH-02-1"
        and got[2]["campaign"]["externalId"] == "CAMP-02"
    )
    assert got[3:] == [None, None, None]
    body = await gql.query(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": gid("ContactBatch", "bad id!")},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


STATE = """mutation($id: ID!) {
  pause: pauseSubCampaign(input: { subCampaignId: $id, clientMutationId: "m1" }) {
    subCampaign { state } clientMutationId userErrors { field message code } } }"""


async def test_pausing_then_reading_shows_paused_and_illegal_changes_are_refused(
    gql: GraphQLClient,
) -> None:
    sub = gid("SubCampaign", "7001")  # Running
    got = (await gql.data(STATE, {"id": sub}))["pause"]
    assert got == {
        "subCampaign": {"state": "PAUSED"},
        "clientMutationId": "m1",
        "userErrors": [],
    }
    read = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on SubCampaign { state } } }",
        {"id": sub},
    )
    assert read["node"]["state"] == "PAUSED"
    again = (await gql.data(STATE, {"id": sub}))["pause"]
    assert again["subCampaign"] is None
    [error] = again["userErrors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["subCampaignId"]
    assert error["message"] == (
        "A Paused sub-campaign cannot become Paused; allowed: resume (to Running), "
        "stop (to Done)."
    )
    resumed = await gql.data(
        "mutation($id: ID!) { resumeSubCampaign(input: { subCampaignId: $id }) { subCampaign { state } userErrors { code } } }",
        {"id": sub},
    )
    assert resumed["resumeSubCampaign"]["subCampaign"]["state"] == "RUNNING"
    stop = "mutation($id: ID!) { stopSubCampaign(input: { subCampaignId: $id }) { subCampaign { state } userErrors { message code } } }"
    assert (await gql.data(stop, {"id": sub}))["stopSubCampaign"]["subCampaign"][
        "state"
    ] == "DONE"
    refused = (await gql.data(stop, {"id": sub}))["stopSubCampaign"]
    assert refused["userErrors"] == [
        {
            "message": "A Done sub-campaign cannot become Done; it allows no state change.",
            "code": "CONFLICT",
        }
    ]
    missing = (await gql.data(STATE, {"id": gid("SubCampaign", "1")}))["pause"]
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    wrong = (await gql.data(STATE, {"id": gid("Campaign", "6001")}))["pause"]
    assert wrong["userErrors"][0]["code"] == "BAD_USER_INPUT"


CREATE = """mutation($input: CreateContactBatchInput!) {
  createContactBatch(input: $input) {
    contactBatch { id externalId state contactCount campaign { externalId } }
    outcomes { index externalId accepted error { field code message } }
    replayed clientMutationId userErrors { field code }
  } }"""


def contacts(n: int, bad: int | None = None) -> list[dict[str, Any]]:
    return [
        {
            "externalId": str(200000 + i),
            "phone": "abc" if i == bad else f"415555{i:04d}",
        }
        for i in range(n)
    ]


async def test_a_250_contact_batch_is_three_calls_with_each_outcome(
    gql: GraphQLClient,
) -> None:
    gql.reset_calls()
    payload = {
        "idempotencyKey": "k-250",
        "campaignId": gid("Campaign", "6001"),
        "contacts": contacts(250),
        "clientMutationId": "c1",
    }
    got = (await gql.data(CREATE, {"input": payload}))["createContactBatch"]
    # three chunks of at most 100 (and the campaign field's one list read)
    assert ops(gql) == Counter({"createContactBatch": 3, "listCampaigns": 1})
    assert got["userErrors"] == [] and got["clientMutationId"] == "c1"
    assert len(got["outcomes"]) == 250 and all(o["accepted"] for o in got["outcomes"])
    batch = got["contactBatch"]
    assert batch["contactCount"] == 250 and batch["state"] == "PENDING"
    assert batch["campaign"]["externalId"] == "CAMP-01"
    # the vendor holds all 250 in one batch
    read = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on ContactBatch { contactCount } } }",
        {"id": batch["id"]},
    )
    assert read["node"]["contactCount"] == 250
    # the same idempotency key again: the batch is answered, nothing sent twice
    gql.reset_calls()
    again = (await gql.data(CREATE, {"input": payload}))["createContactBatch"]
    assert again["replayed"] is True and again["contactBatch"]["id"] == batch["id"]
    assert len(again["outcomes"]) == 250  # the recorded ones; the batch read fresh
    assert ops(gql) == Counter({"showContactBatchState": 1, "listCampaigns": 1})


async def test_a_failed_chunk_is_reported_and_the_others_kept(
    gql: GraphQLClient,
) -> None:
    # Engage refuses the second chunk (a bad phone is refused before sending now)
    engine = gql.sim(Vendor.ENGAGE).state.engine
    create, calls = engine.createContactBatch, []

    def refuse_second(a: dict[str, Any]) -> Any:
        calls.append(a)
        if len(calls) == 2:
            raise Fault("ARG_INVALID_TYPE", "Argument is of invalid type 'device'")
        return create(a)

    engine.createContactBatch = refuse_second
    payload = {"idempotencyKey": "k-bad", "contacts": contacts(250)}
    got = (await gql.data(CREATE, {"input": payload}))["createContactBatch"]
    accepted = [o["accepted"] for o in got["outcomes"]]
    assert accepted == [True] * 100 + [False] * 100 + [True] * 50
    assert got["outcomes"][120]["error"] == {
        "field": ["contacts", "120"],
        "code": "VENDOR_REJECTED",
        "message": "ENGAGE: ARG_INVALID_TYPE: Argument is of invalid type 'device'",
    }
    assert len(got["userErrors"]) == 100
    assert got["contactBatch"]["contactCount"] == 150


async def test_cancelling_a_batch(gql: GraphQLClient) -> None:
    q = """mutation($id: ID!) { cancelContactBatch(input: { contactBatchId: $id, clientMutationId: "x" }) {
      contactBatch { state } clientMutationId userErrors { field message code } } }"""
    ok = (await gql.data(q, {"id": gid("ContactBatch", "BATCH-01-1")}))[
        "cancelContactBatch"
    ]
    assert ok == {
        "contactBatch": {"state": "CANCELLED"},
        "clientMutationId": "x",
        "userErrors": [],
    }
    for done in ("BATCH-01-1", "BATCH-01-2"):  # now Cancelled; Done
        refused = (await gql.data(q, {"id": gid("ContactBatch", done)}))[
            "cancelContactBatch"
        ]
        assert refused["contactBatch"] is None
        [error] = refused["userErrors"]
        assert error["code"] == "CONFLICT" and error["field"] == ["contactBatchId"]
        assert error["message"].startswith(
            "ENGAGE: INVALID_STATE: ContactBatch in state"
        )


async def test_a_busy_48_hours_of_attempts_in_pages_every_attempt_once(
    gql: GraphQLClient,
) -> None:
    now = anchor_now()
    q = """query($since: DateTime, $until: DateTime, $after: String) {
      contactAttempts(contactKey: "100027", since: $since, until: $until, first: 200, after: $after) {
        edges { node { id startedAt } } pageInfo { hasNextPage endCursor } } }"""
    window = {
        "since": (now - timedelta(hours=48)).isoformat(),
        "until": now.isoformat(),
    }
    seen: list[str] = []
    after = None
    for _ in range(20):
        page = (await gql.data(q, {**window, "after": after}))["contactAttempts"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == BUSY_ATTEMPTS
