"""Relay and cache semantics clients rely on: what node, nodes and contact answer for
unknown and malformed IDs, and an interaction's contact however it was fetched."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor

ACCOUNT = "100000"  # a history on every vendor


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


CONTACT = gid("Contact", ACCOUNT)
NODE = "query ($id: ID!) { node(id: $id) { id ... on Contact { account } } }"
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Contact { account } } }"


@pytest.mark.parametrize(
    "key",
    [
        gid("Contact", "999999999"),
        gid("Interaction", "livevox:100000/999999999"),
        gid("Interaction", "moxiworks:100000|1700000000|no-such-log"),
        gid("Interaction", "procurios:400000|2020-01-01T00:00:00|999999999"),
        gid("Interaction", "crmcom:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
        gid("Interaction", "crmcom@100000:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
    ],
)
async def test_node_that_names_nothing_is_null_without_error(
    gql: GraphQLClient, key: str
) -> None:
    assert await gql.query(NODE, {"id": key}) == {"data": {"node": None}}


@pytest.mark.parametrize("key", ["not base64!", "bm9wZQ==", gid("Genesys", "1")])
async def test_malformed_node_id_is_bad_user_input(
    gql: GraphQLClient, key: str
) -> None:
    body = await gql.query(NODE, {"id": key})
    assert body["data"] == {"node": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["node"]


async def test_nodes_answers_per_slot(gql: GraphQLClient) -> None:
    ids = [
        CONTACT,
        "not base64!",
        gid("Contact", "999999999"),
        gid("Contact", "100001"),
        "bm9wZQ==",
    ]
    body = await gql.query(NODES, {"ids": ids})
    # the second send takes the cached document's path: the same answer
    assert await gql.query(NODES, {"ids": ids}) == body
    assert body["data"]["nodes"] == [
        {"id": CONTACT, "account": ACCOUNT},
        None,
        None,
        {"id": gid("Contact", "100001"), "account": "100001"},
        None,
    ]
    errors = body["errors"]
    assert [e["path"] for e in errors] == [["nodes", 1], ["nodes", 4]]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}


async def test_nodes_of_unknown_ids_only_is_nulls_without_error(
    gql: GraphQLClient,
) -> None:
    ids = [gid("Contact", "999999998"), gid("Contact", "999999999")]
    assert await gql.query(NODES, {"ids": ids}) == {"data": {"nodes": [None, None]}}


async def test_nodes_still_batches_into_one_livevox_call(gql: GraphQLClient) -> None:
    ids = [gid("Contact", str(100000 + i)) for i in range(20)] + ["bad!"]
    gql.reset_calls()
    body = await gql.query(NODES, {"ids": ids})
    assert len([n for n in body["data"]["nodes"] if n]) == 20
    calls = [c for c in gql.calls(Vendor.LIVEVOX) if "login" not in c[1]]
    assert calls == [("POST", "/contact/contacts/search", "offset=0&count=20")]


async def test_contact_of_unknown_account_or_id_is_null(gql: GraphQLClient) -> None:
    q = "query ($a: String) { contact(account: $a) { account } }"
    assert await gql.query(q, {"a": "nobody"}) == {"data": {"contact": None}}
    q = "query ($id: ID) { contact(id: $id) { account } }"
    body = await gql.query(q, {"id": gid("Contact", "999999999")})
    assert body == {"data": {"contact": None}}
    body = await gql.query(q, {"id": "bad!"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# ---- Interaction.contact and participants, the same on every path ----------------
PARTS = "id source { vendor } contact { account } participants { account }"
HISTORY = f"""query ($id: ID!, $v: [Vendor!]) {{ contact(id: $id) {{
    interactions(first: 3, filter: {{ vendors: $v }}) {{ edges {{ node {{ {PARTS} }} }} }}
}} }}"""
BACKWARD = f"""query ($id: ID!, $v: [Vendor!]) {{ contact(id: $id) {{
    interactions(last: 3, filter: {{ vendors: $v }}) {{ edges {{ node {{ {PARTS} }} }} }}
}} }}"""
FILTERED = f"""query ($id: ID!, $v: [Vendor!]) {{
    interactions(first: 3, filter: {{ contactId: $id, vendors: $v }}) {{
        edges {{ node {{ {PARTS} }} }} }} }}"""
BY_NODE = f"query ($id: ID!) {{ node(id: $id) {{ ... on Interaction {{ {PARTS} }} }} }}"
BY_NODES = f"query ($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Interaction {{ {PARTS} }} }} }}"
GLOBAL = f"""query ($v: [Vendor!]) {{ interactions(first: 3, filter: {{ vendors: $v }}) {{
    edges {{ node {{ {PARTS} }} }} }} }}"""


def _nodes(data: Any) -> list[dict[str, Any]]:
    conn = (
        data["contact"]["interactions"] if "contact" in data else data["interactions"]
    )
    return [e["node"] for e in conn["edges"]]


@pytest.mark.parametrize("vendor", [v.name for v in Vendor])
async def test_interaction_contact_is_the_same_on_every_path(
    gql: GraphQLClient, vendor: str
) -> None:
    # Engage's seeded attempts begin at person 20 (simulators/engage_data.py)
    account = "100021" if vendor == "ENGAGE" else ACCOUNT
    variables = {"id": gid("Contact", account), "v": [vendor]}
    history = _nodes(await gql.data(HISTORY, variables))
    filtered = _nodes(await gql.data(FILTERED, variables))
    backward = _nodes(await gql.data(BACKWARD, variables))
    assert history, f"{vendor}: no history for {account}"
    assert history == filtered  # same items, same IDs, same answers
    mine = {"contact": {"account": account}, "participants": [{"account": account}]}
    for node in history + backward:
        assert node["source"] == {"vendor": vendor}
        assert {k: node[k] for k in mine} == mine
    for node in history + backward:
        again = await gql.data(BY_NODE, {"id": node["id"]})
        assert again["node"] == node
    both = await gql.data(BY_NODES, {"ids": [n["id"] for n in history]})
    assert both["nodes"] == history


async def test_interaction_read_across_contacts_answers_the_same_by_node(
    gql: GraphQLClient,
) -> None:
    """Without a contact filter only Procurios answers (the others read per contact);
    such an item names no history's contact, on either path."""
    listed = _nodes(await gql.data(GLOBAL, {"v": ["PROCURIOS"]}))
    assert listed
    for node in listed:
        again = await gql.data(BY_NODE, {"id": node["id"]})
        assert again["node"] == node


async def test_interaction_id_names_the_contact_it_was_read_for(
    gql: GraphQLClient,
) -> None:
    """The contact is part of what a history fetched (a Procurios moment or a CRM.COM
    communication may sit in several contacts' histories): the ID carries it."""
    for vendor in Vendor:
        variables = {"id": CONTACT, "v": [vendor.name]}
        for node in _nodes(await gql.data(HISTORY, variables)):
            raw = base64.b64decode(node["id"]).decode()
            assert raw.startswith(f"Interaction:{vendor.value}@{ACCOUNT}:")
