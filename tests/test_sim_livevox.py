"""The LiveVox simulator speaks the contract: auth, paging, search, notes, faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from trunkline.simulators.livevox import Credentials, create_app
from trunkline.simulators.seed import people

CREDS = {"clientName": "acme", "userName": "api", "password": "secret"}
CONFIGURED = Credentials("acme", "api", "secret", "access")
C = "/contact/contacts"
G = "/contact/contactGroups"
Json = dict[str, Any]


def client_for(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://livevox")


async def login(client: httpx.AsyncClient, token: str = "access") -> dict[str, str]:
    response = await client.post(
        "/session/login", json=CREDS, headers={"LV-Access": token}
    )
    assert response.status_code == 200, response.text
    return {"LV-Access": token, "LV-Session": response.json()["sessionId"]}


@dataclass
class Api:
    """A logged-in client: `api.get(path, offset=0, count=10)`, `api.post(path, body)`."""

    client: httpx.AsyncClient
    headers: dict[str, str]

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.headers)

    async def post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return await self.client.post(
            path, params=params, json=body, headers=self.headers
        )

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.client.put(path, json=body, headers=self.headers)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=self.headers)

    async def search(
        self, tree: Any, offset: int = 0, count: int = 1000, **extra: Any
    ) -> httpx.Response:
        return await self.post(
            f"{C}/search", {"search": tree, **extra}, offset=offset, count=count
        )


@pytest.fixture(scope="module")
def app() -> Starlette:
    return create_app(credentials=CONFIGURED)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


@pytest.fixture
async def api(client: httpx.AsyncClient) -> Api:
    return Api(client, await login(client))


def cond(field: str, criteria: Any, condition: str = "EQUALS") -> Json:
    return {"field": field, "criteria": criteria, "condition": condition}


def balanced(nodes: list[Json], rule: str = "OR") -> Json:
    if len(nodes) == 1:
        return nodes[0]
    mid = len(nodes) // 2
    return {
        "rule": rule,
        "left": balanced(nodes[:mid], rule),
        "right": balanced(nodes[mid:], rule),
    }


def left_deep(nodes: list[Json], rule: str = "OR") -> Json:
    tree = nodes[0]
    for node in nodes[1:]:
        tree = {"rule": rule, "left": tree, "right": node}
    return tree


def found(response: httpx.Response) -> list[Json]:
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["findMatchingContactsDetails"]
    return items


def accounts_of(response: httpx.Response) -> list[str]:
    return [c["account"] for c in found(response)]


def custom(contact: Json) -> Json:
    return {f["field"]: f["value"] for f in contact["customFields"]}


def is_error(response: httpx.Response, status: int, code: int | None = None) -> bool:
    body = response.json()
    return (
        response.status_code == status
        and body["code"] == (code or status)
        and isinstance(body["message"], str)
    )


# ---- auth ------------------------------------------------------------------------


async def test_login_answers_session_and_ids(client: httpx.AsyncClient) -> None:
    access = {"LV-Access": "access"}
    body = (await client.post("/session/login", json=CREDS, headers=access)).json()
    assert isinstance(body["sessionId"], str) and body["sessionId"]
    assert isinstance(body["clientId"], int) and isinstance(body["userId"], int)


@pytest.mark.parametrize("missing", ["clientName", "userName", "password"])
async def test_login_needs_all_credentials(
    client: httpx.AsyncClient, missing: str
) -> None:
    body = {k: v for k, v in CREDS.items() if k != missing}
    assert is_error(await client.post("/session/login", json=body), 400)
    assert is_error(
        await client.post("/session/login", json={**body, missing: ""}), 400
    )


async def test_calls_need_both_headers(api: Api) -> None:
    session = api.headers["LV-Session"]
    for headers in (
        {},
        {"LV-Access": "x"},
        {"LV-Session": session},
        {"LV-Access": "x", "LV-Session": "nope"},
    ):
        assert is_error(await api.client.get(f"{C}/100000", headers=headers), 401)
    assert (await api.get(f"{C}/100000")).status_code == 200


async def test_configured_access_token_must_match(api: Api) -> None:
    wrong = {**api.headers, "LV-Access": "other"}
    assert is_error(await api.client.get(f"{C}/100000", headers=wrong), 401)
    assert (await api.get(f"{C}/100000")).status_code == 200
    answer = await api.client.post(
        "/session/login", json=CREDS, headers={"LV-Access": "other"}
    )
    assert is_error(answer, 401)


@pytest.mark.parametrize("wrong", ["clientName", "userName", "password"])
async def test_only_the_configured_login_passes(
    client: httpx.AsyncClient, wrong: str
) -> None:
    body = {**CREDS, wrong: CREDS[wrong] + "x"}
    answer = await client.post(
        "/session/login", json=body, headers={"LV-Access": "access"}
    )
    assert is_error(answer, 401) and "sessionId" not in answer.json()


async def test_default_credentials_are_the_connectors_stand_ins() -> None:
    # Embedded, the connector sends its stand-ins unless TRUNKLINE_LIVEVOX_* are set;
    # the simulator accepts exactly what the same variables say.
    assert Credentials.from_env({}) == Credentials(
        "trunkline", "trunkline", "embedded", "embedded-access"
    )
    env = {
        "TRUNKLINE_LIVEVOX_CLIENT_NAME": "acme",
        "TRUNKLINE_LIVEVOX_USERNAME": "api",
        "TRUNKLINE_LIVEVOX_PASSWORD": "secret",
        "TRUNKLINE_LIVEVOX_ACCESS_TOKEN": "access",
    }
    assert Credentials.from_env(env) == CONFIGURED


async def test_expired_session_then_login_again(app: Starlette, api: Api) -> None:
    assert (await api.get(f"{C}/100000")).status_code == 200
    app.state.sessions.clear()
    assert is_error(await api.get(f"{C}/100000"), 401)
    api.headers = await login(api.client)
    assert (await api.get(f"{C}/100000")).status_code == 200
    assert (await api.client.put("/_sim/expire-sessions")).status_code == 204
    assert is_error(await api.get(f"{C}/100000"), 401)
    api.headers = await login(api.client)
    assert (await api.get(f"{C}/100000")).status_code == 200


async def test_session_ttl() -> None:
    app = create_app(session_ttl_s=0.0, credentials=CONFIGURED)
    async with client_for(app) as client:
        api = Api(client, await login(client))
        await asyncio.sleep(0.001)
        assert is_error(await api.get(f"{C}/100000"), 401)


# ---- list + read -------------------------------------------------------------------


async def test_list_pages_with_next(api: Api) -> None:
    first = (await api.get(C, offset=0, count=1000)).json()
    assert len(first["listContactDetails"]) == 1000
    assert first["next"] == "contact/contacts?offset=1000&count=1000"
    last = (await api.get(C, offset=2000, count=1000)).json()
    assert len(last["listContactDetails"]) == 500 and "next" not in last
    accounts = [
        c["account"] for c in first["listContactDetails"] + last["listContactDetails"]
    ]
    assert accounts == sorted(accounts)
    assert accounts[0] == "100000" and accounts[-1] == "102499"


@pytest.mark.parametrize(
    "params",
    [
        {"offset": 0, "count": 1001},
        {"offset": 0},
        {"count": 10},
        {"offset": -1, "count": 10},
        {"offset": 0, "count": -5},
        {"offset": "x", "count": 10},
        {"offset": 0, "count": "{10}"},
        {"offset": 0, "count": 0},
        {"offset": 0, "count": 2.5},
    ],
)
async def test_list_rejects_bad_paging(api: Api, params: dict[str, Any]) -> None:
    assert is_error(await api.get(C, **params), 400)


async def test_shapes_follow_each_endpoint(api: Api) -> None:
    # tests/test_conformance_livevox.py holds every key to the doc; here, the values.
    person = people()[3]
    listed = (await api.get(C, offset=3, count=1)).json()["listContactDetails"][0]
    read = (await api.get(f"{C}/{person.account}")).json()["readContactDetails"]
    searched = found(await api.search(cond("account", person.account)))[0]
    assert listed["account"] == read["account"] == searched["account"] == person.account
    assert {"createDate", "modifyDate"} <= listed.keys() and "createdDate" not in listed
    assert {"createdDate", "modifiedDate"} <= read.keys() and "createDate" not in read
    assert {"createdDate", "modifiedDate"} <= searched.keys()
    assert len(searched["phone"]) == 10  # the doc's search answers pad ten phone slots
    assert all(v is not None for v in searched.values())
    assert [p["phone"] for p in read["phone"]] == list(person.phones)
    assert isinstance(searched["id"], int) and "id" not in listed and "id" not in read
    for item in (listed, searched):
        assert custom(item)["COL5"] == person.relation_id
        assert custom(item)["COL6"] == person.crmcom_id
    assert "customFields" not in read  # the Read Contact example has none
    assert searched["postalCode"] == person.postal_code
    for item in (listed, read):
        assert item["person"]["zipCode"] == person.postal_code
    for item in (listed, read, searched):
        assert item["person"]["firstName"] == person.first_name
        assert item["person"]["dateOfBirth"] == -278_208_000_000  # 1961-03-09


async def test_every_person_is_a_contact() -> None:
    store = create_app().state.store
    assert len(store.contacts) == len(people()) == 2500
    for person in people():
        record = store.contacts[person.account].record
        assert custom(record)["COL5"] == person.relation_id
        assert custom(record)["COL6"] == person.crmcom_id
        assert [p["phone"] for p in record["phone"]] == list(person.phones)
    assert any(not p.phones for p in people())
    balances = [c.record["balance"] for c in store.contacts.values()]
    assert {int, float} <= {type(b) for b in balances}
    assert any(
        v is None for c in store.contacts.values() for v in custom(c.record).values()
    )


async def test_read_unknown_contact_is_404(api: Api) -> None:
    assert is_error(await api.get(f"{C}/999999999"), 404)


# ---- search ----------------------------------------------------------------------


async def test_search_account_prefix_pages(api: Api) -> None:
    sort = [{"field": "account", "order": "ASC"}]
    first = await api.search(cond("account", "1001", "STARTS_WITH"), 0, 60, sort=sort)
    assert accounts_of(first) == [str(a) for a in range(100100, 100160)]
    assert first.json()["next"] == "/contact/contacts/search?offset=60&count=60"
    rest = await api.search(cond("account", "1001", "STARTS_WITH"), 60, 60, sort=sort)
    assert accounts_of(rest) == [str(a) for a in range(100160, 100200)]
    assert "next" not in rest.json()


async def test_search_by_name_ignores_case(api: Api) -> None:
    target = people()[5]
    response = await api.search(cond("Name", target.name.upper(), "contains"))
    expected = [p.account for p in people() if target.name.lower() in p.name.lower()]
    assert accounts_of(response) == expected and target.account in expected


@pytest.mark.parametrize("shape", [balanced, left_deep])
async def test_search_or_tree_reads_exactly_those_accounts(
    api: Api, shape: Any
) -> None:
    wanted = [str(100000 + i) for i in range(7, 2500, 50)]
    assert len(wanted) == 50
    response = await api.search(shape([cond("account", a) for a in reversed(wanted)]))
    assert accounts_of(response) == wanted


async def test_search_or_tree_of_100_is_fast(api: Api) -> None:
    wanted = [str(100000 + i) for i in range(0, 2500, 25)]
    tree = left_deep([cond("account", a) for a in [*wanted, "nobody"]])
    started = time.perf_counter()
    response = await api.search(tree)
    assert time.perf_counter() - started < 0.5
    assert accounts_of(response) == wanted


async def test_search_numeric_compare_and_sort(api: Api) -> None:
    tree = balanced(
        [
            cond("paymentbalance", "1000", "GREATER"),
            cond("account", "1002", "STARTS_WITH"),
        ],
        "AND",
    )
    items = found(await api.search(tree, sort=[{"field": "Account", "order": "DESC"}]))
    balances = [c["balance"] for c in items]
    assert items and all(b > 1000 for b in balances)
    accounts = [c["account"] for c in items]
    assert accounts == sorted(accounts, reverse=True)
    assert all(c["account"].startswith("1002") for c in items)
    by_balance = [{"field": "paymentbalance", "order": "DESC"}]  # not documented
    assert is_error(await api.search(tree, sort=by_balance), 400)


async def test_search_by_phone_and_modified_date(api: Api, app: Starlette) -> None:
    person = next(p for p in people() if len(p.phones) > 1)
    assert person.account in accounts_of(
        await api.search(cond("phone", person.phones[1]))
    )
    modified = app.state.store.contacts[person.account].record["modifiedDate"]
    since = cond("modifieddate", str(modified), "GREATER_OR_EQUALS")
    tree = balanced([since, cond("account", person.account)], "AND")
    assert accounts_of(await api.search(tree)) == [person.account]
    since["criteria"] = str(modified + 1)
    assert accounts_of(await api.search(tree)) == []


@pytest.mark.parametrize(
    "tree",
    [
        cond("shoeSize", "1"),
        cond("account", "1", "LIKE"),
        cond("firstname", "Ann"),  # a field neither the doc nor the README lists
        cond("account", "1", "CONTAINS"),  # a condition not listed for that field
        cond("modifieddate", "1", "GREATER"),
        cond("paymentbalance", 100, "GREATER"),  # criteria is text in the doc
        cond("paymentbalance", "lots", "GREATER"),
        cond("paymentbalance", "1", "STARTS_WITH"),
        {"field": "account", "condition": "EQUALS"},
        {"rule": "XOR", "left": cond("account", "1"), "right": cond("account", "2")},
        {"rule": "OR", "left": cond("account", "1")},
        "account=1",
    ],
)
async def test_search_rejects_bad_trees(api: Api, tree: Any) -> None:
    assert is_error(await api.search(tree), 400)


async def test_search_rejects_count_over_cap(api: Api) -> None:
    assert is_error(await api.search(cond("account", "100000"), 0, 1001), 400)


# ---- notes ---------------------------------------------------------------------------


def newest_first(notes: list[Json]) -> bool:
    keys = [(n["createDate"], n["id"]) for n in notes]
    return keys == sorted(keys, reverse=True)


@pytest.mark.parametrize(("index", "size"), [(0, 40), (1, 200)])
async def test_notes_list_ids_and_reads_dates(api: Api, index: int, size: int) -> None:
    path = f"{C}/{people()[index].account}/notes"
    for variant in (path + "/", path):
        notes = (await api.get(variant)).json()["listContactNotes"]
        assert len(notes) == size
        assert all(set(n) == {"id", "note"} for n in notes)  # no dates in the list
        ids = [n["id"] for n in notes]
        assert ids == sorted(ids, reverse=True)  # as the doc's example: id descending
    read = [(await api.get(f"{path}/{n['id']}")).json() for n in notes[:5]]
    assert set(read[0]) == {
        "id",
        "note",
        "sessionId",
        "transactionId",
        "createDate",
        "modifiedDate",
    }
    assert [(r["id"], r["note"]) for r in read] == [
        (n["id"], n["note"]) for n in notes[:5]
    ]
    assert newest_first(read)  # ids rise with time by default


async def test_note_ties_break_by_id(app: Starlette) -> None:
    notes = app.state.store.notes[people()[1].account]
    dates = [n["createDate"] for n in notes]
    assert len(set(dates)) < len(dates)  # some notes share a second
    assert newest_first(notes)


@pytest.mark.parametrize("how", ["falling", "shuffled"])
async def test_note_id_knob(api: Api, app: Starlette, how: str) -> None:
    path = f"{C}/{people()[0].account}/notes"
    rising = (await api.get(path)).json()["listContactNotes"]
    assert (await api.client.put("/_sim/knobs", json={"note_ids": how})).is_success
    try:
        listed = (await api.get(path)).json()["listContactNotes"]
        dated = [(await api.get(f"{path}/{n['id']}")).json() for n in listed]
    finally:
        await api.client.put("/_sim/knobs", json={"note_ids": "rising"})
    assert {n["id"] for n in listed} == {n["id"] for n in rising}
    assert sorted(n["note"] for n in listed) == sorted(n["note"] for n in rising)
    dates = [d["createDate"] for d in dated]  # listed by id, highest first
    if how == "falling":
        assert dates == sorted(dates)
    else:
        assert dates not in (sorted(dates), sorted(dates, reverse=True))


async def test_notes_list_order_knob(api: Api) -> None:
    path = f"{C}/{people()[0].account}/notes"
    orders = {}
    for order in ("id_asc", "shuffled", "id_desc"):
        await api.client.put("/_sim/knobs", json={"notes_list_order": order})
        notes = (await api.get(path)).json()["listContactNotes"]
        orders[order] = [n["id"] for n in notes]
    assert orders["id_asc"] == sorted(orders["id_desc"])
    assert sorted(orders["shuffled"]) == orders["id_asc"] != orders["shuffled"]


async def test_list_order_knob(api: Api) -> None:
    orders = {}
    for order in ("account_desc", "shuffled", "account"):
        await api.client.put("/_sim/knobs", json={"list_order": order})
        page = (await api.get(C, offset=0, count=20)).json()["listContactDetails"]
        orders[order] = [c["account"] for c in page]
    assert orders["account"] == [str(100000 + i) for i in range(20)]
    assert orders["account_desc"] == [str(102499 - i) for i in range(20)]
    assert orders["shuffled"] != sorted(orders["shuffled"])
    bad = await api.client.put("/_sim/knobs", json={"nonsense": 1})
    assert bad.status_code == 400


async def test_unknown_notes_are_404(api: Api) -> None:
    assert is_error(await api.get(f"{C}/nobody/notes/"), 404)
    assert is_error(await api.get(f"{C}/100000/notes/1"), 404)
    assert is_error(await api.get(f"{C}/100000/notes/abc"), 400)


# ---- faults ----------------------------------------------------------------------


async def test_down_and_429_knobs(api: Api) -> None:
    await api.client.put("/_sim/faults", json={"down": True})
    try:
        assert (await api.get(f"{C}/100000")).status_code == 503
    finally:
        await api.client.put("/_sim/faults", json={"down": False})
    await api.client.put("/_sim/faults", json={"burst_429": 2, "retry_after_s": 3})
    for _ in range(2):
        response = await api.get(f"{C}/100000")
        assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert (await api.get(f"{C}/100000")).status_code == 200


# ---- writes ------------------------------------------------------------------------


async def test_create_then_duplicate_is_202(api: Api) -> None:
    details = {  # the doc's own quirks: booleans, numbers and ids as strings
        "account": "SIM-CREATE-1",
        "active": "true",
        "balance": "1000.00",
        "person": {"firstName": "john", "lastName": "doe"},
        "phone": [{"phone": "4085553593", "ordinal": "1", "phoneBlock": "NONE"}],
        "groupId": "2200",
    }
    created = await api.post(f"{C}/", {"createContactDetails": details})
    assert created.status_code == 201 and isinstance(created.json()["id"], str)
    read = (await api.get(f"{C}/SIM-CREATE-1")).json()["readContactDetails"]
    assert (read["balance"], read["groupId"], read["active"]) == (1000.0, 2200, True)
    searched = found(await api.search(cond("account", "SIM-CREATE-1")))[0]
    assert str(searched["id"]) == created.json()["id"]  # ids: in search answers only
    again = await api.post(f"{C}/", {"createContactDetails": details})
    assert again.status_code == 202
    assert again.json() == {"code": 202, "message": "Contact already exists!"}
    assert is_error(
        await api.post(C, {"createContactDetails": {"account": "100000"}}), 202
    )
    assert (await api.delete(f"{C}/SIM-CREATE-1")).status_code == 204
    assert is_error(await api.delete(f"{C}/SIM-CREATE-1"), 404)


async def test_update_and_dnd(api: Api) -> None:
    person = next(p for p in people() if p.phones)
    path = f"{C}/{person.account}"
    before = (await api.get(path)).json()["readContactDetails"]
    changes = {"balance": 42.5, "customFields": [{"field": "COL3", "value": None}]}
    assert (await api.put(path, {"updateContactDetails": changes})).status_code == 204
    bad = {"balance": 1, "active": "maybe"}
    assert is_error(await api.put(path, {"updateContactDetails": bad}), 400)
    phones = [{"phone": person.phones[0], "phoneBlock": "BOTH"}]
    dnd = {"updateContactDND": phones, "accountBlock": "DAILY"}
    assert (await api.put(f"{path}/dnd", dnd)).status_code == 204
    after = (await api.get(path)).json()["readContactDetails"]
    assert after["balance"] == 42.5 and after["modifiedDate"] > before["modifiedDate"]
    assert after["accountBlock"] == "DAILY"
    assert after["phone"][0]["phoneBlock"] == "BOTH"
    searched = found(await api.search(cond("account", person.account)))[0]
    [flags] = [p for p in searched["phone"] if p.get("phone") == person.phones[0]]
    assert flags["dnd"] and flags["dndDaily"]  # search shows BOTH as its flags
    assert custom(searched)["COL3"] is None
    assert custom(searched)["COL5"] == person.relation_id
    assert is_error(await api.put(f"{C}/nobody/dnd", dnd), 404, 203)
    many = [{"account": person.account, "accountBlock": "NONE"}, {"account": "nobody"}]
    updated = await api.post(f"{C}/dnd", {"contactDnd": many})
    assert updated.json() == {"updated": 1}


async def test_bulk_create_and_export(api: Api, app: Starlette) -> None:
    items = [
        {"account": "SIM-BULK-1"},
        {"account": "SIM-BULK-2"},
        {"account": "100000"},
    ]
    created = await api.post(f"{C}/bulk", {"createContactDetails": items})
    assert created.json() == {"message": "Successfully updated contacts 2"}
    export = await api.post(
        f"{C}/bulk", {"exportableFields": ["account", "dueDate", "COL5"]}
    )
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.splitlines()
    assert lines[0] == "Account,Account Due Date,Procurios relation"
    assert lines[1].startswith("100000,") and lines[1].endswith(",400000")
    assert len(lines) == 1 + len(app.state.store.accounts)
    assert is_error(await api.post(f"{C}/bulk", {"exportableFields": ["nope"]}), 400)


# ---- groups, custom fields, linked accounts ----------------------------------------


async def test_groups_crud_and_paging(api: Api) -> None:
    first = (await api.get(G, offset=0, count=10)).json()
    assert len(first["contactGroup"]) == 10 and first["next"]
    rest = (await api.get(G, offset=10, count=10)).json()
    assert len(rest["contactGroup"]) >= 2 and "next" not in rest
    created = await api.post(G, {"name": "Client BOA"})
    assert created.status_code == 201 and isinstance(created.json()["id"], int)
    path = f"{G}/{created.json()['id']}"
    assert (await api.put(path, {"name": "BOA Group Agents"})).status_code == 204
    group = (await api.get(path)).json()
    assert group["name"] == "BOA Group Agents"
    assert {"createdBy", "modifiedBy", "createdAt", "modifiedAt"} <= group.keys()
    assert is_error(await api.get(f"{G}/424242"), 404, 203)


async def test_custom_field_definitions(api: Api) -> None:
    fields = (await api.get(f"{C}/customFields")).json()["customFields"]
    labels = {f["field"]: f["label"] for f in fields}
    assert labels["COL5"] == "Procurios relation"
    assert labels["COL6"] == "CRM.COM contact"
    one = (await api.get(f"{C}/customFields/COL1")).json()
    assert one["dataType"] == "LIST" and one["listValues"]
    assert is_error(await api.get(f"{C}/customFields/COL99"), 404)


async def test_linked_accounts_page(api: Api) -> None:
    contact_id = found(await api.search(cond("account", "100000")))[0]["id"]
    path = f"{C}/{contact_id}/accounts"
    page = (await api.get(path, offset=0, count=2)).json()
    assert len(page["listAccount"]) == 2 and page["next"].endswith("offset=2&count=2")
    last = (await api.get(path, offset=4, count=2)).json()
    assert len(last["listAccount"]) == 1 and "next" not in last
    assert is_error(await api.get(f"{C}/1/accounts", offset=0, count=2), 404)


async def test_routing_errors_are_json(api: Api) -> None:
    assert is_error(await api.delete(f"{G}/1120"), 405)  # the doc has no group delete
    assert is_error(await api.get("/nowhere"), 404)


async def test_data_builds_fast() -> None:
    started = time.perf_counter()
    create_app(seed=11)
    assert time.perf_counter() - started < 1.0
