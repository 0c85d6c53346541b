"""Shared pieces of every vendor simulator: fault knobs, call counting, control routes.

A simulator is a Starlette app built by `simulator_app(name, routes)`. Each one gets:

- `Faults` on `app.state.faults`: latency (fixed + jitter), error rate (5xx), 429 bursts
  (with `Retry-After`), a `down` switch (503 on every call) and `reject_auth` (401 on
  every call, as for credentials the vendor refuses);
- a call log on `app.state.calls` (method + path + query of each vendor call, control
  routes excluded; a credential's value in the query string is `***`, `redacted`);
- control routes under `/_sim/`: `GET /_sim/faults`, `PUT /_sim/faults` (JSON of the Faults
  fields to change), `GET /_sim/calls`, `DELETE /_sim/calls`;
- optional vendor knobs on `app.state.knobs` (a dataclass the vendor's simulator passes to
  `simulator_app`): behaviours the docs leave open (list order, bound inclusivity, time
  zones, ...), read and changed through `GET`/`PUT /_sim/knobs`, so tests can vary them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trunkline.serving import ARRIVED
from trunkline.simulators.clock import sleep_until

CONTROL_PREFIX = "/_sim"


@dataclass
class Faults:
    """Fault knobs. Change them live through `PUT /_sim/faults` or `app.state.faults`."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    burst_429: int = 0  # the next N calls answer 429
    retry_after_s: int = 1
    down: bool = False
    reject_auth: bool = False  # 401 on every call: the credentials are refused

    def update(self, changes: dict[str, object]) -> None:
        names = {f.name for f in fields(self)}
        for key, value in changes.items():
            if key not in names:
                raise ValueError(f"unknown fault knob: {key}")
            setattr(self, key, type(getattr(self, key))(value))


@dataclass
class NoKnobs:
    """A simulator whose doc leaves nothing open that a connector relies on."""


def update_knobs(knobs: object, changes: dict[str, object]) -> None:
    """Set a vendor knobs dataclass's fields by name; unknown names are errors."""
    names = {f.name for f in fields(knobs)}  # type: ignore[arg-type]
    for key, value in changes.items():
        if key not in names:
            raise ValueError(f"unknown knob: {key}")
        setattr(knobs, key, type(getattr(knobs, key))(value))


# Query parameters whose values are credentials (CRM.COM's `token` and any a client
# might send): the call log shows `***` instead. Headers and bodies are not logged.
SECRET_PARAMS = frozenset(
    {
        "token",
        "access_token",
        "password",
        "api_key",
        "apikey",
        "secret",
        "client_secret",
        "session",
        "sessionid",
        "session_id",
    }
)


def redacted(query: str) -> str:
    """`query` with the value of each secret parameter replaced by `***`; everything
    else as sent."""
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name, eq, _ = part.partition("=")
        if eq and unquote_plus(name).lower() in SECRET_PARAMS:
            part = f"{name}=***"
        parts.append(part)
    return "&".join(parts)


@dataclass
class CallLog:
    """Every vendor call the simulator answered (method, path, query string with
    secret parameters' values redacted)."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()


class FaultMiddleware:
    """Applies the fault knobs and logs calls; control routes pass straight through."""

    def __init__(
        self,
        app: ASGIApp,
        faults: Faults,
        calls: CallLog,
        seed: int,
        fault_response: FaultResponse | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.calls = calls
        self.rng = random.Random(seed)
        self.fault_response = fault_response or _json_fault

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        action = _soap_action(scope)
        if action is not None and not query:  # SOAP: every call has one path
            query = f"SOAPAction={action}"
        self.calls.entries.append((scope["method"], scope["path"], redacted(query)))
        f = self.faults
        delay = f.latency_ms + (self.rng.uniform(0, f.jitter_ms) if f.jitter_ms else 0)
        if delay > 0:
            send = _answer_after(delay / 1000, send, _arrived(scope))
        response: Response | None = None
        if f.down:
            response = self.fault_response(503, "service unavailable", {})
        elif f.reject_auth:
            response = self.fault_response(401, "invalid credentials", {})
        elif f.burst_429 > 0:
            f.burst_429 -= 1
            response = self.fault_response(
                429, "too many requests", {"Retry-After": str(f.retry_after_s)}
            )
        elif f.error_rate > 0 and self.rng.random() < f.error_rate:
            response = self.fault_response(f.error_status, "internal error", {})
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# (status, message, headers) -> the vendor's own error answer for a fault knob
FaultResponse = Callable[[int, str, dict[str, str]], Response]


def _json_fault(status: int, message: str, headers: dict[str, str]) -> Response:
    return JSONResponse({"message": message}, status, headers=headers)


def _soap_action(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"soapaction":
            return str(value.decode("latin-1").strip().strip('"'))
    return None


def _arrived(scope: Scope) -> float:
    """When the call's first bytes were parsed (`trunkline simulate` stamps it), else
    now: the latency knob is then counted from the vendor's door, not from after the
    server's task start and the middleware stack."""
    stamp = scope.get("extensions", {}).get(ARRIVED, {}).get("monotonic")
    return stamp if isinstance(stamp, float) else time.monotonic()


def _answer_after(seconds: float, send: Send, arrived: float) -> Send:
    """`send`, holding the answer's start until `seconds` after the call arrived: the
    latency knob is the whole call's time, the simulator's own work included."""
    due = arrived + seconds
    held: list[Message] = []
    released = False

    async def delayed(message: Message) -> None:
        nonlocal released
        if released or not message["type"].startswith("http.response."):
            await send(message)
            return
        held.append(message)
        if message["type"] == "http.response.body":  # the head is complete: release
            released = True
            await sleep_until(due)
            for m in held:
                await send(m)

    return delayed


def _control_routes() -> list[BaseRoute]:
    async def get_faults(request: Request) -> Response:
        return JSONResponse(asdict(request.app.state.faults))

    async def put_faults(request: Request) -> Response:
        try:
            request.app.state.faults.update(await request.json())
        except (ValueError, TypeError) as exc:
            return JSONResponse({"message": str(exc)}, 400)
        return JSONResponse(asdict(request.app.state.faults))

    async def get_knobs(request: Request) -> Response:
        return JSONResponse(asdict(request.app.state.knobs))

    async def put_knobs(request: Request) -> Response:
        try:
            update_knobs(request.app.state.knobs, await request.json())
        except (ValueError, TypeError) as exc:
            return JSONResponse({"message": str(exc)}, 400)
        return JSONResponse(asdict(request.app.state.knobs))

    async def get_calls(request: Request) -> Response:
        log: CallLog = request.app.state.calls
        return JSONResponse({"count": len(log), "calls": log.entries})

    async def clear_calls(request: Request) -> Response:
        request.app.state.calls.clear()
        return Response(status_code=204)

    return [
        Route(f"{CONTROL_PREFIX}/faults", get_faults, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/faults", put_faults, methods=["PUT"]),
        Route(f"{CONTROL_PREFIX}/knobs", get_knobs, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/knobs", put_knobs, methods=["PUT"]),
        Route(f"{CONTROL_PREFIX}/calls", get_calls, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/calls", clear_calls, methods=["DELETE"]),
    ]


def simulator_app(
    name: str,
    routes: Sequence[BaseRoute],
    *,
    faults: Faults | None = None,
    knobs: object | None = None,
    seed: int = 7,
    fault_response: FaultResponse | None = None,
) -> Starlette:
    """Build a simulator app: the vendor's routes behind the fault middleware."""
    app = Starlette(routes=[*_control_routes(), *routes])
    app.state.name = name
    app.state.faults = faults or Faults()
    app.state.knobs = knobs if knobs is not None else NoKnobs()
    app.state.calls = CallLog()
    app.add_middleware(
        FaultMiddleware,
        faults=app.state.faults,
        calls=app.state.calls,
        seed=seed,
        fault_response=fault_response,
    )
    return app


def anchor_now() -> datetime:
    """The simulators' 'now': today at midnight UTC, so seeded data is stable for a day."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


__all__ = [
    "SECRET_PARAMS",
    "CallLog",
    "FaultMiddleware",
    "Faults",
    "NoKnobs",
    "anchor_now",
    "redacted",
    "simulator_app",
    "update_knobs",
]
