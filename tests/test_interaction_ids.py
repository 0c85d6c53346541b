"""An Interaction ID read through a contact's history names that contact
(`vendor@account:token`). The account is checked against the vendor's record, so a
client cannot pair another contact's account with a real item's token and have
`contact`/`participants` answer for the wrong person: such an ID names nothing."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from safety_support import gateway
from support import GraphQLClient
from trunkline.domain import Vendor

PARTS = "id source { vendor } contact { account } participants { account }"
HISTORY = f"""query ($a: String, $v: [Vendor!]) {{ contact(account: $a) {{
    interactions(first: 2, filter: {{ vendors: $v }}) {{ nodes {{ {PARTS} }} }} }} }}"""
BY_NODE = f"query ($id: ID!) {{ node(id: $id) {{ ... on Interaction {{ {PARTS} }} }} }}"
JUST_ID = "query ($id: ID!) { node(id: $id) { id } }"
BY_NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"

# Engage's seeded attempts begin at person 20 (simulators/engage_data.py)
OWNER = {v: "100021" if v is Vendor.ENGAGE else "100000" for v in Vendor}
OTHER = {v: "100022" if v is Vendor.ENGAGE else "100001" for v in Vendor}


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def forged(node_id: str, account: str) -> str:
    """The same vendor item's token, paired with another account."""
    raw = base64.b64decode(node_id).decode().removeprefix("Interaction:")
    head, _, token = raw.partition(":")
    vendor = head.partition("@")[0]
    return gid("Interaction", f"{vendor}@{quote(account, safe='')}:{token}")


async def item(gql: GraphQLClient, vendor: Vendor) -> dict[str, Any]:
    data = await gql.data(HISTORY, {"a": OWNER[vendor], "v": [vendor.name]})
    node: dict[str, Any] = data["contact"]["interactions"]["nodes"][0]
    return node


def calls(gql: GraphQLClient) -> dict[str, int]:
    """Vendor calls since the last reset, logins excluded."""
    out = {}
    for vendor in Vendor:
        made = [c for c in gql.calls(vendor) if not c[1].endswith(("login", "token"))]
        if made:
            out[vendor.name] = len(made)
    return out


@pytest.mark.parametrize("vendor", list(Vendor))
async def test_a_forged_account_names_nothing(
    gql: GraphQLClient, vendor: Vendor
) -> None:
    node = await item(gql, vendor)
    assert node["contact"] == {"account": OWNER[vendor]}
    again = await gql.query(BY_NODE, {"id": node["id"]})
    assert again == {"data": {"node": node}}
    fake = forged(node["id"], OTHER[vendor])
    # well-formed, naming nothing: null without an error (Relay), on both paths
    assert await gql.query(BY_NODE, {"id": fake}) == {"data": {"node": None}}
    body = await gql.query(BY_NODES, {"ids": [node["id"], fake]})
    assert body == {"data": {"nodes": [{"id": node["id"]}, None]}}


async def test_a_procurios_token_without_its_relation_cannot_take_an_account(
    gql: GraphQLClient,
) -> None:
    node = await item(gql, Vendor.PROCURIOS)
    raw = base64.b64decode(node["id"]).decode()
    relation, rest = raw.partition(":")[2].split(":", 1)[1].split("|", 1)
    assert relation
    # the relation left out of the token: the moment is found, but by no one's view
    fake = gid("Interaction", f"procurios@{OWNER[Vendor.PROCURIOS]}:|{rest}")
    assert await gql.query(BY_NODE, {"id": fake}) == {"data": {"node": None}}


# Vendor calls of node(id) for an item of each vendor's history, logins excluded: the
# lookup at the vendor, plus one LiveVox search where the vendor's contact_key rule
# reads a LiveVox custom field (embedded: Procurios COL5, CRM.COM COL6) to check the
# ID's contact. Selecting `contact` costs that same search, shared.
CALLS = {
    Vendor.LIVEVOX: ({"LIVEVOX": 1}, {"LIVEVOX": 2}),
    Vendor.MOXIWORKS: ({"MOXIWORKS": 1}, {"MOXIWORKS": 1, "LIVEVOX": 1}),
    Vendor.PROCURIOS: ({"PROCURIOS": 1, "LIVEVOX": 1}, {"PROCURIOS": 1, "LIVEVOX": 1}),
    Vendor.CRMCOM: ({"CRMCOM": 1, "LIVEVOX": 1}, {"CRMCOM": 1, "LIVEVOX": 1}),
    Vendor.ENGAGE: ({"ENGAGE": 1}, {"ENGAGE": 1, "LIVEVOX": 1}),
}


@pytest.mark.parametrize("vendor", list(Vendor))
async def test_node_lookup_vendor_calls(gql: GraphQLClient, vendor: Vendor) -> None:
    node = await item(gql, vendor)
    await gql.data(JUST_ID, {"id": node["id"]})  # per-process caches (type titles)
    bare, with_contact = CALLS[vendor]
    gql.reset_calls()
    assert (await gql.data(JUST_ID, {"id": node["id"]}))["node"] == {"id": node["id"]}
    assert calls(gql) == bare
    gql.reset_calls()
    assert (await gql.data(BY_NODE, {"id": node["id"]}))["node"] == node
    assert calls(gql) == with_contact


async def test_the_estimate_counts_the_lookup_and_the_contact_check(
    tmp_path: Path,
) -> None:
    """A history's ID (`vendor@account:token`) costs its vendor's lookup and the
    contact's search, estimated before anything runs."""
    async with gateway(tmp_path) as gql:
        node = await item(gql, Vendor.PROCURIOS)
    async with gateway(tmp_path, "[limits]\nmax_vendor_calls = 3\n") as gql:
        gql.reset_calls()
        body = await gql.query(JUST_ID, {"id": node["id"]})
        assert calls(gql) == {}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["estimate"] == 4  # 3 Procurios pages at most, 1 search
