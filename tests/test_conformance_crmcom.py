"""The CRM.COM simulator answers exactly what the vendor's doc shows, and refuses what
it refuses.

The key lists below are copied from the examples of
/work/shared/vendor-docs/crmcom-communications.txt (its section and the line of the
example beside each list); CONTRACT.md adds only the envelope and the login answer.
Each call's answer must carry exactly its list's keys (a subset with `fields_set`),
and every nested object only keys some example of the doc shows at that place: an
answer that gains an undocumented key fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from trunkline.simulators import crmcom as sim_module
from trunkline.simulators import crmcom_data
from trunkline.simulators.crmcom import create_app
from trunkline.simulators.seed import HEAVY, people

API = "/crmapi/rest/v2"
CREDS = {"username": "trunkline", "password": "embedded"}  # the embedded defaults
HEAVY_ID = people()[HEAVY].crmcom_id

# ---- the doc's keys -----------------------------------------------------------------

# "GET communications/show", example response at line 40.
SHOW = frozenset(
    {
        "notes",
        "number",
        "code",
        "id",
        "life_cycle_state",
        "direction",
        "media",
        "subject",
        "content",
        "from",
        "to",
        "contact_information",
        "category",
        "communication_queue_external_system",
        "privacy_level",
        "owned_by_group",
        "follow_up_set",
        "referring_to",
        "log_information",
        *(f"udf_string_{i}" for i in range(1, 9)),
        *(f"udf_float_{i}" for i in range(1, 5)),
        *(f"udf_date_{i}" for i in range(1, 5)),
    }
)
# "GET communications/list", example at line 383: the same, without `notes`.
LIST = SHOW - {"notes"}
# "POST communications/create", examples at lines 854 and 1125, and
# "POST communications/update", examples at lines 1650 and 1926: show's keys plus
# `unrestricted_parameter_set`.
SAVE = SHOW | {"unrestricted_parameter_set"}
# "POST communications/complete", example at line 2175.
COMPLETE = frozenset({"life_cycle_state", "number", "id", "contact_information"})
# "POST communications/set_as_viewed", example at line 2289: the only call whose
# answer has `viewed` and `viewed_on`.
VIEWED = frozenset(
    {
        "viewed_on",
        "number",
        "subject",
        "viewed",
        "contact_information",
        "id",
        "life_cycle_state",
    }
)
# "GET communications/queue/show" (line 2380), "queue/list" (2557), "queue/get_latest"
# (2885), "POST communications/queue/process" (3140), "queue/reject" (3375),
# "queue/remove" (3605), "GET communications/queue/get_pending_completed" (3767).
QUEUE = frozenset(
    {
        "log_information",
        "error_code",
        "error_description",
        "life_cycle_state",
        "communication",
        "number",
        "id",
        "communication_queue_external_system",
    }
)
# CONTRACT.md, CRM.COM: login answers the envelope with `data.token`; every answer
# is `{"status": {"code", "message", "description"}, "data"}`.
LOGIN = frozenset({"token"})
ENVELOPE = frozenset({"status", "data"})
STATUS = frozenset({"code", "message", "description"})

_PERSON = ["company_name", "company_profile", "demographics", "first_name", "id"]
_PERSON += ["last_name", "life_cycle_state", "middle_name", "name", "title", "type"]
_DEMOGRAPHICS = ["date_of_birth", "gender", "id_issued_by_country", "id_number"]
_DEMOGRAPHICS += ["industry", "industry_sector", "name_day"]
_DEMOGRAPHICS += ["passport_issued_by_country", "passport_number"]
_DEMOGRAPHICS += ["social_security_number"]
_COUNTRY = ["alternative_code", "id", "name", "three_character_code"]
_COUNTRY += ["two_character_code"]
_UNIT = ["alternative_code", "community_name", "description", "group_name", "id"]
_UNIT += ["name"]
_USER = ["email", "id", "person_name", "username"]
# Nested objects: the keys any example of the doc shows at that place (a record's
# path; `[` is a list's items). A dict at a path not listed here is undocumented.
NESTED: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "category": ["code", "description", "id", "name"],  # show, line 309
        "communication": [  # queue/show line 2436; subject: queue/remove line 3659
            "contact_information",
            "id",
            "life_cycle_state",
            "number",
            "subject",
        ],
        "communication.contact_information": _PERSON,  # queue/show line 2441
        "communication.contact_information.demographics": _DEMOGRAPHICS,
        "communication.contact_information.demographics.date_of_birth": [
            "day",
            "month",
            "year",
        ],
        "communication.contact_information.demographics.name_day": ["day", "month"],
        "communication_queue_external_system": [  # queue/remove, line 3694
            "alternative_code",
            "id",
            "name",
        ],
        "contact_information": _PERSON,  # show, line 70
        "contact_information.demographics": [*_DEMOGRAPHICS, "country_of_residence"],
        "contact_information.demographics.country_of_residence": _COUNTRY,
        "contact_information.demographics.date_of_birth": ["day", "month", "year"],
        "contact_information.demographics.name_day": ["day", "month"],
        "contact_information.demographics.id_issued_by_country": _COUNTRY,  # l. 924
        "contact_information.demographics.passport_issued_by_country": _COUNTRY,
        "contact_information.demographics.industry": ["code", "id", "name"],
        "log_information": [  # show, line 266
            "created_by_unit",
            "created_by_user",
            "created_date",
            "updated_by_unit",
            "updated_by_user",
            "updated_date",
        ],
        "log_information.created_by_unit": _UNIT,  # community_name: list, line 554
        "log_information.updated_by_unit": _UNIT,
        "log_information.created_by_user": _USER,  # email: list, line 587
        "log_information.updated_by_user": _USER,
        "owned_by_group": [  # list, line 552
            "alternative_code",
            "community_name",
            "description",
            "id",
            "name",
        ],
        "referring_to": [  # show line 123; buy_in_advance_request: create line 1263
            "accounts_receivable",
            "activity",
            "award_reward_transaction",
            "bill",
            "buy_in_advance_request",
            "communication",
            "job",
            "lead",
            "notification",
            "payment",
            "payment_gateway_card",
            "payment_gateway_request",
            "rewards_participant",
            "service_request",
            "spend_reward_transaction",
            "subscription",
        ],
        "unrestricted_parameter_set.[": [  # create, line 1142
            "date_value",
            "float_value",
            "id",
            "integer_value",
            "key",
            "name",
            "string_value",
            "type",
        ],
    }.items()
}

DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")  # "2015-02-19T09:48:00"
JAVA_DATE = re.compile(  # "Mon May 22 12:42:03 EEST 2017" (set_as_viewed, line 2299)
    r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [A-Z]{2,5} \d{4}"
)


def undocumented(value: Any, path: str = "") -> list[str]:
    """Keys of nested objects that no example of the doc shows at their place."""
    found: list[str] = []
    if isinstance(value, list):
        for item in value:
            found += undocumented(item, f"{path}.[" if path else "[")
    elif isinstance(value, dict):
        allowed = NESTED.get(path, frozenset())
        for key, inner in value.items():
            if key not in allowed:
                found.append(f"{path}.{key}")
            found += undocumented(inner, f"{path}.{key}")
    return found


def assert_documented(
    record: Any, keys: frozenset[str], *, fields: set[str] | None = None
) -> None:
    """A record answers exactly `keys` (with fields_set: those of them named), and
    its nested objects only documented keys."""
    assert isinstance(record, dict)
    want = keys if fields is None else keys & fields
    assert set(record) == want, (
        f"undocumented: {sorted(set(record) - keys)}, "
        f"missing: {sorted(want - set(record))}"
    )
    problems = [p for k, v in record.items() for p in undocumented(v, k)]
    assert not problems, f"undocumented nested keys: {problems}"


def envelope(r: httpx.Response, code: str = "OK") -> Any:
    body = r.json()
    assert set(body) == ENVELOPE and set(body["status"]) == STATUS, body
    assert body["status"]["code"] == code, body["status"]
    if code != "OK":
        assert body["data"] is None
        assert isinstance(body["status"]["message"], str)
        assert body["status"]["message"]
    return body["data"]


# ---- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> Iterator[Starlette]:
    """One simulator for the module: each test acts on records of its own."""
    yield create_app()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


async def login(client: httpx.AsyncClient) -> str:
    r = await client.post(f"{API}/authentication/login", json=CREDS)
    data = envelope(r)
    assert set(data) == LOGIN and isinstance(data["token"], str)
    token: str = data["token"]
    return token


def query(token: str | None, params: dict[str, Any]) -> dict[str, str]:
    out = {
        k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in params.items()
    }
    if token is not None:
        out["token"] = token
    return out


async def get(
    client: httpx.AsyncClient, path: str, token: str | None, **params: Any
) -> httpx.Response:
    return await client.get(f"{API}/{path}", params=query(token, params))


async def post(
    client: httpx.AsyncClient, path: str, token: str | None, **body: Any
) -> httpx.Response:
    sent = body if token is None else {"token": token, **body}
    return await client.post(f"{API}/{path}", json=sent)


def pending_entries(app: Starlette, media: str) -> list[Any]:
    return [
        q
        for q in app.state.store.queue
        if q.life_cycle_state == "PENDING" and q.communication.media == media
    ]


# ---- every call's answer ------------------------------------------------------------


async def test_communications_show_and_list(client: httpx.AsyncClient) -> None:
    token = await login(client)
    listed = envelope(
        await get(
            client,
            "communications/list",
            token,
            contact_information_identifier={"id": HEAVY_ID},
            number_of_results=200,
        )
    )
    assert len(listed) == 200
    for record in listed:
        assert_documented(record, LIST)
        assert DATE.fullmatch(record["log_information"]["created_date"])
        assert DATE.fullmatch(record["log_information"]["updated_date"])
        # The doc's types: ids and numbers are strings, enums as listed, a category
        # is an object or null, the UDFs null unless set.
        assert re.fullmatch(r"[0-9A-F]{32}", record["id"])
        assert isinstance(record["number"], str) and isinstance(record["code"], str)
        assert record["media"] in ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
        assert record["direction"] in ("INCOMING", "OUTGOING")
        assert record["life_cycle_state"] in ("DRAFT", "COMPLETED")
        assert all(isinstance(record[k], str | None) for k in ("from", "to", "subject"))
        assert isinstance(record["category"], dict | None)
        assert record["udf_float_1"] is None and record["udf_date_1"] is None
        assert record["follow_up_set"] == []
    assert {r["category"] is None for r in listed} == {True, False}
    shown = envelope(
        await get(
            client,
            "communications/show",
            token,
            communication_identifier={"id": listed[0]["id"]},
        )
    )
    assert_documented(shown, SHOW)
    assert shown == {**listed[0], "notes": None}


async def test_create_update_complete_set_as_viewed(
    client: httpx.AsyncClient,
) -> None:
    token = await login(client)
    contact = {"id": people()[3].crmcom_id}
    made = envelope(
        await post(
            client,
            "communications/create",
            token,
            contact_information_identifier=contact,
            direction="OUTGOING",
            media="SMS",
            subject="Hi",
            content="Body",
            life_cycle_state="DRAFT",
        )
    )
    assert_documented(made, SAVE)
    ident = {"number": made["number"]}
    updated = envelope(
        await post(
            client,
            "communications/update",
            token,
            communication_identifier=ident,
            subject="Hello",
        )
    )
    assert_documented(updated, SAVE)
    done = envelope(
        await post(
            client, "communications/complete", token, communication_identifier=ident
        )
    )
    assert_documented(done, COMPLETE)
    assert done["life_cycle_state"] == "COMPLETED"
    viewed = envelope(
        await post(
            client,
            "communications/set_as_viewed",
            token,
            communication_identifier=ident,
        )
    )
    assert_documented(viewed, VIEWED)
    assert viewed["viewed"] == 1
    assert JAVA_DATE.fullmatch(viewed["viewed_on"]), viewed["viewed_on"]
    # Seen from the other calls, a viewed communication still has neither field.
    shown = envelope(
        await get(client, "communications/show", token, communication_identifier=ident)
    )
    assert_documented(shown, SHOW)


async def test_queue_calls(app: Starlette, client: httpx.AsyncClient) -> None:
    token = await login(client)
    for path, params in (
        ("communications/queue/list", {"media": "EMAIL", "number_of_results": 100}),
        ("communications/queue/get_latest", {"media": "SMS", "number": 20}),
        ("communications/queue/get_pending_completed", {"media": "EMAIL"}),
    ):
        entries = envelope(await get(client, path, token, **params))
        assert entries, path
        for entry in entries:
            assert_documented(entry, QUEUE)
            assert DATE.fullmatch(entry["log_information"]["created_date"])
    shown = envelope(
        await get(
            client,
            "communications/queue/show",
            token,
            communication_queue_identifier={"id": entries[0]["id"]},
        )
    )
    assert_documented(shown, QUEUE)
    first, second, third = pending_entries(app, "EMAIL")[:3]
    for path, entry, extra in (
        ("process", first, {}),
        ("reject", second, {"error_code": "01", "error_description": "No"}),
        ("remove", third, {}),
    ):
        answer = envelope(
            await post(
                client,
                f"communications/queue/{path}",
                token,
                communication_queue_identifier={"number": entry.number},
                **extra,
            )
        )
        assert_documented(answer, QUEUE)


async def test_fields_set_answers_only_the_named_fields(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    token = await login(client)
    ident = {"id": HEAVY_ID}
    for fields in ("id,subject,log_information", "subject", "media,nonsense,viewed"):
        (record,) = envelope(
            await get(
                client,
                "communications/list",
                token,
                contact_information_identifier=ident,
                number_of_results=1,
                fields_set=fields,
            )
        )
        # `id` only when named (CONTRACT.md); `viewed` is not a list field at all.
        assert_documented(record, LIST, fields=set(fields.split(",")))
    # The doc's own examples: create (line 1351) and queue/process (line 3262).
    made = envelope(
        await post(
            client,
            "communications/create",
            token,
            contact_information_identifier={"id": people()[4].crmcom_id},
            direction="INCOMING",
            media="PHONE",
            subject="Call",
            content="About the bill",
            fields_set="contact_information,media,subject,subscription",
        )
    )
    assert set(made) == {"contact_information", "media", "subject"}
    entry = pending_entries(app, "SMS")[0]
    processed = envelope(
        await post(
            client,
            "communications/queue/process",
            token,
            communication_queue_identifier={"number": entry.number},
            fields_set="number,id,communication",
        )
    )
    assert set(processed) == {"number", "id", "communication"}


async def test_an_undocumented_key_fails(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check itself: one more key anywhere in an answer is caught."""
    token = await login(client)
    ident = {"id": HEAVY_ID}
    (good,) = envelope(
        await get(
            client,
            "communications/list",
            token,
            contact_information_identifier=ident,
            number_of_results=1,
        )
    )
    assert_documented(good, LIST)
    with pytest.raises(AssertionError, match="undocumented: \\['viewed'\\]"):
        assert_documented({**good, "viewed": 0}, LIST)
    log = good["log_information"]
    user = {**log["created_by_user"], "phone": "1"}
    with pytest.raises(
        AssertionError, match=re.escape("log_information.created_by_user.phone")
    ):
        assert_documented(
            {**good, "log_information": {**log, "created_by_user": user}}, LIST
        )
    # A simulator that lists viewed_on (as it once did) fails the check.
    monkeypatch.setattr(
        sim_module, "LIST_FIELDS", (*sim_module.LIST_FIELDS, "viewed_on")
    )
    (bad,) = envelope(
        await get(
            client,
            "communications/list",
            token,
            contact_information_identifier=ident,
            number_of_results=1,
        )
    )
    with pytest.raises(AssertionError, match="undocumented: \\['viewed_on'\\]"):
        assert_documented(bad, LIST)


def test_the_simulators_lists_match_the_doc() -> None:
    assert set(crmcom_data.SHOW_FIELDS) == SHOW
    assert set(crmcom_data.LIST_FIELDS) == LIST
    assert set(crmcom_data.SAVE_FIELDS) == SAVE
    assert set(crmcom_data.COMPLETE_FIELDS) == COMPLETE
    assert set(crmcom_data.VIEWED_FIELDS) == VIEWED
    assert set(crmcom_data.QUEUE_FIELDS) == QUEUE


# ---- what the doc refuses -----------------------------------------------------------


async def test_only_the_configured_credentials_log_in() -> None:
    app = create_app(credentials=("api", "s3cret"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        for body in (
            CREDS,
            {"username": "api", "password": "wrong"},
            {"username": "API", "password": "s3cret"},
            {"username": "api", "password": ""},
        ):
            r = await c.post(f"{API}/authentication/login", json=body)
            assert r.status_code == 401
            envelope(r, "INVALID_LOGIN")
        r = await c.post(f"{API}/authentication/login", json={"username": "api"})
        envelope(r, "MISSING_PARAMETER")
        r = await c.post(
            f"{API}/authentication/login", json={"username": "api", "password": 1}
        )
        envelope(r, "INVALID_PARAMETER")
        r = await c.post(
            f"{API}/authentication/login",
            json={"username": "api", "password": "s3cret"},
        )
        assert envelope(r)["token"]


async def test_a_missing_bad_or_expired_token_is_invalid_token(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ident = {"id": HEAVY_ID}
    for token in (None, "", "BOGUS"):
        r = await get(
            client, "communications/list", token, contact_information_identifier=ident
        )
        envelope(r, "INVALID_TOKEN")
        r = await post(
            client,
            "communications/queue/process",
            token,
            communication_queue_identifier={"number": "1"},
        )
        envelope(r, "INVALID_TOKEN")
    token = await login(client)
    app.state.tokens.pop(token)  # expired
    r = await get(
        client, "communications/list", token, contact_information_identifier=ident
    )
    envelope(r, "INVALID_TOKEN")


C = {"contact_information_identifier": {"id": HEAVY_ID}}
SMS = {"media": "SMS"}


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        # Mandatory parameters (each call's parameter table and Restrictions).
        ("communications/show", {}, "MISSING_PARAMETER"),
        ("communications/list", {}, "MISSING_PARAMETER"),
        ("communications/list", {"media": "EMAIL"}, "MISSING_PARAMETER"),
        ("communications/queue/show", {}, "MISSING_PARAMETER"),
        ("communications/queue/list", {}, "MISSING_PARAMETER"),
        ("communications/queue/get_latest", SMS, "MISSING_PARAMETER"),
        (
            "communications/queue/list",  # only one of system and media
            {
                **SMS,
                "communication_queue_external_system_identifier": {"name": "EXT 1"},
            },
            "INVALID_PARAMETER",
        ),
        # Caps and types.
        ("communications/list", {**C, "number_of_results": 501}, "INVALID_PARAMETER"),
        ("communications/list", {**C, "number_of_results": 0}, "INVALID_PARAMETER"),
        ("communications/list", {**C, "number_of_results": "ten"}, "INVALID_PARAMETER"),
        ("communications/list", {**C, "offset": -1}, "INVALID_PARAMETER"),
        ("communications/list", {**C, "offset": "1.5"}, "INVALID_PARAMETER"),
        ("communications/list", {**C, "media": "FAX"}, "INVALID_PARAMETER"),
        ("communications/list", {**C, "direction": "SIDEWAYS"}, "INVALID_PARAMETER"),
        (
            "communications/queue/get_pending_completed",
            {**SMS, "number_of_results": 501},
            "INVALID_PARAMETER",
        ),
        (
            "communications/queue/get_latest",
            {**SMS, "number": 501},
            "INVALID_PARAMETER",
        ),
        (
            "communications/queue/list",
            {**SMS, "life_cycle_state": "DONE"},
            "INVALID_PARAMETER",
        ),
        # Identifiers: an object naming one allowed field.
        (
            "communications/show",
            {"communication_identifier": "42"},
            "INVALID_PARAMETER",
        ),
        (
            "communications/show",
            {"communication_identifier": {"id": "A", "number": "1"}},
            "INVALID_PARAMETER",
        ),
        (
            "communications/show",
            {"communication_identifier": {"colour": "red"}},
            "INVALID_PARAMETER",
        ),
        (
            "communications/show",
            {"communication_identifier": {"id": "F" * 32}},
            "NOT_FOUND",
        ),
    ],
)
async def test_what_the_doc_refuses_get(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], code: str
) -> None:
    token = await login(client)
    envelope(await get(client, path, token, **params), code)


async def test_what_the_doc_refuses_post(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    token = await login(client)
    entry = pending_entries(app, "SMS")[-1]
    ident = {"number": entry.number}
    for body, code in (
        ({}, "MISSING_PARAMETER"),
        ({"communication_queue_identifier": ident}, "MISSING_PARAMETER"),
        (
            {"communication_queue_identifier": ident, "error_code": "01"},
            "MISSING_PARAMETER",
        ),
        (
            {
                "communication_queue_identifier": ident,
                "error_code": 1,
                "error_description": "x",
            },
            "INVALID_PARAMETER",
        ),
        (
            {
                "communication_queue_identifier": json.dumps(ident),  # not an object
                "error_code": "01",
                "error_description": "x",
            },
            "INVALID_PARAMETER",
        ),
    ):
        r = await post(client, "communications/queue/reject", token, **body)
        envelope(r, code)
    r = await post(
        client,
        "communications/queue/process",
        token,
        communication_queue_identifier=ident,
        fields_set=["id"],
    )
    envelope(r, "INVALID_PARAMETER")
    r = await post(
        client,
        "communications/create",
        token,
        contact_information_identifier={"id": people()[2].crmcom_id},
        direction="OUTGOING",
        media="EMAIL",
        subject="No recipient",
        content="x",
    )
    envelope(r, "MISSING_PARAMETER")  # `to` is mandatory for email
    # A final state is final (CONTRACT.md).
    envelope(
        await post(
            client,
            "communications/queue/remove",
            token,
            communication_queue_identifier=ident,
        )
    )
    for path in ("process", "remove"):
        r = await post(
            client,
            f"communications/queue/{path}",
            token,
            communication_queue_identifier=ident,
        )
        envelope(r, "INVALID_LIFE_CYCLE_STATE")
