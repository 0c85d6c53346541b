"""Client input checked before it reaches a vendor: ids by their vendor's shape
(trunkline/shapes.py), cursor positions by theirs, history dates clamped."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from trunkline.context import Context
from trunkline.domain import InteractionFilter
from trunkline.errors import BadUserInput, CursorError, shown
from trunkline.shapes import valid_id

DAY_S = 86_400
# A cursor position's bounds: numbers (items consumed, pages seen, times) below
# MAX_POSITION, texts (ids) of MAX_TEXT characters, lists of those MAX_DEPTH deep;
# at most MAX_KEYS keys of MAX_KEY characters and MAX_LEAVES values in all.
MAX_POSITION = 2**53  # a JSON-safe integer (LiveVox dates are in milliseconds)
MAX_TEXT = 128
MAX_DEPTH = 2
MAX_KEYS = 8
MAX_KEY = 8
MAX_LEAVES = 20_000


def check_account(ctx: Context, account: str) -> str:
    """A LiveVox account from a client (a Contact ID, `account:`, `contactId`)."""
    if not valid_id(ctx.gateway.contact_source(), "contact", account):
        raise BadUserInput(f"Invalid contact account {shown(account)}.")
    return account


def check_node(ctx: Context, type_name: str, key: str) -> None:
    """A global ID's key, by its type, before it is looked up."""
    if type_name == "Contact":
        check_account(ctx, key)
    elif type_name == "Interaction":
        interaction_source(ctx, key)


def interaction_source(
    ctx: Context, node_id: str
) -> tuple[Any, str, str | None] | None:
    """The source, checked token and contact account of an Interaction's node id
    (`vendor[@account]:token`); None when it names no configured vendor."""
    head, _, token = node_id.partition(":")
    vendor_name, at, escaped = head.partition("@")
    account = unquote(escaped) if at else None
    if at and not account:
        return None
    for source in ctx.gateway.interaction_sources():
        if source.vendor.value == vendor_name:
            if not valid_id(source, "interaction", token):
                raise BadUserInput(
                    f"Invalid {source.vendor.name} interaction id {shown(token)}."
                )
            if account is not None:
                check_account(ctx, account)
            return source, token, account
    return None


def history_key(source: object, key: str | None) -> str | None:
    """A contact's key at a vendor (a link or a rule's value), None if misshapen:
    a bad stored link costs that vendor's history, not the contact's page."""
    if key is None or valid_id(source, "contact", key):
        return key
    return None


def horizon_floor(now: float, horizon_days: int) -> float:
    """The oldest moment a history shows: midnight UTC `horizon_days` ago."""
    return math.floor((now - horizon_days * DAY_S) / DAY_S) * DAY_S


def clamp_dates(f: InteractionFilter, horizon_days: int) -> InteractionFilter:
    """`since` no earlier than the horizon, `until` no later than the end of today
    (whole days, so reads within a day share vendor pages and loader keys)."""
    now = time.time()
    oldest = horizon_floor(now, horizon_days)
    newest = math.ceil(now / DAY_S) * DAY_S
    since, until = f.since, f.until
    if since is not None and since.timestamp() < oldest:
        since = datetime.fromtimestamp(oldest, UTC)
    if until is not None and until.timestamp() > newest:
        until = datetime.fromtimestamp(newest, UTC)
    if since is f.since and until is f.until:
        return f
    return dataclasses.replace(f, since=since, until=until)


def _small(value: Any) -> bool:
    """A count, page or time: a non-negative number below MAX_POSITION."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 <= value < MAX_POSITION
    )


def _part(value: Any, depth: int = 0) -> int:
    """A position's value, checked by type and size only (what each connector keeps
    there is its own): null, numbers, short texts, and lists of those, nested at most
    MAX_DEPTH deep. The number of leaves, or -1 when it does not fit."""
    if (
        value is None
        or _small(value)
        or (isinstance(value, str) and len(value) <= MAX_TEXT)
    ):
        return 1
    if not isinstance(value, list) or depth >= MAX_DEPTH:
        return -1
    leaves = 0
    for item in value:
        n = _part(item, depth + 1)
        if n < 0:
            return -1
        leaves += n
    return leaves


def _position(value: Any) -> bool:
    if value is None or (isinstance(value, int) and value == 0):  # start; 0: done
        return not isinstance(value, bool)
    if not isinstance(value, dict) or len(value) > MAX_KEYS:
        return False
    leaves = 0
    for key, part in value.items():
        n = _part(part)
        if len(key) > MAX_KEY or n < 0:
            return False
        leaves += n
    return leaves <= MAX_LEAVES


def _head(value: Any) -> bool:
    """A sort key from a cursor: [-timestamp, vendor, vendor id]."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], int | float)
        and not isinstance(value[0], bool)
        and math.isfinite(value[0])
        and isinstance(value[1], str)
        and isinstance(value[2], str)
        and len(value[1]) + len(value[2]) <= 512
    )


def check_positions(state: Mapping[str, Any], heads: Mapping[str, Any]) -> None:
    """A history cursor's per-vendor positions and known next keys, by shape (the
    merge reads only the names of this page's vendors)."""
    for position in state.values():
        if not _position(position):
            raise CursorError("Invalid cursor: malformed position.")
    for head in heads.values():
        if not _head(head):
            raise CursorError("Invalid cursor: malformed position.")


__all__ = [
    "check_account",
    "check_node",
    "check_positions",
    "clamp_dates",
    "history_key",
    "interaction_source",
]
