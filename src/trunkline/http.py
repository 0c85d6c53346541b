"""GraphQL over HTTP for ``/graphql``, plus the offline GraphiQL page.

Implements the GraphQL-over-HTTP spec (https://graphql.github.io/graphql-over-http/)
on top of ``strawberry.Schema.execute``: content negotiation between
``application/graphql-response+json`` and ``application/json``, GET for queries
only, POST with JSON bodies, and the spec's status codes. Conformance is checked
by the ``graphql-http`` audit suite in ``tests/audit``.

Status codes in short:

* malformed HTTP request (bad JSON, bad parameter types, missing query): 400,
  whatever the media type;
* GraphQL request error (parse, validation, variable coercion, unknown operation):
  400 under ``application/graphql-response+json`` (no ``data`` key), 200 under
  ``application/json``;
* execution (field) errors: 200 with ``data`` and ``errors``;
* mutation over GET: 405 ``Allow: POST``; unacceptable ``Accept``: 406;
  body over ``max_body_bytes``: 413; POST that is not ``application/json``: 415.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal, TypeVar

import orjson
import strawberry
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    VariableDefinitionNode,
    specified_rules,
)
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import (
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
)
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType

from trunkline import budget
from trunkline.cost import CostModel
from trunkline.errors import (
    Forbidden,
    QueryTooComplex,
    RequestTooLarge,
    TrunklineError,
    Unauthenticated,
)
from trunkline.security.guard import (
    Guard,
    RequestRefused,
    strip_suggestions,
    syntax_error,
)

__all__ = [
    "GRAPHIQL_STATIC_PATH",
    "GraphQLEndpoint",
    "graphiql_static_app",
]

logger = logging.getLogger("trunkline.http")

#: Where the app must mount :func:`graphiql_static_app` (the page links here).
GRAPHIQL_STATIC_PATH: Final = "/graphiql-static"

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
APPLICATION_JSON: Final = "application/json"
MediaType = Literal["application/graphql-response+json", "application/json"]
_CANDIDATES: Final[tuple[MediaType, ...]] = (APPLICATION_JSON, GRAPHQL_RESPONSE_JSON)

_STATIC_PACKAGE: Final = "trunkline"
_STATIC_DIR: Final = "static/graphiql"
_QUERY_ONLY: Final = frozenset({OperationType.QUERY})
_QUERY_AND_MUTATION: Final = frozenset({OperationType.QUERY, OperationType.MUTATION})
_INTERNAL_ERROR: Final[dict[str, Any]] = {
    "message": "Unexpected error.",
    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
}
# The page's only script is a static file, so the policy can forbid inline
# scripts and every non-self origin: a CDN reference would simply not load.
_GRAPHIQL_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)


class _HTTPError(Exception):
    """A request we refuse before GraphQL execution; status fixed, body JSON."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "BAD_REQUEST",
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})


class _RequestError(Exception):
    """A GraphQL request error: 400 or 200 depending on the negotiated type."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "request error")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class _Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


class GraphQLEndpoint:
    """ASGI app serving GraphQL over HTTP (GET + POST) and the GraphiQL page.

    Mount with ``Route("/graphql", endpoint, methods=["GET", "POST"])`` and mount
    :func:`graphiql_static_app` at :data:`GRAPHIQL_STATIC_PATH`.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        context_getter: Callable[[Request], Awaitable[object]],
        graphiql: bool = True,
        example_query: str = "",
        max_body_bytes: int = 1_000_000,
        cost_model: CostModel | None = None,
        request_deadline_s: float | None = None,
        max_vendor_calls: int = 2000,
        guard: Guard | None = None,
        get_queries: bool = True,
        field_suggestions: bool = True,
    ) -> None:
        self.schema = schema
        # Every operation's vendor calls: estimated before it runs (refused over
        # the budget), then counted and bounded in time while it runs.
        self.cost_model = cost_model
        self.request_deadline_s = request_deadline_s
        self.max_vendor_calls = max_vendor_calls
        self.context_getter = context_getter
        self.graphiql = graphiql
        # Authentication, limits and scopes (security/guard.py), before execution.
        self.guard = guard
        self.get_queries = get_queries
        self.field_suggestions = field_suggestions
        # Valid against any schema, so the page works before the app sets one.
        self.example_query = example_query or "{ __typename }"
        self.max_body_bytes = max_body_bytes
        self._page_template = _load_page_template() if graphiql else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # pragma: no cover - routing guarantees http
            raise RuntimeError("GraphQLEndpoint only handles HTTP")
        headers = Headers(scope=scope)
        media_type: MediaType = APPLICATION_JSON
        try:
            method = scope["method"]
            if method not in ("GET", "POST"):
                raise _HTTPError(
                    405,
                    f"Method {method} is not allowed.",
                    headers={"Allow": "GET, POST"},
                )
            query_params = QueryParams(scope.get("query_string", b""))
            accept = _parse_accept(headers.get("accept", ""))
            if method == "GET" and self._wants_graphiql(accept, query_params):
                await self._graphiql_page(scope)(scope, receive, send)
                return
            if method == "GET" and not self.get_queries:
                raise _HTTPError(
                    405,
                    "GET requests are disabled on this server; use POST.",
                    headers={"Allow": "POST"},
                )
            negotiated = _negotiate(accept)
            if negotiated is None:
                raise _HTTPError(
                    406,
                    f"Acceptable response types: {GRAPHQL_RESPONSE_JSON}, "
                    f"{APPLICATION_JSON}.",
                )
            media_type = negotiated
            principal = (
                await _guarded(self.guard.authenticate(headers.get("authorization")))
                if self.guard is not None
                else None
            )
            if method == "GET":
                params = _params_from_query(query_params)
                request = Request(scope, receive)
            else:
                body = await self._read_body(headers, receive)
                params = _params_from_body(body)
                # The body is consumed; hand the context getter a request that
                # can still read it.
                request = Request(scope, _replay(body, receive))
            if self.guard is not None and principal is not None:
                await _admit(self.guard, params, principal)
            response = await self._execute(request, params, method, media_type)
        except _HTTPError as exc:
            response = _json_response(
                {"errors": [_error(exc.message, exc.code, exc.extensions)]},
                exc.status,
                media_type,
                exc.headers,
            )
        except _RequestError as exc:
            errors = exc.errors
            if not self.field_suggestions:
                errors = strip_suggestions(errors)
            response = _json_response(
                {"errors": errors}, _request_error_status(media_type), media_type
            )
        except ClientDisconnect:
            return  # nobody is listening for a response
        await response(scope, receive, send)

    # -- GraphiQL -------------------------------------------------------------

    def _wants_graphiql(
        self, accept: list[tuple[str, float]], query_params: QueryParams
    ) -> bool:
        if not self.graphiql or "query" in query_params:
            return False
        return any(mt == "text/html" and q > 0 for mt, q in accept)

    def _graphiql_page(self, scope: Scope) -> Response:
        static = scope.get("root_path", "").rstrip("/") + GRAPHIQL_STATIC_PATH
        config = {"exampleQuery": self.example_query}
        html = self._page_template.replace("{{STATIC}}", _html_attr(static)).replace(
            "{{CONFIG}}", _script_json(config)
        )
        return Response(
            html.encode("utf-8"),
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": _GRAPHIQL_CSP,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Vary": "Accept",
            },
        )

    # -- request reading ------------------------------------------------------

    async def _read_body(self, headers: Headers, receive: Receive) -> bytes:
        content_type = headers.get("content-type")
        if content_type is None:
            raise _HTTPError(
                415, "Missing Content-Type; POST bodies must be application/json."
            )
        mime, _, rest = content_type.partition(";")
        charset = _header_param(rest, "charset")
        # Only JSON, so HTML forms (text/plain, urlencoded, multipart) cannot
        # trigger mutations cross-site without a CORS preflight.
        if mime.strip().lower() != APPLICATION_JSON or charset not in (None, "utf-8"):
            raise _HTTPError(
                415,
                f"Unsupported Content-Type {content_type!r}; use application/json "
                "(UTF-8).",
            )
        limit = self.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _body_too_large(int(declared), limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _body_too_large(size, limit, over=True)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    # -- execution ------------------------------------------------------------

    async def _execute(
        self, request: Request, params: _Params, method: str, media_type: MediaType
    ) -> Response:
        context: object = None
        limits = None
        if self.cost_model is not None:
            self._check_cost(self.cost_model, params)
        try:
            if self.request_deadline_s is not None:
                limits = budget.begin(self.request_deadline_s, self.max_vendor_calls)
            context = await self.context_getter(request)
            result = await self.schema.execute(
                params.query,
                variable_values=params.variables,
                context_value=context,
                root_value=None,
                operation_name=params.operation_name,
                allowed_operation_types=(
                    _QUERY_ONLY if method == "GET" else _QUERY_AND_MUTATION
                ),
                operation_extensions=params.extensions,
            )
        except HTTPException:
            raise  # deliberate (e.g. auth in the context getter): Starlette's call
        except MissingQueryError:
            raise _HTTPError(400, "The 'query' parameter is required.") from None
        except InvalidOperationTypeError as exc:
            if method == "GET" and exc.operation_type is OperationType.MUTATION:
                raise _HTTPError(
                    405,
                    "Mutations are not allowed over GET; use POST.",
                    headers={"Allow": "POST"},
                ) from None
            # Only subscriptions get here: there is no streaming transport.
            kind = exc.operation_type.value.capitalize()
            raise _RequestError(
                [_error(f"{kind} operations are not supported over {method}.")]
            ) from None
        except CannotGetOperationTypeError as exc:
            message = (
                f'Unknown operation named "{exc.operation_name}".'
                if exc.operation_name is not None
                else "The document does not contain an operation."
            )
            raise _RequestError([_error(message)]) from None
        except Exception:
            logger.exception("Unexpected error while executing a GraphQL request")
            return _internal_error_response(media_type)
        finally:
            close = getattr(context, "close", None)
            if callable(close):  # background vendor reads end with the request
                close()
            if limits is not None:
                budget.end(limits)
        return self._result_response(result, media_type)

    def _check_cost(self, model: CostModel, params: _Params) -> None:
        """Refuse, before any vendor call, an operation estimated over the budget."""
        try:
            self.check_cost(params.query, params.variables, params.operation_name)
        except TrunklineError as exc:
            raise _RequestError(
                [{"message": exc.message, "extensions": exc.graphql_extensions()}]
            ) from None

    def check_cost(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> None:
        """Raise QueryTooCostly for an operation estimated over the budget (HTTP and
        WebSocket alike); a document with errors is left to execution to answer."""
        if self.cost_model is None:
            return
        document = self._valid_document(query)
        if document is not None:
            self.cost_model.check(document, variables, operation_name, text=query)

    def _valid_document(self, query: str) -> DocumentNode | None:
        """The document, parsed and validated as execution will (and cached for it,
        when the schema keeps a document cache); None if it has errors."""
        documents = (
            self.guard.documents
            if self.guard is not None
            else getattr(self.schema, "documents", None)
        )
        if documents is None:
            return None
        try:
            entry = documents.get(query)
        except GraphQLError:
            return None
        if entry.errors is None:
            entry.errors = validate_document(
                self.schema._schema,
                entry.document,
                (*specified_rules, *documents.rules),
            )
        document: DocumentNode | None = None if entry.errors else entry.document
        return document

    def _result_response(
        self, result: ExecutionResult, media_type: MediaType
    ) -> Response:
        errors = result.errors or []
        if isinstance(result, PreExecutionError):
            # Parse/validation stage. Strawberry also lands here when anything
            # (e.g. an extension hook) raised; that is ours to mask, not echo.
            unexpected = [e for e in errors if _is_unexpected(e)]
            if unexpected:
                for error in unexpected:
                    logger.exception(
                        "Unexpected error while preparing a GraphQL request",
                        exc_info=error.original_error,
                    )
                return _internal_error_response(media_type)
            raise _RequestError([_format(e, _pre_execution_code(e)) for e in errors])
        if result.data is None and errors and all(e.path is None for e in errors):
            # graphql-core refused to start execution (variable coercion, an
            # ambiguous operation): a request error, not a field error.
            raise _RequestError([_format(e, _execute_stage_code(e)) for e in errors])
        payload: dict[str, Any] = {"data": result.data}
        if errors:
            payload["errors"] = [e.formatted for e in errors]
            if not self.field_suggestions:
                strip_suggestions(payload["errors"])
        if result.extensions:
            payload["extensions"] = result.extensions
        return _json_response(payload, 200, media_type)


# -- the guard ----------------------------------------------------------------

_T = TypeVar("_T")


async def _guarded(step: Awaitable[_T]) -> _T:
    try:
        return await step
    except TrunklineError as exc:
        raise _refusal(exc) from None


async def _admit(guard: Guard, params: _Params, principal: Any) -> None:
    try:
        await guard.admit(params.query, params.operation_name, principal)
    except GraphQLSyntaxError as exc:
        raise _RequestError([syntax_error(exc)]) from None
    except RequestRefused as exc:
        raise _RequestError([_error(exc.message, exc.code)]) from None
    except TrunklineError as exc:
        raise _refusal(exc) from None


def _refusal(exc: TrunklineError) -> Exception:
    """Auth failures and an oversized document are HTTP errors; a limit is a
    GraphQL request error (400 or 200 by media type, like a validation error)."""
    error = {"message": exc.message, "extensions": exc.graphql_extensions()}
    if isinstance(exc, Unauthenticated):
        return _HTTPError(
            401, exc.message, code=exc.code, headers={"WWW-Authenticate": "Bearer"}
        )
    if isinstance(exc, Forbidden):
        return _HTTPError(403, exc.message, code=exc.code)
    if isinstance(exc, RequestTooLarge):
        return _HTTPError(413, exc.message, code=exc.code, extensions=exc.extensions)
    if isinstance(exc, QueryTooComplex):
        return _RequestError([error])
    raise exc


def _body_too_large(size: int, limit: int, *, over: bool = False) -> _HTTPError:
    count = f"more than {limit}" if over else str(size)
    return _HTTPError(
        413,
        f"Request body exceeds {limit} bytes: it has {count} "
        "([limits] max_body_bytes).",
        code="REQUEST_TOO_LARGE",
        extensions={"limit": "max_body_bytes", "value": size, "max": limit},
    )


# -- parameters ---------------------------------------------------------------


def _params_from_body(body: bytes) -> _Params:
    if not body:
        raise _HTTPError(400, "POST requests need a JSON body.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise _HTTPError(400, f"Request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _HTTPError(
            400, "Request body must be a JSON object (batching is not supported)."
        )
    return _validate_params(
        data.get("query"),
        data.get("variables"),
        data.get("operationName"),
        data.get("extensions"),
    )


def _params_from_query(query_params: QueryParams) -> _Params:
    return _validate_params(
        query_params.get("query"),
        _json_param(query_params, "variables"),
        query_params.get("operationName") or None,
        _json_param(query_params, "extensions"),
    )


def _json_param(query_params: QueryParams, name: str) -> object:
    raw = query_params.get(name)
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _HTTPError(
            400, f"The '{name}' parameter is not valid JSON: {exc}"
        ) from None


def _validate_params(
    query: object, variables: object, operation_name: object, extensions: object
) -> _Params:
    if query is None:
        raise _HTTPError(400, "The 'query' parameter is required.")
    if not isinstance(query, str):
        raise _HTTPError(400, "The 'query' parameter must be a string.")
    if not query.strip():
        raise _HTTPError(400, "The 'query' parameter must not be empty.")
    if variables is not None and not isinstance(variables, dict):
        raise _HTTPError(400, "The 'variables' parameter must be an object or null.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _HTTPError(400, "The 'operationName' parameter must be a string or null.")
    if extensions is not None and not isinstance(extensions, dict):
        raise _HTTPError(400, "The 'extensions' parameter must be an object or null.")
    return _Params(query, variables, operation_name or None, extensions)


# -- content negotiation --------------------------------------------------------


def _parse_accept(header: str) -> list[tuple[str, float]]:
    """``Accept`` as ``(media range, q)`` pairs; malformed ranges are skipped."""
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        mime, _, rest = part.partition(";")
        mime = mime.strip().lower()
        if "/" not in mime:
            continue
        q_text = _header_param(rest, "q")
        try:
            q = 1.0 if q_text is None else float(q_text)
        except ValueError:
            continue
        ranges.append((mime, min(max(q, 0.0), 1.0)))
    return ranges


def _negotiate(accept: list[tuple[str, float]]) -> MediaType | None:
    """Pick the response type; ``None`` means 406.

    A missing Accept and ``*/*`` mean ``application/json`` (the spec's legacy
    default); the newer type wins only when asked for explicitly.
    """
    if not accept:
        return APPLICATION_JSON
    best: tuple[float, int, int] | None = None
    chosen: MediaType | None = None
    for preference, candidate in enumerate(_CANDIDATES):
        match = _match(candidate, accept)
        if match is None or match[0] <= 0:
            continue
        q, specificity = match
        # Among exact matches of equal q prefer the newer type; among wildcard
        # matches keep application/json.
        score = (q, specificity, preference if specificity == 2 else -preference)
        if best is None or score > best:
            best, chosen = score, candidate
    return chosen


def _match(candidate: str, accept: list[tuple[str, float]]) -> tuple[float, int] | None:
    """q of the most specific range matching ``candidate`` (RFC 9110 12.5.1)."""
    main = candidate.split("/")[0]
    found: tuple[float, int] | None = None
    for mime, q in accept:
        if mime == candidate:
            specificity = 2
        elif mime == f"{main}/*":
            specificity = 1
        elif mime == "*/*":
            specificity = 0
        else:
            continue
        if found is None or specificity > found[1]:
            found = (q, specificity)
    return found


def _header_param(params: str, name: str) -> str | None:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"').lower()
    return None


# -- responses ------------------------------------------------------------------


def _request_error_status(media_type: MediaType) -> int:
    # application/json must stay 200 for well-formed requests (legacy clients
    # only look at the body); the new media type uses 400 and omits ``data``.
    return 400 if media_type == GRAPHQL_RESPONSE_JSON else 200


def _json_response(
    payload: dict[str, Any],
    status: int,
    media_type: MediaType,
    headers: Mapping[str, str] | None = None,
) -> Response:
    try:
        content = orjson.dumps(payload)
    except TypeError:  # e.g. a resolver returned something orjson cannot encode
        logger.exception("Could not serialize a GraphQL response")
        content, status = orjson.dumps({"data": None, "errors": [_INTERNAL_ERROR]}), 200
    return Response(
        content,
        status_code=status,
        headers={
            **(headers or {}),
            "Content-Type": f"{media_type}; charset=utf-8",
            "Vary": "Accept",
        },
    )


def _internal_error_response(media_type: MediaType) -> Response:
    # ``data: null`` marks "execution failed" so a 200 is legal under both types.
    return _json_response({"data": None, "errors": [_INTERNAL_ERROR]}, 200, media_type)


def _error(
    message: str, code: str = "BAD_REQUEST", extensions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **(extensions or {})}}


def _format(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = error.formatted
    # Copy: ``formatted`` shares the error's own extensions dict. A code set by
    # the schema (or an extension) wins over ours.
    formatted["extensions"] = {"code": code, **(error.extensions or {})}
    return dict(formatted)


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _pre_execution_code(error: GraphQLError) -> str:
    syntax = isinstance(error, GraphQLSyntaxError) or isinstance(
        error.original_error, GraphQLSyntaxError
    )
    return "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"


def _execute_stage_code(error: GraphQLError) -> str:
    on_variable = any(isinstance(n, VariableDefinitionNode) for n in error.nodes or ())
    return "BAD_USER_INPUT" if on_variable else "BAD_REQUEST"


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the already-read body once, then delegates."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


# -- GraphiQL page and assets ---------------------------------------------------


def _load_page_template() -> str:
    page = resources.files(_STATIC_PACKAGE).joinpath(_STATIC_DIR, "index.html")
    return page.read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    # Safe inside <script type="application/json">: no "</script>" or "<!--".
    text = json.dumps(value, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _html_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def graphiql_static_app() -> ASGIApp:
    """GraphiQL's vendored JS/CSS; mount at :data:`GRAPHIQL_STATIC_PATH`."""
    return StaticFiles(packages=[(_STATIC_PACKAGE, _STATIC_DIR)])
