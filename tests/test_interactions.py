"""The merged interaction history through the whole gateway, over the simulators."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.seed import people

HISTORY = """
query ($id: ID!, $first: Int, $after: String, $filter: InteractionFilter) {
  contact(id: $id) {
    interactions(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id occurredAt channel source { vendor vendorId } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def expected_history(gql: GraphQLClient, index: int) -> set[tuple[str, str]]:
    person = people()[index]
    moxi = gql.sim(Vendor.MOXIWORKS).state.store.logs.get(person.account, [])
    proc = gql.sim(Vendor.PROCURIOS).state.store.by_relation.get(person.relation_id, [])
    crm = gql.sim(Vendor.CRMCOM).state.store.by_contact.get(person.crmcom_id, [])
    notes = gql.sim(Vendor.LIVEVOX).state.store.notes.get(person.account, [])
    return (
        {("MOXIWORKS", a.id) for a in moxi}
        | {("PROCURIOS", str(m.id)) for m in proc}
        | {("CRMCOM", c.id) for c in crm}
        | {("LIVEVOX", f"{person.account}/{n['id']}") for n in notes}
    )


async def walk(
    gql: GraphQLClient, index: int, sizes: list[int], filter: Any = None
) -> tuple[list[dict[str, Any]], list[Any]]:
    seen: list[dict[str, Any]] = []
    errors: list[Any] = []
    after = None
    i = 0
    while True:
        body = await gql.query(
            HISTORY,
            {
                "id": gid("Contact", people()[index].account),
                "first": sizes[i % len(sizes)],
                "after": after,
                "filter": filter,
            },
        )
        i += 1
        errors += body.get("errors") or []
        conn = body["data"]["contact"]["interactions"]
        seen += [e["node"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return seen, errors
        after = conn["pageInfo"]["endCursor"] or after


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sizes=st.lists(st.integers(1, 120), min_size=1, max_size=4))
async def test_walking_the_merged_history_sees_everything_once_newest_first(
    gql: GraphQLClient, sizes: list[int]
) -> None:
    seen, errors = await walk(gql, 0, sizes)
    assert not errors
    keys = [(n["source"]["vendor"], n["source"]["vendorId"]) for n in seen]
    assert len(keys) == len(set(keys)), "an interaction came back twice"
    assert set(keys) == expected_history(gql, 0)
    stamps = [n["occurredAt"] for n in seen]
    assert stamps == sorted(stamps, reverse=True)
    vendors = {k[0] for k in keys}
    assert vendors == {"MOXIWORKS", "PROCURIOS", "CRMCOM", "LIVEVOX"}


async def test_pages_resume_each_vendor_where_it_stopped(gql: GraphQLClient) -> None:
    await walk(gql, 0, [50])
    # CRM.COM pages by offset: no offset is asked twice.
    crm = [
        q for m, p, q in gql.calls(Vendor.CRMCOM) if p.endswith("communications/list")
    ]
    assert len(crm) == len(set(crm)), "CRM.COM was asked for the same offset twice"
    # Procurios pages by 25: a resumed cursor reads again only the page it points into,
    # and the walk never starts over from page 1.
    pages = [
        int(q.split("page=")[1].split("&")[0])
        for m, p, q in gql.calls(Vendor.PROCURIOS)
        if p.endswith("contact_moment")
    ]
    assert pages.count(1) <= 2
    assert len(pages) <= 2 * len(set(pages)) + 2


async def test_a_vendor_down_degrades_and_the_cursor_continues(
    gql: GraphQLClient,
) -> None:
    gql.sim(Vendor.CRMCOM).state.faults.down = True
    contact = gid("Contact", people()[0].account)
    body = await gql.query(HISTORY, {"id": contact, "first": 20})
    conn = body["data"]["contact"]["interactions"]
    assert len(conn["edges"]) == 20
    assert {e["node"]["source"]["vendor"] for e in conn["edges"]} <= {
        "MOXIWORKS",
        "PROCURIOS",
        "LIVEVOX",
    }
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VENDOR_UNAVAILABLE"
    assert error["extensions"]["vendor"] == "CRMCOM"
    assert error["path"] == ["contact", "interactions"]
    # The vendor recovers: the same cursor continues, and CRM.COM's items come back.
    gql.sim(Vendor.CRMCOM).state.faults.down = False
    after = conn["pageInfo"]["endCursor"]
    body = await gql.query(HISTORY, {"id": contact, "first": 40, "after": after})
    assert "errors" not in body
    vendors = {
        e["node"]["source"]["vendor"]
        for e in body["data"]["contact"]["interactions"]["edges"]
    }
    assert "CRMCOM" in vendors


async def test_a_cursor_from_another_filter_is_refused(gql: GraphQLClient) -> None:
    contact = gid("Contact", people()[0].account)
    body = await gql.query(HISTORY, {"id": contact, "first": 3})
    after = body["data"]["contact"]["interactions"]["pageInfo"]["endCursor"]
    body = await gql.query(
        HISTORY,
        {"id": contact, "first": 3, "after": after, "filter": {"channels": ["EMAIL"]}},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_filters_narrow_the_history(gql: GraphQLClient) -> None:
    seen, _ = await walk(
        gql, 0, [100], {"channels": ["EMAIL"], "vendors": ["PROCURIOS", "CRMCOM"]}
    )
    assert seen
    assert {n["channel"] for n in seen} == {"EMAIL"}
    assert {n["source"]["vendor"] for n in seen} <= {"PROCURIOS", "CRMCOM"}
    seen, _ = await walk(
        gql,
        0,
        [100],
        {"since": "2026-01-01T00:00:00Z", "until": "2026-06-01T00:00:00Z"},
    )
    assert all("2026-01-01" <= n["occurredAt"] < "2026-06-01" for n in seen)


NESTED = """{ contacts(first: 20) { edges { node {
  interactions(first: 5) { edges { node { id } } } } } } }"""


async def test_nested_histories_use_batch_paths(gql: GraphQLClient) -> None:
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # logins
    gql.reset_calls()
    data = await gql.data(NESTED)
    assert len(data["contacts"]["edges"]) == 20
    counts = {v: len(gql.calls(v)) for v in gql.app.state.simulators}
    print("vendor calls for the nested query:", {v.name: n for v, n in counts.items()})
    # One contacts page, one notes list per contact (LiveVox has no batch path for
    # notes) and one read per note the page needs (the list has no dates).
    assert counts[Vendor.LIVEVOX] == 1 + 20 + 58
    # Procurios: one relationIds stream shared by all 20 contacts, 25 a page.
    proc = gql.calls(Vendor.PROCURIOS)
    assert all("relationIds=" in q for _, _, q in proc)
    assert len(proc) == 8
    # CRM.COM takes one contact per list call: one call per contact.
    crm = [c for c in gql.calls(Vendor.CRMCOM) if c[1].endswith("communications/list")]
    assert len(crm) == 20
    assert counts[Vendor.CRMCOM] == 20 + 1  # and its login
    # MoxiWorks takes one contact and one window per call (the README's figure).
    assert counts[Vendor.MOXIWORKS] == 84
    # Engage has no batch form for attempts: one listContactAttempts per contact.
    assert counts[Vendor.ENGAGE] == 20
    # Nothing the request started still runs once it has answered.
    assert not [t for t in asyncio.all_tasks() if "SharedStream" in repr(t)]


async def test_node_lookup_of_an_interaction(gql: GraphQLClient) -> None:
    contact = gid("Contact", people()[0].account)
    body = await gql.query(HISTORY, {"id": contact, "first": 30})
    for edge in body["data"]["contact"]["interactions"]["edges"][:30]:
        node_id = edge["node"]["id"]
        found = await gql.data(
            "query ($id: ID!) { node(id: $id) { id ... on Interaction { occurredAt } } }",
            {"id": node_id},
        )
        assert found["node"] == {
            "id": node_id,
            "occurredAt": edge["node"]["occurredAt"],
        }


async def test_link_and_unlink_a_contact(gql: GraphQLClient) -> None:
    person = people()[3]
    other = people()[0]
    contact = gid("Contact", person.account)
    link = """mutation ($c: ID!, $v: Vendor!, $id: String!) {
      linkContact(input: { contactId: $c, vendor: $v, vendorId: $id, clientMutationId: "m1" }) {
        changed vendorId contact { account } clientMutationId userErrors { field message code } } }"""
    data = await gql.data(link, {"c": contact, "v": "MOXIWORKS", "id": other.account})
    assert data["linkContact"] == {
        "changed": True,
        "vendorId": other.account,
        "contact": {"account": person.account},
        "clientMutationId": "m1",
        "userErrors": [],
    }
    seen, _ = await walk(gql, 3, [200], {"vendors": ["MOXIWORKS"]})
    assert len(seen) == len(gql.sim(Vendor.MOXIWORKS).state.store.logs[other.account])
    unlink = """mutation ($c: ID!) { unlinkContact(input: { contactId: $c, vendor: MOXIWORKS }) {
      changed clientMutationId userErrors { field code } } }"""
    data = await gql.data(unlink, {"c": contact})
    assert data["unlinkContact"] == {
        "changed": True,
        "clientMutationId": None,
        "userErrors": [],
    }
    # Expected failures are user errors naming the input field, not GraphQL errors.
    data = await gql.data(
        link, {"c": gid("Contact", "nope"), "v": "MOXIWORKS", "id": "x"}
    )
    [error] = data["linkContact"]["userErrors"]
    assert (error["field"], error["code"]) == (["contactId"], "NOT_FOUND")
    assert data["linkContact"]["changed"] is False
    data = await gql.data(link, {"c": contact, "v": "MOXIWORKS", "id": "  "})
    [error] = data["linkContact"]["userErrors"]
    assert (error["field"], error["code"]) == (["vendorId"], "BAD_USER_INPUT")
    data = await gql.data(unlink, {"c": gid("Interaction", "x")})
    [error] = data["unlinkContact"]["userErrors"]
    assert (error["field"], error["code"]) == (["contactId"], "BAD_USER_INPUT")


BACK = """
query ($id: ID!, $last: Int, $before: String) {
  contact(id: $id) {
    interactions(last: $last, before: $before) {
      edges { cursor node { source { vendor vendorId } } }
      pageInfo { hasPreviousPage startCursor }
    }
  }
}
"""


async def test_last_before_walks_back_the_same_history(gql: GraphQLClient) -> None:
    index = next(i for i in range(2, 60) if 20 <= len(expected_history(gql, i)) <= 60)
    forward, _ = await walk(gql, index, [7])
    contact = gid("Contact", people()[index].account)
    back: list[Any] = []
    before = None
    while True:
        data = await gql.data(BACK, {"id": contact, "last": 6, "before": before})
        conn = data["contact"]["interactions"]
        back[:0] = [e["node"]["source"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert back == [n["source"] for n in forward]
