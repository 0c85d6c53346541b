"""The benchmark's floors (bench/floor.py) against the gateway: Q3's and Q5's queries
from bench/queries make exactly the floor's vendor calls over the embedded simulators
(the benchmark measures the same over simulator processes); Q6's bulk create makes
the floor's chunks and searches."""

from __future__ import annotations

from collections import Counter

from bench.catalog import BULK_SIZE, Q3, Q5, Q6, bulk_input
from bench.floor import q3 as q3_floor
from bench.floor import q5 as q5_floor
from bench.floor import q6 as q6_floor

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.engage import operations


def vendor_calls(gql: GraphQLClient) -> dict[str, int]:
    """Calls per vendor, logins left out (as the benchmark counts them)."""
    counts = {
        vendor.value: sum(
            1 for _, path, _ in gql.calls(vendor) if not path.endswith("/login")
        )
        for vendor in Vendor
        if vendor in gql.app.state.simulators
    }
    return {v: n for v, n in counts.items() if n}


async def test_q3_makes_the_floor_calls(gql: GraphQLClient) -> None:
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # logins
    gql.reset_calls()
    data = await gql.data(Q3.text)
    floor = q3_floor()
    assert len(data["contacts"]["edges"]) == 20
    # every vendor's calls, Engage's 20 (one listContactAttempts per contact) included
    assert vendor_calls(gql) == floor.calls
    assert floor.calls["engage"] == 20


async def test_q5_makes_the_floor_calls(gql: GraphQLClient) -> None:
    gql.reset_calls()
    data = await gql.data(Q5.text, Q5.variables)
    floor = q5_floor()
    page = data["campaigns"]
    assert page["totalCount"] == floor.extra["active_campaigns"] == 4
    assert all(e["node"]["subCampaigns"] for e in page["edges"])
    assert any(e["node"]["contactBatches"] for e in page["edges"])
    attempts = data["contactAttempts"]
    assert len(attempts["edges"]) == 50 and attempts["pageInfo"]["hasNextPage"]
    # the busy contact's day is past Engage's cap of 500: one refused window, then
    # its newer half; every other list in one call
    assert floor.extra["attempts_in_day"] > 500
    assert Counter(operations(gql.sim(Vendor.ENGAGE))) == floor.extra["by_operation"]
    assert vendor_calls(gql) == floor.calls == {"engage": 5}


async def test_q6_bulk_create_chunks_and_reads_back(gql: GraphQLClient) -> None:
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # logins
    gql.reset_calls()
    data = await gql.data(Q6.text, {"input": bulk_input(token="t1")})
    floor = q6_floor()
    payload = data["bulkCreateContacts"]
    assert payload["created"] == len(payload["results"]) == BULK_SIZE
    assert payload["complete"] and payload["userErrors"] == []
    assert {r["status"] for r in payload["results"]} == {"CREATED"}
    calls = Counter(
        (method, path)
        for method, path, _ in gql.calls(Vendor.LIVEVOX)
        if not path.endswith("/login")
    )
    bulk = calls.pop(("POST", "/contact/contacts/bulk"))
    searches = calls.pop(("POST", "/contact/contacts/search"))
    assert not calls
    # the floor's 5 chunks and 5 searches: the first two chunks pre-checked at
    # once, each chunk's read-back shared with the pre-check of the chunk after
    # next, the last two read back together (a naive plan makes one search more)
    assert bulk == floor.extra["bulk_creates"] == 5
    assert searches == floor.extra["searches"] == 5
    assert bulk + searches == floor.min_calls == floor.calls["livevox"] == 10
    assert floor.extra["naive_plan_calls"] == floor.min_calls + 1
    # the same key again answers the recorded outcome without calling LiveVox
    gql.reset_calls()
    again = await gql.data(Q6.text, {"input": bulk_input(token="t1")})
    assert again == data
    assert [c for c in gql.calls(Vendor.LIVEVOX) if not c[1].endswith("/login")] == []
