"""Engage contact attempts in the merged history: a fifth vendor behind the composite
cursor, one bounded read per contact, old cursors refused."""

from __future__ import annotations

import base64
from collections import Counter

import orjson

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.pagination.cursor import decode_cursor
from trunkline.simulators.engage import operations
from trunkline.simulators.engage_data import BUSY_ACCOUNT, BUSY_ATTEMPTS


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


HISTORY = """query($id: ID!, $after: String, $first: Int!, $f: InteractionFilter) {
  contact(id: $id) { interactions(first: $first, after: $after, filter: $f) {
    edges { cursor node { id occurredAt channel status direction source { vendor vendorId } } }
    pageInfo { hasNextPage endCursor } } } }"""


async def test_attempts_join_a_contacts_history(gql: GraphQLClient) -> None:
    account = "100021"
    got = await gql.data(HISTORY, {"id": gid("Contact", account), "first": 200})
    edges = got["contact"]["interactions"]["edges"]
    engage = [e["node"] for e in edges if e["node"]["source"]["vendor"] == "ENGAGE"]
    seeded = gql.sim(Vendor.ENGAGE).state.data.attempts[account]
    assert len(engage) == len(seeded) > 0
    assert {n["channel"] for n in engage} <= {"CALL_ATTEMPT", "SMS", "EMAIL"}
    assert all(n["direction"] == "OUTBOUND" and n["status"] for n in engage)
    times = [e["node"]["occurredAt"] for e in edges]
    assert times == sorted(times, reverse=True)
    # node(id:) reads one attempt again
    one = engage[0]
    again = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Interaction { status channel contact { account } } } }",
        {"id": one["id"]},
    )
    assert again["node"] == {
        "status": one["status"], "channel": one["channel"], "contact": {"account": account},
    }  # fmt: skip


async def test_a_busy_contacts_history_pages_through_every_attempt_once(
    gql: GraphQLClient,
) -> None:
    ids: list[str] = []
    after = None
    f = {"vendors": ["ENGAGE"]}
    gql.reset_calls()
    for _ in range(30):
        page = (
            await gql.data(
                HISTORY,
                {
                    "id": gid("Contact", BUSY_ACCOUNT),
                    "first": 300,
                    "after": after,
                    "f": f,
                },
            )
        )["contact"]["interactions"]
        ids += [e["node"]["source"]["vendorId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    seeded = gql.sim(Vendor.ENGAGE).state.data.attempts[BUSY_ACCOUNT]
    assert len(ids) == len(set(ids)) == len(seeded) >= BUSY_ATTEMPTS
    assert set(Counter(operations(gql.sim(Vendor.ENGAGE)))) == {"listContactAttempts"}


async def test_nested_histories_cost_one_engage_read_per_contact(
    gql: GraphQLClient,
) -> None:
    q = """{ contacts(first: 20) { edges { node { interactions(first: 5) {
      edges { node { id source { vendor } } } } } } } }"""
    gql.reset_calls()
    await gql.data(q)
    # the first 20 contacts hold no attempts: one empty read each, nothing else moves
    assert Counter(operations(gql.sim(Vendor.ENGAGE))) == {"listContactAttempts": 20}
    q2 = """{ contacts(first: 20, filter: { accountPrefix: "10002" }) { edges { node {
      interactions(first: 5) { edges { node { source { vendor } } } } } } } }"""
    gql.reset_calls()
    data = await gql.data(q2)
    vendors = {
        e["node"]["source"]["vendor"]
        for c in data["contacts"]["edges"]
        for e in c["node"]["interactions"]["edges"]
    }
    assert "ENGAGE" in vendors
    calls = Counter(operations(gql.sim(Vendor.ENGAGE)))
    # ten contacts (100020..100029): one read each, but the busy one's 5-year window
    # is halved until its newest part is under the cap (about 11 halvings, how many
    # depends on the time of day against the seeded days): bounded by log2 of the
    # horizon in seconds
    busy = calls["listContactAttempts"] - 9
    assert 2 <= busy <= 28, calls


async def test_a_cursor_from_before_engage_is_refused(gql: GraphQLClient) -> None:
    got = await gql.data(HISTORY, {"id": gid("Contact", "100021"), "first": 2})
    cursor = got["contact"]["interactions"]["pageInfo"]["endCursor"]
    raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    state = decode_cursor(cursor, "Interaction", raw["f"])
    assert state["v"] == 2 and "engage" in state["s"]
    old = dict(raw, s={k: v for k, v in state.items() if k != "v"})
    old["s"]["s"] = {k: v for k, v in state["s"].items() if k != "engage"}
    old_cursor = base64.urlsafe_b64encode(orjson.dumps(old)).rstrip(b"=").decode()
    body = await gql.query(
        HISTORY, {"id": gid("Contact", "100021"), "first": 2, "after": old_cursor}
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "before this history gained a vendor" in error["message"]
