"""bulkCreateContacts' searches and round trips: every search is filled (each chunk's
read-back shares one with a later chunk's pre-check), so 2,500 contacts take 5
searches of 1,000 accounts beside 5 creates (the floor's 10 calls), and a chunk goes
out beside the previous chunk's read-back but never before its own pre-check."""

from __future__ import annotations

from typing import Any

from round_trips import rounds, stamp
from support import GraphQLClient
from trunkline.domain import Vendor

LATENCY_MS = 250.0  # well over the in-process work between two calls of a round

BULK = """
mutation Bulk($input: BulkCreateContactsInput!) {
  bulkCreateContacts(input: $input) {
    results { index account status error { field message code } }
    created complete
  }
}"""


def items(n: int) -> list[dict[str, Any]]:
    return [{"account": f"R{i:05d}", "firstName": f"F{i}"} for i in range(n)]


async def bulk(gql: GraphQLClient, contacts: list[dict[str, Any]]) -> Any:
    """The bulk's answer; the LiveVox calls it made are grouped by round trip."""
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # login
    sim = gql.sim(Vendor.LIVEVOX)
    stamp(sim)
    sim.state.faults.latency_ms = LATENCY_MS
    try:
        variables = {"input": {"contacts": contacts, "idempotencyKey": "rt"}}
        return (await gql.data(BULK, variables))["bulkCreateContacts"]
    finally:
        sim.state.faults.latency_ms = 0.0


def calls_by_round(gql: GraphQLClient) -> list[list[str]]:
    return rounds(
        gql.sim(Vendor.LIVEVOX), LATENCY_MS, lambda e: e[1].rsplit("/", 1)[-1]
    )


async def test_2500_contacts_take_10_calls_in_7_round_trips(
    gql: GraphQLClient,
) -> None:
    contacts = items(2500)
    # existing accounts in the 2nd, 4th and 5th chunks: pre-checked in searches
    # that also read chunks back
    for k, n in enumerate((700, 1600, 2300)):
        contacts[n]["account"] = f"{100001 + k}"
    answer = await bulk(gql, contacts)
    statuses = [r["status"] for r in answer["results"]]
    assert [n for n, s in enumerate(statuses) if s != "CREATED"] == [700, 1600, 2300]
    assert {statuses[n] for n in (700, 1600, 2300)} == {"ALREADY_EXISTS"}
    assert answer["created"] == 2497 and answer["complete"] is True
    # the first two chunks' pre-check; each create beside the read-back of the one
    # before (and the pre-check of the one after next); the last two read back
    assert calls_by_round(gql) == [
        ["search"],
        ["bulk"],
        ["bulk", "search"],
        ["bulk", "search"],
        ["bulk", "search"],
        ["bulk"],
        ["search"],
    ]


async def test_a_failed_last_chunk_after_a_deferred_read_back(
    gql: GraphQLClient,
) -> None:
    """The 4th chunk's read-back waits for the 5th's; the 5th fails: the 4th is still
    read back (CREATED) before the bulk stops, incomplete."""
    gql.sim(Vendor.LIVEVOX).state.knobs.fail_bulk_call = 5
    answer = await bulk(gql, items(2500))
    statuses = [r["status"] for r in answer["results"]]
    assert statuses[:2000] == ["CREATED"] * 2000
    assert statuses[2000:] == ["FAILED"] * 500
    assert answer["results"][2000]["error"]["code"] == "VENDOR_UNAVAILABLE"
    assert answer["created"] == 2000 and answer["complete"] is False
    assert calls_by_round(gql)[-2:] == [["bulk"], ["search"]]
    assert sum(r.count("search") for r in calls_by_round(gql)) == 5


async def test_a_small_bulk_is_one_search_before_and_one_after(
    gql: GraphQLClient,
) -> None:
    answer = await bulk(gql, items(3))
    assert answer["created"] == 3 and answer["complete"] is True
    assert calls_by_round(gql) == [["search"], ["bulk"], ["search"]]
