"""The LiveVox simulator answers only what the doc shows, endpoint by endpoint.

Each endpoint the connector calls has the keys of its answer written out below, from
the doc (vendor-docs/livevox-contact-api.txt; its tables lost their sub-field lists,
so the examples are the source) or, where the doc says nothing, from CONTRACT.md.
A key in an answer that is not in its list fails the test: a connector that read it
would break on the real vendor. Leaves give the doc's type (None is allowed where the
doc's examples show null).
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from support import GraphQLClient
from trunkline.connectors.livevox import LiveVoxConnector
from trunkline.domain import Vendor
from trunkline.simulators.livevox import create_app
from trunkline.simulators.seed import people

Json = dict[str, Any]
Shape = Any  # a type (leaf), a dict of shapes (object), or [shape] (array)
NUM = (int, float)

# "Create Contact" example: the items of `customFields` (List shows it null).
CUSTOM_VALUE: Shape = {"field": str, "value": (str, int, float, bool)}

# "List Contact", its example (List Contacts for a Client).
LIST_PERSON: Shape = {
    "firstName": str,
    "lastName": str,
    "dateOfBirth": int,
    "email": str,
    "ssn": str,
    "zipCode": str,
}
GUARANTOR: Shape = {"firstName": str, "lastName": str}
LIST_PHONE: Shape = {"phone": str, "ordinal": int, "phoneBlock": str}
LIST_CONTACT: Shape = {
    "person": LIST_PERSON,
    "guarantor": GUARANTOR,
    "phone": [LIST_PHONE],
    "customFields": [CUSTOM_VALUE],
    "account": str,
    "active": bool,
    "balance": NUM,
    "accountBlock": str,
    "accountToSpeak": str,
    "originalAccountNumber": str,
    "address1": str,
    "address2": str,
    "city": str,
    "state": str,
    "country": str,
    "amountToSpeak": NUM,
    "dueDate": int,
    "groupId": int,
    "callAttemptsToday": int,
    "callAttemptsTotal": int,
    "initialLoad": int,
    "lastLoad": int,
    "createDate": int,
    "modifyDate": int,
}
LIST_ANSWER: Shape = {"listContactDetails": [LIST_CONTACT], "next": str}

# "Read Contact", its example: the list's keys but `createdDate`/`modifiedDate`, and
# no `customFields`.
READ_CONTACT: Shape = {
    **{k: v for k, v in LIST_CONTACT.items() if k not in ("createDate", "modifyDate")},
    "createdDate": int,
    "modifiedDate": int,
}
del READ_CONTACT["customFields"]
READ_ANSWER: Shape = {"readContactDetails": READ_CONTACT}

# "Find Matching Contact", its two examples (null fields left out, ten phone slots
# with consent and dnd flags and no `phoneBlock`). Those examples drop nulls, so the
# contact fields the List/Read examples show and the connector maps may appear when
# they have values: person.email, person.dateOfBirth, address1, address2, state,
# dueDate, customFields (marked "record" below).
SEARCH_PHONE: Shape = {
    "phone": str,
    "smsConsent": bool,
    "cellConsent": bool,
    "ordinal": int,
    "position": int,
    "dnd": bool,
    "dndDaily": bool,
    "callAttemptsTotal": int,
    "callAttemptsToday": int,
}
SEARCH_CONTACT: Shape = {
    "id": int,
    "person": {
        "firstName": str,
        "lastName": str,
        "zipCode": str,
        "email": str,  # record
        "dateOfBirth": int,  # record
    },
    "phone": [SEARCH_PHONE],
    "account": str,
    "active": bool,
    "balance": NUM,
    "accountBlock": str,
    "city": str,
    "country": str,
    "postalCode": str,
    "amountToSpeak": NUM,
    "groupId": int,
    "primaryEmailConsent": bool,
    "agentId": int,
    "happinessIndex": int,
    "createdDate": int,
    "modifiedDate": int,
    "lastLoad": int,
    "initialLoad": int,
    "callAttemptsToday": int,
    "callAttemptsLifetime": int,
    "address1": str,  # record
    "address2": str,  # record
    "state": str,  # record
    "dueDate": int,  # record
    "customFields": [CUSTOM_VALUE],  # record
}
SEARCH_ANSWER: Shape = {"findMatchingContactsDetails": [SEARCH_CONTACT], "next": str}

# "List Contact Notes": `id` and `note` only (its example).
NOTES_ANSWER: Shape = {"listContactNotes": [{"id": int, "note": str}]}
# "Read Contact Note": its table and example.
NOTE_ANSWER: Shape = {
    "id": int,
    "note": str,
    "sessionId": str,
    "transactionId": int,
    "createDate": int,
    "modifiedDate": int,
}
# "List Contact Group": its example.
GROUPS_ANSWER: Shape = {
    "contactGroup": [
        {
            "id": int,
            "name": str,
            "createdBy": str,
            "modifiedBy": str,
            "createdAt": int,
            "modifiedAt": int,
        }
    ],
    "next": str,
}
# "List Custom Field": its example.
CUSTOM_FIELDS_ANSWER: Shape = {
    "customFields": [{"field": str, "label": str, "dataType": str}]
}
# CONTRACT.md, LiveVox: login answers these; errors are {"code", "message"}.
LOGIN_ANSWER: Shape = {"sessionId": str, "clientId": int, "userId": int}
ERROR_ANSWER: Shape = {"code": int, "message": str}

# Every endpoint the connector declares, with its documented answer.
DOCUMENTED: dict[str, Shape] = {
    "login": LOGIN_ANSWER,
    "list": LIST_ANSWER,
    "search": SEARCH_ANSWER,
    "read": READ_ANSWER,
    "groups": GROUPS_ANSWER,
    "custom_fields": CUSTOM_FIELDS_ANSWER,
    "notes": NOTES_ANSWER,
    "note": NOTE_ANSWER,
    # writes: "Create Contact" answers the id as text, "Bulk Create Contact" a
    # message, "Update Multiple Contacts' DND" a count, "Create Contact Group" an
    # integer id; the rest answer 204 with no body.
    "create": {"id": str},
    "bulk_create": {"message": str},
    "update": {},
    "bulk_update": {"message": str},
    "delete": {},
    "dnd": {},
    "bulk_dnd": {"updated": int},
    "create_group": {"id": int},
    "rename_group": {},
    "field_labels": {},
}


def conform(value: Any, shape: Shape, where: str = "$") -> None:
    """Fail on any key the shape does not document, or a leaf of the wrong type."""
    if value is None:
        return
    if isinstance(shape, dict):
        assert isinstance(value, dict), f"{where}: expected an object"
        extra = sorted(set(value) - set(shape))
        assert not extra, f"{where}: undocumented keys {extra}"
        for key, item in value.items():
            conform(item, shape[key], f"{where}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), f"{where}: expected an array"
        for n, item in enumerate(value):
            conform(item, shape[0], f"{where}[{n}]")
    else:
        ok = isinstance(value, shape) and not (
            isinstance(value, bool) and shape in (int, NUM)
        )
        assert ok, f"{where}: {value!r} is not {shape}"


def test_the_checker_catches_an_undocumented_key() -> None:
    note = {"id": 1, "note": "x", "createDate": 1502285778000}
    with pytest.raises(AssertionError, match=r"listContactNotes\[0\].*createDate"):
        conform({"listContactNotes": [note]}, NOTES_ANSWER)
    with pytest.raises(AssertionError, match="undocumented keys"):
        conform({"listContactDetails": [{"account": "1", "id": 7}]}, LIST_ANSWER)
    with pytest.raises(AssertionError, match=r"phone.*dnd"):
        phone = {"phone": "1", "ordinal": 1, "phoneBlock": "NONE", "dnd": False}
        conform({"readContactDetails": {"phone": [phone]}}, READ_ANSWER)
    with pytest.raises(AssertionError, match="is not"):
        conform({"id": "1", "note": "x"}, NOTE_ANSWER)


def test_every_connector_endpoint_has_its_documented_answer() -> None:
    assert set(LiveVoxConnector.endpoints) == set(DOCUMENTED)


# ---- the simulator's answers, endpoint by endpoint ------------------------------------

ACCESS = {"LV-Access": "embedded-access"}
LOGIN = {"clientName": "trunkline", "userName": "trunkline", "password": "embedded"}
C = "/contact/contacts"


@pytest.fixture(scope="module")
def app() -> Starlette:
    return create_app()


@pytest.fixture
async def lv(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lv") as c:
        login = await c.post("/session/login", json=LOGIN, headers=ACCESS)
        conform(login.json(), LOGIN_ANSWER)
        assert set(login.json()) == set(LOGIN_ANSWER)
        c.headers.update({**ACCESS, "LV-Session": login.json()["sessionId"]})
        yield c


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def test_list_contacts(lv: httpx.AsyncClient) -> None:
    for offset in (0, 1000, 2000):
        body = ok(await lv.get(C, params={"offset": offset, "count": 1000}))
        conform(body, LIST_ANSWER)
    # a full record answers every documented key (nulls included, as the example)
    assert set(body["listContactDetails"][0]) == set(LIST_CONTACT)


async def test_search(lv: httpx.AsyncClient) -> None:
    trees = [
        {"field": "account", "criteria": "100", "condition": "STARTS_WITH"},
        {
            "rule": "OR",
            "left": {"field": "account", "criteria": "100000", "condition": "EQUALS"},
            "right": {"field": "account", "criteria": "100003", "condition": "EQUALS"},
        },
    ]
    sort = [{"field": "account", "order": "ASC"}]
    for tree in trees:
        body = ok(
            await lv.post(
                f"{C}/search",
                params={"offset": 0, "count": 1000},
                json={"search": tree, "sort": sort},
            )
        )
        conform(body, SEARCH_ANSWER)
    assert len(body["findMatchingContactsDetails"]) == 2


async def test_read_contact(lv: httpx.AsyncClient) -> None:
    for person in people()[:50]:
        conform(ok(await lv.get(f"{C}/{person.account}")), READ_ANSWER)


async def test_notes_and_note(lv: httpx.AsyncClient) -> None:
    for person in people()[:30]:
        listed = ok(await lv.get(f"{C}/{person.account}/notes/"))
        conform(listed, NOTES_ANSWER)
        for note in listed["listContactNotes"][:3]:
            read = ok(await lv.get(f"{C}/{person.account}/notes/{note['id']}"))
            conform(read, NOTE_ANSWER)
            assert set(read) == set(NOTE_ANSWER)  # all six are mandatory


async def test_groups_and_custom_fields(lv: httpx.AsyncClient) -> None:
    conform(
        ok(await lv.get("/contact/contactGroups", params={"offset": 0, "count": 5})),
        GROUPS_ANSWER,
    )
    conform(ok(await lv.get(f"{C}/customFields")), CUSTOM_FIELDS_ANSWER)


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "status"),
    [
        ("GET", C, {"offset": 0, "count": 1001}, None, 400),  # past the cap
        ("GET", C, {"offset": 0}, None, 400),  # count is mandatory
        ("GET", C, {"offset": "a", "count": 5}, None, 400),  # not an integer
        ("POST", f"{C}/search", {"offset": 0, "count": 5}, {}, 400),  # no search
        ("POST", f"{C}/search", {"count": 5}, {"search": {}}, 400),
        (
            "POST",
            f"{C}/search",
            {"offset": 0, "count": 5},
            {"search": {"field": "city", "criteria": "x", "condition": "EQUALS"}},
            400,  # a field neither the doc nor the README lists
        ),
        ("GET", f"{C}/nobody", None, None, 404),
        ("GET", f"{C}/nobody/notes/", None, None, 404),
        ("GET", f"{C}/100000/notes/1", None, None, 404),
        ("GET", "/contact/contactGroups/42", None, None, 404),
    ],
)
async def test_refusals_in_the_error_shape(
    lv: httpx.AsyncClient,
    method: str,
    path: str,
    params: Json | None,
    body: Json | None,
    status: int,
) -> None:
    response = await lv.request(method, path, params=params, json=body)
    assert response.status_code == status
    conform(response.json(), ERROR_ANSWER)
    assert set(response.json()) == {"code", "message"}


async def test_wrong_credentials_are_refused(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lv") as c:
        for body, headers in (
            ({**LOGIN, "password": "guess"}, ACCESS),
            ({**LOGIN, "userName": "someone"}, ACCESS),
            ({**LOGIN, "clientName": "other"}, ACCESS),
            (LOGIN, {"LV-Access": "stolen"}),
        ):
            response = await c.post("/session/login", json=body, headers=headers)
            assert response.status_code == 401
            conform(response.json(), ERROR_ANSWER)
        response = await c.get(C, params={"offset": 0, "count": 1}, headers=ACCESS)
        assert response.status_code == 401  # no session


# ---- what the gateway itself asks: only documented endpoints, documented answers --

ROUTES = {
    "login": r"/session/login",
    "list": r"/contact/contacts",
    "search": r"/contact/contacts/search",
    "read": r"/contact/contacts/[^/]+",
    "groups": r"/contact/contactGroups",
    "custom_fields": r"/contact/contacts/customFields",
    "notes": r"/contact/contacts/[^/]+/notes/",
    "note": r"/contact/contacts/[^/]+/notes/\d+",
}

SESSION = """
query ($ids: [ID!]!, $id: ID!) {
  contacts(first: 30) { edges { node {
    account phones { number dnd smsConsent } groups { name }
    customFields { field label value }
    interactions(first: 3) { edges { node { id occurredAt } } }
  } } }
  filtered: contacts(first: 5, filter: { accountPrefix: "1000", balanceMin: 1 }) {
    edges { node { account } }
  }
  nodes(ids: $ids) { id ... on Contact { notes { text createdAt } } }
  contact(id: $id) { interactions(first: 10) { edges { node { id } } } }
}
"""


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


async def test_the_gateway_calls_only_documented_endpoints_and_gets_their_answers(
    gql: GraphQLClient,
) -> None:
    ids = [gid("Contact", p.account) for p in people()[:4]]
    data = await gql.data(SESSION, {"ids": ids, "id": ids[0]})
    note_id = data["contact"]["interactions"]["edges"][0]["node"]["id"]
    await gql.data("query ($id: ID!) { node(id: $id) { id } }", {"id": note_id})
    sim = gql.sim(Vendor.LIVEVOX)
    calls = list(sim.state.calls.entries)
    used = set()
    for method, path, _query in calls:
        names = [
            n
            for n, pattern in ROUTES.items()
            if re.fullmatch(pattern, path)
            and LiveVoxConnector.endpoints[n].method == method
        ]
        assert names, f"an undocumented call: {method} {path}"
        used.add(names[-1])  # the most specific pattern is listed last
    assert used >= {
        "login",
        "list",
        "search",
        "groups",
        "custom_fields",
        "notes",
        "note",
    }
    # Replay what the gateway read, and hold each answer to its documented keys.
    transport = httpx.ASGITransport(app=sim)
    async with httpx.AsyncClient(transport=transport, base_url="http://lv") as lv:
        login = await lv.post("/session/login", json=LOGIN, headers=ACCESS)
        lv.headers.update({**ACCESS, "LV-Session": login.json()["sessionId"]})
        for method, path, query in calls:
            if method != "GET":
                continue
            name = [n for n, p in ROUTES.items() if re.fullmatch(p, path)][-1]
            conform(ok(await lv.get(f"{path}?{query}")), DOCUMENTED[name])
