"""The vendor HTTP clients: every kind sends the same request and hands connectors the
same httpx.Response, over a real socket on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
import pytest
import uvicorn
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trunkline.config import VendorSettings
from trunkline.connectors.base import Connector, Endpoint
from trunkline.connectors.transport import (
    TRANSPORTS,
    AiohttpClient,
    encode_query,
    make_client,
)
from trunkline.domain import Vendor
from trunkline.errors import VendorUnavailable


async def echo(request: Request) -> Response:
    body = await request.body()
    answer = JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "params": sorted(request.query_params.multi_items()),
            "body": body.decode(),
            "type": request.headers.get("content-type"),
            "auth": request.headers.get("x-auth"),
            "cookie": request.headers.get("cookie"),
        },
        status_code=int(request.query_params.get("status", "200")),
    )
    answer.set_cookie("a", "1")
    answer.set_cookie("b", "2")
    return answer


async def slow(request: Request) -> Response:
    # Past the probe's 0.2 s timeout (a timer of the same loop: it always fires
    # first); short, since the server's shutdown waits for it.
    await asyncio.sleep(0.6)
    return JSONResponse({})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    app = Starlette(
        routes=[
            Route("/api/echo", echo, methods=["GET", "POST"]),
            Route("/api/slow", slow),
        ]
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no started event)
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}/api"
    server.should_exit = True
    await task


def _settings(url: str, timeout_s: float = 5.0) -> VendorSettings:
    return VendorSettings(name="livevox", base_url=url, timeout_s=timeout_s)


PARAMS: dict[str, Any] = {
    "q": "a b&c=d/é",
    "on": True,
    "off": False,
    "empty": None,
    "ids": [1, 2],
    "n": 7,
}


def test_query_encoding_is_httpxs() -> None:
    assert encode_query(PARAMS) == str(httpx.QueryParams(PARAMS))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1),
        st.one_of(
            st.text(), st.integers(), st.booleans(), st.none(), st.lists(st.text())
        ),
        max_size=5,
    )
)
def test_query_encoding_is_urlencodes_for_any_text(params: dict[str, Any]) -> None:
    def text(v: Any) -> str:  # httpx's rendering of a value
        if isinstance(v, bool):
            return "true" if v else "false"
        return "" if v is None else str(v)

    expected = urlencode(
        [
            (k, text(x))
            for k, v in params.items()
            for x in (v if isinstance(v, list) else [v])
        ]
    )
    assert encode_query(params) == expected


@pytest.mark.parametrize("kind", TRANSPORTS)
async def test_every_kind_sends_the_same_request(base_url: str, kind: str) -> None:
    client = make_client(_settings(base_url), transport_kind=kind)
    try:
        r = await client.request(
            "GET", "/echo", params=PARAMS, headers={"X-Auth": "k", "Cookie": "s=1"}
        )
        assert r.status_code == 200
        body = r.json()
        assert body["path"] == "/api/echo"
        assert body["params"] == sorted(
            map(list, httpx.QueryParams(PARAMS).multi_items())
        )
        assert body["auth"] == "k" and body["cookie"] == "s=1"
        # both cookies survive as separate headers (MoxiWorks keeps its session so)
        assert [c.split("=")[0] for c in r.headers.get_list("set-cookie")] == [
            "a",
            "b",
        ]
        failed_get = await client.request("GET", "/echo", params={"status": 404})
        assert failed_get.request.method == "GET"

        posted = await client.request("POST", "/echo", json={"x": [1, "é"]})
        assert posted.json()["type"] == "application/json"
        assert httpx.Response(200, content=posted.json()["body"]).json() == {
            "x": [1, "é"]
        }
        form = await client.request("POST", "/echo", data={"u": "a b", "v": True})
        assert form.json()["type"] == "application/x-www-form-urlencoded"
        assert form.json()["body"] == "u=a+b&v=true"

        failed = await client.request("GET", "/echo", params={"status": 503})
        assert failed.status_code == 503  # statuses are the connector's to judge
    finally:
        await client.aclose()


class _Probe(Connector):
    vendor = Vendor.LIVEVOX
    simulator = "unused:unused"
    retry_attempts = 1
    endpoints = {
        "echo": Endpoint("GET", "/echo"),
        "slow": Endpoint("GET", "/slow"),
    }


@pytest.mark.parametrize("kind", TRANSPORTS)
async def test_unreachable_and_slow_vendors_are_unavailable(
    base_url: str, kind: str
) -> None:
    gone = _settings(f"http://127.0.0.1:{_free_port()}")
    probe = _Probe(gone, make_client(gone, transport_kind=kind))
    # httpx-aiohttp reports a refused connection as a connect timeout
    reached = "timed out" if kind == "httpx-aiohttp" else "could not be reached"
    with pytest.raises(VendorUnavailable, match=reached):
        await probe.call("echo")
    await probe.aclose()

    short = _settings(base_url, timeout_s=0.2)
    probe = _Probe(short, make_client(short, transport_kind=kind))
    with pytest.raises(VendorUnavailable, match="timed out"):
        await probe.call("slow")
    await probe.aclose()


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown http_transport"):
        make_client(_settings("http://127.0.0.1:1"), transport_kind="curl")


class _FailingSession:
    """An aiohttp session whose every request fails with `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    async def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        # no connection: nothing was sent
        (
            aiohttp.ClientConnectorError(
                aiohttp.client_reqrep.ConnectionKey(
                    "127.0.0.1", 9, False, True, None, None, None
                ),
                ConnectionRefusedError(111, "refused"),
            ),
            httpx.ConnectError,
        ),
        # the connection failed while the request was being written (a keep-alive
        # connection the vendor had closed): the vendor never had the whole request
        (
            aiohttp.ClientOSError(None, "Can not write request body for http://v/x"),
            httpx.WriteError,
        ),
        # the vendor hung up after the request: its fate is unknown
        (aiohttp.ServerDisconnectedError(), httpx.ReadError),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), httpx.ReadError),
    ],
    ids=["connect", "unwritten", "disconnected", "reset"],
)
async def test_aiohttp_failures_say_whether_the_request_reached_the_vendor(
    error: Exception, expected: type[Exception]
) -> None:
    client = AiohttpClient("http://v", timeout_s=1, max_connections=1)
    client._session = _FailingSession(error)  # type: ignore[assignment]
    with pytest.raises(httpx.TransportError) as caught:
        await client.request("POST", "/x", json={"a": 1})
    assert type(caught.value) is expected
    assert "http://v" not in str(caught.value)  # no URL (nor its query) in the message
