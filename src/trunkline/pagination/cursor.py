"""Opaque, versioned cursors.

A cursor is base64url of compact JSON: `{"v": 1, "k": kind, "f": scope, "s": state}`.
`kind` names the connection (e.g. "Contact"), `scope` is a short hash of the arguments the
cursor belongs to (filter, order), and `state` is the backend's resume point. Decoding checks
all four, so a cursor from another connection or another filter is refused as bad input,
never turned into a 500 or a silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import orjson

from trunkline.errors import CursorError

VERSION = 1


def scope_of(*parts: Any) -> str:
    """A short, stable hash of the arguments a cursor is valid for."""
    raw = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.blake2b(raw, digest_size=6).hexdigest()


def encode_cursor(kind: str, scope: str, state: Any) -> str:
    raw = orjson.dumps({"v": VERSION, "k": kind, "f": scope, "s": state})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, kind: str, scope: str) -> Any:
    """Return the state inside `cursor`, or raise CursorError if it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError):
        raise CursorError("Invalid cursor: not a cursor this API issued.") from None
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        raise CursorError("Invalid cursor: unknown cursor version.")
    if payload.get("k") != kind:
        raise CursorError(f"Invalid cursor: it does not belong to a {kind} list.")
    if payload.get("f") != scope:
        raise CursorError(
            "Invalid cursor: it was issued for different arguments (filter or order)."
        )
    return payload.get("s")


__all__ = ["VERSION", "decode_cursor", "encode_cursor", "scope_of"]
