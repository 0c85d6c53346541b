"""GraphQL over WebSocket at `/graphql`: the graphql-transport-ws protocol
(github.com/enisdenjo/graphql-ws, PROTOCOL.md), for subscriptions (and any operation).

Messages: connection_init -> connection_ack, ping/pong, subscribe -> next* then complete
(or error, for a request error), complete from the client to stop. Protocol faults close
the socket with the protocol's codes (4400 invalid message, 4401 unauthorised, 4406
subprotocol, 4408 init timeout, 4409 duplicate id, 4429 init twice); an operation over
the 100 running is refused alone, with an `error` message. Each operation gets
its own context, as an HTTP request does; a subscription's loaders are renewed after
each event, so no event answers from another's cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from typing import Any, Final

import orjson
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry import Schema
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from trunkline import budget
from trunkline.errors import TrunklineError, shown
from trunkline.schema.errors import mapped_errors
from trunkline.security.auth import Principal
from trunkline.security.guard import (
    Guard,
    RequestRefused,
    strip_suggestions,
    syntax_error,
)

log = logging.getLogger("trunkline.ws")

PROTOCOL: Final = "graphql-transport-ws"
MAX_OPERATIONS: Final = 100  # running at once on one connection
_ALL: Final = (OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION)
_INTERNAL: Final = {
    "message": "Unexpected error.",
    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
}

_TOO_MANY: Final = {
    "message": f"At most {MAX_OPERATIONS} operations run at once on one connection; "
    "complete one first.",
    "extensions": {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "operations_per_connection",
        "value": MAX_OPERATIONS + 1,
        "max": MAX_OPERATIONS,
    },
}

ContextGetter = Callable[[Any], Awaitable[Any]]


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        # a close frame's reason holds at most 123 bytes of UTF-8
        self.reason = reason.encode()[:123].decode(errors="ignore")


class GraphQLWebSocket:
    """ASGI app for `WebSocketRoute("/graphql", ...)`."""

    def __init__(
        self,
        schema: Schema,
        *,
        context_getter: ContextGetter,
        init_timeout_s: float = 5.0,
        guard: Guard | None = None,
        check_cost: Callable[[str, dict[str, Any] | None, str | None], None]
        | None = None,
        request_deadline_s: float | None = None,
        max_vendor_calls: int = 2000,
    ) -> None:
        self.schema = schema
        self.context_getter = context_getter
        self.init_timeout_s = init_timeout_s
        # Authentication at connection_init, limits and scopes per operation, as
        # GraphQLEndpoint does over HTTP (security/guard.py).
        self.guard = guard
        # The vendor-call estimate, refused over the budget as over HTTP (cost.py),
        # and a query's or mutation's deadline and running call budget (budget.py).
        # A subscription's events come from a shared poller: no per-operation budget.
        self.check_cost = check_cost
        self.request_deadline_s = request_deadline_s
        self.max_vendor_calls = max_vendor_calls

    def operation_kind(self, query: str, name: str | None) -> OperationType | None:
        """The kind of the operation a document picks (from the parsed-document cache
        the guard or the fast path keeps), or None when unknown."""
        documents = getattr(self.guard, "documents", None) or getattr(
            self.schema, "documents", None
        )
        if documents is None:
            return None
        try:
            kind: OperationType | None = documents.get(query).operation_type(name)
        except GraphQLError:
            return None
        return kind

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send)
        if PROTOCOL not in scope.get("subprotocols", []):
            await ws.accept()
            await ws.close(4406, "Subprotocol not acceptable")
            return
        await ws.accept(subprotocol=PROTOCOL)
        await _Session(self, ws).run()


class _Session:
    def __init__(self, app: GraphQLWebSocket, ws: WebSocket) -> None:
        self.app = app
        self.ws = ws
        self.acked = False
        self.principal: Principal | None = None
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()
        self._expiry: asyncio.Task[None] | None = None  # closes at the token's expiry
        self.expired = False

    async def run(self) -> None:
        timer = asyncio.create_task(self._init_timeout())
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect" or self.expired:
                    return
                await self._handle(message.get("text"))
        except _Close as close:
            with contextlib.suppress(Exception):
                await self.ws.close(close.code, close.reason)
        except WebSocketDisconnect:
            return
        finally:
            timer.cancel()
            if self._expiry is not None:
                self._expiry.cancel()
            for task in list(self.operations.values()):
                task.cancel()

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.app.init_timeout_s)
        if not self.acked:
            with contextlib.suppress(Exception):
                await self.ws.close(4408, "Connection initialisation timeout")

    async def _expire(self, at: float) -> None:
        """Close the socket when its credential expires: running subscriptions end,
        and no new operation runs on a credential no longer valid."""
        await asyncio.sleep(max(0.0, at - time.time()))
        self.expired = True
        with contextlib.suppress(Exception):
            await self.ws.close(4403, "Token has expired.")

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.ws.send_text(orjson.dumps(message).decode())

    async def _handle(self, text: str | None) -> None:
        try:
            message = orjson.loads(text) if text is not None else None
        except orjson.JSONDecodeError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if not isinstance(message, dict) or not isinstance(kind, str):
            raise _Close(4400, "Invalid message received")
        if kind == "connection_init":
            if self.acked:
                raise _Close(4429, "Too many initialisation requests")
            payload = message.get("payload")
            if payload is not None and not isinstance(payload, dict):
                # PROTOCOL.md: an object or nothing; else an invalid message
                raise _Close(4400, "Invalid connection_init payload")
            await self._authenticate(payload)
            self.acked = True
            await self._send({"type": "connection_ack"})
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            op_id = message.get("id")
            task = self.operations.pop(op_id, None) if isinstance(op_id, str) else None
            if task is not None:
                task.cancel()
        else:
            raise _Close(4400, f"Invalid message type {shown(kind)}")

    async def _authenticate(self, payload: object) -> None:
        """The credential from connection_init's payload (`Authorization`), else the
        upgrade request's header; a refusal closes with 4403 Forbidden."""
        guard = self.app.guard
        if guard is None:
            return
        header = self.ws.headers.get("authorization")
        if isinstance(payload, dict):
            given = payload.get("Authorization", payload.get("authorization"))
            header = given if isinstance(given, str) else header
        try:
            self.principal = await guard.authenticate(header)
        except TrunklineError as exc:
            raise _Close(4403, exc.message[:120]) from None
        expires_at = self.principal.expires_at
        if expires_at is not None:
            self._expiry = asyncio.create_task(self._expire(expires_at))

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acked:
            raise _Close(4401, "Unauthorized")
        op_id, payload = message.get("id"), message.get("payload")
        if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
            raise _Close(4400, "Invalid subscribe message")
        query, variables = payload.get("query"), payload.get("variables")
        name, extensions = payload.get("operationName"), payload.get("extensions")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(name, str | None)
            or not isinstance(extensions, dict | None)
        ):
            raise _Close(4400, "Invalid subscribe payload")
        if op_id in self.operations:
            raise _Close(4409, f"Subscriber for {op_id} already exists")
        if len(self.operations) >= MAX_OPERATIONS:
            # refuse this one only: the running ones (and the socket) go on
            await self._send({"type": "error", "id": op_id, "payload": [_TOO_MANY]})
            return
        self.operations[op_id] = asyncio.create_task(
            self._operate(op_id, query, variables, name, extensions)
        )

    async def _operate(
        self,
        op_id: str,
        query: str,
        variables: dict[str, Any] | None,
        name: str | None,
        extensions: dict[str, Any] | None,
    ) -> None:
        context: Any = None
        limits = None
        guard = self.app.guard
        try:
            if guard is not None and self.principal is not None:
                refusal = await _admit(guard, query, name, self.principal)
                if refusal is not None:
                    await self._send({"type": "error", "id": op_id, "payload": refusal})
                    return
            if self.app.check_cost is not None:
                try:
                    self.app.check_cost(query, variables, name)
                except TrunklineError as exc:
                    payload = [
                        {"message": exc.message, "extensions": exc.graphql_extensions()}
                    ]
                    await self._send({"type": "error", "id": op_id, "payload": payload})
                    return
            app = self.app
            if (
                app.request_deadline_s is not None
                and app.operation_kind(query, name) is not OperationType.SUBSCRIPTION
            ):
                limits = budget.begin(app.request_deadline_s, app.max_vendor_calls)
            context = await self.app.context_getter(self.ws)
            stream = await self.app.schema.stream(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=name,
                operation_extensions=extensions,
                allowed_operation_types=_ALL,
            )
            async with aclosing(stream):
                async for result in stream:
                    if isinstance(result, PreExecutionError):
                        errors = [_request_error(e) for e in result.errors or ()]
                        if guard is not None and not guard.settings.field_suggestions:
                            strip_suggestions(errors)
                        await self._send(
                            {"type": "error", "id": op_id, "payload": errors}
                        )
                        return
                    await self._send(
                        {
                            "type": "next",
                            "id": op_id,
                            "payload": _payload(result, context),
                        }
                    )
                    await self._renew(context)
            await self._send({"type": "complete", "id": op_id})
        except asyncio.CancelledError:
            raise  # the client completed it, or left
        except GraphQLError as exc:  # the document cache's parse, raised as is
            with contextlib.suppress(Exception):
                error = _request_error(exc)
                await self._send({"type": "error", "id": op_id, "payload": [error]})
        except Exception:
            log.exception("unexpected error in a websocket operation")
            with contextlib.suppress(Exception):
                await self._send({"type": "error", "id": op_id, "payload": [_INTERNAL]})
        finally:
            if limits is not None:
                budget.end(limits)
            self.operations.pop(op_id, None)
            close = getattr(context, "close", None)
            if callable(close):
                close()

    async def _renew(self, context: Any) -> None:
        """Fresh loaders (and no reported errors) for the next event."""
        if hasattr(context, "partial_errors"):
            context.partial_errors.clear()
        if hasattr(context, "loaders"):
            context.loaders.close()
            context.loaders = (await self.app.context_getter(self.ws)).loaders


async def _admit(
    guard: Guard, query: str, name: str | None, principal: Principal
) -> list[dict[str, Any]] | None:
    """The guard's refusal as an error payload, or None to run the operation."""
    try:
        await guard.admit(query, name, principal)
    except GraphQLSyntaxError as exc:
        return [syntax_error(exc)]
    except RequestRefused as exc:
        return [{"message": exc.message, "extensions": {"code": exc.code}}]
    except TrunklineError as exc:
        return [{"message": exc.message, "extensions": exc.graphql_extensions()}]
    return None


def _request_error(error: GraphQLError) -> dict[str, Any]:
    """A parse or validation error with its code, as /graphql over HTTP answers it;
    anything unexpected is masked (and logged)."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("unexpected error preparing an operation", exc_info=original)
        return dict(_INTERNAL)
    syntax = isinstance(error, GraphQLSyntaxError) or isinstance(
        original, GraphQLSyntaxError
    )
    code = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
    formatted = dict(error.formatted)
    formatted["extensions"] = {"code": code, **(error.extensions or {})}
    return formatted


def _payload(result: Any, context: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"data": result.data}
    errors: list[GraphQLError] | None = mapped_errors(result.errors, context)
    if errors:
        out["errors"] = [e.formatted for e in errors]
    return out


__all__ = ["PROTOCOL", "GraphQLWebSocket"]
