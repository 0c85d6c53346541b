"""The mutation convention every mutation follows (Relay style).

    verbNoun(input: VerbNounInput!): VerbNounPayload!

The input carries `clientMutationId` (and `idempotencyKey` on creates and bulks); the
payload carries the result, the same `clientMutationId`, and `userErrors` for expected
failures: validation, conflicts, vendor refusals of the input. Their `code` comes from the
same list as GraphQL errors' `extensions.code`, so a client handles both alike. GraphQL
errors are kept for the unexpected (a vendor down, a bug).
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from trunkline.errors import (
    BadUserInput,
    ConnectorError,
    InputFieldError,
    NotFound,
    TrunklineError,
    VendorConflict,
    VendorNotFound,
    VendorRejected,
)

# The failures a mutation reports as user errors; anything else is a GraphQL error.
EXPECTED: tuple[type[TrunklineError], ...] = (
    BadUserInput,
    NotFound,
    VendorNotFound,
    VendorConflict,
    VendorRejected,
)


@strawberry.type(description="An expected failure of a mutation's input.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the input field at fault, from the input object down "
        '(e.g. ["contacts", "3", "phone"]); null when no one field is.'
    )
    message: str
    code: str = strawberry.field(
        description="A stable code from the same list as GraphQL errors' "
        "extensions.code: BAD_USER_INPUT, NOT_FOUND, CONFLICT, VENDOR_REJECTED, ..."
    )


def user_error(
    exc: TrunklineError, field: Sequence[str | int] | None = None
) -> UserError:
    """A user error from one of trunkline's errors (its code and safe message); the
    field, when not given, is the one an InputFieldError names."""
    if field is None and isinstance(exc, InputFieldError):
        field = exc.field
    return UserError(
        field=[str(f) for f in field] if field is not None else None,
        message=exc.message,
        code=exc.code,
    )


def is_expected(exc: BaseException) -> bool:
    """True for failures that belong in `userErrors`, not in GraphQL errors."""
    if isinstance(exc, ConnectorError) and not isinstance(exc, VendorRejected):
        return False  # the vendor's availability, not the input's fault
    return isinstance(exc, EXPECTED)


__all__ = ["EXPECTED", "UserError", "is_expected", "user_error"]
