"""Which scope an operation needs.

Queries (and subscriptions) need `read`, mutations `write`. The identity-link mutations
need `admin`: a link decides which vendor record a contact's history is read from, so
whoever may link could point a contact at someone else's records; they are operators'
work, like `trunkline links import`. Scopes are ordered: admin > write > read.
"""

from __future__ import annotations

from typing import Final

from trunkline.errors import Forbidden, Unauthenticated
from trunkline.security.auth import Principal
from trunkline.security.limits import Operation

BY_KIND: Final = {"query": "read", "mutation": "write", "subscription": "read"}
# (root operation kind, field name) -> scope, beyond the kind's own
BY_FIELD: Final = {
    ("mutation", "linkContact"): "admin",
    ("mutation", "unlinkContact"): "admin",
}
_RANK: Final = {"read": 0, "write": 1, "admin": 2}


def required_scope(operation: Operation) -> str:
    scope = BY_KIND[operation.kind]
    for name in operation.root_fields:
        extra = BY_FIELD.get((operation.kind, name))
        if extra is not None and _RANK[extra] > _RANK[scope]:
            scope = extra
    return scope


def authorize(principal: Principal, operation: Operation) -> None:
    scope = required_scope(operation)
    if scope in principal.scopes:
        return
    what = f"This {operation.kind} needs the {scope!r} scope"
    if principal.anonymous:
        raise Unauthenticated(f"{what}; send 'Authorization: Bearer <credential>'.")
    held = ", ".join(sorted(principal.scopes)) or "none"
    raise Forbidden(f"{what}; the credentials have: {held}.")


__all__ = ["BY_FIELD", "BY_KIND", "authorize", "required_scope"]
