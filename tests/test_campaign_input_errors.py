"""Campaign reads answer malformed input the same way everywhere: a malformed node
key or an inverted window is BAD_USER_INPUT (before any Engage call); a well-formed
key naming nothing is null."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.engage import operations

NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize("kind", ["Campaign", "SubCampaign", "ContactBatch"])
async def test_a_malformed_key_is_bad_input_for_every_campaign_type(
    gql: GraphQLClient, kind: str
) -> None:
    body = await gql.query(NODE, {"id": gid(kind, "../x")})
    assert body["data"] == {"node": None}
    assert codes(body) == ["BAD_USER_INPUT"]
    assert operations(gql.sim(Vendor.ENGAGE)) == []


@pytest.mark.parametrize("kind", ["Campaign", "SubCampaign", "ContactBatch"])
async def test_a_well_formed_key_naming_nothing_is_null_without_error(
    gql: GraphQLClient, kind: str
) -> None:
    body = await gql.query(NODE, {"id": gid(kind, "NOPE-404")})
    assert body == {"data": {"node": None}}


async def test_in_nodes_only_the_malformed_campaign_slot_errs(
    gql: GraphQLClient,
) -> None:
    ids = [gid("Campaign", "6002"), gid("Campaign", "../x"), gid("Campaign", "1")]
    body = await gql.query(NODES, {"ids": ids})
    assert body["data"]["nodes"] == [{"id": ids[0]}, None, None]
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["nodes", 1]


CAMPAIGNS = """query($f: CampaignFilter) {
  campaigns(first: 5, filter: $f) { edges { node { id } } } }"""


async def test_an_inverted_created_window_is_bad_input(gql: GraphQLClient) -> None:
    f = {"createdFrom": "2026-02-01T00:00:00Z", "createdTo": "2026-01-01T00:00:00Z"}
    body = await gql.query(CAMPAIGNS, {"f": f})
    assert body["data"] is None
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "createdFrom" in body["errors"][0]["message"]
    assert operations(gql.sim(Vendor.ENGAGE)) == []
