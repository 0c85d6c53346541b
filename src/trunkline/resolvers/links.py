"""Explicit identity links between a Contact and a vendor's record."""

from __future__ import annotations

from trunkline.context import Context
from trunkline.domain import Vendor
from trunkline.errors import BadUserInput, ConfigError
from trunkline.resolvers.contacts import contact as load_contact


async def link(ctx: Context, account: str, vendor: Vendor, vendor_id: str) -> bool:
    if not vendor_id.strip():
        raise BadUserInput("vendorId must not be empty.")
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
