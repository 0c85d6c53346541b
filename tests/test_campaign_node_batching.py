"""nodes(ids:) of many sub-campaigns: one list read for all of them, not one
showSubCampaignState each (DEVELOPERS.md: no N+1 against a vendor)."""

from __future__ import annotations

import base64
from collections import Counter

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.engage import operations

LIST = """{ campaigns(first: 50) { edges { node { subCampaigns { id state } } } } }"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) {
  id ... on SubCampaign { state name campaign { name } } } }"""


def ops(gql: GraphQLClient) -> Counter[str]:
    return Counter(operations(gql.sim(Vendor.ENGAGE)))


async def test_many_sub_campaigns_by_id_cost_one_list_read(gql: GraphQLClient) -> None:
    listed = await gql.data(LIST)
    subs = [s for e in listed["campaigns"]["edges"] for s in e["node"]["subCampaigns"]]
    assert len(subs) > 20
    missing = base64.b64encode(b"SubCampaign:1").decode()
    ids = [s["id"] for s in subs] + [missing]
    gql.reset_calls()
    got = (await gql.data(NODES, {"ids": ids}))["nodes"]
    assert [n["id"] if n else None for n in got] == [s["id"] for s in subs] + [None]
    assert [n["state"] for n in got[:-1]] == [s["state"] for s in subs]
    # listCampaigns (also for `campaign`), one listSubCampaignStates, and a show
    # only for the ID the list does not hold
    assert ops(gql) == Counter(
        {"listCampaigns": 1, "listSubCampaignStates": 1, "showSubCampaignState": 1}
    )


async def test_one_sub_campaign_by_id_is_one_show(gql: GraphQLClient) -> None:
    one = base64.b64encode(b"SubCampaign:7002").decode()
    got = (await gql.data(NODES, {"ids": [one]}))["nodes"]
    assert got[0]["state"] == "RUNNING"
    assert ops(gql) == Counter({"showSubCampaignState": 1, "listCampaigns": 1})


BATCHES = (
    """{ campaigns(first: 50) { edges { node { contactBatches { id state } } } } }"""
)
BATCH_NODES = """query($ids: [ID!]!) { nodes(ids: $ids) {
  id ... on ContactBatch { state contactCount } } }"""


async def test_many_contact_batches_by_id_cost_one_list_read(
    gql: GraphQLClient,
) -> None:
    listed = await gql.data(BATCHES)
    batches = [
        b for e in listed["campaigns"]["edges"] for b in e["node"]["contactBatches"]
    ]
    assert len(batches) > 20
    missing = base64.b64encode(b"ContactBatch:NOPE").decode()
    ids = [b["id"] for b in batches] + [missing]
    gql.reset_calls()
    got = (await gql.data(BATCH_NODES, {"ids": ids}))["nodes"]
    assert [n["id"] if n else None for n in got] == [b["id"] for b in batches] + [None]
    assert [n["state"] for n in got[:-1]] == [b["state"] for b in batches]
    assert ops(gql) == Counter(
        {"listContactBatchStates": 1, "showContactBatchState": 1}
    )
