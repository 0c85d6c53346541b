"""The shared connector base: one pooled HTTP client per vendor, auth, retries, errors.

A vendor's connector is one module under `connectors/`: a `Connector` subclass naming its
`vendor`, its `endpoints` (paging style, caps, idempotence) and the auth hooks, plus
`CONNECTOR = ThatClass` at module level. The registry finds it there; its embedded
simulator is `simulators/<vendor>.py`, found by the vendor's name.

The capabilities connectors implement (`ContactSource`, `InteractionSource`) and the
read types they answer are the ports, in `trunkline.sources`: the layers above import
them from there, never from here.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from trunkline import budget
from trunkline.config import VendorSettings
from trunkline.connectors import soap as soap_xml
from trunkline.connectors.transport import Answer, VendorHTTP
from trunkline.domain import Vendor
from trunkline.errors import (
    BadUserInput,
    ConfigError,
    ConnectorError,
    TrunklineError,
    VendorConflict,
    VendorInternalError,
    VendorMisconfigured,
    VendorNotFound,
    VendorNotReached,
    VendorProtocolError,
    VendorRateLimited,
    VendorRejected,
    VendorTimeout,
    VendorUnavailable,
    shown,
)
from trunkline.queues import QueueSource
from trunkline.sources import (  # the ports, also named here for the connectors
    CampaignSource,
    ContactSource,
    HistoryRead,
    InteractionSource,
    ReadScope,
    VendorClient,
)
from trunkline.writes import (
    ActionLogWriter,
    CommunicationWriter,
    ContactWriter,
    MomentWriter,
)

log = logging.getLogger("trunkline.connectors")

Paging = Literal["offset", "page", "date_window", "none"]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One vendor endpoint as the gateway uses it.

    A paged endpoint declares its style and the vendor's cap per call. Where the caller
    picks a call's size, `size_param` names that parameter and `Connector.call` refuses
    to ask beyond the cap (a connector bug, never sent to the vendor). A batch path
    names the parameter that carries many records (`batch_key`): the contract tests
    check that reads arriving together share one call through it."""

    method: str
    path: str
    paging: Paging = "none"
    max_page_size: int | None = None  # the vendor's cap per call
    size_param: str | None = None  # the query parameter that sets a call's size
    batch_key: str | None = None  # the parameter that batches many records in one call
    idempotent: bool = True  # safe to retry on a transient failure
    soap_action: str | None = None  # a SOAP operation (`Connector.soap`)

    def __post_init__(self) -> None:
        if self.size_param is not None and self.max_page_size is None:
            raise TypeError(f"{self.path}: a size parameter needs its cap")
        if self.paging == "offset" and self.size_param is None:
            raise TypeError(f"{self.path}: an offset endpoint names its size parameter")


@dataclass(frozen=True, slots=True)
class HistoryCost:
    """What reading one contact's history costs in calls (trunkline/cost.py)."""

    paging: Paging  # date_window: a call a window; page/offset: a call a page
    page_size: int = 0
    window_s: int = 0
    needs_contact: bool = True  # False: it also answers the history of everyone
    item_calls: int = 0  # calls per item read besides (e.g. one read per note)
    lookup_calls: int = 1  # at most, to find one interaction by its ID


@dataclass(frozen=True, slots=True)
class Request:
    """One call's request as `Connector.call` built it, the same on every try.
    `content`: a body of its own (SOAP XML); `headers`: the call's own."""

    method: str
    path: str
    params: Mapping[str, Any] | None
    json: Any
    data: Mapping[str, Any] | None
    content: bytes | None
    headers: Mapping[str, str] | None


def segment(value: str) -> str:
    """A value as one URL path segment: escaped, and never `.`/`..` or empty, which
    would move the request to another path. Every path built from data uses this."""
    if value in ("", ".", ".."):
        raise BadUserInput(f"Invalid vendor id {shown(value)}.")
    return quote(value, safe="")


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, VendorRateLimited):
        return exc.retry_after is not None and exc.retry_after <= 1.0
    return isinstance(exc, VendorUnavailable)


def _not_reached(exc: BaseException) -> bool:
    return isinstance(exc, VendorNotReached)


def _pause(exc: BaseException) -> float:
    """The wait before the first retry: the vendor's Retry-After, else a short one."""
    if isinstance(exc, VendorRateLimited) and exc.retry_after is not None:
        return exc.retry_after
    return 0.05


def vendor_failure(vendor: str, exc: Exception) -> Exception:
    """An exception from inside a connector as the layers above see it: the
    hierarchy's errors as they are; a configuration problem or a bug as a failure of
    that vendor, which degrades like any other (logged here in full; its text, which
    may hold a setting, never reaches a client)."""
    if isinstance(exc, ConnectorError) or (
        isinstance(exc, TrunklineError)
        and exc.expose
        and not isinstance(exc, ConfigError)
    ):
        return exc
    name = vendor.upper()
    failure: ConnectorError
    if isinstance(exc, RecursionError):
        # connectors recurse only over vendor answers (SOAP's to_value and flat): one
        # nested past the interpreter's limit is the vendor's malformed answer
        failure = VendorProtocolError(vendor, f"{name}: answer nested too deeply")
    elif isinstance(exc, ConfigError):
        log.error("%s is misconfigured: %s", vendor, exc.message)
        failure = VendorMisconfigured(
            vendor,
            f"{name}: the gateway's configuration for this vendor is incomplete "
            "or wrong; the gateway's log names the setting.",
        )
    else:
        log.error("%s: unexpected error in its connector", vendor, exc_info=exc)
        failure = VendorInternalError(vendor, f"{name}: unexpected error.")
    failure.__cause__ = exc
    return failure


# What the layers above call on a connector (the ports): every coroutine of these
# raises only the hierarchy's errors, and `read_histories` answers only those.
PORTS = (
    VendorClient,
    ContactSource,
    InteractionSource,
    CampaignSource,
    QueueSource,
    ContactWriter,
    ActionLogWriter,
    MomentWriter,
    CommunicationWriter,
)
PORT_METHODS = frozenset(
    name
    for port in PORTS
    for name, value in vars(port).items()
    if inspect.iscoroutinefunction(value)
)
ANSWERING = frozenset({"read_histories"})  # errors answered per read, not raised


def _guarded(method: Callable[..., Awaitable[Any]], answers: bool) -> Any:
    @functools.wraps(method)
    async def guarded(self: Connector, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await method(self, *args, **kwargs)
        except Exception as exc:
            failure = vendor_failure(self.name, exc)
            if failure is exc:
                raise
            raise failure from exc
        if answers:
            return [
                vendor_failure(self.name, r) if isinstance(r, Exception) else r
                for r in result
            ]
        return result

    guarded.port_guard = True  # type: ignore[attr-defined]
    return guarded


class Connector:
    """Base of every vendor connector. Subclasses fill the class attributes and hooks."""

    vendor: ClassVar[Vendor]
    endpoints: ClassVar[Mapping[str, Endpoint]] = {}
    # Options that make the embedded simulator's data line up (e.g. identity rules).
    embedded_options: ClassVar[Mapping[str, Any]] = {}
    retry_attempts: ClassVar[int] = 2
    read_order: ClassVar[int] = 2  # one call answers a read: no chain follows
    batch_reads: ClassVar[bool] = False
    # The shapes of this vendor's ids, by kind, checked before any id from a client
    # is used (trunkline/shapes.py).
    id_shapes: ClassVar[Mapping[str, re.Pattern[str]]] = {}
    history_cost: ClassVar[HistoryCost] = HistoryCost("none")
    # SOAP vendors: the operations' namespace and their fault codes' errors.
    soap_namespace: ClassVar[str] = ""
    fault_codes: ClassVar[Mapping[str, type[ConnectorError]]] = {}
    # Statuses below 400 the vendor's doc names as failures (e.g. LiveVox's 202).
    refused_statuses: ClassVar[Mapping[int, type[VendorRejected]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in PORT_METHODS:  # each port method guarded once (`vendor_failure`)
            method = getattr(cls, name, None)
            if inspect.iscoroutinefunction(method) and not getattr(
                method, "port_guard", False
            ):
                setattr(cls, name, _guarded(method, name in ANSWERING))

    def __init__(self, settings: VendorSettings, http: VendorHTTP) -> None:
        self.settings = settings
        self.http = http
        self._auth_lock = asyncio.Lock()
        self._auth_generation = (
            0  # bumped on each re-login, so concurrent 401s share one
        )

    @property
    def name(self) -> str:
        return self.vendor.value

    def option(self, key: str, default: Any = None) -> Any:
        """A config option; in embedded mode the simulator's defaults come first."""
        if key in self.settings.options:
            return self.settings.options[key]
        if self.settings.embedded and key in self.embedded_options:
            return self.embedded_options[key]
        return default

    def credential(self, key: str, embedded_default: str) -> str:
        """A secret from the environment; the simulator's stand-in in embedded mode."""
        value = self.settings.secret(key)
        if value:
            return value
        return embedded_default if self.settings.embedded else ""

    # ---- hooks -------------------------------------------------------------------
    async def authenticate(self) -> None:
        """Obtain a session or token. Default: nothing to do (static credentials)."""

    def auth_headers(self) -> dict[str, str]:
        """Headers every call carries (static credentials, session ids)."""
        return {}

    def auth_expired(self, response: Answer) -> bool:
        """Whether the answer means 'log in again and retry once'."""
        return response.status_code == 401

    def error_message(self, response: Answer) -> str:
        """The vendor's own error text, from its error body (no URLs, no secrets)."""
        try:
            body = response.json()
        except ValueError:
            return f"HTTP {response.status_code}"
        if isinstance(body, dict):
            for key in ("message", "messages", "errors", "error"):
                if body.get(key):
                    value = body[key]
                    return (
                        "; ".join(map(str, value))
                        if isinstance(value, list)
                        else str(value)
                    )
        return f"HTTP {response.status_code}"

    def soap_credentials(self) -> tuple[str, str] | None:
        """SOAP vendors: the WS-Security UsernameToken (username, password)."""
        return None

    async def soap(self, endpoint: str, args: Mapping[str, Any]) -> ET.Element:
        """Call a SOAP operation; its `<operationResponse>` element. A `soap:Fault`
        is raised as the hierarchy's error for its fault code (`check`)."""
        action = self.endpoints[endpoint].soap_action
        assert action is not None, f"{endpoint} is not a SOAP operation"
        body = soap_xml.envelope(
            action, self.soap_namespace, args, credentials=self.soap_credentials()
        )
        headers = {"SOAPAction": f'"{action}"', "Content-Type": soap_xml.CONTENT_TYPE}
        answer = await self.call(endpoint, content=body, headers=headers)
        return soap_xml.response_of(answer.content, self.name, action)

    def check(self, response: Answer) -> None:
        """Raise the hierarchy's error for a failed answer; vendors extend this."""
        status = response.status_code
        if status < 400:
            refused = self.refused_statuses.get(status)
            if refused is None:
                return
            message = f"{self.vendor.name}: {self.error_message(response)}"
            raise refused(self.name, message, status=status)
        if status != 429 and "xml" in response.headers.get("content-type", ""):
            self._check_fault(response)
        message = f"{self.vendor.name}: {self.error_message(response)}"
        if status == 429:
            raw = response.headers.get("Retry-After")
            try:
                retry_after = float(raw) if raw is not None else None
            except ValueError:
                retry_after = None
            raise VendorRateLimited(self.name, message, retry_after=retry_after)
        if status >= 500:
            raise VendorUnavailable(self.name, message, status=status)
        if status == 404:
            raise VendorNotFound(self.name, message, status=status)
        if status == 409:
            raise VendorConflict(self.name, message, status=status)
        raise VendorRejected(self.name, message, status=status)

    def _check_fault(self, response: Answer) -> None:
        """A `soap:Fault` answer: its fault code picks the error (not the status: a
        fault such as OBJECT_NOT_EXISTS is no transient 5xx, and is not retried)."""
        try:
            element = soap_xml.body_child(
                soap_xml.parse(response.content, self.name), self.name
            )
        except VendorProtocolError:
            return  # not a SOAP answer: the status decides
        fault = soap_xml.fault_of(element)
        if fault is not None:
            code, message = fault
            raise soap_xml.fault_error(
                self.name, code, message, self.fault_codes, response.status_code
            )

    async def ready(self) -> None:
        """Readiness probe: raise a ConnectorError if the vendor cannot be reached."""
        await self.authenticate()

    # ---- the request loop -------------------------------------------------------
    async def call(
        self,
        endpoint: str,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        login: bool = False,
    ) -> Answer:
        """Send one declared endpoint's request: auth, error mapping, bounded retries,
        within the vendor's `timeout_s` and the request's budget (trunkline/budget.py):
        every vendor call, logins too (`login`: no session needed, no retry), passes
        here. Path parameters are escaped here (`segment`), and only here."""
        spent = budget.current()
        if spent is not None:
            spent.spend(self.name)
        loop = asyncio.get_running_loop()
        when = loop.time() + self.settings.timeout_s
        by_deadline = False
        if spent is not None and spent.deadline < when:
            when, by_deadline = spent.deadline, True
        ep = self.endpoints[endpoint]
        if ep.size_param is not None and params:
            self._check_size(endpoint, ep, params.get(ep.size_param))
        path = ep.path
        if path_params:
            path = path.format(**{k: segment(v) for k, v in path_params.items()})
        if ep.soap_action is not None and not (headers and "SOAPAction" in headers):
            headers = {**(headers or {}), "SOAPAction": f'"{ep.soap_action}"'}
        request = Request(ep.method, path, params, json, data, content, headers)
        send = self._login if login else self._attempts
        timeout = asyncio.timeout_at(when)
        try:
            async with timeout:
                return await send(ep, request)
        except TimeoutError:
            if not timeout.expired():
                raise
            bound = (
                "the request's deadline"
                if by_deadline
                else f"timeout_s = {self.settings.timeout_s:g}"
            )
            raise VendorTimeout(
                self.name, f"{self.vendor.name}: timed out ({bound})"
            ) from None

    async def _login(self, ep: Endpoint, request: Request) -> Answer:
        response = await self._transmit(request, request.params, request.json, {})
        self.check(response)
        return response

    async def _attempts(self, ep: Endpoint, request: Request) -> Answer:
        # a write is sent again only if it never reached the vendor whole
        retryable = _retryable if ep.idempotent else _not_reached
        attempts = self.retry_attempts
        try:  # the first attempt outside tenacity: it costs CPU on every call
            return await self._send(request)
        except Exception as exc:
            if attempts < 2 or not retryable(exc):
                raise
            await asyncio.sleep(_pause(exc))
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts - 1),
            wait=wait_exponential(multiplier=0.05, max=1.0),
            retry=retry_if_exception(retryable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send(request)
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_size(self, name: str, ep: Endpoint, asked: Any) -> None:
        cap = ep.max_page_size
        if asked is not None and cap is not None and int(asked) > cap:
            raise ValueError(
                f"{self.vendor.name}: {name} asks for {asked} items, above the "
                f"vendor's cap of {cap}"
            )

    async def _send(self, request: Request) -> Answer:
        generation = self._auth_generation
        response = await self._signed(request)
        if self.auth_expired(response):
            await self._reauthenticate(generation)
            response = await self._signed(request)
        self.on_response(response)
        self.check(response)
        return response

    def on_response(self, response: Answer) -> None:
        """Hook: see every answer (e.g. to keep a session cookie)."""

    async def _signed(self, request: Request) -> Answer:
        """The request with the session's credentials (each try signs afresh)."""
        await self._ensure_auth()
        params = self.sign_params(dict(request.params or {}))
        json = self.sign_body(request.json)
        return await self._transmit(request, params, json, self.auth_headers())

    async def _transmit(
        self,
        request: Request,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str],
    ) -> Answer:
        """One HTTP request (`params` and `json` as signed); transport failures
        become the hierarchy's errors."""
        method, path = request.method, request.path
        if request.headers:
            headers = {**headers, **request.headers}
        try:
            if request.content is not None:
                return await self.http.request(
                    method,
                    path,
                    params=params,
                    content=request.content,
                    headers=headers,
                )
            return await self.http.request(
                method,
                path,
                params=params,
                json=json,
                data=request.data,
                headers=headers,
            )
        except httpx.TimeoutException:
            raise VendorTimeout(self.name, f"{self.vendor.name}: timed out") from None
        except httpx.TransportError as exc:
            # class names only: a transport's message may quote the URL and its query
            cause = exc.__cause__
            log.warning(
                "%s transport error: %s%s",
                self.name,
                type(exc).__name__,
                f" ({type(cause).__name__})" if cause is not None else "",
            )
            unsent = isinstance(exc, httpx.ConnectError | httpx.WriteError)
            error = VendorNotReached if unsent else VendorUnavailable
            raise error(
                self.name, f"{self.vendor.name}: could not be reached"
            ) from None

    def sign_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Hook for vendors that put credentials in the query string."""
        return params

    def sign_body(self, body: Any) -> Any:
        """Hook for vendors that put credentials in the JSON body."""
        return body

    def authenticated(self) -> bool:
        """Whether a session/token is held (vendors with sessions override)."""
        return True

    async def _ensure_auth(self) -> None:
        if self.authenticated():
            return
        async with self._auth_lock:
            if not self.authenticated():
                await self.authenticate()

    async def _reauthenticate(self, seen: int) -> None:
        async with self._auth_lock:
            if self._auth_generation != seen:
                return  # another call already logged in again
            self.forget_auth()
            await self.authenticate()
            self._auth_generation += 1

    def forget_auth(self) -> None:
        """Drop the session/token so the next call logs in again."""

    def parse(self, response: Answer) -> Any:
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise VendorProtocolError(
                self.name, f"{self.vendor.name}: answer was not JSON"
            ) from None

    async def aclose(self) -> None:
        await self.http.aclose()


# ---- helpers for connectors' history reads ------------------------------------------


def json_position(text: str | None) -> Any:
    """A HistoryRead's position back to its JSON value (None: the start)."""
    if not text:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


R = TypeVar("R")
T = TypeVar("T")


async def answer_each(
    reads: Sequence[R], read_one: Callable[[R], Awaitable[T]]
) -> list[T | Exception]:
    """`read_one` of every read, concurrently; an Exception is that read's answer,
    anything else (a cancellation) is raised. A single read is awaited in the caller's
    task: a task of its own costs a loop turn before its call and one after, and each
    step of a window walk is a single read."""
    if len(reads) == 1:
        try:
            return [await read_one(reads[0])]
        except Exception as exc:
            return [exc]
    results = await asyncio.gather(
        *(read_one(r) for r in reads), return_exceptions=True
    )
    out: list[T | Exception] = []
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        out.append(result)
    return out


__all__ = [
    "Connector",
    "ContactSource",
    "Endpoint",
    "HistoryCost",
    "HistoryRead",
    "InteractionSource",
    "ReadScope",
    "answer_each",
    "json_position",
    "segment",
    "vendor_failure",
]
