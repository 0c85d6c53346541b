"""userErrors name the input field at fault whenever one field is (the mutation
convention); messages are whole sentences."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor

ERR = "userErrors { field message code }"

CASES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    (
        "createContact",
        f"mutation($i: CreateContactInput!) {{ createContact(input: $i) {{ {ERR} }} }}",
        {"contact": {"account": "990001"}, "idempotencyKey": ""},
        ["idempotencyKey"],
    ),
    (
        "createContactGroup",
        "mutation($i: CreateContactGroupInput!) "
        f"{{ createContactGroup(input: $i) {{ {ERR} }} }}",
        {"name": "g", "idempotencyKey": "   "},
        ["idempotencyKey"],
    ),
    (
        "bulkUpdateDnd",
        f"mutation($i: BulkUpdateDndInput!) {{ bulkUpdateDnd(input: $i) {{ {ERR} }} }}",
        {"items": []},
        ["items"],
    ),
    (
        "bulkUpdateContacts",
        "mutation($i: BulkUpdateContactsInput!) "
        f"{{ bulkUpdateContacts(input: $i) {{ {ERR} }} }}",
        {"items": []},
        ["items"],
    ),
    (
        "bulkCreateContacts",
        "mutation($i: BulkCreateContactsInput!) "
        f"{{ bulkCreateContacts(input: $i) {{ {ERR} }} }}",
        {"contacts": []},
        ["contacts"],
    ),
    (
        "logInteraction",
        f"mutation($i: LogInteractionInput!) {{ logInteraction(input: $i) {{ {ERR} }} }}",
        {
            "contactId": base64.b64encode(b"Contact:100001").decode(),
            "subject": "s",
            "idempotencyKey": "",
        },
        ["idempotencyKey"],
    ),
]


@pytest.mark.parametrize(
    ("name", "query", "value", "field"), CASES, ids=[c[0] for c in CASES]
)
async def test_a_bad_input_field_is_named_in_user_errors(
    gql: GraphQLClient, name: str, query: str, value: dict[str, Any], field: list[str]
) -> None:
    gql.reset_calls()
    body = await gql.query(query, {"i": value})
    assert "errors" not in body, body
    errors = body["data"][name]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, "BAD_USER_INPUT")]
    for vendor in Vendor:
        assert gql.calls(vendor) == [], vendor


async def test_a_batch_over_the_cap_names_contacts(gql: GraphQLClient) -> None:
    q = (
        "mutation($i: CreateContactBatchInput!) "
        f"{{ createContactBatch(input: $i) {{ {ERR} }} }}"
    )
    contacts = [{"externalId": f"X{n}", "phone": "6175550100"} for n in range(10_001)]
    body = await gql.query(q, {"i": {"contacts": contacts, "idempotencyKey": "k1"}})
    errors = body["data"]["createContactBatch"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["contacts"], "BAD_USER_INPUT")
    ]


@pytest.mark.parametrize(
    ("mutation", "verb"),
    [
        ("updateInteraction", "updated"),
        ("completeInteraction", "completed"),
        ("markInteractionViewed", "marked viewed"),
    ],
)
async def test_a_wrong_vendor_interaction_says_what_cannot_be_done(
    gql: GraphQLClient, mutation: str, verb: str
) -> None:
    upper = mutation[0].upper() + mutation[1:]
    extra = ' subject: "s"' if mutation == "updateInteraction" else ""
    q = (
        f"mutation($id: ID!) {{ {mutation}(input: {{ interactionId: $id{extra} }}) "
        f"{{ {ERR} }} }}"
    )
    assert upper  # the input type is named after the mutation
    iid = base64.b64encode(b"Interaction:procurios:12345").decode()
    body = await gql.query(q, {"id": iid})
    errors = body["data"][mutation]["userErrors"]
    assert errors == [
        {
            "field": ["interactionId"],
            "message": f"Only CRM.COM communications can be {verb}.",
            "code": "BAD_USER_INPUT",
        }
    ]
