"""Explicit identity links between a Contact and a vendor's record."""

from __future__ import annotations

from trunkline.context import Context
from trunkline.domain import Vendor
from trunkline.errors import BadUserInput, ConfigError
from trunkline.resolvers.contacts import contact as load_contact
from trunkline.shapes import valid_id


async def link(ctx: Context, account: str, vendor: Vendor, vendor_id: str) -> bool:
    if not vendor_id.strip():
        raise BadUserInput("vendorId must not be empty.")
    # Only a vendor holding histories, other than the contact's own record, and an
    # id of that vendor's shape: a link reaches its calls on every page after.
    source = next(
        (s for s in ctx.gateway.interaction_sources() if s.vendor == vendor), None
    )
    if source is None or vendor == ctx.gateway.contact_source().vendor:
        raise BadUserInput(
            f"{vendor.name} cannot be linked: links name a contact's record at a "
            "vendor that holds its history, other than the contact's own."
        )
    if not valid_id(source, "contact", vendor_id.strip()):
        raise BadUserInput(f"vendorId is not a {vendor.name} contact id.")
    store = ctx.gateway.identity
    if store is None:
        raise ConfigError("no identity store is configured")
    await load_contact(ctx, account)  # NOT_FOUND for an unknown contact
    changed = await store.link(account, vendor.value, vendor_id.strip())
    ctx.loaders.links.clear(account)
    return changed


async def unlink(ctx: Context, account: str, vendor: Vendor) -> bool:
    store = ctx.gateway.identity
    if store is None:
        raise ConfigError("no identity store is configured")
    changed = await store.unlink(account, vendor.value)
    ctx.loaders.links.clear(account)
    return changed


__all__ = ["link", "unlink"]
