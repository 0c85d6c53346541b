"""createContactBatch as a client sees it: user errors name the input field at fault,
bad contacts are refused before anything reaches Engage, and the idempotency key
means exactly once (the same key with another input is a conflict)."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.engage import Fault, operations

CREATE = """mutation($input: CreateContactBatchInput!) {
  createContactBatch(input: $input) {
    contactBatch { id externalId contactCount campaign { externalId } }
    outcomes { index externalId accepted error { field code message } }
    replayed clientMutationId userErrors { field code message }
  } }"""


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def ops(gql: GraphQLClient) -> Counter[str]:
    return Counter(operations(gql.sim(Vendor.ENGAGE)))


def batches(gql: GraphQLClient) -> int:
    return len(gql.sim(Vendor.ENGAGE).state.data.batches)


def one(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "idempotencyKey": "probe-1",
        "campaignId": gid("Campaign", "6001"),
        "contacts": [{"externalId": "100000", "phone": "4155550100"}],
        "clientMutationId": "c1",
    }
    payload.update(changes)
    return payload


LONG = "x" * 5000

BAD: list[tuple[dict[str, Any], list[str]]] = [
    ({"idempotencyKey": ""}, ["idempotencyKey"]),
    ({"idempotencyKey": LONG}, ["idempotencyKey"]),
    ({"campaignId": "nope"}, ["campaignId"]),
    ({"campaignId": gid("SubCampaign", "7001")}, ["campaignId"]),
    ({"maxDurationMinutes": 0}, ["maxDurationMinutes"]),
    ({"externalId": "a/b"}, ["externalId"]),
    ({"scriptId": "../x"}, ["scriptId"]),
    ({"outreachStrategyId": LONG}, ["outreachStrategyId"]),
    ({"agentGroupId": "a b"}, ["agentGroupId"]),
    ({"contacts": []}, ["contacts"]),
    ({"contacts": [{"externalId": ""}]}, ["contacts", "0", "externalId"]),
    ({"contacts": [{"externalId": LONG}]}, ["contacts", "0", "externalId"]),
    ({"contacts": [{"externalId": "1", "phone": "abc"}]}, ["contacts", "0", "phone"]),
    (
        {"contacts": [{"externalId": "1", "phone": "1" * 40}]},
        ["contacts", "0", "phone"],
    ),
    ({"contacts": [{"externalId": "1", "email": "no-at"}]}, ["contacts", "0", "email"]),
    (
        {"contacts": [{"externalId": "1", "email": LONG + "@x"}]},
        ["contacts", "0", "email"],
    ),
    (
        {"contacts": [{"externalId": "1", "firstName": LONG}]},
        ["contacts", "0", "firstName"],
    ),
    (
        {"contacts": [{"externalId": "1", "lastName": LONG}]},
        ["contacts", "0", "lastName"],
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD)
async def test_bad_input_is_a_user_error_on_its_field_and_nothing_is_sent(
    gql: GraphQLClient, change: dict[str, Any], field: list[str]
) -> None:
    before = batches(gql)
    gql.reset_calls()
    got = (await gql.data(CREATE, {"input": one(**change)}))["createContactBatch"]
    assert got["contactBatch"] is None and got["clientMutationId"] == "c1"
    assert [e["field"] for e in got["userErrors"]] == [field], got["userErrors"]
    assert got["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert ops(gql)["createContactBatch"] == 0
    assert batches(gql) == before


async def test_every_bad_contact_is_named_at_once(gql: GraphQLClient) -> None:
    contacts = [
        {"externalId": "1", "phone": "415-555-0100"},  # fine: separators dropped
        {"externalId": "2", "phone": "x"},
        {"externalId": "3", "email": "@"},
    ]
    got = (await gql.data(CREATE, {"input": one(contacts=contacts)}))[
        "createContactBatch"
    ]
    assert [e["field"] for e in got["userErrors"]] == [
        ["contacts", "1", "phone"],
        ["contacts", "2", "email"],
    ]
    assert ops(gql)["createContactBatch"] == 0


async def test_a_phone_is_sent_as_its_digits(gql: GraphQLClient) -> None:
    contacts = [{"externalId": "100000", "phone": "+1 (415) 555-0100"}]
    got = (await gql.data(CREATE, {"input": one(contacts=contacts)}))[
        "createContactBatch"
    ]
    assert got["userErrors"] == [] and got["outcomes"][0]["accepted"] is True


async def test_a_replay_answers_the_recorded_outcomes_without_a_vendor_write(
    gql: GraphQLClient,
) -> None:
    contacts = [
        {"externalId": str(100000 + i), "phone": "4155550100"} for i in range(3)
    ]
    first = (await gql.data(CREATE, {"input": one(contacts=contacts)}))[
        "createContactBatch"
    ]
    assert first["replayed"] is False and len(first["outcomes"]) == 3
    before = batches(gql)
    gql.reset_calls()
    again = (await gql.data(CREATE, {"input": one(contacts=contacts)}))[
        "createContactBatch"
    ]
    assert again["replayed"] is True
    assert again["contactBatch"]["id"] == first["contactBatch"]["id"]
    assert again["outcomes"] == first["outcomes"]  # one per input contact, as before
    assert again["clientMutationId"] == "c1"
    # read fresh, never written again
    assert ops(gql)["createContactBatch"] == 0
    assert batches(gql) == before


@pytest.mark.parametrize(
    "change",
    [
        {"contacts": [{"externalId": "100009", "phone": "4155550199"}]},
        {"campaignId": gid("Campaign", "6002")},
        {"maxDurationMinutes": 30},
    ],
)
async def test_the_same_key_with_another_input_is_a_conflict(
    gql: GraphQLClient, change: dict[str, Any]
) -> None:
    first = (await gql.data(CREATE, {"input": one()}))["createContactBatch"]
    assert first["userErrors"] == []
    before = batches(gql)
    gql.reset_calls()
    other = (await gql.data(CREATE, {"input": one(**change)}))["createContactBatch"]
    assert other["contactBatch"] is None and other["replayed"] is False
    assert [(e["field"], e["code"]) for e in other["userErrors"]] == [
        (["idempotencyKey"], "CONFLICT")
    ]
    assert ops(gql)["createContactBatch"] == 0
    assert batches(gql) == before


async def test_two_concurrent_tries_with_one_key_make_one_batch(
    gql: GraphQLClient,
) -> None:
    before = batches(gql)
    gql.reset_calls()
    a, b = await asyncio.gather(
        gql.data(CREATE, {"input": one()}), gql.data(CREATE, {"input": one()})
    )
    got = sorted(
        [a["createContactBatch"], b["createContactBatch"]], key=lambda p: p["replayed"]
    )
    assert [p["replayed"] for p in got] == [False, True]
    assert got[0]["contactBatch"]["id"] == got[1]["contactBatch"]["id"]
    assert ops(gql)["createContactBatch"] == 1
    assert batches(gql) == before + 1


async def test_engage_failing_on_a_later_chunk_keeps_the_chunks_that_landed(
    gql: GraphQLClient,
) -> None:
    """A server fault on chunk 2 of 3: chunk 1's and 3's contacts are in the batch and
    say so; chunk 2's carry the vendor's error. Not one GraphQL error that hides what
    landed (a retry with the key then answers this same outcome)."""
    engine = gql.sim(Vendor.ENGAGE).state.engine
    create, calls = engine.createContactBatch, []

    def busy_second(a: dict[str, Any]) -> Any:
        calls.append(a)
        if len(calls) == 2:
            raise Fault("soap:Server", "Service temporarily unavailable")
        return create(a)

    engine.createContactBatch = busy_second
    contacts = [
        {"externalId": str(200000 + i), "phone": f"415555{i:04d}"} for i in range(250)
    ]
    body = await gql.query(CREATE, {"input": one(contacts=contacts)})
    assert "errors" not in body, body["errors"]
    got = body["data"]["createContactBatch"]
    accepted = [o["accepted"] for o in got["outcomes"]]
    assert accepted == [True] * 100 + [False] * 100 + [True] * 50
    assert got["outcomes"][150]["error"]["code"] == "VENDOR_UNAVAILABLE"
    assert got["outcomes"][150]["error"]["field"] == ["contacts", "150"]
    assert got["contactBatch"]["contactCount"] == 150
    again = await gql.data(CREATE, {"input": one(contacts=contacts)})
    assert again["createContactBatch"]["outcomes"] == got["outcomes"]
    assert len(calls) == 3
