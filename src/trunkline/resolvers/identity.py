"""A Contact's identity at the other vendors.

Per vendor, a rule from config (`[vendors.<name>] contact_key`, else the connector's
default): `account` (the same value as the LiveVox account), `custom_field:<FIELD>` (the
value of a LiveVox custom field), or `link` (explicit links only). An explicit link in the
identity store always wins over the rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from trunkline.context import Context
from trunkline.domain import Contact
from trunkline.errors import ConfigError
from trunkline.sources import InteractionSource


def contact_rule(source: InteractionSource) -> str:
    return str(source.option("contact_key", source.default_contact_key))


def apply_rule(rule: str, contact: Contact) -> str | None:
    if rule == "account":
        return contact.account
    if rule == "link":
        return None
    kind, _, field = rule.partition(":")
    if kind == "custom_field" and field:
        return contact.custom_field(field)
    raise ConfigError(f"unknown contact_key rule {rule!r}")


async def vendor_keys(
    ctx: Context, sources: Sequence[InteractionSource], contact: Contact
) -> list[str | None]:
    """Each vendor's id for the contact (None where it has none): one links load for
    them all, not a task per vendor (20 contacts with 4 vendors made 80)."""
    links = await ctx.loaders.links.load(contact.account)
    return [
        links.get(s.vendor.value) or apply_rule(contact_rule(s), contact)
        for s in sources
    ]


async def vendor_key(
    ctx: Context, source: InteractionSource, account: str
) -> str | None:
    """The contact's id at one vendor, by its account: the contact is read (one
    LiveVox search, shared through the request's loader) only when no link names the
    id and the vendor's rule reads a custom field. None where it has none."""
    links = await ctx.loaders.links.load(account)
    linked = links.get(source.vendor.value)
    if linked:
        return linked
    rule = contact_rule(source)
    if rule == "account":
        return account
    if rule == "link":
        return None
    contact = await ctx.loaders.contact.load(account)
    return None if contact is None else apply_rule(rule, contact)


__all__ = ["apply_rule", "contact_rule", "vendor_key", "vendor_keys"]
