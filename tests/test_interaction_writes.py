"""logInteraction and deleteInteraction: checked before sending, exactly once."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor

LOG = """
mutation Log($input: LogInteractionInput!) {
  logInteraction(input: $input) {
    interaction { id subject body source { vendor } contact { account } }
    clientMutationId
    userErrors { field message code }
  }
}"""

DELETE = """
mutation Del($input: DeleteInteractionInput!) {
  deleteInteraction(input: $input) { deletedInteractionId userErrors { field code } }
}"""


def cid(account: str) -> str:
    return base64.b64encode(f"Contact:{account}".encode()).decode()


def posts(gql: GraphQLClient, vendor: Vendor) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _q in gql.calls(vendor) if m in ("POST", "DELETE")]


def moxi_count(gql: GraphQLClient) -> int:
    return len(gql.sim(Vendor.MOXIWORKS).state.store.by_id)


def moments(gql: GraphQLClient) -> int:
    return len(gql.sim(Vendor.PROCURIOS).state.store.moments)


async def test_log_at_moxiworks_once_then_delete(gql: GraphQLClient) -> None:
    before = moxi_count(gql)
    variables = {
        "input": {
            "contactId": cid("100000"),
            "vendor": "MOXIWORKS",
            "subject": "Called back",
            "body": "Left a voicemail.",
            "agentAction": "call",
            "idempotencyKey": "log-1",
        }
    }
    gql.reset_calls()
    first = (await gql.data(LOG, variables))["logInteraction"]
    assert first["userErrors"] == []
    item = first["interaction"]
    assert (item["subject"], item["body"]) == ("Called back", "Left a voicemail.")
    assert item["source"]["vendor"] == "MOXIWORKS"
    assert item["contact"] == {"account": "100000"}
    assert moxi_count(gql) == before + 1
    gql.reset_calls()
    again = (await gql.data(LOG, variables))["logInteraction"]
    assert again == first
    assert posts(gql, Vendor.MOXIWORKS) == []
    assert moxi_count(gql) == before + 1

    gone = (await gql.data(DELETE, {"input": {"interactionId": item["id"]}}))[
        "deleteInteraction"
    ]
    assert gone == {"deletedInteractionId": item["id"], "userErrors": []}
    assert moxi_count(gql) == before
    twice = (await gql.data(DELETE, {"input": {"interactionId": item["id"]}}))[
        "deleteInteraction"
    ]
    assert twice["userErrors"] == [{"field": ["interactionId"], "code": "NOT_FOUND"}]


async def test_log_a_procurios_moment(gql: GraphQLClient) -> None:
    before = moments(gql)
    variables = {
        "input": {
            "contactId": cid("100000"),
            "vendor": "PROCURIOS",
            "momentType": "ContactMomentPhone",
            "subject": "Retention call",
            "body": "Stays a member.",
            "reference": "ref-1",
        }
    }
    answer = (await gql.data(LOG, variables))["logInteraction"]
    assert answer["userErrors"] == []
    assert answer["interaction"]["subject"] == "Retention call"
    assert answer["interaction"]["source"]["vendor"] == "PROCURIOS"
    assert moments(gql) == before + 1


LONG = "x" * 5000
BAD: list[tuple[dict[str, Any], list[str] | None, str]] = [
    ({"vendor": "MOXIWORKS", "subject": "t", "body": ""}, ["body"], "BAD_USER_INPUT"),
    ({"vendor": "MOXIWORKS", "subject": "t", "body": LONG}, ["body"], "BAD_USER_INPUT"),
    ({"vendor": "MOXIWORKS", "subject": "t"}, ["body"], "BAD_USER_INPUT"),
    (
        {"vendor": "MOXIWORKS", "subject": " ", "body": "b"},
        ["subject"],
        "BAD_USER_INPUT",
    ),
    (
        {"vendor": "MOXIWORKS", "subject": "t", "body": "b", "momentType": "X"},
        ["momentType"],
        "BAD_USER_INPUT",
    ),
    ({"vendor": "PROCURIOS", "subject": "t"}, ["momentType"], "BAD_USER_INPUT"),
    (
        {"vendor": "PROCURIOS", "subject": "t", "momentType": "NoSuchType"},
        ["momentType"],
        "NOT_FOUND",
    ),
    (
        {
            "vendor": "PROCURIOS",
            "subject": "t",
            "momentType": "ContactMomentPhone",
            "reference": "r" * 300,
        },
        ["reference"],
        "BAD_USER_INPUT",
    ),
    (
        {
            "vendor": "PROCURIOS",
            "subject": "t",
            "momentType": "ContactMomentEmail",
            "body": "b",
        },
        ["body"],
        "BAD_USER_INPUT",
    ),
    (
        {
            "vendor": "PROCURIOS",
            "subject": "t",
            "momentType": "ContactMomentPhone",
            "agentAction": "call",
        },
        ["agentAction"],
        "BAD_USER_INPUT",
    ),
    ({"vendor": "CRMCOM", "subject": "t", "body": "b"}, ["channel"], "BAD_USER_INPUT"),
    (
        {
            "contactId": cid("999999999"),
            "vendor": "MOXIWORKS",
            "subject": "t",
            "body": "b",
        },
        ["contactId"],
        "NOT_FOUND",
    ),
    (
        {"contactId": "nonsense", "vendor": "MOXIWORKS", "subject": "t", "body": "b"},
        ["contactId"],
        "BAD_USER_INPUT",
    ),
]


@pytest.mark.parametrize(
    ("given", "field", "code"), BAD, ids=[str(n) for n in range(len(BAD))]
)
async def test_bad_interaction_input_writes_nothing(
    gql: GraphQLClient, given: dict[str, Any], field: list[str] | None, code: str
) -> None:
    before = (moxi_count(gql), moments(gql))
    gql.reset_calls()
    answer = (await gql.data(LOG, {"input": {"contactId": cid("100000"), **given}}))[
        "logInteraction"
    ]
    errors = answer["userErrors"]
    assert [(e["field"], e["code"]) for e in errors][:1] == [(field, code)], errors
    assert answer["interaction"] is None
    assert (moxi_count(gql), moments(gql)) == before
    assert posts(gql, Vendor.MOXIWORKS) == [] and posts(gql, Vendor.PROCURIOS) == []


UPDATE = """
mutation Up($input: UpdateInteractionInput!) {
  updateInteraction(input: $input) {
    interaction { subject body status } userErrors { field message code }
  }
}"""
COMPLETE = """
mutation Done($input: CompleteInteractionInput!) {
  completeInteraction(input: $input) {
    interaction { status } userErrors { field message code }
  }
}"""
VIEWED = """
mutation Viewed($input: MarkInteractionViewedInput!) {
  markInteractionViewed(input: $input) {
    interaction { detail { ... on CrmcomCommunicationDetail { viewedOn } } }
    userErrors { field message code }
  }
}"""


def comms(gql: GraphQLClient) -> int:
    return sum(len(v) for v in gql.sim(Vendor.CRMCOM).state.store.by_contact.values())


async def test_crmcom_draft_update_complete_view(gql: GraphQLClient) -> None:
    before = comms(gql)
    draft = {
        "contactId": cid("100000"),
        "vendor": "CRMCOM",
        "channel": "EMAIL",
        "subject": "Offer",
        "body": "Draft text",
        "to": "someone@example.com",
        "draft": True,
    }
    made = (await gql.data(LOG, {"input": draft}))["logInteraction"]
    assert made["userErrors"] == [] and comms(gql) == before + 1
    node = made["interaction"]["id"]
    early = (await gql.data(VIEWED, {"input": {"interactionId": node}}))[
        "markInteractionViewed"
    ]
    assert [(e["field"], e["code"]) for e in early["userErrors"]] == [
        (["interactionId"], "CONFLICT")
    ]
    up = (await gql.data(UPDATE, {"input": {"interactionId": node, "body": "Final"}}))[
        "updateInteraction"
    ]
    assert up["userErrors"] == [] and up["interaction"]["body"] == "Final"
    done = (await gql.data(COMPLETE, {"input": {"interactionId": node}}))[
        "completeInteraction"
    ]
    assert done["userErrors"] == []
    again = (await gql.data(UPDATE, {"input": {"interactionId": node, "body": "X"}}))[
        "updateInteraction"
    ]
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [
        (["interactionId"], "CONFLICT")
    ]
    seen = (await gql.data(VIEWED, {"input": {"interactionId": node}}))[
        "markInteractionViewed"
    ]
    assert seen["userErrors"] == []
    comm_id = base64.b64decode(node).decode().rpartition(":")[2]
    assert gql.sim(Vendor.CRMCOM).state.store.comms[comm_id].viewed_on is not None


CRM_BAD: list[tuple[dict[str, Any], list[str] | None, str]] = [
    (
        {"vendor": "CRMCOM", "subject": "s", "body": "b", "channel": "EMAIL"},
        ["to"],
        "BAD_USER_INPUT",
    ),
    (
        {"vendor": "CRMCOM", "subject": "s", "body": "b", "channel": "NOTE"},
        ["channel"],
        "BAD_USER_INPUT",
    ),
    (
        {"vendor": "CRMCOM", "subject": "s", "channel": "SMS"},
        ["body"],
        "BAD_USER_INPUT",
    ),
    ({"vendor": "CRMCOM", "subject": "s", "body": "b"}, ["channel"], "BAD_USER_INPUT"),
    (
        {
            "vendor": "CRMCOM",
            "subject": "s",
            "body": "b",
            "channel": "SMS",
            "momentType": "X",
        },
        ["momentType"],
        "BAD_USER_INPUT",
    ),
]


@pytest.mark.parametrize(
    ("given", "field", "code"), CRM_BAD, ids=[str(n) for n in range(len(CRM_BAD))]
)
async def test_bad_communication_input_writes_nothing(
    gql: GraphQLClient, given: dict[str, Any], field: list[str] | None, code: str
) -> None:
    before = comms(gql)
    gql.reset_calls()
    answer = (await gql.data(LOG, {"input": {"contactId": cid("100000"), **given}}))[
        "logInteraction"
    ]
    errors = answer["userErrors"]
    assert [(e["field"], e["code"]) for e in errors][:1] == [(field, code)], errors
    assert comms(gql) == before
    assert [c for c in gql.calls(Vendor.CRMCOM) if c[1].endswith("/create")] == []


async def test_a_crash_before_the_record_is_resolved_by_reading(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry landed at MoxiWorks, then the gateway died before recording it: the
    next try with the key finds the entry by reading, and writes nothing."""
    once = gql.app.state.gateway.idempotency
    real_save = type(once).save

    async def crash_on_done(self: Any, key: str, outcome: Any, state: str) -> None:
        if state == "done":
            raise RuntimeError("the process died here")
        await real_save(self, key, outcome, state)

    monkeypatch.setattr(type(once), "save", crash_on_done)
    variables = {
        "input": {
            "contactId": cid("100001"),
            "vendor": "MOXIWORKS",
            "subject": "Visit",
            "body": "Came by the office.",
            "idempotencyKey": "crash-log",
        }
    }
    before = moxi_count(gql)
    crashed = await gql.query(LOG, variables)
    assert crashed["errors"] and moxi_count(gql) == before + 1
    monkeypatch.setattr(type(once), "save", real_save)
    monkeypatch.setattr(once, "lease_s", 0.0)  # the dead claimant's lease ran out
    gql.reset_calls()
    answer = (await gql.data(LOG, variables))["logInteraction"]
    assert answer["userErrors"] == []
    assert answer["interaction"]["subject"] == "Visit"
    assert posts(gql, Vendor.MOXIWORKS) == []
    assert moxi_count(gql) == before + 1
    assert (await once.get("crash-log"))[0] == "done"
