"""Contacts through the whole gateway, over the LiveVox simulator."""

from __future__ import annotations

import base64

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.seed import PEOPLE, people

PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String, $filter: ContactFilter) {
  contacts(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { id account displayName phones { number } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def gid(account: str) -> str:
    return base64.b64encode(f"Contact:{account}".encode()).decode()


async def test_forward_walk_returns_every_contact_once_in_order(
    gql: GraphQLClient,
) -> None:
    seen: list[str] = []
    after = None
    while True:
        data = await gql.data(PAGE, {"first": 500, "after": after})
        conn = data["contacts"]
        seen += [e["node"]["account"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == sorted(p.account for p in people())
    assert len(seen) == PEOPLE


async def test_backward_walk_returns_every_contact_once_in_order(
    gql: GraphQLClient,
) -> None:
    seen: list[str] = []
    before = None
    while True:
        data = await gql.data(PAGE, {"last": 400, "before": before})
        conn = data["contacts"]
        seen[:0] = [e["node"]["account"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert seen == sorted(p.account for p in people())


async def test_page_of_50_is_one_vendor_call(gql: GraphQLClient) -> None:
    gql.reset_calls()
    data = await gql.data(PAGE, {"first": 50})
    assert len(data["contacts"]["edges"]) == 50
    calls = [c for c in gql.calls(Vendor.LIVEVOX) if c[1] != "/session/login"]
    assert len(calls) == 1
    assert "count=50" in calls[0][2]


async def test_twenty_contacts_by_id_cost_one_vendor_call(gql: GraphQLClient) -> None:
    ids = [gid(p.account) for p in people()[100:120]]
    await gql.data("{ __typename }")  # log in first
    gql.reset_calls()
    data = await gql.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Contact { account } } }",
        {"ids": ids},
    )
    assert [n["id"] for n in data["nodes"]] == ids
    calls = [c for c in gql.calls(Vendor.LIVEVOX) if c[1] != "/session/login"]
    assert len(calls) == 1 and calls[0][1] == "/contact/contacts/search"


async def test_filters_combine_with_and(gql: GraphQLClient) -> None:
    target = people()[7]
    data = await gql.data(
        PAGE,
        {
            "first": 50,
            "filter": {"name": target.last_name, "postalCode": target.postal_code},
        },
    )
    accounts = [e["node"]["account"] for e in data["contacts"]["edges"]]
    assert target.account in accounts
    expected = {
        p.account
        for p in people()
        if target.last_name.lower() in p.name.lower()
        and p.postal_code == target.postal_code
    }
    assert set(accounts) == expected
    data = await gql.data(PAGE, {"first": 5, "filter": {"accountPrefix": "10001"}})
    assert [e["node"]["account"] for e in data["contacts"]["edges"]] == [
        "100010",
        "100011",
        "100012",
        "100013",
        "100014",
    ]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": -1}, "BAD_USER_INPUT"),
        ({"first": 100000}, "BAD_USER_INPUT"),
        ({"first": 5, "after": "garbage!!"}, "BAD_USER_INPUT"),
        ({"first": 5, "after": "eyJ2Ijo5fQ"}, "BAD_USER_INPUT"),
    ],
)
async def test_bad_input_gets_a_coded_error(
    gql: GraphQLClient, variables: dict[str, object], code: str
) -> None:
    body = await gql.query(PAGE, variables)
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    assert "Traceback" not in error["message"]


async def test_cursor_from_another_filter_is_refused(gql: GraphQLClient) -> None:
    data = await gql.data(PAGE, {"first": 2, "filter": {"accountPrefix": "1001"}})
    cursor = data["contacts"]["pageInfo"]["endCursor"]
    body = await gql.query(PAGE, {"first": 2, "after": cursor})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unknown_ids(gql: GraphQLClient) -> None:
    # unknown: null without an error (tests/test_relay.py has the rest)
    body = await gql.query(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": gid("999999999")}
    )
    assert body == {"data": {"node": None}}
    body = await gql.query('{ node(id: "bm9wZQ==") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await gql.query('{ contact(account: "nope") { id } }')
    assert body == {"data": {"contact": None}}


async def test_contact_details_groups_notes_custom_fields(gql: GraphQLClient) -> None:
    person = people()[0]
    data = await gql.data(
        """query ($a: String) { contact(account: $a) {
            id account firstName lastName displayName emails
            phones { number ordinal block dnd smsConsent cellConsent }
            city state postalCode balance active createdAt modifiedAt
            source { vendor vendorId }
            groups { id name }
            notes { id text createdAt }
            customFields { field label value }
        } }""",
        {"a": person.account},
    )
    c = data["contact"]
    assert c["displayName"] == person.name
    assert c["source"] == {"vendor": "LIVEVOX", "vendorId": person.account}
    assert [p["number"] for p in c["phones"]] == list(person.phones)
    assert len(c["notes"]) == 40
    stamps = [n["createdAt"] for n in c["notes"]]
    assert stamps == sorted(stamps, reverse=True)
    fields = {f["field"]: f for f in c["customFields"]}
    assert fields["COL5"]["value"] == str(person.relation_id)
    assert fields["COL5"]["label"]


async def test_vendor_down_is_vendor_unavailable(gql: GraphQLClient) -> None:
    gql.sim(Vendor.LIVEVOX).state.faults.down = True
    body = await gql.query(PAGE, {"first": 5})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VENDOR_UNAVAILABLE"
    assert error["extensions"]["vendor"] == "LIVEVOX"
    assert "http" not in error["message"].lower()


async def test_expired_session_logs_in_again(gql: GraphQLClient) -> None:
    await gql.data(PAGE, {"first": 1})
    gql.sim(Vendor.LIVEVOX).state.sessions.clear()
    gql.reset_calls()
    await gql.data(PAGE, {"first": 1})
    paths = [c[1] for c in gql.calls(Vendor.LIVEVOX)]
    assert paths.count("/session/login") == 1


async def test_variable_of_the_wrong_type_is_bad_user_input(gql: GraphQLClient) -> None:
    r = await gql.http.post(
        "/graphql",
        json={
            "query": "query ($n: Int!) { contacts(first: $n) { edges { cursor } } }",
            "variables": {"n": "x"},
        },
    )
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] != "Unexpected error."


async def test_groups_are_the_same_on_a_page_and_alone(gql: GraphQLClient) -> None:
    """A page fetches the group names beside it; a contact read alone loads them only
    when asked: both give the same groups."""
    page = await gql.data(
        "{ contacts(first: 50) { edges { node { account groups { id name } } } } }"
    )
    grouped = [e["node"] for e in page["contacts"]["edges"] if e["node"]["groups"]]
    assert grouped, "the seeded page has contacts in groups"
    for node in grouped[:3]:
        gql.reset_calls()
        alone = await gql.data(
            "query ($a: String) { contact(account: $a) { groups { id name } } }",
            {"a": node["account"]},
        )
        assert alone["contact"]["groups"] == node["groups"]
        assert any(c[1] == "/contact/contactGroups" for c in gql.calls(Vendor.LIVEVOX))
    gql.reset_calls()
    await gql.data(
        "query ($a: String) { contact(account: $a) { account } }",
        {"a": grouped[0]["account"]},
    )
    assert all(c[1] != "/contact/contactGroups" for c in gql.calls(Vendor.LIVEVOX))


async def test_a_malformed_detail_fails_that_field_only(gql: GraphQLClient) -> None:
    store = gql.sim(Vendor.LIVEVOX).state.store
    broken = store.contacts[store.accounts[1]]
    broken.replace({**broken.record, "city": {"not": "text"}}, store.now_ms())
    body = await gql.query(
        "{ contacts(first: 3) { edges { node { account firstName city } } } }"
    )
    nodes = [e["node"] if e else None for e in body["data"]["contacts"]["edges"]]
    assert nodes[0]["city"] and nodes[2]["city"]  # the others read in full
    assert nodes[1] is None or nodes[1]["city"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VENDOR_PROTOCOL_ERROR"
    assert error["extensions"]["vendor"] == "LIVEVOX"
    assert error["path"] == ["contacts", "edges", 1, "node", "city"]
    assert "city" in error["message"]


async def test_contacts_read_on_a_page_need_no_second_read(gql: GraphQLClient) -> None:
    await gql.data("{ __typename }")  # log in first
    gql.reset_calls()
    data = await gql.data(
        """{ contacts(first: 3) { edges { node { account
              interactions(first: 2) { edges { node { contact { account } } } } } } } }"""
    )
    owners = []
    for edge in data["contacts"]["edges"]:
        inner = edge["node"]["interactions"]["edges"]
        owners += [(edge["node"]["account"], e["node"]["contact"]) for e in inner]
    assert owners and all(c is None or c["account"] == a for a, c in owners)
    assert any(c is not None for _, c in owners)
    paths = [c[1] for c in gql.calls(Vendor.LIVEVOX)]
    assert paths.count("/contact/contacts") == 1
    assert "/contact/contacts/search" not in paths  # the page's contacts were known


async def test_a_malformed_group_list_is_a_coded_vendor_error(
    gql: GraphQLClient,
) -> None:
    store = gql.sim(Vendor.LIVEVOX).state.store
    store.groups[min(store.groups)]["name"] = {"not": "text"}
    body = await gql.query(
        "{ contacts(first: 3) { edges { node { account groups { name } } } } }"
    )
    # `groups` is non-null, so its error nulls the page: but named, not masked.
    error = body["errors"][0]
    assert error["extensions"] == {"code": "VENDOR_PROTOCOL_ERROR", "vendor": "LIVEVOX"}
    assert error["path"][-1] == "groups"
    assert "malformed group list" in error["message"]
