"""The Interaction node: one history entry from any vendor, with its vendor's detail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline import domain
from trunkline.pagination.args import slice_args
from trunkline.resolvers import fields
from trunkline.resolvers import interactions as interaction_resolvers
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.contact import Contact, VendorRecord
from trunkline.schema.enums import Channel, Direction, Vendor
from trunkline.schema.ids import contact_account_of
from trunkline.schema.inputs import InteractionFilter
from trunkline.schema.selection import node_fields


@strawberry.type(description="Postal address of a MoxiWorks agent action.")
class ActionAddress:
    line1: str | None
    line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None


@strawberry.type(description="MoxiWorks ActionLog entry fields.")
class MoxiWorksActionLogDetail:
    agent_action: str | None
    address: ActionAddress | None
    title: str | None
    partner_contact_id: str | None
    moxi_works_contact_id: str | None


@strawberry.type(description="Procurios contact moment fields.")
class ProcuriosContactMomentDetail:
    type_title: str | None
    reference: str | None
    sender: str | None
    sender_id: int | None
    recipient_ids: list[int]
    action_code: int | None


@strawberry.type(description="CRM.COM communication fields.")
class CrmcomCommunicationDetail:
    number: str | None
    category: str | None
    media: str | None
    from_: str | None = strawberry.field(name="from")
    to: str | None
    viewed_on: datetime | None


@strawberry.type(description="LiveVox contact note fields.")
class LiveVoxNoteDetail:
    note_id: str
    account: str


InteractionDetail = Annotated[
    MoxiWorksActionLogDetail
    | ProcuriosContactMomentDetail
    | CrmcomCommunicationDetail
    | LiveVoxNoteDetail,
    strawberry.union("InteractionDetail", description="The vendor's own fields."),
]


def render_detail(d: domain.Detail | None) -> Any:
    if isinstance(d, domain.ActionLogDetail):
        a = d.address
        return MoxiWorksActionLogDetail(
            agent_action=d.agent_action,
            address=ActionAddress(
                line1=a.line1,
                line2=a.line2,
                city=a.city,
                state=a.state,
                postal_code=a.postal_code,
            )
            if a
            else None,
            title=d.title,
            partner_contact_id=d.partner_contact_id,
            moxi_works_contact_id=d.moxi_works_contact_id,
        )
    if isinstance(d, domain.ContactMomentDetail):
        return ProcuriosContactMomentDetail(
            type_title=d.type_title,
            reference=d.reference,
            sender=d.sender,
            sender_id=d.sender_id,
            recipient_ids=list(d.recipient_ids),
            action_code=d.action_code,
        )
    if isinstance(d, domain.CommunicationDetail):
        return CrmcomCommunicationDetail(
            number=d.number,
            category=d.category,
            media=d.media,
            from_=d.sender,
            to=d.recipient,
            viewed_on=d.viewed_on,
        )
    if isinstance(d, domain.NoteDetail):
        return LiveVoxNoteDetail(note_id=d.note_id, account=d.account)
    return None


@strawberry.type(description="A call, email, note, action-log entry or contact moment.")
class Interaction(relay.Node):
    key: relay.NodeID[str]
    source: VendorRecord
    channel: Channel
    vendor_type: str | None = strawberry.field(
        description="The vendor's own type name."
    )
    direction: Direction | None
    subject: str | None
    body: str | None
    occurred_at: datetime
    status: str | None
    tags: list[str]
    detail: InteractionDetail | None
    record: strawberry.Private[domain.Interaction]

    @classmethod
    def of(cls, i: domain.Interaction) -> Interaction:
        return cls(
            key=interaction_resolvers.node_id_of(i),
            source=VendorRecord.of(i.source),
            channel=i.channel,
            vendor_type=i.vendor_type,
            direction=i.direction,
            subject=i.subject,
            body=i.body,
            occurred_at=i.occurred_at,
            status=i.status,
            tags=list(i.tags),
            detail=render_detail(i.detail),
            record=i,
        )

    @strawberry.field(description="The contact whose history holds this interaction.")
    async def contact(self, info: Info) -> Contact | None:
        account = self.record.contact_account
        if account is None:
            return None
        found = await fields.find_contact(info.context, account)
        return Contact.of(found, info.context) if found else None

    @strawberry.field(description="The contacts this interaction involves.")
    async def participants(self, info: Info) -> list[Contact]:
        found = await self.contact(info)
        return [found] if found else []

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Interaction | None]:
        found = await asyncio.gather(
            *(interaction_resolvers.interaction(info.context, i) for i in node_ids)
        )
        return [cls.of(i) if i is not None else None for i in found]


async def interactions_connection(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: InteractionFilter | None,
    *,
    contact: domain.Contact | None = None,
) -> Connection[Interaction]:
    """Shared by `Query.interactions` and `Contact.interactions` (which hands over
    its own record: the history needs it, and it is not loaded again)."""
    ctx = info.context
    args = slice_args(
        first, after, last, before, max_page_size=ctx.gateway.settings.max_page_size
    )
    f = filter or InteractionFilter()
    account = contact.account if contact is not None else None
    if account is None and f.contact_id is not None:
        account = contact_account_of(f.contact_id)
    page = await interaction_resolvers.interactions_page(
        ctx,
        f.to_domain(account),
        args,
        node_fields(info),
        tuple(info.path.as_list()),
        contact,
    )
    return to_connection(page, Interaction.of)


__all__ = ["Interaction", "InteractionDetail", "Vendor", "interactions_connection"]
