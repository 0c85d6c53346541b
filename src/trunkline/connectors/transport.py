"""HTTP clients for connectors: one pooled client per vendor, behind httpx's API.

Connectors call `client.request(method, path, params=, json=, data=, headers=)` and get
an `Answer` (what they read of an `httpx.Response`), whichever client sits behind it
(`VendorHTTP`). The kinds:

- `aiohttp` (the default): `AiohttpClient`, httpx's request/response API over a bare
  aiohttp session. httpx's `AsyncClient` costs about 1 ms of CPU per call in request
  building, cookie and auth flows we do not use; this skips them (bench/RESULTS.md).
- `httpx-aiohttp`: `httpx.AsyncClient` over httpx-aiohttp's `AiohttpTransport`.
- `httpx`: `httpx.AsyncClient` over httpx's own transport.
- an in-process ASGI app (the embedded simulators, and tests): `httpx.ASGITransport`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Protocol
from urllib.parse import quote_plus

import aiohttp
import httpx
import orjson
from starlette.types import ASGIApp
from yarl import URL

from trunkline.config import VendorSettings

TRANSPORTS = ("aiohttp", "httpx-aiohttp", "httpx")
# The clients' own timeouts are a backstop, this much past the vendor's `timeout_s`:
# the connector base bounds each call (retries included) and the request's deadline.
# Equal timers would race it, and aiohttp's, firing first, swallows its cancel.
BACKSTOP_S = 1.0
# An idle pooled connection is reused for at most this long: under the 5 s idle timeout
# of common servers (Apache's default, uvicorn's), so the gateway never writes to a
# connection the vendor is closing. A busy gateway notices the vendor's close late, and
# a write sent on such a connection fails with nothing known of its fate (not retried).
KEEPALIVE_S = 4.0
# aiohttp's message when the connection fails while the request is still being written
# (ClientOSError, raised from its body writer): the vendor never had the whole request.
_UNWRITTEN = "Can not write request body"


class Answer(Protocol):
    """What a connector reads of a vendor's answer: `httpx.Response` has it, and so
    has the aiohttp client's lighter `AiohttpAnswer`."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> httpx.Headers: ...

    @property
    def request(self) -> httpx.Request: ...

    def json(self) -> Any: ...


class AiohttpAnswer:
    """An aiohttp answer as connectors read it. An `httpx.Response` costs about 11 us
    to build, its headers parsed and its body wrapped in a stream (170 of them a Q3
    request); here the headers and the request are made only if read (errors, the
    MoxiWorks session cookie)."""

    __slots__ = (
        "__weakref__",  # CRM.COM keeps parsed bodies by answer, weakly
        "_headers",
        "_method",
        "_raw_headers",
        "_url",
        "content",
        "status_code",
    )

    def __init__(
        self,
        status_code: int,
        raw_headers: Sequence[tuple[bytes, bytes]],
        content: bytes,
        method: str,
        url: str,
    ) -> None:
        self.status_code = status_code
        self.content = content
        self._raw_headers = raw_headers
        self._headers: httpx.Headers | None = None
        self._method = method
        self._url = url

    @property
    def headers(self) -> httpx.Headers:
        if self._headers is None:
            self._headers = httpx.Headers(list(self._raw_headers))
        return self._headers

    @property
    def request(self) -> httpx.Request:
        return httpx.Request(self._method, self._url)

    def json(self) -> Any:
        return orjson.loads(self.content)


class VendorHTTP(Protocol):
    """What a connector needs of its HTTP client (`httpx.AsyncClient` has it)."""

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> Answer: ...

    async def aclose(self) -> None: ...


def _text(value: Any) -> str:
    # httpx's rendering of query values, so both client kinds send the same URL
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


_UNRESERVED = re.compile(r"[A-Za-z0-9_.\-~]*")  # what quote_plus leaves as it is


def _quoted(text: str) -> str:
    # Most vendor values (ids, uuids, timestamps) need no quoting: skip quote_plus's
    # encode-and-scan for them (6 -> 2 µs for a MoxiWorks window's four parameters).
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text)


def encode_query(params: Mapping[str, Any]) -> str:
    """`urlencode`'s output (httpx's, too: tests/test_transport.py), made faster."""
    parts: list[str] = []
    for key, value in params.items():
        name = _quoted(key) + "="
        if isinstance(value, list | tuple):
            parts.extend(name + _quoted(_text(v)) for v in value)
        else:
            parts.append(name + _quoted(_text(value)))
    return "&".join(parts)


class AiohttpClient:
    """httpx's request/response API over one pooled aiohttp session.

    No cookie jar (the one vendor with a session cookie keeps it itself), no redirects
    (vendor APIs answer, they do not redirect), bodies read whole (vendor pages are
    bounded), content-encoding left to httpx's decoders.
    """

    def __init__(self, base_url: str, *, timeout_s: float, max_connections: int):
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._limit = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # made on first use: an aiohttp session belongs to the running loop
        connector = aiohttp.TCPConnector(
            limit=self._limit, limit_per_host=0, keepalive_timeout=KEEPALIVE_S
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
        )
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> AiohttpAnswer:
        target = self.base_url + url if url.startswith("/") else url
        if params:
            target += ("&" if "?" in target else "?") + encode_query(params)
        sent = dict(headers) if headers else {}
        body: bytes | None = content  # a body of the caller's (SOAP XML)
        if json is not None:
            body = orjson.dumps(json)
            sent["Content-Type"] = "application/json"
        elif data is not None:
            body = encode_query(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        session = self._session or self._open()
        try:
            async with session.request(
                method,
                URL(target, encoded=True),
                data=body,
                headers=sent,
                allow_redirects=False,
            ) as answer:
                content = await answer.read()
                status, raw_headers = answer.status, answer.raw_headers
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"{method} timed out") from exc
        except aiohttp.ClientConnectorError as exc:  # no connection: nothing sent
            raise httpx.ConnectError(type(exc).__name__) from exc
        except aiohttp.ClientOSError as exc:
            if (exc.strerror or "").startswith(
                _UNWRITTEN
            ):  # the request is not all out
                raise httpx.WriteError(type(exc).__name__) from exc
            raise httpx.ReadError(type(exc).__name__) from exc
        except aiohttp.ClientError as exc:  # e.g. the vendor hung up: fate unknown
            raise httpx.ReadError(type(exc).__name__) from exc
        return AiohttpAnswer(status, raw_headers, content, method, target)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _no_cookie_jar() -> httpx.Cookies:
    """A jar that keeps nothing (see AiohttpClient)."""
    return httpx.Cookies(CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])))


def _limits(settings: VendorSettings) -> httpx.Limits:
    return httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
        keepalive_expiry=KEEPALIVE_S,
    )


def make_client(
    settings: VendorSettings,
    *,
    transport_kind: str = "aiohttp",
    app: ASGIApp | None = None,
) -> VendorHTTP:
    """The vendor's client: over `app` in-process when given, else over the network."""
    timeout_s = settings.timeout_s + BACKSTOP_S
    timeout = httpx.Timeout(timeout_s)
    if app is not None:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://{settings.name}.embedded",
            timeout=timeout,
            cookies=_no_cookie_jar(),
        )
    if settings.base_url is None:
        raise ValueError(f"{settings.name}: no base_url and no embedded app")
    if transport_kind == "aiohttp":
        return AiohttpClient(
            settings.base_url,
            timeout_s=timeout_s,
            max_connections=settings.max_connections,
        )
    transport: httpx.AsyncBaseTransport
    if transport_kind == "httpx-aiohttp":
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=_limits(settings))
    elif transport_kind == "httpx":
        transport = httpx.AsyncHTTPTransport(limits=_limits(settings))
    else:
        raise ValueError(
            f"unknown http_transport {transport_kind!r}; choose one of {TRANSPORTS}"
        )
    return httpx.AsyncClient(
        transport=transport,
        base_url=settings.base_url,
        timeout=timeout,
        cookies=_no_cookie_jar(),
    )


__all__ = ["TRANSPORTS", "AiohttpClient", "VendorHTTP", "encode_query", "make_client"]
