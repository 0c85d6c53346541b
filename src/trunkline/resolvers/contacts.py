"""Contact resolvers: the LiveVox list behind Relay offset pagination."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict
from functools import cache
from typing import Any

from trunkline.context import Context
from trunkline.domain import Contact, ContactFilter
from trunkline.errors import NotFound, shown
from trunkline.loaders import ALL
from trunkline.pagination.args import SliceArgs
from trunkline.pagination.cursor import decode_cursor, encode_cursor, scope_of
from trunkline.pagination.offset import offset_index, offset_slice
from trunkline.pagination.types import Page
from trunkline.resolvers.guard import check_account

KIND = "Contact"
MAX_CALL = 1000


def _index(cursor: str | None, scope: Callable[[], str]) -> int | None:
    if cursor is None:
        return None
    return offset_index(decode_cursor(cursor, KIND, scope()))


async def contacts_page(
    ctx: Context, f: ContactFilter, args: SliceArgs, *, with_groups: bool = False
) -> Page[Contact]:
    """A Relay page of contacts in account order."""
    source = ctx.gateway.contact_source()
    # The filter's hash, made only if a cursor is read or written (before the call,
    # it would delay the call).
    scope = cache(lambda: scope_of(KIND, asdict(f)))

    async def fetch(offset: int, limit: int) -> tuple[list[Contact], bool]:
        items, more = await source.list_contacts(f, offset, limit)
        for c in items:  # later by-id reads in this request need no vendor call
            ctx.loaders.contact.remember(c.account, c)
        return list(items), more

    slicing = offset_slice(
        fetch,
        first=args.first,
        last=args.last,
        after=_index(args.after, scope),
        before=_index(args.before, scope),
        max_call=MAX_CALL,
    )
    if with_groups:
        # The group names need nothing from the page: both calls at once. The page
        # is read in this task, so its call goes out now, not a loop turn later
        # behind a task of its own; the loader sends the group call when it yields.
        groups = ctx.loaders.groups.load(ALL)
        try:
            result = await slicing
        except BaseException:
            groups.add_done_callback(_settled)
            raise
        with suppress(Exception):  # the page stands; groups are then read per field
            ctx.groups = await groups
    else:
        result = await slicing
    start = result.start
    return Page(
        result.items,
        lambda n: encode_cursor(KIND, scope(), {"i": start + n}),
        has_next=result.has_next,
        has_previous=result.has_previous,
    )


def _settled(future: asyncio.Future[Any]) -> None:
    # a failed page leaves the group read to finish on its own: its error is seen
    if not future.cancelled():
        future.exception()


async def find_contact(ctx: Context, account: str) -> Contact | None:
    """The contact with this account; None when there is none."""
    found: Contact | None = await ctx.loaders.contact.load(check_account(ctx, account))
    return found


async def contact(ctx: Context, account: str) -> Contact:
    found = await find_contact(ctx, account)
    if found is None:
        raise NotFound(f"No contact with account {shown(account)}.")
    return found


__all__ = ["contact", "contacts_page", "find_contact"]
