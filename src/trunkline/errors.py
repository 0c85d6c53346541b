"""trunkline's one error hierarchy, mapped once to GraphQL error codes.

    TrunklineError                      code
      BadUserInput                      BAD_USER_INPUT
        CursorError                     BAD_USER_INPUT
        QueryTooComplex                 QUERY_TOO_COMPLEX    over a [limits] value
          RequestTooLarge               REQUEST_TOO_LARGE    document over its bytes
      NotFound                          NOT_FOUND
      Unauthenticated                   UNAUTHENTICATED      no or bad credentials
      Forbidden                         FORBIDDEN            credentials lack a scope
      ConfigError                       CONFIG_ERROR (startup only)
      ConnectorError(vendor)
        VendorUnavailable               VENDOR_UNAVAILABLE   5xx, refused
          VendorTimeout                 VENDOR_TIMEOUT       past timeout_s or the deadline
          VendorRateLimited             VENDOR_RATE_LIMITED  429 (retry_after)
        VendorRejected                  VENDOR_REJECTED      other 4xx
          VendorNotFound                NOT_FOUND            404 / unknown record
          VendorConflict                CONFLICT             duplicate create
            VendorInvalidState          CONFLICT             not allowed in the record's state
          VendorResultTooLarge          VENDOR_REJECTED      a list past its cap: ask for less
        VendorProtocolError             VENDOR_PROTOCOL_ERROR  unparseable answer
        VendorCallBudgetExceeded        VENDOR_CALL_BUDGET_EXCEEDED  past max_vendor_calls
        VendorMisconfigured             VENDOR_MISCONFIGURED  our settings for it (a ConfigError)
        VendorInternalError             INTERNAL_SERVER_ERROR  a bug in its connector
      QueryTooCostly                    QUERY_TOO_COSTLY     estimate over the budget
      PaginationLoopError               INTERNAL_SERVER_ERROR

Only `TrunklineError`s reach a client with their message; anything else is masked.
Messages never carry credentials, vendor URLs or headers.
"""

from __future__ import annotations

from typing import Any

ECHO_LIMIT = 64  # characters of a client's value a message quotes


def shown(value: object) -> str:
    """A client's value as a message quotes it: at most ECHO_LIMIT characters, then
    an ellipsis (a 5,000-character ID does not come back whole)."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "…")


class TrunklineError(Exception):
    code = "INTERNAL_SERVER_ERROR"
    expose = True  # message is safe to show a client

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def graphql_extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extensions}


class BadUserInput(TrunklineError):
    code = "BAD_USER_INPUT"


class CursorError(BadUserInput):
    pass


class InputFieldError(BadUserInput):
    """Bad input that one input field is at fault for: a mutation's userErrors name
    it (`field`, its path from the input object down)."""

    def __init__(self, field: tuple[str, ...], message: str, **extensions: Any):
        super().__init__(message, **extensions)
        self.field = field


class NotFound(TrunklineError):
    code = "NOT_FOUND"


class QueryTooComplex(BadUserInput):
    """A document over one of the configured limits, refused before validation."""

    code = "QUERY_TOO_COMPLEX"

    def __init__(
        self, limit: str, value: int, maximum: int, what: str, *, over: bool = False
    ) -> None:
        # `over`: counting stopped at the limit, so `value` is only a lower bound
        count = f"more than {maximum}" if over else str(value)
        super().__init__(
            f"The document has {count} {what}; the limit is {maximum} "
            f"([limits] {limit}).",
            limit=limit,
            value=value,
            max=maximum,
        )


class RequestTooLarge(QueryTooComplex):
    code = "REQUEST_TOO_LARGE"


class Unauthenticated(TrunklineError):
    code = "UNAUTHENTICATED"


class Forbidden(TrunklineError):
    code = "FORBIDDEN"


class ConfigError(TrunklineError):
    code = "CONFIG_ERROR"


class PaginationLoopError(TrunklineError):
    expose = False


class ConnectorError(TrunklineError):
    code = "VENDOR_ERROR"

    def __init__(self, vendor: str, message: str, *, status: int | None = None) -> None:
        extensions: dict[str, Any] = {"vendor": vendor.upper()}
        if status is not None:
            extensions["status"] = status
        super().__init__(message, **extensions)
        self.vendor = vendor
        self.status = status


class VendorUnavailable(ConnectorError):
    code = "VENDOR_UNAVAILABLE"


class VendorNotReached(VendorUnavailable):
    """The request never reached the vendor whole (no connection, or its bytes could
    not all be written): safe to send again, even a write."""


class VendorTimeout(VendorUnavailable):
    code = "VENDOR_TIMEOUT"


class VendorRateLimited(VendorUnavailable):
    code = "VENDOR_RATE_LIMITED"

    def __init__(
        self, vendor: str, message: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(vendor, message, status=429)
        self.retry_after = retry_after
        if retry_after is not None:
            self.extensions["retryAfter"] = retry_after


class VendorRejected(ConnectorError):
    code = "VENDOR_REJECTED"


class VendorNotFound(VendorRejected):
    code = "NOT_FOUND"


class VendorConflict(VendorRejected):
    code = "CONFLICT"


class VendorInvalidState(VendorConflict):
    """The record's state does not allow the change (e.g. cancelling a done batch)."""


class VendorResultTooLarge(VendorRejected):
    """The answer would pass the vendor's cap: the caller asks for a narrower range."""


class VendorProtocolError(ConnectorError):
    code = "VENDOR_PROTOCOL_ERROR"


class VendorCallBudgetExceeded(ConnectorError):
    """The request has made `[limits] max_vendor_calls` calls: no more go out."""

    code = "VENDOR_CALL_BUDGET_EXCEEDED"


class VendorMisconfigured(ConnectorError):
    """The gateway's own settings for the vendor are wrong or incomplete (e.g. a
    missing credential): not the client's fault, and a retry does not help."""

    code = "VENDOR_MISCONFIGURED"


class VendorInternalError(ConnectorError):
    """An unexpected failure inside the vendor's connector (a bug): its text is only
    in the log."""

    code = "INTERNAL_SERVER_ERROR"


class QueryTooCostly(TrunklineError):
    """The operation's estimated vendor calls exceed the budget: refused unrun."""

    code = "QUERY_TOO_COSTLY"


__all__ = [
    "ECHO_LIMIT",
    "BadUserInput",
    "ConfigError",
    "ConnectorError",
    "CursorError",
    "Forbidden",
    "InputFieldError",
    "NotFound",
    "PaginationLoopError",
    "QueryTooComplex",
    "QueryTooCostly",
    "RequestTooLarge",
    "TrunklineError",
    "Unauthenticated",
    "VendorCallBudgetExceeded",
    "VendorConflict",
    "VendorInternalError",
    "VendorInvalidState",
    "VendorMisconfigured",
    "VendorNotFound",
    "VendorNotReached",
    "VendorProtocolError",
    "VendorRateLimited",
    "VendorRejected",
    "VendorResultTooLarge",
    "VendorTimeout",
    "VendorUnavailable",
    "shown",
]
