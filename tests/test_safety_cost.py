"""Issue #17, point 1: an operation's vendor calls are estimated before any is made,
and counted while it runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse

from safety_support import codes, gateway, gid, total_calls
from support import GraphQLClient
from trunkline.connectors.procurios import LOOKUP_PAGES
from trunkline.domain import Vendor
from trunkline.simulators.seed import people

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

WIDE = """
query {
%s
}
"""
ALIAS = """  a%d: contacts(first: 100, after: "%s") {
    nodes { interactions(first: 100) { nodes { id } } }
  }"""


async def test_a_far_until_walks_windows_from_today_not_from_year_9999(
    gql: GraphQLClient,
) -> None:
    # Measured on main: 32,360 MoxiWorks calls (90-day windows back from 9999).
    body = await gql.query(
        """{ contact(account: "100003") { interactions(first: 5,
             filter: { until: "9999-12-31T23:59:59Z" }) { nodes { id } } } }"""
    )
    assert "errors" not in body
    assert len(body["data"]["contact"]["interactions"]["nodes"]) == 5
    # The 5-year horizon holds 21 windows; until is clamped to the end of today.
    assert len(gql.calls(Vendor.MOXIWORKS)) <= 22


async def test_a_since_before_the_horizon_is_clamped_to_it(gql: GraphQLClient) -> None:
    body = await gql.query(
        """{ contact(account: "100003") { interactions(first: 500,
             filter: { since: "1970-01-01T00:00:00Z", vendors: [MOXIWORKS] }) {
             nodes { id } } } }"""
    )
    assert "errors" not in body
    assert len(gql.calls(Vendor.MOXIWORKS)) <= 22


async def test_thirty_aliases_of_wide_history_pages_are_refused_unrun(
    gql: GraphQLClient,
) -> None:
    # Measured on main: 56,364 vendor calls in 47 s.
    aliases = "\n".join(ALIAS % (n, f"cursor-{n}") for n in range(30))
    r = await gql.http.post("/graphql", json={"query": WIDE % aliases})
    assert r.status_code == 200
    body = r.json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["limit"] == 2000
    assert error["extensions"]["estimate"] > 30 * 100 * 21  # MoxiWorks windows alone
    assert "2000" in error["message"] and "max_vendor_calls" in error["message"]
    assert "data" not in body
    assert total_calls(gql) == 0


async def test_the_refusal_is_a_request_error_under_the_graphql_response_type(
    gql: GraphQLClient,
) -> None:
    r = await gql.http.post(
        "/graphql",
        json={"query": WIDE % (ALIAS % (0, "x"))},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert total_calls(gql) == 0


async def test_the_estimate_reads_variables(gql: GraphQLClient) -> None:
    query = """query ($n: Int, $f: InteractionFilter) { contacts(first: $n) {
        nodes { interactions(first: 5, filter: $f) { nodes { id } } } } }"""
    small = await gql.query(query, {"n": 2})
    assert "errors" not in small
    gql.reset_calls()
    wide = await gql.query(query, {"n": 500})
    assert codes(wide) == {"QUERY_TOO_COSTLY"}
    assert total_calls(gql) == 0
    # The same 500 contacts' histories over a week cost few windows: allowed.
    week = {"since": "2026-01-01T00:00:00Z", "until": "2026-01-08T00:00:00Z"}
    narrow = await gql.query(query, {"n": 500, "f": {"vendors": ["MOXIWORKS"], **week}})
    assert "QUERY_TOO_COSTLY" not in codes(narrow)


async def test_known_queries_stay_within_their_estimate(gql: GraphQLClient) -> None:
    """The estimate leans high: the README table's queries, run, cost no more."""
    model = gql.app.state.cost_model
    queries = [
        "{ contacts(first: 50) { nodes { account } } }",
        "{ contacts(first: 20) { nodes { interactions(first: 5) { nodes { id } } } } }",
        "{ contacts(first: 20) { nodes { interactions(first: 10) {"
        " nodes { id } } } } }",
        '{ contact(account: "100000") { interactions(first: 100) { nodes { id } } } }',
        "{ interactions(first: 60) { nodes { id } } }",
    ]
    await gql.data(queries[1])  # the vendors' logins, outside the figures
    for query in queries:
        gql.reset_calls()
        estimate = model.estimate(parse(query), None, None)
        body = await gql.query(query)
        assert "errors" not in body, body
        spent = total_calls(gql)
        assert spent <= estimate, (query, spent, estimate)
        assert estimate <= 2000


async def test_nodes_takes_a_bounded_number_of_ids(gql: GraphQLClient) -> None:
    # Measured on main: 5,000 IDs made 5,000 calls per vendor.
    ids = [gid("Contact", str(100000 + n)) for n in range(5000)]
    body = await gql.query(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["limit"] == 100
    assert total_calls(gql) == 0


async def test_nodes_looks_each_distinct_id_up_once(gql: GraphQLClient) -> None:
    history = await gql.data(
        '{ contact(account: "100000") { interactions(first: 1,'
        " filter: { vendors: [CRMCOM] }) { nodes { id } } } }"
    )
    [node] = history["contact"]["interactions"]["nodes"]
    gql.reset_calls()
    body = await gql.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [node["id"]] * 100}
    )
    assert [n["id"] for n in body["nodes"]] == [node["id"]] * 100
    shows = [c for c in gql.calls(Vendor.CRMCOM) if c[1].endswith("/show")]
    assert len(shows) == 1


async def test_a_forged_procurios_id_costs_a_bounded_number_of_pages(
    gql: GraphQLClient,
) -> None:
    # Measured on main: 829 calls for one made-up ID with an old dateTime.
    forged = gid("Interaction", "procurios:|2001-01-01T00:00:00|999999999")
    body = await gql.query("query ($id: ID!) { node(id: $id) { id } }", {"id": forged})
    assert body == {"data": {"node": None}}  # names nothing
    assert len(gql.calls(Vendor.PROCURIOS)) <= LOOKUP_PAGES


async def test_the_running_budget_stops_what_the_estimate_missed(
    tmp_path: Path,
) -> None:
    """A text nobody wrote: the estimate counts a page or two, the walk would read
    every Procurios page. Past the budget the reads fail, typed, with partial data."""
    async with gateway(tmp_path, "[limits]\nmax_vendor_calls = 12\n") as gql:
        body = await gql.query(
            """{ interactions(first: 3, filter: { vendors: [PROCURIOS],
                 text: "no such text anywhere" }) { nodes { id }
                 pageInfo { hasNextPage } } }"""
        )
        assert body["data"]["interactions"]["nodes"] == []
        assert body["data"]["interactions"]["pageInfo"]["hasNextPage"] is True
        [error] = body["errors"]
        assert error["extensions"]["code"] == "VENDOR_CALL_BUDGET_EXCEEDED"
        assert error["extensions"]["vendor"] == "PROCURIOS"
        assert error["path"] == ["interactions"]
        assert total_calls(gql) <= 12


async def test_the_budget_is_per_request(tmp_path: Path) -> None:
    async with gateway(tmp_path, "[limits]\nmax_vendor_calls = 40\n") as gql:
        query = """query ($a: String) { contact(account: $a) {
            interactions(first: 5) { nodes { id } } } }"""
        for _ in range(3):  # each request gets its own 40 calls
            body = await gql.query(query, {"a": people()[3].account})
            assert "errors" not in body, body


async def test_fragments_and_node_lookups_are_counted_like_fields(
    gql: GraphQLClient,
) -> None:
    spread = """fragment H on Contact { interactions(first: 100) { nodes { id } } }
        query { contacts(first: 100) { edges { node { ...H } } } }"""
    ids = [gid("Contact", str(100000 + n)) for n in range(100)]
    inline = """query ($ids: [ID!]!) { nodes(ids: $ids) {
        ... on Contact { interactions(first: 100) { nodes { id } } } } }"""
    for query, variables in ((spread, None), (inline, {"ids": ids})):
        body = await gql.query(query, variables)
        assert codes(body) == {"QUERY_TOO_COSTLY"}, body
    assert total_calls(gql) == 0
