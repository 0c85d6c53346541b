"""ContactAttempt.campaign: the attempt's Campaign node (a global ID a client can pass
to node(id:)), read from the one listCampaigns the request shares, however many
attempts ask: no N+1. `campaignId` (Engage's raw id) stays, deprecated."""

from __future__ import annotations

import base64
from collections import Counter

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.base import anchor_now
from trunkline.simulators.engage import operations

QUERY = """query ($until: DateTime!) {
  contactAttempts(contactKey: "100027", until: $until, first: 50) {
    edges { node { id campaignId campaign { id name } } }
  }
}"""


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


async def test_fifty_attempts_name_their_campaigns_in_one_list_call(
    gql: GraphQLClient,
) -> None:
    await gql.data("{ campaigns(first: 1) { totalCount } }")  # the simulator is built
    names = {c["internalId"]: c["name"] for c in _campaigns(gql)}
    gql.reset_calls()
    data = await gql.data(QUERY, {"until": anchor_now().isoformat()})
    nodes = [e["node"] for e in data["contactAttempts"]["edges"]]
    assert len(nodes) == 50
    assert len({n["campaignId"] for n in nodes}) > 1  # several campaigns asked for
    for node in nodes:
        raw = node["campaignId"]
        assert node["campaign"] == {"id": gid("Campaign", raw), "name": names[raw]}
    assert Counter(operations(gql.sim(Vendor.ENGAGE))) == Counter(
        {"listContactAttempts": 2, "listCampaigns": 1}
    )
    # the ID is a node's
    some = nodes[0]["campaign"]
    found = await gql.data(
        "query ($id: ID!) { node(id: $id) { ... on Campaign { name } } }",
        {"id": some["id"]},
    )
    assert found["node"] == {"name": some["name"]}


async def test_campaign_id_is_deprecated_with_a_reason(gql: GraphQLClient) -> None:
    data = await gql.data(
        '{ __type(name: "ContactAttempt") { fields(includeDeprecated: true) '
        "{ name isDeprecated deprecationReason } } }"
    )
    fields = {f["name"]: f for f in data["__type"]["fields"]}
    assert fields["campaign"]["isDeprecated"] is False
    assert fields["campaignId"]["isDeprecated"] is True
    assert "campaign" in fields["campaignId"]["deprecationReason"]


def _campaigns(gql: GraphQLClient) -> list[dict[str, str]]:
    return list(gql.sim(Vendor.ENGAGE).state.data.campaigns.values())
