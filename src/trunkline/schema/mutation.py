"""The root Mutation."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from trunkline import domain
from trunkline.resolvers import contacts as contact_resolvers
from trunkline.resolvers import links
from trunkline.schema.contact import Contact
from trunkline.schema.ids import contact_account_of


@strawberry.type(description="The outcome of a link change.")
class LinkResult:
    contact: Contact
    vendor: domain.Vendor
    vendor_id: str | None
    changed: bool = strawberry.field(description="False when nothing had to change.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Link a contact to a vendor's record of it (replaces any link)."
    )
    async def link_contact(
        self,
        info: Info,
        contact_id: strawberry.ID,
        vendor: domain.Vendor,
        vendor_id: str,
    ) -> LinkResult:
        account = contact_account_of(contact_id)
        changed = await links.link(info.context, account, vendor, vendor_id)
        found = await contact_resolvers.contact(info.context, account)
        return LinkResult(
            contact=Contact.of(found, info.context),
            vendor=vendor,
            vendor_id=vendor_id.strip(),
            changed=changed,
        )

    @strawberry.mutation(description="Remove a contact's explicit link to a vendor.")
    async def unlink_contact(
        self, info: Info, contact_id: strawberry.ID, vendor: domain.Vendor
    ) -> LinkResult:
        account = contact_account_of(contact_id)
        found = await contact_resolvers.contact(info.context, account)
        changed = await links.unlink(info.context, account, vendor)
        return LinkResult(
            contact=Contact.of(found, info.context),
            vendor=vendor,
            vendor_id=None,
            changed=changed,
        )


__all__ = ["LinkResult", "Mutation"]
