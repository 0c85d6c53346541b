"""The MoxiWorks simulator speaks the vendor's doc, CONTRACT.md filling the gaps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from trunkline.simulators import moxiworks
from trunkline.simulators.moxiworks import (
    ACTION_TYPES,
    AGENT_ID,
    AGENT_UUID,
    COMPANY_ID,
    PARENT_COMPANY_ID,
    SOURCE_AGENT_ID,
    MoxiStore,
    build_store,
    contact_uuid,
    create_app,
)
from trunkline.simulators.seed import HEAVY, HUGE, people

NOW = datetime(2026, 3, 1, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
DAY = 86_400
WINDOW = 90 * DAY
PATH = "/api/action_logs"
ACCEPT = {"Accept": "application/vnd.moxi-platform+json;version=1"}
AUTH = ("partner-id", "partner-secret")  # the credentials the app is configured with
HEAVY_ACCOUNT = people()[HEAVY].account


@pytest.fixture
def app() -> Starlette:
    app = create_app(now=NOW, username=AUTH[0], password=AUTH[1])
    app.state.store.clock = lambda: float(NOW_TS)  # freeze time for exact windows
    return app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim", auth=AUTH, headers=ACCEPT
    ) as client:
        yield client


def store_of(app: Starlette) -> MoxiStore:
    store: MoxiStore = app.state.store
    return store


def who(account: str = HEAVY_ACCOUNT, **extra: Any) -> dict[str, Any]:
    return {"agent_uuid": AGENT_UUID, "partner_contact_id": account, **extra}


async def index(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(PATH, params=who(**params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def expected(
    store: MoxiStore, low: int, high: int, account: str = HEAVY_ACCOUNT
) -> list[str]:
    return [e.id for e in store.logs[account] if low <= e.timestamp < high]


def ids(body: dict[str, Any]) -> list[str]:
    return [action["moxi_works_action_log_id"] for action in body["actions"]]


def assert_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] in ("error", "fail")
    assert body["messages"] and all(isinstance(m, str) for m in body["messages"])


# --- auth, headers, session ----------------------------------------------------


async def test_basic_auth_is_required(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH, params=who(), auth=None)
    assert_error(response, 401)
    bad = {"Authorization": "Basic not-base64!"}
    assert_error(await client.get(PATH, params=who(), headers=bad, auth=None), 401)
    empty_secret = httpx.BasicAuth("partner-id", "")
    assert_error(await client.get(PATH, params=who(), auth=empty_secret), 401)
    # only the configured credentials pass
    wrong = httpx.BasicAuth("partner-id", "other-secret")
    assert_error(await client.get(PATH, params=who(), auth=wrong), 401)
    other = httpx.BasicAuth("someone", "partner-secret")
    assert_error(await client.get(PATH, params=who(), auth=other), 401)


def test_credentials_default_to_the_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRUNKLINE_MOXIWORKS_USERNAME", raising=False)
    monkeypatch.delenv("TRUNKLINE_MOXIWORKS_PASSWORD", raising=False)
    monkeypatch.delenv("TRUNKLINE_SECRETS_FILE", raising=False)
    embedded = (moxiworks.EMBEDDED_USERNAME, moxiworks.EMBEDDED_PASSWORD)
    assert create_app().state.credentials == embedded
    monkeypatch.setenv("TRUNKLINE_MOXIWORKS_USERNAME", "bench")
    monkeypatch.setenv("TRUNKLINE_MOXIWORKS_PASSWORD", "s3cret")
    assert create_app().state.credentials == ("bench", "s3cret")


async def test_accept_header_is_required(client: httpx.AsyncClient) -> None:
    wrong = {"Accept": "application/json"}
    assert_error(await client.get(PATH, params=who(), headers=wrong), 406)
    old = {"Accept": "application/vnd.moxi-platform+json;version=2"}
    assert_error(await client.get(PATH, params=who(), headers=old), 406)


async def test_session_cookie_is_set_and_taken_back(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    first = await client.get(PATH, params=who())
    token = first.cookies.get("_moxi_session")
    assert token
    client.cookies.set("_moxi_session", token)  # what a cookie jar does
    await client.get(PATH, params=who())
    assert store_of(app).sessions[token] >= 1


# --- agent and contact naming --------------------------------------------------


@pytest.mark.parametrize(
    "agent",
    [
        {},
        {"agent_uuid": AGENT_UUID, "moxi_works_agent_id": AGENT_ID},
        {"source_agent_id": SOURCE_AGENT_ID},
        {"agent_uuid": ""},
    ],
)
async def test_agent_must_be_named_exactly_once(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    params = {"partner_contact_id": HEAVY_ACCOUNT, **agent}
    assert_error(await client.get(PATH, params=params), 422)


@pytest.mark.parametrize(
    "agent",
    [
        {"agent_uuid": AGENT_UUID},
        {"moxi_works_agent_id": AGENT_ID},
        {"source_agent_id": SOURCE_AGENT_ID, "moxi_works_company_id": COMPANY_ID},
        {"source_agent_id": SOURCE_AGENT_ID, "parent_company_id": PARENT_COMPANY_ID},
    ],
)
async def test_each_agent_identifier_is_accepted(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    response = await client.get(PATH, params={"partner_contact_id": "100000", **agent})
    assert response.status_code == 200
    assert response.json()["agent_uuid"] == AGENT_UUID


async def test_unknown_agent_is_404(client: httpx.AsyncClient) -> None:
    params = {"moxi_works_agent_id": "nobody@example.com", "partner_contact_id": "1"}
    assert_error(await client.get(PATH, params=params), 404)
    params = {"source_agent_id": SOURCE_AGENT_ID, "moxi_works_company_id": "other"}
    assert_error(
        await client.get(PATH, params={**params, "partner_contact_id": "1"}), 404
    )


async def test_contact_must_be_named(client: httpx.AsyncClient) -> None:
    response = await client.get(PATH, params={"agent_uuid": AGENT_UUID})
    assert_error(response, 422)
    mismatch = who(moxi_works_contact_id=contact_uuid("100005"))
    assert_error(await client.get(PATH, params=mismatch), 422)


async def test_unknown_contact_answers_empty_actions(client: httpx.AsyncClient) -> None:
    body = await index(client, account="no-such-contact")
    assert body["actions"] == []
    assert body["partner_contact_id"] == "no-such-contact"
    assert body["moxi_works_contact_id"] is None


async def test_contact_by_moxi_id_matches_partner_id(client: httpx.AsyncClient) -> None:
    params = {"agent_uuid": AGENT_UUID, "moxi_works_contact_id": contact_uuid("100001")}
    by_moxi = (await client.get(PATH, params=params)).json()
    by_partner = await index(client, account="100001")
    assert by_moxi == by_partner
    assert by_moxi["partner_contact_id"] == "100001"
    assert by_moxi["moxi_works_agent_id"] == AGENT_ID


# --- windows -------------------------------------------------------------------


async def test_default_window_is_the_last_90_days(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    body = await index(client, account=people()[HUGE].account)
    store = store_of(app)
    want = expected(store, NOW_TS + 1 - WINDOW, NOW_TS + 1, people()[HUGE].account)
    assert want and ids(body) == want


async def test_window_bounds_are_exclusive_as_the_doc_says(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """The doc: "later than" date_min, "earlier than" date_max."""
    entry = store_of(app).logs[HEAVY_ACCOUNT][100]
    t = entry.timestamp
    assert entry.id in ids(await index(client, date_min=t - 1, date_max=t + 1))
    assert entry.id not in ids(await index(client, date_min=t, date_max=t + 1))
    assert entry.id not in ids(await index(client, date_min=t - DAY, date_max=t))


async def test_knobs_make_the_bounds_inclusive(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """CONTRACT.md's reading (date_min included) and a date_max included, as knobs."""
    entry = store_of(app).logs[HEAVY_ACCOUNT][100]
    t = entry.timestamp
    knobs = await client.put("/_sim/knobs", json={"date_min_inclusive": True})
    assert knobs.status_code == 200 and knobs.json()["date_min_inclusive"] is True
    assert entry.id in ids(await index(client, date_min=t, date_max=t + 1))
    assert entry.id not in ids(await index(client, date_min=t - DAY, date_max=t))
    app.state.knobs.date_max_inclusive = True
    assert entry.id in ids(await index(client, date_min=t - DAY, date_max=t))
    assert entry.id not in ids(await index(client, date_min=t + 1, date_max=t + DAY))
    bad = await client.put("/_sim/knobs", json={"order": "sideways"})
    assert bad.status_code == 400


async def test_order_knob(app: Starlette, client: httpx.AsyncClient) -> None:
    account = people()[HUGE].account
    oldest_first = ids(await index(client, account=account))
    app.state.knobs.order = "newest_first"
    assert ids(await index(client, account=account)) == oldest_first[::-1]
    app.state.knobs.order = "shuffled"
    shuffled = ids(await index(client, account=account))
    assert shuffled != oldest_first and sorted(shuffled) == sorted(oldest_first)


async def test_unknown_contact_knob_answers_404(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    app.state.knobs.unknown_contact = "404"
    response = await client.get(PATH, params=who("no-such-contact"))
    assert_error(response, 404)
    assert "agent" not in response.json()["messages"][0]
    assert (await index(client, account="100001"))["partner_contact_id"] == "100001"


async def test_wide_range_is_clamped_to_90_days_from_date_min(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    store = store_of(app)
    low = NOW_TS - 800 * DAY
    body = await index(
        client, account=people()[HUGE].account, date_min=low, date_max=NOW_TS
    )
    want = expected(store, low + 1, low + WINDOW, people()[HUGE].account)
    assert want and ids(body) == want


async def test_one_sided_ranges_cover_90_days(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    store, account = store_of(app), people()[HUGE].account
    high = NOW_TS - 100 * DAY
    only_max = await index(client, account=account, date_max=high)
    assert ids(only_max) == expected(store, high - WINDOW + 1, high, account)
    low = NOW_TS - 500 * DAY
    only_min = await index(client, account=account, date_min=low)
    assert ids(only_min) == expected(store, low + 1, low + WINDOW, account)


async def test_actions_are_oldest_first_and_well_formed(
    client: httpx.AsyncClient,
) -> None:
    body = await index(client, account=people()[HUGE].account)
    stamps = [action["timestamp"] for action in body["actions"]]
    assert stamps == sorted(stamps) and len(stamps) > 10
    for action in body["actions"]:
        assert action["type"] in ACTION_TYPES
        assert isinstance(action["timestamp"], int)
        assert set(action["log_data"]) == {
            "agent_action",
            "agent_action_address",
            "agent_action_address2",
            "agent_action_city",
            "agent_action_state",
            "agent_action_zip",
            "title",
            "body",
        }


@pytest.mark.parametrize("value", ["yesterday", "", "1.5", "1e9"])
async def test_bad_date_is_rejected(client: httpx.AsyncClient, value: str) -> None:
    assert_error(await client.get(PATH, params=who(date_min=value)), 422)
    assert_error(await client.get(PATH, params=who(date_max=value)), 422)


async def test_walking_windows_back_collects_every_entry_once(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    store = store_of(app)
    seen: list[str] = []
    counts: list[int] = []
    high = NOW_TS + 1
    while high > NOW_TS - 3 * 365 * DAY - WINDOW:
        # from one second earlier: date_min is exclusive; the span stays in the cap
        window = ids(await index(client, date_min=high - WINDOW, date_max=high))
        seen += window
        counts.append(len(window))
        high -= WINDOW - 1
    assert len(seen) == len(set(seen)) == 350
    assert set(seen) == {e.id for e in store.logs[HEAVY_ACCOUNT]}
    assert _longest_empty_run(counts) >= 3  # a walker must not stop at an empty window


def _longest_empty_run(counts: list[int]) -> int:
    best = run = 0
    for count in counts:
        run = run + 1 if count == 0 else 0
        best = max(best, run)
    return best


# --- seeded data ---------------------------------------------------------------


def test_seed_is_deterministic_and_spans_years() -> None:
    seeded = moxiworks._seeded.__wrapped__  # uncached
    one = seeded(7, NOW_TS)
    # no timing assert here: speed targets live in bench/, not in unit tests
    assert seeded(7, NOW_TS) == one
    assert seeded(8, NOW_TS) != one
    entries = {account: log for account, log in one}
    stamps = [e.timestamp for log in entries.values() for e in log]
    assert max(stamps) < NOW_TS
    assert max(stamps) - min(stamps) > 2 * 365 * DAY
    assert len(entries[people()[HUGE].account]) == 3000


def test_seed_has_nulls_and_locations() -> None:
    entries = list(build_store(7, NOW).by_id.values())
    assert {e.type for e in entries} == set(ACTION_TYPES)
    assert any(e.log_data["title"] is None for e in entries)
    located = [e for e in entries if e.type in ("inperson", "other")]
    assert located and all(e.log_data["agent_action_city"] for e in located)
    manual = [e for e in entries if e.type == "manual"]
    assert all(e.log_data["agent_action"] is None for e in manual)


# --- create and delete ---------------------------------------------------------


async def test_create_then_delete(app: Starlette, client: httpx.AsyncClient) -> None:
    form = {**who("100002"), "title": "Called back", "body": "Left a message."}
    created = await client.post(PATH, data=form)
    assert created.status_code == 200, created.text
    entry = created.json()
    assert entry["timestamp"] == NOW_TS
    assert entry["log_data"]["title"] == "Called back"
    assert entry["partner_contact_id"] == "100002"
    assert "title" not in entry  # the entry as the index shows it, not flat
    log_id = entry["moxi_works_action_log_id"]
    assert log_id in ids(await index(client, account="100002"))

    params = who("100002")
    deleted = await client.delete(f"{PATH}/{log_id}", params=params)
    assert deleted.json() == {"status": "success", "deleted": True, "messages": []}
    assert log_id not in ids(await index(client, account="100002"))
    assert_error(await client.delete(f"{PATH}/{log_id}", params=params), 404)


async def test_create_accepts_json_with_an_agent_action(
    client: httpx.AsyncClient,
) -> None:
    payload = {
        **who("100003"),
        "title": "Showing",
        "body": "Walked through the house.",
        "agent_action": "inperson",
        "agent_action_address": "12 Oak St",
        "agent_action_city": "Austin",
    }
    response = await client.post(PATH, json=payload)
    assert response.status_code == 200, response.text
    entry = response.json()
    assert entry["type"] == "inperson"
    assert entry["log_data"]["agent_action_address"] == "12 Oak St"
    assert entry["log_data"]["agent_action_zip"] is None


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "x"},
        {"body": "x"},
        {"title": "", "body": "x"},
        {"title": "x", "body": "b" * 5000},
    ],
)
async def test_create_validates_title_and_body(
    client: httpx.AsyncClient, fields: dict[str, str]
) -> None:
    assert_error(await client.post(PATH, data={**who("100002"), **fields}), 422)


async def test_create_accepts_4999_characters(client: httpx.AsyncClient) -> None:
    data = {**who("100002"), "title": "t", "body": "b" * 4999}
    assert (await client.post(PATH, data=data)).status_code == 200


async def test_create_for_unknown_contact_is_404(client: httpx.AsyncClient) -> None:
    data = {**who("nobody"), "title": "t", "body": "b"}
    assert_error(await client.post(PATH, data=data), 404)


async def test_delete_needs_the_agent(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    log_id = store_of(app).logs[HEAVY_ACCOUNT][0].id
    params = {"partner_contact_id": HEAVY_ACCOUNT}
    assert_error(await client.delete(f"{PATH}/{log_id}", params=params), 422)


# --- faults --------------------------------------------------------------------


async def test_down_switch_answers_503(client: httpx.AsyncClient) -> None:
    assert (await client.put("/_sim/faults", json={"down": True})).status_code == 200
    assert (await client.get(PATH, params=who())).status_code == 503
    await client.put("/_sim/faults", json={"down": False})
    assert (await client.get(PATH, params=who())).status_code == 200
