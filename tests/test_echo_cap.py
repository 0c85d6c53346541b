"""Error messages quote a client's value at most 64 characters long, then an
ellipsis: a 5,000-character ID does not come back whole."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.errors import shown

NODE = "query($id: ID!) { node(id: $id) { id } }"
LONG = "A" * 5000


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def messages(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body.get("errors", [])]


def test_shown_caps_at_64_characters_then_an_ellipsis() -> None:
    assert shown("abc") == "'abc'"
    assert shown("x" * 64) == repr("x" * 64)
    assert shown("x" * 65) == repr("x" * 64 + "…")
    assert shown(LONG) == repr("A" * 64 + "…")


@pytest.mark.parametrize(
    "raw",
    [
        LONG + "!",  # not base64
        gid("Nope" + "N" * 5000, "1"),  # unknown type
        gid("Campaign", "x/" * 2500),  # malformed key
        gid("SubCampaign", "y/" * 2500),
        gid("Contact", "z/" * 2500),
        gid("Interaction", "livevox:" + "w/" * 2500),
    ],
    ids=["base64", "type", "campaign", "subcampaign", "contact", "interaction"],
)
async def test_a_5000_character_id_is_not_echoed_whole(
    gql: GraphQLClient, raw: str
) -> None:
    body = await gql.query(NODE, {"id": raw})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    (message,) = messages(body)
    assert len(message) < 200, message
    assert "…" in message


async def test_a_long_queue_entry_id_in_a_mutation_is_capped(
    gql: GraphQLClient,
) -> None:
    q = """mutation($id: ID!) { processQueueEntry(input: { id: $id }) {
      userErrors { field message code } } }"""
    for raw in (LONG, gid("Contact", LONG), gid("QueueEntry", "crmcom:" + LONG)):
        body = await gql.query(q, {"id": raw})
        (error,) = body["data"]["processQueueEntry"]["userErrors"]
        assert error["field"] == ["id"]
        assert len(error["message"]) < 200, error["message"]


async def test_a_long_contact_id_in_a_write_is_capped(gql: GraphQLClient) -> None:
    q = """mutation($i: UpdateContactInput!) { updateContact(input: $i) {
      userErrors { field message code } } }"""
    for raw in (LONG, gid("Queue", LONG), gid("Contact", "9" * 5000)):
        body = await gql.query(q, {"i": {"contactId": raw, "firstName": "A"}})
        errors = body["data"]["updateContact"]["userErrors"]
        assert errors and all(len(e["message"]) < 200 for e in errors), errors
