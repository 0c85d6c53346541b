"""Interaction mutations and IDs: a payload's interaction has the ID the contact's
history gives the same item (a Relay cache sees one object), and an input ID that
pairs a real token with another contact's account names nothing, as for node(id):
NOT_FOUND on ["interactionId"], nothing written at the vendor."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support import GraphQLClient
from test_interaction_ids import OTHER, OWNER, calls, forged
from test_interaction_writes import DELETE, LOG, cid
from trunkline.domain import Vendor

HISTORY = """query ($a: String, $v: [Vendor!]) { contact(account: $a) {
    interactions(first: 10, filter: { vendors: $v }) { nodes { id subject } } } }"""
QUEUED = """{ queue(media: SMS) { latest(count: 1) {
    communication { id status } } } }"""
ID_ONLY = {
    "updateInteraction": "mutation ($input: UpdateInteractionInput!) { "
    "updateInteraction(input: $input) { interaction { id } userErrors { field code } } }",
    "completeInteraction": "mutation ($input: CompleteInteractionInput!) { "
    "completeInteraction(input: $input) { interaction { id } "
    "userErrors { field code } } }",
    "markInteractionViewed": "mutation ($input: MarkInteractionViewedInput!) { "
    "markInteractionViewed(input: $input) { interaction { id } "
    "userErrors { field code } } }",
}
ACCOUNT = OWNER[Vendor.CRMCOM]  # "100000", a contact with history at every vendor


async def history_ids(gql: GraphQLClient, vendor: Vendor) -> dict[str, str]:
    """subject -> ID, as `contact { interactions }` gives them."""
    data = await gql.data(HISTORY, {"a": ACCOUNT, "v": [vendor.name]})
    return {n["subject"]: n["id"] for n in data["contact"]["interactions"]["nodes"]}


def account_of(node_id: str) -> str | None:
    head = base64.b64decode(node_id).decode().split(":")[1]
    return head.partition("@")[2] or None


LOGS: dict[Vendor, dict[str, Any]] = {
    Vendor.MOXIWORKS: {"body": "Left a voicemail."},
    # dated in the past: the replay reads the moment back by its time, and the
    # embedded simulator's clock starts at midnight, so a moment dated "now" (the
    # gateway's clock) was changed before its own time and `since` passes it by
    Vendor.PROCURIOS: {
        "momentType": "ContactMomentPhone",
        "body": "Stays.",
        "occurredAt": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
    },
    Vendor.CRMCOM: {"channel": "SMS", "body": "See you."},
}


@pytest.mark.parametrize("vendor", list(LOGS))
@pytest.mark.parametrize("key", [None, "same-id"])
async def test_a_logged_interaction_has_its_history_id(
    gql: GraphQLClient, vendor: Vendor, key: str | None
) -> None:
    subject = f"Logged at {vendor.name}"
    given = {"contactId": cid(ACCOUNT), "vendor": vendor.name, "subject": subject}
    variables = {"input": {**given, **LOGS[vendor], "idempotencyKey": key}}
    made = (await gql.data(LOG, variables))["logInteraction"]
    assert made["userErrors"] == []
    node_id = made["interaction"]["id"]
    assert account_of(node_id) == ACCOUNT
    assert (await history_ids(gql, vendor))[subject] == node_id
    if key is not None:  # the recorded outcome, replayed: the same ID again
        again = (await gql.data(LOG, variables))["logInteraction"]
        assert again["interaction"]["id"] == node_id


async def test_crmcom_changes_answer_the_history_id(gql: GraphQLClient) -> None:
    draft = {
        "contactId": cid(ACCOUNT),
        "vendor": "CRMCOM",
        "channel": "EMAIL",
        "subject": "Offer",
        "body": "Draft text",
        "to": "someone@example.com",
        "draft": True,
    }
    made = (await gql.data(LOG, {"input": draft}))["logInteraction"]
    node_id = made["interaction"]["id"]
    for mutation, extra in (
        ("updateInteraction", {"body": "Final"}),
        ("completeInteraction", {}),
        ("markInteractionViewed", {}),
    ):
        variables = {"input": {"interactionId": node_id, **extra}}
        answer = (await gql.data(ID_ONLY[mutation], variables))[mutation]
        assert answer == {"interaction": {"id": node_id}, "userErrors": []}, mutation
        assert (await history_ids(gql, Vendor.CRMCOM))["Offer"] == node_id, mutation


async def test_a_deleted_entry_is_named_by_its_history_id(gql: GraphQLClient) -> None:
    subject, node_id = next(iter((await history_ids(gql, Vendor.MOXIWORKS)).items()))
    answer = (await gql.data(DELETE, {"input": {"interactionId": node_id}}))[
        "deleteInteraction"
    ]
    assert answer == {"deletedInteractionId": node_id, "userErrors": []}
    assert subject not in await history_ids(gql, Vendor.MOXIWORKS)


async def test_an_id_without_a_contact_answers_without_one(gql: GraphQLClient) -> None:
    """A queue entry's `communication` has an ID that names no contact (so has
    `interactions` without a contactId): a mutation takes it, acting on the vendor's
    record alone, and answers the same ID, the one node(id) answers too."""
    data = await gql.data(QUEUED)
    [entry] = data["queue"]["latest"]
    node_id = entry["communication"]["id"]
    assert account_of(node_id) is None and entry["communication"]["status"]
    variables = {"input": {"interactionId": node_id}}
    answer = (await gql.data(ID_ONLY["markInteractionViewed"], variables))[
        "markInteractionViewed"
    ]
    assert answer == {"interaction": {"id": node_id}, "userErrors": []}


# ---- a forged account ------------------------------------------------------------------


def crm_state(gql: GraphQLClient, node_id: str) -> tuple[Any, ...]:
    comm_id = base64.b64decode(node_id).decode().rpartition(":")[2]
    comm = gql.sim(Vendor.CRMCOM).state.store.comms[comm_id]
    return (comm.subject, comm.content, comm.life_cycle_state, comm.viewed_on)


def writes(gql: GraphQLClient, vendor: Vendor) -> list[tuple[str, str]]:
    return [
        (m, p)
        for m, p, _q in gql.calls(vendor)
        if m in ("POST", "PUT", "DELETE") and not p.endswith(("login", "token"))
    ]


@pytest.mark.parametrize(
    ("mutation", "draft", "extra"),
    [
        ("updateInteraction", True, {"body": "Not yours"}),
        ("completeInteraction", True, {}),
        ("markInteractionViewed", False, {}),
    ],
)
async def test_a_forged_account_changes_nothing_at_crmcom(
    gql: GraphQLClient, mutation: str, draft: bool, extra: dict[str, Any]
) -> None:
    """The token is real and the change would succeed with the owner's ID."""
    made = (
        await gql.data(
            LOG,
            {
                "input": {
                    "contactId": cid(ACCOUNT),
                    "vendor": "CRMCOM",
                    "channel": "SMS",
                    "subject": "Mine",
                    "body": "Text",
                    "draft": draft,
                }
            },
        )
    )["logInteraction"]
    node_id = made["interaction"]["id"]
    before = crm_state(gql, node_id)
    gql.reset_calls()
    fake = forged(node_id, OTHER[Vendor.CRMCOM])
    variables = {"input": {"interactionId": fake, **extra}}
    answer = (await gql.data(ID_ONLY[mutation], variables))[mutation]
    assert answer == {
        "interaction": None,
        "userErrors": [{"field": ["interactionId"], "code": "NOT_FOUND"}],
    }
    assert crm_state(gql, node_id) == before
    assert [p for _m, p in writes(gql, Vendor.CRMCOM) if "/communications/" in p] == []
    # the owner's own ID still works
    answer = (
        await gql.data(
            ID_ONLY[mutation], {"input": {"interactionId": node_id, **extra}}
        )
    )[mutation]
    assert answer == {"interaction": {"id": node_id}, "userErrors": []}
    assert crm_state(gql, node_id) != before


async def test_a_forged_account_deletes_nothing_at_moxiworks(
    gql: GraphQLClient,
) -> None:
    subject, node_id = next(iter((await history_ids(gql, Vendor.MOXIWORKS)).items()))
    count = len(gql.sim(Vendor.MOXIWORKS).state.store.by_id)
    gql.reset_calls()
    fake = forged(node_id, OTHER[Vendor.MOXIWORKS])
    answer = (await gql.data(DELETE, {"input": {"interactionId": fake}}))[
        "deleteInteraction"
    ]
    assert answer == {
        "deletedInteractionId": None,
        "userErrors": [{"field": ["interactionId"], "code": "NOT_FOUND"}],
    }
    assert writes(gql, Vendor.MOXIWORKS) == []
    assert len(gql.sim(Vendor.MOXIWORKS).state.store.by_id) == count
    assert subject in await history_ids(gql, Vendor.MOXIWORKS)


# ---- vendor calls ---------------------------------------------------------------------

# Vendor calls of each interaction mutation with an ID from the contact's history (a
# logInteraction for that contact), logins excluded. The ID's contact is checked
# before the write as node(id) checks it: the item's read at its vendor, plus the
# LiveVox search where the vendor's rule reads a custom field (CRM.COM COL6); the
# payload's read-back shares that search. logInteraction: the contact's search, the
# write (the Procurios type schema is kept, read by the warm-up).
WRITE_CALLS: dict[str, dict[str, int]] = {
    "logInteraction MOXIWORKS": {"LIVEVOX": 1, "MOXIWORKS": 1},
    "logInteraction PROCURIOS": {"LIVEVOX": 1, "PROCURIOS": 1},
    "logInteraction CRMCOM": {"LIVEVOX": 1, "CRMCOM": 1},
    "updateInteraction": {"LIVEVOX": 1, "CRMCOM": 3},
    "completeInteraction": {"LIVEVOX": 1, "CRMCOM": 3},
    "markInteractionViewed": {"LIVEVOX": 1, "CRMCOM": 3},
    "deleteInteraction": {"MOXIWORKS": 2},
    # an ID that names no contact: the write and the read-back
    "markInteractionViewed without a contact": {"CRMCOM": 2},
}


async def test_interaction_mutation_vendor_calls(gql: GraphQLClient) -> None:
    seen: dict[str, dict[str, int]] = {}
    for vendor, extra in LOGS.items():
        given = {"contactId": cid(ACCOUNT), "vendor": vendor.name, **extra}
        await gql.data(LOG, {"input": {**given, "subject": "Warm-up"}})
        gql.reset_calls()
        made = await gql.data(LOG, {"input": {**given, "subject": "Counted"}})
        assert made["logInteraction"]["userErrors"] == []
        seen[f"logInteraction {vendor.name}"] = calls(gql)
    draft = {
        "contactId": cid(ACCOUNT),
        "vendor": "CRMCOM",
        "channel": "SMS",
        "subject": "Counted draft",
        "body": "Text",
        "draft": True,
    }
    node_id = (await gql.data(LOG, {"input": draft}))["logInteraction"]["interaction"][
        "id"
    ]
    for mutation, more in (
        ("updateInteraction", {"body": "Final"}),
        ("completeInteraction", {}),
        ("markInteractionViewed", {}),
    ):
        gql.reset_calls()
        variables = {"input": {"interactionId": node_id, **more}}
        answer = (await gql.data(ID_ONLY[mutation], variables))[mutation]
        assert answer["userErrors"] == []
        seen[mutation] = calls(gql)
    [entry] = (await gql.data(QUEUED))["queue"]["latest"]
    gql.reset_calls()
    variables = {"input": {"interactionId": entry["communication"]["id"]}}
    answer = (await gql.data(ID_ONLY["markInteractionViewed"], variables))[
        "markInteractionViewed"
    ]
    assert answer["userErrors"] == []
    seen["markInteractionViewed without a contact"] = calls(gql)
    _subject, node_id = next(iter((await history_ids(gql, Vendor.MOXIWORKS)).items()))
    gql.reset_calls()
    gone = await gql.data(DELETE, {"input": {"interactionId": node_id}})
    assert gone["deleteInteraction"]["userErrors"] == []
    seen["deleteInteraction"] = calls(gql)
    assert seen == WRITE_CALLS


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("crmcom:not a communication id", "BAD_USER_INPUT"),
        (f"crmcom@{ACCOUNT}:{'F' * 32}/../x", "BAD_USER_INPUT"),
        (f"crmcom@:{'F' * 32}", "NOT_FOUND"),
        (f"crmcom@{ACCOUNT}:{'F' * 32}", "NOT_FOUND"),
    ],
)
async def test_a_misshapen_or_unknown_id_reaches_no_vendor_write(
    gql: GraphQLClient, key: str, code: str
) -> None:
    """A token is checked as node(id) checks it before anything is sent."""
    node_id = base64.b64encode(f"Interaction:{key}".encode()).decode()
    gql.reset_calls()
    variables = {"input": {"interactionId": node_id}}
    answer = (await gql.data(ID_ONLY["completeInteraction"], variables))[
        "completeInteraction"
    ]
    assert answer == {
        "interaction": None,
        "userErrors": [{"field": ["interactionId"], "code": code}],
    }
    assert writes(gql, Vendor.CRMCOM) == []
