"""Contact writes: checked input, exactly once, per-item truth for bulks, resumption."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.store.idempotency import input_hash

CREATE = """
mutation Create($input: CreateContactInput!) {
  createContact(input: $input) {
    contact { id account firstName emails phones { number } groups { id } }
    clientMutationId
    userErrors { field message code }
  }
}"""

BULK = """
mutation Bulk($input: BulkCreateContactsInput!) {
  bulkCreateContacts(input: $input) {
    results { index account status error { field message code } }
    created complete clientMutationId userErrors { field message code }
  }
}"""

UPDATE = """
mutation Update($input: UpdateContactInput!) {
  updateContact(input: $input) {
    contact { account firstName city emails }
    userErrors { field message code }
  }
}"""

DELETE = """
mutation Delete($input: DeleteContactInput!) {
  deleteContact(input: $input) { deletedContactId userErrors { field message code } }
}"""

DND = """
mutation Dnd($input: UpdateContactDndInput!) {
  updateContactDnd(input: $input) {
    contact { phones { number block dnd } }
    userErrors { field message code }
  }
}"""

GROUP = """
mutation Group($input: CreateContactGroupInput!) {
  createContactGroup(input: $input) { group { id name } userErrors { field message code } }
}"""

RENAME = """
mutation Rename($input: RenameContactGroupInput!) {
  renameContactGroup(input: $input) { group { id name } userErrors { field message code } }
}"""

LABELS = """
mutation Labels($input: UpdateCustomFieldLabelsInput!) {
  updateCustomFieldLabels(input: $input) {
    labels { field label } userErrors { field message code }
  }
}"""


def cid(account: str) -> str:
    import base64

    return base64.b64encode(f"Contact:{account}".encode()).decode()


def store(gql: GraphQLClient) -> Any:
    return gql.sim(Vendor.LIVEVOX).state.store


def writes(gql: GraphQLClient) -> list[tuple[str, str]]:
    """The vendor calls that could change data (not logins, reads or searches)."""
    return [
        (m, p)
        for m, p, _q in gql.calls(Vendor.LIVEVOX)
        if m != "GET" and not p.endswith(("/search", "/session/login"))
    ]


def searches(gql: GraphQLClient) -> int:
    return sum(p.endswith("/search") for _m, p, _q in gql.calls(Vendor.LIVEVOX))


def new_contact(account: str, **more: Any) -> dict[str, Any]:
    return {"account": account, "firstName": "Ada", "lastName": "Lovelace", **more}


async def test_create_contact_once_per_key(gql: GraphQLClient) -> None:
    variables = {
        "input": {
            "contact": new_contact(
                "W-1",
                email="ada@example.com",
                phones=[{"number": "(650) 351-7500", "smsConsent": True}],
                groupId="2202",
            ),
            "clientMutationId": "m1",
            "idempotencyKey": "k-create-1",
        }
    }
    gql.reset_calls()
    first = (await gql.data(CREATE, variables))["createContact"]
    assert first["userErrors"] == []
    assert first["clientMutationId"] == "m1"
    assert first["contact"]["account"] == "W-1"
    assert first["contact"]["emails"] == ["ada@example.com"]
    assert first["contact"]["phones"] == [{"number": "6503517500"}]
    assert first["contact"]["groups"] == [{"id": "2202"}]
    assert writes(gql) == [("POST", "/contact/contacts")]

    gql.reset_calls()
    again = (await gql.data(CREATE, variables))["createContact"]
    assert again == first
    assert writes(gql) == []  # the recorded result, no second create
    assert "W-1" in store(gql).contacts

    other = {"input": {**variables["input"], "contact": new_contact("W-2")}}
    clash = (await gql.data(CREATE, other))["createContact"]
    assert clash["contact"] is None
    assert clash["userErrors"] == [
        {
            "field": ["idempotencyKey"],
            "message": "idempotencyKey was already used with a different input or "
            "operation.",
            "code": "CONFLICT",
        }
    ]
    assert "W-2" not in store(gql).contacts


async def test_concurrent_creates_with_one_key_make_one_call(
    gql: GraphQLClient,
) -> None:
    variables = {"input": {"contact": new_contact("W-3"), "idempotencyKey": "k-c"}}
    gql.reset_calls()
    answers = await asyncio.gather(*(gql.data(CREATE, variables) for _ in range(5)))
    accounts = {a["createContact"]["contact"]["account"] for a in answers}
    assert accounts == {"W-3"}
    assert writes(gql) == [("POST", "/contact/contacts")]
    assert sum(a == "W-3" for a in store(gql).accounts) == 1


async def test_duplicate_create_is_a_conflict_naming_the_account(
    gql: GraphQLClient,
) -> None:
    before = len(store(gql).contacts)
    answer = (await gql.data(CREATE, {"input": {"contact": new_contact("100000")}}))[
        "createContact"
    ]
    assert answer["contact"] is None
    assert answer["userErrors"] == [
        {
            "field": ["contact", "account"],
            "message": "A contact with account '100000' already exists at LiveVox.",
            "code": "CONFLICT",
        }
    ]
    assert len(store(gql).contacts) == before
    assert store(gql).contacts["100000"].record["person"]["firstName"] != "Ada"


async def test_crash_after_the_vendor_answered_is_resolved_by_reading(
    gql: GraphQLClient,
) -> None:
    """A pending record left by a crashed try: the next try reads the account back
    and records it, without a second create."""
    once = gql.app.state.gateway.idempotency
    contact = new_contact("W-4")
    store(gql).create({"account": "W-4"})  # the create landed, then the crash
    await _pending(once, "k-crash", contact)
    gql.reset_calls()
    answer = (
        await gql.data(
            CREATE, {"input": {"contact": contact, "idempotencyKey": "k-crash"}}
        )
    )["createContact"]
    assert answer["userErrors"] == []
    assert answer["contact"]["account"] == "W-4"
    assert writes(gql) == []
    assert (await once.get("k-crash"))[0] == "done"


async def _pending(once: Any, key: str, contact: dict[str, Any]) -> None:
    """A pending record as a crashed claimant leaves it (its lease run out)."""
    raw = {
        "account": contact["account"],
        "first_name": contact.get("firstName"),
        "last_name": contact.get("lastName"),
        **{
            k: None
            for k in [
                "email",
                "phones",
                "group_id",
                "address1",
                "address2",
                "city",
                "state",
                "postal_code",
                "country",
                "balance",
                "due_date",
                "date_of_birth",
                "active",
                "custom_fields",
            ]
        },
    }
    db = await once._conn()
    await db.execute(
        "INSERT INTO idempotency_records VALUES (?, ?, ?, 'pending', NULL, ?, ?)",
        (
            key,
            "createContact",
            input_hash("createContact", raw),
            "gone",
            time.time() - 3600,
        ),
    )
    await db.commit()


def _bulk_items(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "account": f"B{start + i:05d}",
            "firstName": f"F{i}",
            "phones": [{"number": f"650{i:07d}"}],
        }
        for i in range(n)
    ]


async def test_bulk_create_2500_with_a_failed_chunk_then_resumed(
    gql: GraphQLClient,
) -> None:
    sim = gql.sim(Vendor.LIVEVOX)
    before = len(store(gql).contacts)
    items = _bulk_items(2500)
    items[10]["account"] = "100001"  # exists already
    items[20]["phones"] = [{"number": "12"}]  # invalid
    items[30]["account"] = items[31]["account"]  # a duplicate within the bulk
    sim.state.knobs.fail_bulk_call = 3  # the third bulk call answers 500
    variables = {"input": {"contacts": items, "idempotencyKey": "bulk-1"}}
    gql.reset_calls()
    first = (await gql.data(BULK, variables))["bulkCreateContacts"]
    statuses = [r["status"] for r in first["results"]]
    assert statuses[10] == "ALREADY_EXISTS"
    assert first["results"][10]["error"]["code"] == "CONFLICT"
    assert statuses[20] == "INVALID"
    assert first["results"][20]["error"]["field"] == [
        "contacts",
        "20",
        "phones",
        "0",
        "number",
    ]
    assert statuses[31] == "INVALID" and statuses[30] == "CREATED"
    assert first["results"][31]["error"]["code"] == "CONFLICT"
    # 2,497 valid items in chunks of 500: chunks 1-2 landed, chunk 3 failed
    sent = [n for n in range(2500) if statuses[n] not in ("INVALID", "ALREADY_EXISTS")]
    assert all(statuses[n] == "CREATED" for n in sent[:999])
    failed = [n for n in sent if statuses[n] == "FAILED"]
    assert len(failed) == 500 and failed == sent[999:1499]
    assert first["results"][failed[0]]["error"]["code"] == "VENDOR_UNAVAILABLE"
    assert all(statuses[n] == "NOT_ATTEMPTED" for n in sent[1499:])
    assert first["created"] == 999 and first["complete"] is False
    assert len(store(gql).contacts) == before + 999
    # 3 bulk calls; searches: chunks 1-2's pre-check, then each landed chunk's
    # read-back with the pre-check of the chunk after next (beside the next create)
    assert [c for c in writes(gql)] == [("POST", "/contact/contacts/bulk")] * 3
    assert searches(gql) == 3

    gql.reset_calls()
    second = (await gql.data(BULK, variables))["bulkCreateContacts"]
    statuses2 = [r["status"] for r in second["results"]]
    assert second["complete"] is True
    assert all(statuses2[n] == "CREATED" for n in sent)
    assert statuses2[10] == "ALREADY_EXISTS" and statuses2[20] == "INVALID"
    assert len(store(gql).contacts) == before + len(sent)
    assert len(set(store(gql).accounts)) == len(store(gql).accounts)
    # only what was left: 1,498 items in 3 chunks; read back: the failed chunk
    # first, then their 2,996 lookups (a pre-check and a read-back each) in 3
    assert writes(gql) == [("POST", "/contact/contacts/bulk")] * 3
    assert searches(gql) == 1 + 3

    gql.reset_calls()
    third = (await gql.data(BULK, variables))["bulkCreateContacts"]
    assert third == second and gql.calls(Vendor.LIVEVOX) == []


async def test_update_delete_dnd_groups_labels(gql: GraphQLClient) -> None:
    up = (
        await gql.data(
            UPDATE,
            {
                "input": {
                    "contactId": cid("100002"),
                    "firstName": "Grace",
                    "city": "Paris",
                }
            },
        )
    )["updateContact"]
    assert up["userErrors"] == []
    assert up["contact"]["firstName"] == "Grace" and up["contact"]["city"] == "Paris"
    assert store(gql).contacts["100002"].record["person"]["firstName"] == "Grace"

    number = store(gql).contacts["100003"].record["phone"][0]["phone"]
    dnd = (
        await gql.data(
            DND,
            {
                "input": {
                    "contactId": cid("100003"),
                    "phones": [{"number": number, "block": "PERMANENT"}],
                    "accountBlock": "DAILY",
                }
            },
        )
    )["updateContactDnd"]
    assert dnd["userErrors"] == []
    assert dnd["contact"]["phones"][0] == {
        "number": number,
        "block": "PERMANENT",
        "dnd": True,
    }
    assert store(gql).contacts["100003"].record["accountBlock"] == "DAILY"

    gone = (await gql.data(DELETE, {"input": {"contactId": cid("100004")}}))[
        "deleteContact"
    ]
    assert gone == {"deletedContactId": cid("100004"), "userErrors": []}
    assert "100004" not in store(gql).contacts

    g = (await gql.data(GROUP, {"input": {"name": "Writers", "idempotencyKey": "g1"}}))[
        "createContactGroup"
    ]
    again = (
        await gql.data(GROUP, {"input": {"name": "Writers", "idempotencyKey": "g1"}})
    )["createContactGroup"]
    assert again == g and g["group"]["name"] == "Writers"
    assert sum(x["name"] == "Writers" for x in store(gql).groups.values()) == 1
    r = (
        await gql.data(RENAME, {"input": {"id": g["group"]["id"], "name": "Writers+"}})
    )["renameContactGroup"]
    assert r["group"] == {"id": g["group"]["id"], "name": "Writers+"}
    assert store(gql).groups[int(g["group"]["id"])]["name"] == "Writers+"

    lab = (
        await gql.data(
            LABELS, {"input": {"labels": [{"field": "COL2", "label": "Tier two"}]}}
        )
    )["updateCustomFieldLabels"]
    assert lab == {"labels": [{"field": "COL2", "label": "Tier two"}], "userErrors": []}
    assert store(gql).custom_fields["COL2"]["label"] == "Tier two"


LONG = "x" * 5000
BAD: list[tuple[str, str, dict[str, Any], list[str] | None, str]] = [
    # (mutation, name, input, field, code)
    (
        CREATE,
        "createContact",
        {"contact": new_contact("")},
        ["contact", "account"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("a b")},
        ["contact", "account"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("A" * 51)},
        ["contact", "account"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", firstName="")},
        ["contact", "firstName"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", lastName=LONG)},
        ["contact", "lastName"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", email="not-mail")},
        ["contact", "email"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", email="   ")},
        ["contact", "email"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", phones=[{"number": "123"}])},
        ["contact", "phones", "0", "number"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", phones=[{"number": "650-351-75OO"}])},
        ["contact", "phones", "0", "number"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {
            "contact": new_contact(
                "X1", phones=[{"number": "6503517500"}, {"number": "650 351 7500"}]
            )
        },
        ["contact", "phones", "1", "number"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {
            "contact": new_contact(
                "X1", phones=[{"number": f"65035175{i:02d}"} for i in range(11)]
            )
        },
        ["contact", "phones"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", groupId="999999")},
        ["contact", "groupId"],
        "NOT_FOUND",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", groupId="abc")},
        ["contact", "groupId"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {
            "contact": new_contact(
                "X1", customFields=[{"field": "COL999", "value": "1"}]
            )
        },
        ["contact", "customFields", "0", "field"],
        "NOT_FOUND",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", customFields=[{"field": "tier", "value": "1"}])},
        ["contact", "customFields", "0", "field"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", customFields=[{"field": "COL1", "value": LONG}])},
        ["contact", "customFields", "0", "value"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", dateOfBirth="2999-01-01")},
        ["contact", "dateOfBirth"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", city=LONG)},
        ["contact", "city"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1", postalCode="")},
        ["contact", "postalCode"],
        "BAD_USER_INPUT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("100005")},
        ["contact", "account"],
        "CONFLICT",
    ),
    (
        CREATE,
        "createContact",
        {"contact": new_contact("X1"), "idempotencyKey": ""},
        ["idempotencyKey"],
        "BAD_USER_INPUT",
    ),
    (BULK, "bulkCreateContacts", {"contacts": []}, ["contacts"], "BAD_USER_INPUT"),
    (
        UPDATE,
        "updateContact",
        {"contactId": cid("999999999"), "firstName": "Z"},
        ["contactId"],
        "NOT_FOUND",
    ),
    (
        UPDATE,
        "updateContact",
        {"contactId": "garbage", "firstName": "Z"},
        ["contactId"],
        "BAD_USER_INPUT",
    ),
    (
        UPDATE,
        "updateContact",
        {"contactId": cid("100006"), "email": "x@"},
        ["email"],
        "BAD_USER_INPUT",
    ),
    (
        UPDATE,
        "updateContact",
        {"contactId": cid("100006"), "phones": [{"number": ""}]},
        ["phones", "0", "number"],
        "BAD_USER_INPUT",
    ),
    (
        UPDATE,
        "updateContact",
        {"contactId": cid("100006"), "groupId": "424242"},
        ["groupId"],
        "NOT_FOUND",
    ),
    (UPDATE, "updateContact", {"contactId": cid("100006")}, None, "BAD_USER_INPUT"),
    (
        DELETE,
        "deleteContact",
        {"contactId": cid("999999998")},
        ["contactId"],
        "NOT_FOUND",
    ),
    (
        DND,
        "updateContactDnd",
        {"contactId": cid("100006"), "accountBlock": "SOMETIMES"},
        ["accountBlock"],
        "BAD_USER_INPUT",
    ),
    (
        DND,
        "updateContactDnd",
        {
            "contactId": cid("100006"),
            "phones": [{"number": "9999999999", "block": "DAILY"}],
        },
        ["phones", "0", "number"],
        "NOT_FOUND",
    ),
    (DND, "updateContactDnd", {"contactId": cid("100006")}, None, "BAD_USER_INPUT"),
    (
        DND,
        "updateContactDnd",
        {"contactId": cid("999999997"), "accountBlock": "DAILY"},
        ["contactId"],
        "NOT_FOUND",
    ),
    (GROUP, "createContactGroup", {"name": ""}, ["name"], "BAD_USER_INPUT"),
    (GROUP, "createContactGroup", {"name": LONG}, ["name"], "BAD_USER_INPUT"),
    (RENAME, "renameContactGroup", {"id": "77777", "name": "x"}, ["id"], "NOT_FOUND"),
    (
        RENAME,
        "renameContactGroup",
        {"id": "2202", "name": " "},
        ["name"],
        "BAD_USER_INPUT",
    ),
    (
        LABELS,
        "updateCustomFieldLabels",
        {"labels": [{"field": "COL99", "label": "x"}]},
        ["labels", "0", "field"],
        "NOT_FOUND",
    ),
    (
        LABELS,
        "updateCustomFieldLabels",
        {"labels": [{"field": "COL1", "label": ""}]},
        ["labels", "0", "label"],
        "BAD_USER_INPUT",
    ),
    (LABELS, "updateCustomFieldLabels", {"labels": []}, ["labels"], "BAD_USER_INPUT"),
]


@pytest.mark.parametrize(
    ("document", "name", "given", "field", "code"),
    BAD,
    ids=[f"{b[1]}-{n}" for n, b in enumerate(BAD)],
)
async def test_bad_input_is_a_user_error_and_writes_nothing(
    gql: GraphQLClient,
    document: str,
    name: str,
    given: dict[str, Any],
    field: list[str] | None,
    code: str,
) -> None:
    before = fingerprint(gql)
    gql.reset_calls()
    answer = (await gql.data(document, {"input": given}))[name]
    errors = answer["userErrors"]
    assert [(e["field"], e["code"]) for e in errors][:1] == [(field, code)], errors
    assert errors[0]["message"]
    assert fingerprint(gql) == before  # nothing changed at the vendor
    vendor_says = code == "CONFLICT" or (field or [""])[-1] in ("contactId", "id")
    if not vendor_says:  # the gateway's own check: refused before anything was sent
        assert writes(gql) == []


def fingerprint(gql: GraphQLClient) -> Any:
    s = store(gql)
    return (
        sorted((a, c.record["modifiedDate"]) for a, c in s.contacts.items()),
        sorted((k, g["name"]) for k, g in s.groups.items()),
        sorted((k, f["label"]) for k, f in s.custom_fields.items()),
    )


BULK_UPDATE = """
mutation BulkUpdate($input: BulkUpdateContactsInput!) {
  bulkUpdateContacts(input: $input) {
    results { index account status error { field code } }
    updated complete userErrors { field code }
  }
}"""

BULK_DND = """
mutation BulkDnd($input: BulkUpdateDndInput!) {
  bulkUpdateDnd(input: $input) {
    results { index account status error { field code } }
    updated complete
  }
}"""


async def test_bulk_update_reports_each_item(gql: GraphQLClient) -> None:
    items = [
        {"contactId": cid("100010"), "firstName": "Bulk", "city": "Oslo"},
        {"contactId": cid("999999990"), "firstName": "Nobody"},
        {"contactId": cid("100011"), "email": "nope"},
        {"contactId": "garbage", "firstName": "X"},
    ]
    variables = {"input": {"items": items, "idempotencyKey": "bu-1"}}
    gql.reset_calls()
    answer = (await gql.data(BULK_UPDATE, variables))["bulkUpdateContacts"]
    assert [(r["account"], r["status"]) for r in answer["results"]] == [
        ("100010", "UPDATED"),
        ("999999990", "INVALID"),
        ("100011", "INVALID"),
        (None, "INVALID"),
    ]
    assert [r["error"] for r in answer["results"]][1:] == [
        {"field": ["items", "1", "contactId"], "code": "NOT_FOUND"},
        {"field": ["items", "2", "email"], "code": "BAD_USER_INPUT"},
        {"field": ["items", "3", "contactId"], "code": "BAD_USER_INPUT"},
    ]
    assert answer["updated"] == 1 and answer["complete"] is True
    record = store(gql).contacts["100010"].record
    assert (record["person"]["firstName"], record["city"]) == ("Bulk", "Oslo")
    # one existence check, one bulk call, one read-back
    assert writes(gql) == [("PUT", "/contact/contacts/bulk")]
    assert searches(gql) == 2
    gql.reset_calls()
    assert (await gql.data(BULK_UPDATE, variables))["bulkUpdateContacts"] == answer
    assert gql.calls(Vendor.LIVEVOX) == []


async def test_bulk_dnd_confirms_each_phone(gql: GraphQLClient) -> None:
    account = next(
        a for a, c in store(gql).contacts.items() if a > "100012" and c.record["phone"]
    )
    number = store(gql).contacts[account].record["phone"][0]["phone"]
    items = [
        {"contactId": cid(account), "phones": [{"number": number, "block": "DAILY"}]},
        {
            "contactId": cid("100013"),
            "phones": [{"number": "6509999999", "block": "DAILY"}],
        },
    ]
    answer = (await gql.data(BULK_DND, {"input": {"items": items}}))["bulkUpdateDnd"]
    assert [r["status"] for r in answer["results"]] == ["UPDATED", "INVALID"]
    assert answer["results"][1]["error"] == {
        "field": ["items", "1", "phones", "0", "number"],
        "code": "NOT_FOUND",
    }
    assert store(gql).contacts[account].record["phone"][0]["phoneBlock"] == "DAILY"


async def test_two_gateways_one_key_one_contact(tmp_path: Any) -> None:
    """Two gateway processes' worth (two apps, two store connections to one SQLite
    file) in front of one LiveVox: concurrent creates with one key make one call."""
    import httpx

    from trunkline.app import create_app
    from trunkline.config import load_settings
    from trunkline.simulators.livevox import create_app as livevox_app

    sim = livevox_app()
    env = {"TRUNKLINE_IDENTITY_STORE": str(tmp_path / "shared.sqlite3")}
    apps = [
        create_app(load_settings(env=env), apps={Vendor.LIVEVOX: sim}) for _ in range(2)
    ]
    variables = {"input": {"contact": new_contact("W-9"), "idempotencyKey": "two"}}
    async with (
        apps[0].router.lifespan_context(apps[0]),
        apps[1].router.lifespan_context(apps[1]),
    ):
        clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=a), base_url="http://gw"
            )
            for a in apps
        ]
        answers = await asyncio.gather(
            *(
                c.post("/graphql", json={"query": CREATE, "variables": variables})
                for c in clients
                for _ in range(3)
            )
        )
        for c in clients:
            await c.aclose()
    accounts = {
        r.json()["data"]["createContact"]["contact"]["account"] for r in answers
    }
    assert accounts == {"W-9"}
    creates = [
        e for e in sim.state.calls.entries if e[:2] == ("POST", "/contact/contacts")
    ]
    assert len(creates) == 1
    assert sim.state.store.accounts.count("W-9") == 1
