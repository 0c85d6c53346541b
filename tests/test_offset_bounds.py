"""Forged offset cursors: a position past what the vendor's offset parameter can hold
is refused as bad input before any vendor call (the docs type `offset` as Integer)."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from support import GraphQLClient
from trunkline.domain import Vendor

ENTRIES = """query ($after: String) {
  queue(externalSystem: "EXT 1") {
    entries(first: 2, after: $after) { edges { node { id } } pageInfo { endCursor } }
  }
}"""
QUEUES = """query ($after: String) {
  queues { entries(first: 2, after: $after) { pageInfo { endCursor } } }
}"""
CONTACTS = """query ($after: String) {
  contacts(first: 2, after: $after) { pageInfo { endCursor } }
}"""


def forge(cursor: str, index: int) -> str:
    raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw["s"]["i"] = index
    return base64.urlsafe_b64encode(orjson.dumps(raw)).rstrip(b"=").decode()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_huge_queue_entry_offset_is_bad_input_before_any_call(
    gql: GraphQLClient,
) -> None:
    data = await gql.data(ENTRIES)
    cursor = data["queue"]["entries"]["pageInfo"]["endCursor"]
    gql.reset_calls()
    body = await gql.query(ENTRIES, {"after": forge(cursor, 10**12)})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "offset" in body["errors"][0]["message"]
    assert gql.calls(Vendor.CRMCOM) == []


async def test_a_huge_offset_in_queues_entries_is_bad_input_before_any_call(
    gql: GraphQLClient,
) -> None:
    data = await gql.data(QUEUES)
    cursor = data["queues"][0]["entries"]["pageInfo"]["endCursor"]
    gql.reset_calls()
    body = await gql.query(QUEUES, {"after": forge(cursor, 10**12)})
    assert set(codes(body)) == {"BAD_USER_INPUT"}
    offsets = [q for _, p, q in gql.calls(Vendor.CRMCOM) if "offset=" in q]
    assert offsets == []


async def test_the_largest_integer_offset_still_reads(gql: GraphQLClient) -> None:
    data = await gql.data(ENTRIES)
    cursor = data["queue"]["entries"]["pageInfo"]["endCursor"]
    # the next read asks offset 2**31 - 1: the largest a 32-bit Integer holds
    body = await gql.query(ENTRIES, {"after": forge(cursor, 2**31 - 2)})
    assert "errors" not in body
    assert body["data"]["queue"]["entries"]["edges"] == []
    body = await gql.query(ENTRIES, {"after": forge(cursor, 2**31 - 1)})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_a_huge_contact_offset_is_bad_input_before_any_call(
    gql: GraphQLClient,
) -> None:
    data = await gql.data(CONTACTS)
    cursor = data["contacts"]["pageInfo"]["endCursor"]
    gql.reset_calls()
    body = await gql.query(CONTACTS, {"after": forge(cursor, 10**12)})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert gql.calls(Vendor.LIVEVOX) == []
