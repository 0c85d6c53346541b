"""HTTP clients for connectors: one pooled `httpx.AsyncClient` per vendor.

The transport is pluggable: `aiohttp` (httpx-aiohttp's AiohttpTransport, the default:
about ten times less CPU per call than httpx's own transport, see bench/RESULTS.md),
`httpx` (httpx's default transport), or an in-process ASGI app (the embedded simulators,
and tests).
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from starlette.types import ASGIApp

from trunkline.config import VendorSettings

TRANSPORTS = ("aiohttp", "httpx")


def _no_cookie_jar() -> httpx.Cookies:
    """A jar that keeps nothing: httpx's cookie handling costs CPU on every call, and
    the one vendor with a session cookie (MoxiWorks) keeps it itself."""
    return httpx.Cookies(CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])))


def make_transport(kind: str, settings: VendorSettings) -> httpx.AsyncBaseTransport:
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
        keepalive_expiry=30.0,
    )
    if kind == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        transport: httpx.AsyncBaseTransport = AiohttpTransport(limits=limits)
        return transport
    if kind == "httpx":
        return httpx.AsyncHTTPTransport(limits=limits)
    raise ValueError(f"unknown http_transport {kind!r}; choose one of {TRANSPORTS}")


def make_client(
    settings: VendorSettings,
    *,
    transport_kind: str = "aiohttp",
    app: ASGIApp | None = None,
) -> httpx.AsyncClient:
    """The vendor's client: over `app` in-process when given, else over the network."""
    timeout = httpx.Timeout(settings.timeout_s)
    if app is not None:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://{settings.name}.embedded",
            timeout=timeout,
            cookies=_no_cookie_jar(),
        )
    if settings.base_url is None:
        raise ValueError(f"{settings.name}: no base_url and no embedded app")
    return httpx.AsyncClient(
        transport=make_transport(transport_kind, settings),
        base_url=settings.base_url,
        timeout=timeout,
        cookies=_no_cookie_jar(),
    )


__all__ = ["TRANSPORTS", "make_client", "make_transport"]
