"""The Interaction node: one history entry from any vendor, with its vendor's detail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Union

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline import domain
from trunkline.resolvers import fields
from trunkline.resolvers import interactions as interaction_resolvers
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.contact import Contact, VendorRecord
from trunkline.schema.enums import Channel, Direction, Vendor
from trunkline.schema.ids import contact_account_of
from trunkline.schema.inputs import InteractionFilter
from trunkline.schema.paging import page_args
from trunkline.schema.selection import node_fields
from trunkline.schema.vendors import detail_types, render_detail

# One member per vendor module under schema/vendors/, in their declared order.
if TYPE_CHECKING:
    InteractionDetail = Any
else:
    InteractionDetail = Annotated[
        Union[tuple(d.graphql for d in detail_types())],  # noqa: UP007
        strawberry.union("InteractionDetail", description="The vendor's own fields."),
    ]


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
    args = page_args(info, first, after, last, before)
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
