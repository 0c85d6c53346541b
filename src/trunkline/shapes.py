"""Vendor id shapes: every id a client hands in (global IDs, cursors, links,
filters) is checked against its vendor's declared shape before it is used.

A connector declares `id_shapes` (kind -> compiled pattern); kinds it does not
declare get `GENERIC_ID`. Kinds in use: "contact" (the vendor's key for a contact's
history) and "interaction" (an interaction's node token).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

GENERIC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+:-]{0,127}")


def valid_id(holder: object, kind: str, value: object) -> bool:
    """Whether `value` has the shape of `holder`'s (a connector's) ids of `kind`."""
    if not isinstance(value, str):
        return False
    shapes: Mapping[str, re.Pattern[str]] = getattr(holder, "id_shapes", None) or {}
    return shapes.get(kind, GENERIC_ID).fullmatch(value) is not None


__all__ = ["GENERIC_ID", "valid_id"]
