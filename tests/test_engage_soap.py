"""SOAP in the connector base, and the Engage simulator's strictness: credentials,
mandatory arguments, caps, faults mapped by code (not by status), fault knobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from trunkline.config import load_settings
from trunkline.connectors import soap
from trunkline.connectors.engage import EngageConnector
from trunkline.connectors.transport import make_client
from trunkline.errors import (
    VendorInvalidState,
    VendorNotFound,
    VendorProtocolError,
    VendorRejected,
    VendorResultTooLarge,
    VendorUnavailable,
)
from trunkline.simulators.base import anchor_now
from trunkline.simulators.engage import create_app, operations
from trunkline.simulators.engage_data import BUSY_ACCOUNT, BUSY_ATTEMPTS

NOW = anchor_now()
CRED = ("trunkline", "embedded")


def connector(app: Any, env: dict[str, str] | None = None) -> EngageConnector:
    s = load_settings(env=env or {}).vendor("engage")
    return EngageConnector(s, make_client(s, app=app))


async def post(app: Any, action: str, body: bytes) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://e"
    ) as http:
        return await http.post(
            "/engage/api",
            content=body,
            headers={"SOAPAction": f'"{action}"', "Content-Type": soap.CONTENT_TYPE},
        )


def fault(r: httpx.Response) -> tuple[str, str] | None:
    return soap.fault_of(soap.body_child(soap.parse(r.content, "engage"), "engage"))


def test_envelope_carries_the_operation_arguments_and_a_username_token() -> None:
    body = soap.envelope(
        "listCampaigns",
        "urn:engage",
        {"org": {"internalId": "1001"}, "fromDate": None, "ids": ["a", "b"]},
        credentials=("u", "p<&>"),
    )
    root = soap.parse(body, "x")
    call = soap.body_child(root, "x")
    assert call.tag == "{urn:engage}listCampaigns"
    assert soap.to_value(call) == {"org": {"internalId": "1001"}, "ids": ["a", "b"]}
    header = next(p for p in root if soap.local(p.tag) == "Header")
    assert soap.to_value(header) == {
        "Security": {"UsernameToken": {"Username": "u", "Password": "p<&>"}}
    }
    assert "p&lt;&amp;&gt;" in body.decode()  # escaped, never raw


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>&b;</Body></Envelope>'
    )
    with pytest.raises(VendorProtocolError):
        soap.parse(bomb, "engage")


@pytest.mark.parametrize(
    "answer",
    [
        # a DTD with no entity at all: SOAP forbids any
        b'<!DOCTYPE Envelope SYSTEM "http://127.0.0.1:9/x.dtd"><Envelope/>',
        # UTF-16 with its byte order mark: the DOCTYPE check reads UTF-8 only
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><Envelope/>'.encode(
            "utf-16"
        ),
        b"<Envelope><Body></Envelope>",  # not well-formed
        b"",
    ],
    ids=["external DTD", "UTF-16", "unclosed", "empty"],
)
def test_answers_that_are_not_safe_soap_xml_are_protocol_errors(answer: bytes) -> None:
    with pytest.raises(VendorProtocolError, match="answer was not SOAP XML"):
        soap.parse(answer, "engage")


def test_flat_reads_leaves_by_path_the_first_of_a_repeat() -> None:
    root = soap.parse(
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<r xmlns="urn:engage"><internalId> 9 </internalId><contact><externalId>'
        b"100027</externalId><device><externalId>a@b</externalId></device></contact>"
        b"<campaign><internalId>6</internalId></campaign>"
        b"<campaign><internalId>7</internalId></campaign><result/></r>"
        b"</s:Body></s:Envelope>",
        "engage",
    )
    assert soap.flat(soap.body_child(root, "engage")) == {
        "internalId": "9",
        "contact.externalId": "100027",
        "contact.device.externalId": "a@b",
        "campaign.internalId": "6",
        "result": None,
    }


async def test_the_simulator_refuses_an_envelope_with_a_dtd() -> None:
    app = create_app(now=NOW)
    body = soap.envelope(
        "listScripts", "urn:engage", {"org": {"internalId": "1001"}}, credentials=CRED
    )
    r = await post(app, "listScripts", b"<!DOCTYPE x>" + body.split(b"?>", 1)[1])
    assert r.status_code == 500
    assert fault(r) == ("Client", "malformed SOAP envelope")


async def test_wrong_credentials_are_a_failed_authentication_fault() -> None:
    app = create_app(now=NOW, credentials=("trunkline", "embedded"))
    c = connector(
        app, {"TRUNKLINE_ENGAGE_USERNAME": "x", "TRUNKLINE_ENGAGE_PASSWORD": "y"}
    )
    with pytest.raises(VendorRejected) as caught:
        await c.list_campaigns()
    assert caught.value.extensions["vendorCode"] == "FailedAuthentication"
    assert "y" not in caught.value.message


async def test_the_soap_action_must_name_the_body_method() -> None:
    app = create_app(now=NOW)
    body = soap.envelope(
        "listScripts", "urn:engage", {"org": {"internalId": "1001"}},
        credentials=("trunkline", "embedded"),
    )  # fmt: skip
    r = await post(app, "listCampaigns", body)
    assert r.status_code == 500
    assert fault(r) == ("Client", "SOAPAction does not name the Body's method")
    assert operations(app) == ["listCampaigns"]  # the call log names the operation


async def test_mandatory_arguments_and_unknown_objects() -> None:
    app = create_app(now=NOW)
    cred = ("trunkline", "embedded")
    r = await post(
        app,
        "listScripts",
        soap.envelope("listScripts", "urn:engage", {}, credentials=cred),
    )
    assert fault(r) == ("ARG_NULL", "Invalid Data, argument 'org' must be non-null")
    r = await post(
        app, "listScripts",
        soap.envelope("listScripts", "urn:engage", {"org": {"internalId": "9"}}, credentials=cred),
    )  # fmt: skip
    assert fault(r) == ("OBJECT_NOT_EXISTS", "Referenced object 'org' does not exist")


async def test_faults_map_by_code_and_are_not_retried() -> None:
    app = create_app(now=NOW)
    c = connector(app)
    assert await c.get_contact_batch("NO-SUCH-BATCH") is None  # OBJECT_NOT_EXISTS
    assert operations(app) == ["showContactBatchState"]  # once: a fault is no 5xx
    app.state.calls.clear()
    with pytest.raises(VendorNotFound):
        await c.cancel_contact_batch("NO-SUCH-BATCH")
    with pytest.raises(VendorInvalidState) as caught:
        await c.cancel_contact_batch("BATCH-05-1")  # Done
    assert caught.value.code == "CONFLICT"
    assert caught.value.extensions["vendorCode"] == "INVALID_STATE"
    assert operations(app) == ["changeContactBatchState"] * 2


async def test_a_busy_day_is_too_large_and_two_days_split_into_windows() -> None:
    app = create_app(now=NOW)
    c = connector(app)
    day = int(NOW.timestamp())
    with pytest.raises(VendorResultTooLarge):
        await c.attempts_window(BUSY_ACCOUNT, day - 86_400, day)
    app.state.calls.clear()
    splits: list[tuple[int, int]] = []
    got = await c.contact_attempts(
        BUSY_ACCOUNT, NOW - timedelta(hours=48), NOW, None, 10_000,
        on_split=lambda s, e: splits.append((s, e)),
    )  # fmt: skip
    ids = [a.id for a, _ in got.items]
    assert len(ids) == len(set(ids)) == BUSY_ATTEMPTS  # every attempt, once
    times = [a.started_at for a, _ in got.items]
    assert times == sorted(times, reverse=True)
    assert len(splits) == 4
    assert operations(app) == ["listContactAttempts"] * 8  # 4 refused + 4 answered


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("inclusive", [False, True])
async def test_attempts_under_any_order_and_bound_inclusivity(
    order: str, inclusive: bool
) -> None:
    app = create_app(now=NOW)
    app.state.knobs.attempt_order = order
    app.state.knobs.to_inclusive = inclusive
    c = connector(app)
    got = await c.contact_attempts(
        BUSY_ACCOUNT, NOW - timedelta(hours=48), NOW, None, 10_000
    )
    ids = [a.id for a, _ in got.items]
    assert len(ids) == len(set(ids)) == BUSY_ATTEMPTS


async def test_fault_knobs_answer_soap_server_faults() -> None:
    app = create_app(now=NOW)
    app.state.faults.down = True
    c = connector(app)
    with pytest.raises(VendorUnavailable) as caught:
        await c.list_campaigns()
    assert caught.value.extensions["vendorCode"] == "Server"
    assert operations(app) == ["listCampaigns"] * 2  # transient: retried once


async def test_seeded_data_is_stable_and_the_default_window_is_a_day() -> None:
    app = create_app(now=NOW)
    c = connector(app)
    campaigns = await c.list_campaigns()
    assert len(campaigns) == 12
    subs = await c.sub_campaigns(campaigns)
    assert sum(len(s) for s in subs.values()) == 24
    assert operations(app) == ["listCampaigns", "listSubCampaignStates"]
    batches = await c.contact_batches(NOW - timedelta(days=7), NOW + timedelta(hours=1))
    assert len(batches) == 24
    assert all(b.contact_count and b.attempted_count is not None for b in batches)
    # no window given: the doc's default, the 24 hours up to now
    body = soap.envelope("listContactBatchStates", "urn:engage", {}, credentials=CRED)
    r = await post(app, "listContactBatchStates", body)
    answer = soap.response_of(r.content, "engage", "listContactBatchStates")
    assert len(soap.returns(answer)) == 7  # created 3 to 24 hours ago (from included)


@pytest.mark.parametrize("qualified", [False, True])
def test_a_listed_attempt_reads_the_same_with_qualified_children(
    qualified: bool,
) -> None:
    from trunkline.connectors.engage import _row

    e = "e:" if qualified else ""
    answer = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:e="urn:engage"><s:Body><e:listContactAttemptsResponse><e:return>'
        f"<{e}internalId> 900990 </{e}internalId><{e}contact><{e}externalId>100027"
        f"</{e}externalId></{e}contact><{e}channel>SMS</{e}channel>"
        f"<{e}startTime>2026-12-03T12:06:30Z</{e}startTime>"
        "</e:return></e:listContactAttemptsResponse></s:Body></s:Envelope>"
    ).encode()
    response = soap.response_of(answer, "engage", "listContactAttempts")
    row = _row(soap.returns(response)[0])
    assert row.key == [1796299590, 900990, "900990"]
    attempt = row.attempt()
    assert (attempt.id, attempt.contact_key, attempt.channel) == (
        "900990",
        "100027",
        "SMS",
    )


async def test_an_answer_nested_past_the_interpreters_limit_is_a_protocol_error() -> (
    None
):
    depth = 5_000
    deep = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        b'<e:listScriptsResponse xmlns:e="urn:engage"><return>'
        + b"<a>" * depth
        + b"x"
        + b"</a>" * depth
        + b"</return></e:listScriptsResponse></s:Body></s:Envelope>"
    )

    async def answer(request: Any) -> Response:
        return Response(deep, 200, media_type=soap.CONTENT_TYPE)

    c = connector(Starlette(routes=[Route("/engage/api", answer, methods=["POST"])]))
    with pytest.raises(VendorProtocolError, match="ENGAGE: answer nested too deeply"):
        await c.scripts()
