"""The checks every GraphQL request passes before either execution path runs.

`GraphQLEndpoint` (http.py) calls `authenticate` with the request's `Authorization`
header before it reads the body, then `admit` with the document: its size in bytes
(before parsing), its tokens (the lexer stops at the limit), its shape against the
limits (measured once per document text and kept with the parsed document in the
schema's cache, so a document sent again costs a lookup), introspection when it is
off, the choice of operation (several operations need `operationName`, as the
GraphQL spec says), and the scope the operation needs.

A document not seen before is parsed, measured and validated on one worker thread,
not on the event loop: even within the limits that can take tens of milliseconds on
a busy machine, and the interpreter hands the loop back the GIL every few
milliseconds (`sys.getswitchinterval()`), so other requests keep being answered. One
thread, so a flood of new documents queues behind itself; documents already seen
never leave the loop.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import httpx
from graphql import GraphQLError, GraphQLSyntaxError

from trunkline.engine.documents import Documents
from trunkline.errors import QueryTooComplex, RequestTooLarge, Unauthenticated
from trunkline.schema import LIMITS, Schema
from trunkline.security.auth import Authenticator, Principal
from trunkline.security.limits import Shape, check, measure
from trunkline.security.policy import authorize
from trunkline.security_settings import SecuritySettings

_OVER: Final = re.compile(r"Document contains more than (\d+) (tokens|comments)")
_SUGGESTION: Final = re.compile(r"\s*Did you mean [^?]*\?")
# Shared by every app of the process: one thread, created at the first new document.
_PARSER: Final = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trunkline-parse")


class RequestRefused(Exception):
    """A GraphQL request error found by the guard (not a limit, not auth)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Guard:
    def __init__(
        self,
        settings: SecuritySettings,
        schema: Schema,
        *,
        jwks_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.limits = settings.limits
        self.schema = schema
        # The fast path's document cache; Strawberry's own path keeps none, so the
        # guard keeps one (parse, measure and validate once per text on either path).
        found = getattr(schema, "documents", None)
        documents = found if isinstance(found, Documents) else Documents(LIMITS)
        self.documents = documents
        self.authenticator = Authenticator(settings, jwks_transport=jwks_transport)
        # One process, one configuration: the app's limits size the schema's cache.
        documents.entries.max_bytes = self.limits.document_cache_bytes

    async def authenticate(self, authorization: str | None) -> Principal:
        principal = await self.authenticator.authenticate(authorization)
        # nothing could run: refuse before reading a body
        if principal.anonymous and not principal.scopes:
            raise Unauthenticated(
                "Authentication required: send 'Authorization: Bearer "
                "<API key or JWT>'."
            )
        return principal

    async def admit(
        self, text: str, operation_name: str | None, principal: Principal
    ) -> None:
        """Raise unless the document may run for `principal`: QueryTooComplex,
        RequestTooLarge, GraphQLSyntaxError, RequestRefused, Unauthenticated or
        Forbidden."""
        shape = self.known(text)
        if shape is None:
            loop = asyncio.get_running_loop()
            shape = await loop.run_in_executor(_PARSER, self.prepare, text)
        if shape.introspection and not self.settings.introspection:
            raise RequestRefused(
                "GraphQL introspection is disabled on this server.",
                "GRAPHQL_VALIDATION_FAILED",
            )
        operation = shape.operation(operation_name)
        if operation is None:
            count = len(shape.operations)
            if operation_name is not None:
                message = f'Unknown operation named "{operation_name}".'
            elif count == 0:
                message = "The document does not contain an operation."
            else:
                message = (
                    f"The document has {count} operations; 'operationName' must "
                    "name the one to run."
                )
            raise RequestRefused(message, "BAD_REQUEST")
        authorize(principal, operation)

    def known(self, text: str) -> Shape | None:
        """The shape of a document parsed, measured and validated before (refusing it
        if it is over a limit), or None."""
        self._check_bytes(text)
        entry = self.documents.entries.get(text)
        if entry is None or entry.shape is None:
            return None
        if entry.within is None or entry.within > self.limits.max_tokens:
            return None  # parsed under a larger limit (another app in this process)
        shape: Shape = entry.shape
        if shape.passed is not self.limits:
            check(shape, self.limits)
        return shape if entry.errors is not None or self._unvalidated(shape) else None

    def prepare(self, text: str) -> Shape:
        """Parse, measure and validate (on the worker thread)."""
        shape = self.shape(text)
        if not self._unvalidated(shape):
            entry = self.documents.get(text, self.limits.max_tokens)
            self.documents.validate(entry, self.schema._schema)
        return shape

    def _unvalidated(self, shape: Shape) -> bool:
        """Refused before validation whatever it holds."""
        return shape.introspection and not self.settings.introspection

    def _check_bytes(self, text: str) -> None:
        maximum = self.limits.max_document_bytes
        if len(text) > maximum or (len(text) * 4 > maximum):
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > maximum:
                raise RequestTooLarge("max_document_bytes", size, maximum, "bytes")

    def shape(self, text: str) -> Shape:
        limits = self.limits
        self._check_bytes(text)
        try:
            entry = self.documents.get(text, limits.max_tokens)
        except GraphQLSyntaxError as exc:
            over = _OVER.search(exc.message)
            if over is None:
                raise
            raise QueryTooComplex(
                "max_tokens", int(over[1]) + 1, limits.max_tokens, over[2], over=True
            ) from None
        shape: Shape | None = entry.shape
        if shape is None:
            try:
                shape = entry.shape = measure(entry.document)
            except RecursionError:
                raise QueryTooComplex(
                    "max_depth",
                    limits.max_depth + 1,
                    limits.max_depth,
                    "levels of nested fields and fragments",
                    over=True,
                ) from None
        check(shape, limits)
        return shape


def strip_suggestions(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors without graphql-core's "Did you mean ...?" hints (schema names)."""
    for error in errors:
        message = error.get("message")
        if isinstance(message, str) and "Did you mean" in message:
            error["message"] = _SUGGESTION.sub("", message)
    return errors


def syntax_error(exc: GraphQLError) -> dict[str, Any]:
    formatted = exc.formatted
    formatted["extensions"] = {"code": "GRAPHQL_PARSE_FAILED"}
    return dict(formatted)


__all__ = ["Guard", "RequestRefused", "strip_suggestions", "syntax_error"]
