"""The root Mutation. Every mutation follows the convention of schema/payloads.py:
`verbNoun(input: VerbNounInput!): VerbNounPayload!`."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from trunkline import domain
from trunkline.errors import BadUserInput, TrunklineError
from trunkline.resolvers import contacts as contact_resolvers
from trunkline.resolvers import links
from trunkline.schema.campaign_mutation import CampaignMutations
from trunkline.schema.contact import Contact
from trunkline.schema.ids import contact_account_of
from trunkline.schema.payloads import UserError, is_expected, user_error
from trunkline.schema.queue_mutations import QueueMutations


@strawberry.input(description="A contact and the vendor record to link it to.")
class LinkContactInput:
    contact_id: strawberry.ID
    vendor: domain.Vendor
    vendor_id: str
    client_mutation_id: str | None = None


@strawberry.input(description="A contact and the vendor whose link to remove.")
class UnlinkContactInput:
    contact_id: strawberry.ID
    vendor: domain.Vendor
    client_mutation_id: str | None = None


@strawberry.type(description="The outcome of linkContact.")
class LinkContactPayload:
    contact: Contact | None
    vendor: domain.Vendor
    vendor_id: str | None
    changed: bool = strawberry.field(description="False when nothing had to change.")
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type(description="The outcome of unlinkContact.")
class UnlinkContactPayload:
    contact: Contact | None
    vendor: domain.Vendor
    vendor_id: str | None
    changed: bool = strawberry.field(description="False when nothing had to change.")
    client_mutation_id: str | None
    user_errors: list[UserError]


def _field_of(exc: TrunklineError) -> list[str]:
    """The input field a link failure is about."""
    if isinstance(exc, BadUserInput) and "vendorId" in exc.message:
        return ["vendorId"]
    return ["contactId"]


@strawberry.type
class Mutation(QueueMutations, CampaignMutations):
    @strawberry.mutation(
        description="Link a contact to a vendor's record of it (replaces any link)."
    )
    async def link_contact(
        self, info: Info, input: LinkContactInput
    ) -> LinkContactPayload:
        payload = LinkContactPayload(
            contact=None,
            vendor=input.vendor,
            vendor_id=input.vendor_id.strip(),
            changed=False,
            client_mutation_id=input.client_mutation_id,
            user_errors=[],
        )
        try:
            account = contact_account_of(input.contact_id)
            payload.changed = await links.link(
                info.context, account, input.vendor, input.vendor_id
            )
            found = await contact_resolvers.contact(info.context, account)
        except TrunklineError as exc:
            if not is_expected(exc):
                raise
            payload.user_errors = [user_error(exc, _field_of(exc))]
            return payload
        payload.contact = Contact.of(found, info.context)
        return payload

    @strawberry.mutation(description="Remove a contact's explicit link to a vendor.")
    async def unlink_contact(
        self, info: Info, input: UnlinkContactInput
    ) -> UnlinkContactPayload:
        payload = UnlinkContactPayload(
            contact=None,
            vendor=input.vendor,
            vendor_id=None,
            changed=False,
            client_mutation_id=input.client_mutation_id,
            user_errors=[],
        )
        try:
            account = contact_account_of(input.contact_id)
            found = await contact_resolvers.contact(info.context, account)
            payload.changed = await links.unlink(info.context, account, input.vendor)
        except TrunklineError as exc:
            if not is_expected(exc):
                raise
            payload.user_errors = [user_error(exc, _field_of(exc))]
            return payload
        payload.contact = Contact.of(found, info.context)
        return payload


__all__ = [
    "LinkContactInput",
    "LinkContactPayload",
    "Mutation",
    "UnlinkContactInput",
    "UnlinkContactPayload",
]
