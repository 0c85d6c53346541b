"""Q5's round trips: the week's contact batches need nothing from the campaign page,
so listContactBatchStates leaves beside listCampaigns (the floor's 2 round trips, not
3), and only when the page's nodes select contactBatches (calls stay exact)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.catalog import Q5

from round_trips import rounds, stamp
from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.engage import operations

# well over the in-process work between two calls of one round, on a loaded machine
LATENCY_MS = 300.0


def by_round(gql: GraphQLClient) -> list[set[str]]:
    """Engage's operations by round trip."""
    found = rounds(
        gql.sim(Vendor.ENGAGE), LATENCY_MS, lambda e: e[2].removeprefix("SOAPAction=")
    )
    return [set(r) for r in found]


async def with_latency(gql: GraphQLClient, query: str, variables: Any) -> Any:
    await gql.data("{ campaigns(first: 1) { totalCount } }")  # the session's login
    sim = gql.sim(Vendor.ENGAGE)
    stamp(sim)
    sim.state.faults.latency_ms = LATENCY_MS
    try:
        return await gql.data(query, variables)
    finally:
        sim.state.faults.latency_ms = 0.0


async def test_q5_takes_the_floors_two_round_trips(gql: GraphQLClient) -> None:
    data = await with_latency(gql, Q5.text, Q5.variables)
    assert any(e["node"]["contactBatches"] for e in data["campaigns"]["edges"])
    # listContactBatchStates starts beside listCampaigns, before the page is known
    assert by_round(gql) == [
        {"listCampaigns", "listContactBatchStates", "listContactAttempts"},
        {"listSubCampaignStates", "listContactAttempts"},
    ]
    assert len(operations(gql.sim(Vendor.ENGAGE))) == 5


BATCHES = """
query($since: DateTime!, $until: DateTime!, $skip: Boolean!) {
  campaigns(first: 10) {
    nodes { id contactBatches(since: $since, until: $until) @skip(if: $skip) { id } }
  }
}"""


async def test_batches_read_only_when_selected(gql: GraphQLClient) -> None:
    window = {k: Q5.variables[k] for k in ("since", "until")}
    data = await with_latency(gql, BATCHES, {**window, "skip": False})
    assert any(n["contactBatches"] for n in data["campaigns"]["nodes"])
    assert by_round(gql) == [{"listCampaigns", "listContactBatchStates"}]

    # skipped: no batch list read, early or late
    data = await with_latency(gql, BATCHES, {**window, "skip": True})
    assert all("contactBatches" not in n for n in data["campaigns"]["nodes"])
    assert by_round(gql) == [{"listCampaigns"}]


async def test_two_windows_two_lists_and_the_default_window_once(
    gql: GraphQLClient,
) -> None:
    query = """
    query($since: DateTime!, $until: DateTime!) {
      campaigns(first: 10) {
        edges { node {
          week: contactBatches(since: $since, until: $until) { id }
          ... on Campaign { again: contactBatches(since: $since, until: $until) { id } }
        } }
        nodes { recent: contactBatches { id } }
      }
    }"""
    data = await with_latency(gql, query, dict(Q5.variables))
    edges = data["campaigns"]["edges"]
    assert all(e["node"]["week"] == e["node"]["again"] for e in edges)
    # the week asked for and the default 7 days up to now: one list each, both in
    # the first round; none read again by the fields
    assert by_round(gql) == [{"listCampaigns", "listContactBatchStates"}]
    assert Counter(operations(gql.sim(Vendor.ENGAGE))) == {
        "listCampaigns": 1,
        "listContactBatchStates": 2,
    }


async def test_a_bad_window_is_the_fields_error_and_not_read(
    gql: GraphQLClient,
) -> None:
    await gql.data("{ campaigns(first: 1) { totalCount } }")
    gql.reset_calls()
    body = await gql.query(
        """{ campaigns(first: 10) { nodes { contactBatches(
             since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z") { id } } } }"""
    )
    assert body["errors"][0]["message"] == "'since' must be before 'until'."
    assert operations(gql.sim(Vendor.ENGAGE)) == ["listCampaigns"]
