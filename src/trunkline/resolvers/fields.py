"""What a Contact's fields read beyond its own record: contacts by account, the
custom field labels, notes and group names. The schema reaches the loaders only here."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from trunkline.context import Context
from trunkline.domain import Contact, ContactGroup, Interaction
from trunkline.lazy import Later
from trunkline.loaders import ALL


async def find_contact(ctx: Context, account: str) -> Contact | None:
    """The contact with this account, None when there is none."""
    found: Contact | None = await ctx.loaders.contact.load(account)
    return found


async def find_contacts(ctx: Context, accounts: Iterable[str]) -> list[Contact | None]:
    """Contacts by account, in order (None where unknown): one batched search."""
    return list(await asyncio.gather(*(ctx.loaders.contact.load(a) for a in accounts)))


async def field_labels(ctx: Context) -> Mapping[str, str]:
    """The custom fields' labels as configured at the contact source, by field."""
    labels: Mapping[str, str] = await ctx.loaders.field_labels.load(ALL)
    return labels


async def contact_notes(ctx: Context, account: str) -> Sequence[Interaction]:
    """The notes agents left on a contact, newest first."""
    notes: Sequence[Interaction] = await ctx.loaders.notes.load(account)
    return notes


def contact_groups(c: Contact, ctx: Context) -> Any:
    """The contact's groups: the list when the group names are at hand (fetched beside
    the page), else a lazy awaitable that loads them only if the query asks."""
    if not c.group_ids:
        return []
    if ctx.groups is not None:
        return _named(c.group_ids, ctx.groups)
    return Later(lambda: _load_groups(c.group_ids, ctx))


async def _load_groups(ids: Iterable[str], ctx: Context) -> list[ContactGroup]:
    return _named(ids, await ctx.loaders.groups.load(ALL))


def _named(ids: Iterable[str], known: Mapping[str, ContactGroup]) -> list[ContactGroup]:
    # the domain's groups themselves: ContactGroup's attribute names
    return [g for gid in ids if (g := known.get(gid)) is not None]


__all__ = [
    "contact_groups",
    "contact_notes",
    "field_labels",
    "find_contact",
    "find_contacts",
]
