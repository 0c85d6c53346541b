"""A Procurios moment just logged through the gateway can be read back: by its
node ID, and as the payload of a retry with the same idempotency key. The gateway
stamps the moment's dateTime with its own clock; the vendor's `since` filter runs on
the vendor's, and the embedded simulator's clock starts at midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support import GraphQLClient

LOG = """mutation($key: String, $at: DateTime) {
  logInteraction(input: { contactId: "Q29udGFjdDoxMDAwMDA=", vendor: PROCURIOS,
      momentType: "ContactMomentPhone", subject: "Retention call",
      body: "Stays a member.", idempotencyKey: $key, occurredAt: $at }) {
    interaction { id subject occurredAt }
    userErrors { field message code }
  } }"""

NODE = """query($id: ID!) { node(id: $id) { id ... on Interaction { subject } } }"""


async def test_a_logged_moment_is_found_by_its_id(gql: GraphQLClient) -> None:
    made = (await gql.data(LOG, {"key": None}))["logInteraction"]
    assert made["userErrors"] == []
    item = made["interaction"]
    found = (await gql.data(NODE, {"id": item["id"]}))["node"]
    assert found == {"id": item["id"], "subject": "Retention call"}


async def test_a_retry_with_the_key_answers_the_moment(gql: GraphQLClient) -> None:
    first = (await gql.data(LOG, {"key": "call-88"}))["logInteraction"]
    again = (await gql.data(LOG, {"key": "call-88"}))["logInteraction"]
    assert again["userErrors"] == []
    assert again["interaction"] == first["interaction"]


async def test_a_moment_dated_ahead_of_now_is_found_by_its_id(
    gql: GraphQLClient,
) -> None:
    at = (datetime.now(UTC) + timedelta(minutes=4)).isoformat(
        timespec="seconds"
    )  # within the 5-minute skew
    made = (await gql.data(LOG, {"key": None, "at": at}))["logInteraction"]
    item = made["interaction"]
    found = (await gql.data(NODE, {"id": item["id"]}))["node"]
    assert found is not None and found["id"] == item["id"]
