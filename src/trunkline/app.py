"""The Starlette app: /graphql, GraphiQL, /healthz, /readyz, and the embedded simulators.

The lifespan owns the vendor clients: one pooled httpx client per vendor, opened at start
and closed at shutdown. A vendor with no `base_url` is served by its simulator, in-process
and reached without a socket (mounted under `/simulators/<vendor>` only when
`[security] mount_simulators` asks).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.config import Settings, load_settings
from trunkline.connectors import connector_classes
from trunkline.connectors.base import Connector, HistoryCost, InteractionSource
from trunkline.connectors.transport import make_client
from trunkline.context import Context, Gateway
from trunkline.cost import CostModel
from trunkline.domain import Vendor
from trunkline.engine.hooks import Hook
from trunkline.errors import ConnectorError
from trunkline.http import GraphQLEndpoint, graphiql_static_app
from trunkline.loaders import build_loaders
from trunkline.schema import shared_schema
from trunkline.security.guard import Guard
from trunkline.security.startup import check_startup, cors_middleware
from trunkline.sources import VendorClient
from trunkline.ws import GraphQLWebSocket

# Young-generation allocations between collections (default 700). Above what the
# requests in flight hold at once, so collections come as garbage cycles accumulate,
# not every few requests: at 20,000, Q2 at c64 spent 0.25 ms a request in the
# collector (147 collections in 2,500 requests; 2 at 100,000) and Q3 18 % of its CPU,
# for 1 % less peak RSS.
GC_THRESHOLD = 100_000
log = logging.getLogger("trunkline.app")

EXAMPLE_QUERY = (Path(__file__).parent / "example.graphql").read_text(encoding="utf-8")


def load_simulator(vendor: Vendor) -> ASGIApp:
    """The vendor's embedded simulator (`simulators/<vendor>.py`), built fresh."""
    from trunkline.simulators import embedded_app

    return embedded_app(vendor.value)


class LazySimulator:
    """An embedded simulator built on first use: a call, or a look at its `state`.
    Tests use it (`create_app(lazy_simulators=True)`): one that never reaches a
    vendor never seeds it."""

    def __init__(self, vendor: Vendor) -> None:
        self.vendor = vendor
        self._app: ASGIApp | None = None

    @property
    def built(self) -> bool:
        return self._app is not None

    @property
    def app(self) -> ASGIApp:
        if self._app is None:
            self._app = load_simulator(self.vendor)
        return self._app

    @property
    def state(self) -> Any:
        return self.app.state  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def build_gateway(
    settings: Settings,
    *,
    apps: Mapping[Vendor, ASGIApp] | None = None,
    hooks: Sequence[Hook] = (),
    lazy_simulators: bool = False,
) -> tuple[Gateway, dict[Vendor, ASGIApp]]:
    """Connectors for every known vendor; embedded ones get their simulator app."""
    apps = dict(apps or {})
    embedded: dict[Vendor, ASGIApp] = {}
    connectors: dict[Vendor, Connector] = {}
    for vendor, cls in connector_classes().items():
        vs = settings.vendor(vendor.value)
        if "history_horizon_days" not in vs.options:  # the gateway-wide default
            options = {
                **vs.options,
                "history_horizon_days": settings.history_horizon_days,
            }
            vs = replace(vs, options=options)
        app = apps.get(vendor)
        if app is None and vs.embedded:
            app = embedded[vendor] = (
                LazySimulator(vendor) if lazy_simulators else load_simulator(vendor)
            )
        client = make_client(vs, transport_kind=settings.http_transport, app=app)
        connectors[vendor] = cls(vs, client)
    store = None
    try:
        from trunkline.store import open_identity_store

        store = open_identity_store(settings.identity_store)
    except ImportError:  # pragma: no cover - the store lands with interactions
        pass
    from trunkline.store.idempotency import DAY_S, open_idempotency_store

    once = open_idempotency_store(
        settings.identity_store,
        ttl_s=settings.table("gateway").get("idempotency_ttl_s", DAY_S),
    )
    gateway = Gateway(
        settings=settings,
        connectors=connectors,
        identity=store,
        idempotency=once,
        hooks=tuple(hooks),
    )
    return gateway, embedded


async def check_ready(gateway: Gateway, timeout_s: float = 5.0) -> dict[str, Any]:
    async def probe(connector: VendorClient) -> dict[str, Any]:
        try:
            await asyncio.wait_for(connector.ready(), timeout_s)
        except ConnectorError as exc:
            return {"ok": False, "code": exc.code}
        except TimeoutError:
            return {"ok": False, "code": "VENDOR_TIMEOUT"}
        except Exception:  # a probe's own fault is still an answer, never a 500
            log.exception("%s: readiness probe failed", connector.vendor.value)
            return {"ok": False, "code": "VENDOR_UNAVAILABLE"}
        return {"ok": True}

    names = [v.name for v in gateway.connectors]
    results = await asyncio.gather(*(probe(c) for c in gateway.connectors.values()))
    vendors = dict(zip(names, results, strict=True))
    for name, vs in zip(names, gateway.connectors.values(), strict=True):
        vendors[name]["embedded"] = vs.settings.embedded
    ok = all(r["ok"] for r in results)
    return {"status": "ready" if ok else "unavailable", "vendors": vendors}


def cost_model(gateway: Gateway, schema: Any) -> CostModel:
    """The estimate's inputs: the schema, each history vendor's paging, the limits."""
    settings = gateway.settings
    return CostModel(
        schema._schema,
        {
            vendor.value: getattr(c, "history_cost", HistoryCost("none"))
            for vendor, c in gateway.connectors.items()
            if isinstance(c, InteractionSource)
        },
        max_calls=settings.max_vendor_calls,
        max_nodes_ids=settings.max_nodes_ids,
        max_page_size=settings.max_page_size,
        horizon_days=settings.history_horizon_days,
    )


def create_app(
    settings: Settings | None = None,
    *,
    apps: Mapping[Vendor, ASGIApp] | None = None,
    hooks: Sequence[Hook] = (),
    lazy_simulators: bool = False,
) -> Starlette:
    """The gateway app. `apps` overrides vendors with given ASGI apps (tests);
    `hooks` run in order before every operation executes (engine/hooks.py);
    `lazy_simulators` builds each embedded simulator on first use (tests)."""
    settings = settings or load_settings()
    security = settings.security
    check_startup(
        security,
        [
            v.value
            for v in connector_classes()
            if settings.vendor(v.value).embedded and v not in (apps or {})
        ],
    )
    gateway, embedded = build_gateway(
        settings, apps=apps, hooks=hooks, lazy_simulators=lazy_simulators
    )

    async def context_getter(request: Request) -> Context:
        return Context(
            gateway=gateway,
            loaders=build_loaders(
                gateway.contact_source(),
                gateway.interaction_sources(),
                gateway.identity,
            ),
            request=request,
        )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        body = await check_ready(gateway)
        return JSONResponse(body, status_code=200 if body["status"] == "ready" else 503)

    async def root(request: Request) -> Response:
        return RedirectResponse("/graphql")

    schema = shared_schema(settings.fast_path)
    costs = cost_model(gateway, schema)
    guard = Guard(security, schema)  # every operation, over HTTP or WebSocket
    endpoint = GraphQLEndpoint(
        schema,
        context_getter=context_getter,
        example_query=EXAMPLE_QUERY,
        cost_model=costs,
        request_deadline_s=settings.request_deadline_s,
        max_vendor_calls=settings.max_vendor_calls,
        graphiql=security.graphiql,
        guard=guard,
        max_body_bytes=security.limits.max_body_bytes,
        get_queries=security.get_queries,
        field_suggestions=security.field_suggestions,
    )
    routes: list[BaseRoute] = [
        Route("/", root),
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        WebSocketRoute(
            "/graphql",
            GraphQLWebSocket(
                schema,
                context_getter=context_getter,
                guard=guard,
                check_cost=endpoint.check_cost,
                request_deadline_s=settings.request_deadline_s,
                max_vendor_calls=settings.max_vendor_calls,
            ),
        ),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Mount("/graphiql-static", graphiql_static_app()),
    ]
    if security.mount_simulators:  # their /_sim control routes too: tests, demos
        routes += [Mount(f"/simulators/{v.value}", a) for v, a in embedded.items()]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for vendor in embedded:
            where = (
                f"at /simulators/{vendor.value}" if security.mount_simulators else ""
            )
            log.info("%s: embedded simulator %s", vendor.name, where)
        try:
            yield
        finally:
            await gateway.queue_pollers.aclose()
            await asyncio.gather(*(c.aclose() for c in gateway.connectors.values()))
            if gateway.identity is not None:
                await gateway.identity.aclose()
            if gateway.idempotency is not None:
                await gateway.idempotency.aclose()

    app = Starlette(
        routes=routes, lifespan=lifespan, middleware=cors_middleware(security)
    )
    app.state.gateway = gateway
    app.state.simulators = embedded
    app.state.cost_model = costs
    return app


def tune_gc_for_serving() -> None:
    """Keep the cyclic GC off the long-lived heap (schema, modules, pools): freeze what
    start-up built and collect the young generation less often. A request allocates
    thousands of short-lived objects; with CPython's defaults a full collection walks the
    whole heap every few requests (bench/NOTES.md). Only for serving processes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory trunkline.app:app_from_env` (config from env)."""
    app = create_app(load_settings())
    tune_gc_for_serving()
    return app


__all__ = [
    "LazySimulator",
    "app_from_env",
    "build_gateway",
    "check_ready",
    "create_app",
    "tune_gc_for_serving",
]
