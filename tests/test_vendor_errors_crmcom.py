"""How the CRM.COM connector maps what the vendor answers to trunkline's error codes.

The doc (crmcom-communications.txt) names no error codes of its own; CONTRACT.md
names the envelope (`status.code` other than `OK` is an error, whatever the HTTP
status) and `INVALID_TOKEN` (log in again once, retry once). The codes the simulator
uses for the rest (NOT_FOUND, INVALID_LIFE_CYCLE_STATE, MISSING_PARAMETER,
INVALID_PARAMETER, INVALID_LOGIN) and any code the connector does not know are
mapped here, against a scripted vendor, both with an HTTP error status and with 200.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trunkline.config import VendorSettings
from trunkline.connectors.base import HistoryRead
from trunkline.connectors.crmcom import CrmComConnector
from trunkline.connectors.transport import make_client
from trunkline.domain import InteractionFilter
from trunkline.errors import (
    ConnectorError,
    VendorConflict,
    VendorNotFound,
    VendorProtocolError,
    VendorRateLimited,
    VendorRejected,
    VendorUnavailable,
)
from trunkline.pagination.merge import Batch

API = "/crmapi/rest/v2/"
TOKEN = "1B4D09A2C62B477791544314C3847FE5"
RECORD = {"id": "A1", "log_information": {"created_date": "2015-02-19T09:48:00"}}


def envelope(code: str = "OK", data: Any = None, message: str = "") -> dict[str, Any]:
    return {
        "status": {"code": code, "message": message, "description": message},
        "data": data,
    }


class Vendor:
    """A scripted CRM.COM: each call takes the next (status, body) of its path's
    script; login always answers a token unless scripted."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[tuple[int, Any]]] = {}
        self.calls: list[str] = []

    def script(self, path: str, *answers: tuple[int, Any]) -> None:
        self.scripts[path] = list(answers)

    async def answer(self, request: Request) -> Response:
        path = request.url.path.removeprefix(API)
        self.calls.append(path)
        script = self.scripts.get(path)
        if not script:
            if path == "authentication/login":
                return JSONResponse(envelope(data={"token": TOKEN}))
            raise AssertionError(f"unscripted call {path}")
        status, body = script.pop(0)
        if isinstance(body, str | bytes):
            return Response(body, status, media_type="text/plain")
        headers = {"Retry-After": "2"} if status == 429 else None
        return JSONResponse(body, status, headers=headers)

    def count(self, path: str) -> int:
        return self.calls.count(path)


@pytest.fixture
def vendor() -> Vendor:
    return Vendor()


@pytest.fixture
async def conn(vendor: Vendor) -> AsyncIterator[CrmComConnector]:
    app = Starlette(
        routes=[Route("/{rest:path}", vendor.answer, methods=["GET", "POST"])]
    )
    vs = VendorSettings(name="crmcom", base_url="http://crmcom.test")
    c = CrmComConnector(vs, make_client(vs, app=app))
    yield c
    await c.aclose()


async def history(conn: CrmComConnector) -> Batch[Any] | BaseException:
    (answer,) = await conn.read_histories(
        [HistoryRead("C1", InteractionFilter(), frozenset(), None, 5)]
    )
    return answer


# ---- envelope codes ---------------------------------------------------------------

CODES = [
    # (code, HTTP status the simulator uses, error class, GraphQL code)
    ("NOT_FOUND", 404, VendorNotFound, "NOT_FOUND"),
    ("INVALID_LIFE_CYCLE_STATE", 409, VendorConflict, "CONFLICT"),
    ("MISSING_PARAMETER", 400, VendorRejected, "VENDOR_REJECTED"),
    ("INVALID_PARAMETER", 400, VendorRejected, "VENDOR_REJECTED"),
    ("SOMETHING_NEW", 400, VendorRejected, "VENDOR_REJECTED"),  # unknown: rejected
]


@pytest.mark.parametrize("http", [True, False])
@pytest.mark.parametrize(("code", "status", "error", "graphql"), CODES)
async def test_envelope_codes_on_queue_actions(
    vendor: Vendor,
    conn: CrmComConnector,
    code: str,
    status: int,
    error: type[ConnectorError],
    graphql: str,
    http: bool,
) -> None:
    answer = (status if http else 200, envelope(code, message=f"{code} said {TOKEN}"))
    vendor.script("communications/queue/process", answer)
    with pytest.raises(error) as raised:
        await conn.process_queue_entry("Q1")
    assert type(raised.value) is error
    assert raised.value.code == graphql
    assert raised.value.message.startswith("CRMCOM: ")
    assert TOKEN not in raised.value.message  # a credential is never echoed
    assert raised.value.status == (status if http else None)
    assert vendor.count("communications/queue/process") == 1  # a POST: no retry


@pytest.mark.parametrize("http", [True, False])
async def test_not_found_on_reads_means_nothing_there(
    vendor: Vendor, conn: CrmComConnector, http: bool
) -> None:
    missing = (404 if http else 200, envelope("NOT_FOUND", message="not found"))
    vendor.script("communications/list", missing)
    assert await history(conn) == Batch([], None)  # an unknown contact: no history
    vendor.script("communications/show", missing)
    assert await conn.get_interaction("X") is None
    vendor.script("communications/queue/show", missing)
    assert await conn.get_queue_entry("X") is None


@pytest.mark.parametrize("http", [True, False])
async def test_other_codes_on_a_history_read_fail_that_read(
    vendor: Vendor, conn: CrmComConnector, http: bool
) -> None:
    vendor.script(
        "communications/list",
        (400 if http else 200, envelope("INVALID_PARAMETER", message="bad offset")),
    )
    answer = await history(conn)
    assert isinstance(answer, VendorRejected)
    assert answer.code == "VENDOR_REJECTED"
    assert "bad offset" in answer.message


# ---- tokens and logins --------------------------------------------------------------


@pytest.mark.parametrize("http", [True, False])
async def test_invalid_token_logs_in_again_once_then_gives_up(
    vendor: Vendor, conn: CrmComConnector, http: bool
) -> None:
    expired = (401 if http else 200, envelope("INVALID_TOKEN", message="expired"))
    vendor.script("communications/list", expired, (200, envelope(data=[RECORD])))
    answer = await history(conn)
    assert isinstance(answer, Batch) and len(answer.items) == 1
    assert vendor.count("authentication/login") == 2
    vendor.calls.clear()
    vendor.script("communications/list", expired, expired)
    answer = await history(conn)
    assert isinstance(answer, VendorRejected)
    assert answer.code == "VENDOR_REJECTED"
    assert vendor.count("authentication/login") == 1  # once, not in a loop
    assert vendor.count("communications/list") == 2


@pytest.mark.parametrize("http", [True, False])
async def test_a_refused_login_is_rejected(
    vendor: Vendor, conn: CrmComConnector, http: bool
) -> None:
    vendor.script(
        "authentication/login",
        (401 if http else 200, envelope("INVALID_LOGIN", message="no such user")),
    )
    with pytest.raises(VendorRejected) as raised:
        await conn.ready()
    assert raised.value.code == "VENDOR_REJECTED"
    assert "no such user" in raised.value.message


async def test_a_login_without_a_token_is_a_protocol_error(
    vendor: Vendor, conn: CrmComConnector
) -> None:
    vendor.script("authentication/login", (200, envelope(data={"session": "x"})))
    with pytest.raises(VendorProtocolError, match="no token"):
        await conn.ready()


# ---- transport-level failures -------------------------------------------------------


async def test_5xx_is_unavailable_after_a_retry_and_429_is_rate_limited(
    vendor: Vendor, conn: CrmComConnector
) -> None:
    down = (503, envelope("GENERAL_ERROR", message="maintenance"))
    vendor.script("communications/list", down, down)
    answer = await history(conn)
    assert isinstance(answer, VendorUnavailable)
    assert answer.code == "VENDOR_UNAVAILABLE"
    assert vendor.count("communications/list") == 2  # a GET is retried once
    vendor.script("communications/queue/process", (503, "<html>busy</html>"))
    with pytest.raises(VendorUnavailable):
        await conn.process_queue_entry("Q1")
    assert vendor.count("communications/queue/process") == 1  # a POST is not
    vendor.script("communications/queue/process", (429, {"message": "slow down"}))
    with pytest.raises(VendorRateLimited) as limited:
        await conn.process_queue_entry("Q1")
    assert limited.value.code == "VENDOR_RATE_LIMITED"


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ((200, "not json"), "not an envelope"),
        ((200, {"data": []}), "not an envelope"),
        ((200, envelope(data={"id": "A1"})), "expected a list"),
        ((200, envelope(data=[{"subject": "no id"}])), "malformed communication"),
        ((200, envelope(data=[{"id": "A1"}])), "no created_date"),
        (
            (
                200,
                envelope(data=[{**RECORD, "log_information": {"created_date": "?"}}]),
            ),
            "no created_date",
        ),
    ],
)
async def test_malformed_answers_are_protocol_errors(
    vendor: Vendor, conn: CrmComConnector, answer: tuple[int, Any], what: str
) -> None:
    vendor.script("communications/list", answer)
    failed = await history(conn)
    assert isinstance(failed, VendorProtocolError), failed
    assert failed.code == "VENDOR_PROTOCOL_ERROR"
    assert failed.message.startswith("CRMCOM: ") and what in failed.message
