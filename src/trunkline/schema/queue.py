"""Queue and QueueEntry nodes, and the Query fields that reach them."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline import queues as q
from trunkline.errors import BadUserInput
from trunkline.resolvers import interactions as interaction_resolvers
from trunkline.resolvers import queues as resolvers
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.contact import VendorRecord
from trunkline.schema.enums import Vendor
from trunkline.schema.interaction import Interaction
from trunkline.schema.paging import page_args

QueueEntryState = strawberry.enum(
    q.QueueEntryState,
    description="A queue entry's life cycle: PENDING until processed (COMPLETED), "
    "rejected (REJECTED) or removed (COMPLETED_AND_REMOVED).",
)
QueueMedia = strawberry.enum(q.QueueMedia, description="A media a queue can be of.")


@strawberry.enum(description="What a queue is of.")
class QueueKind(enum.Enum):
    EXTERNAL_SYSTEM = "external_system"
    MEDIA = "media"


@strawberry.input(description="Which entries of a queue to list.")
class QueueEntryFilter:
    state: q.QueueEntryState | None = None


@strawberry.type(description="The vendor's contact a queued communication goes to.")
class QueueContact:
    source: VendorRecord
    first_name: str | None
    last_name: str | None


@strawberry.type(
    description="One communication waiting in (or gone through) a vendor's queue."
)
class QueueEntry(relay.Node):
    key: relay.NodeID[str]
    source: VendorRecord
    number: str | None
    state: q.QueueEntryState
    error_code: str | None = strawberry.field(
        description="Why the delivering system rejected it."
    )
    error_description: str | None
    created_at: datetime | None
    updated_at: datetime | None
    external_system: str | None = strawberry.field(
        description="The name of the external system that delivers it, if any."
    )
    contact: QueueContact | None
    record: strawberry.Private[q.QueueEntry]

    @classmethod
    def of(cls, e: q.QueueEntry) -> QueueEntry:
        person = e.contact
        return cls(
            key=f"{e.source.vendor.value}:{e.source.vendor_id}",
            source=VendorRecord.of(e.source),
            number=e.number,
            state=e.state,
            error_code=e.error_code,
            error_description=e.error_description,
            created_at=e.created_at,
            updated_at=e.updated_at,
            external_system=e.external_system,
            contact=QueueContact(
                source=VendorRecord.of(person.source),
                first_name=person.first_name,
                last_name=person.last_name,
            )
            if person
            else None,
            record=e,
        )

    @strawberry.field(
        description="The queued communication, as an Interaction (one vendor read)."
    )
    async def communication(self, info: Info) -> Interaction | None:
        token = self.record.communication_id
        if token is None:
            return None
        vendor = self.record.source.vendor.value
        found = await interaction_resolvers.interaction(
            info.context, f"{vendor}:{token}"
        )
        return Interaction.of(found) if found is not None else None

    @strawberry.field(description="The external system's queue, when it is named.")
    def queue(self) -> Queue | None:
        name = self.record.external_system
        if name is None:
            return None
        return Queue.of(q.QueueRef(self.record.source.vendor, "external_system", name))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[QueueEntry | None]:
        found = await asyncio.gather(
            *(resolvers.entry(info.context, i) for i in node_ids)
        )
        return [cls.of(e) if e is not None else None for e in found]


@strawberry.type(
    description="A vendor's queue: at CRM.COM, one external system's or one media's."
)
class Queue(relay.Node):
    key: relay.NodeID[str]
    vendor: Vendor
    kind: QueueKind
    external_system: str | None = strawberry.field(
        description="The external system's name (kind EXTERNAL_SYSTEM)."
    )
    media: q.QueueMedia | None = strawberry.field(description="Kind MEDIA: which.")
    ref: strawberry.Private[q.QueueRef]

    @classmethod
    def of(cls, ref: q.QueueRef) -> Queue:
        system = ref.kind == "external_system"
        return cls(
            key=ref.key,
            vendor=ref.vendor,
            kind=QueueKind.EXTERNAL_SYSTEM if system else QueueKind.MEDIA,
            external_system=ref.value if system else None,
            media=None if system else q.QueueMedia(ref.value),
            ref=ref,
        )

    @strawberry.field(description="Whether `[vendors.<vendor>] queues` lists it.")
    def configured(self, info: Info) -> bool:
        return self.ref in resolvers.configured(info.context.gateway)

    @strawberry.field(description="The entries, newest first.")
    async def entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[QueueEntryFilter | None, strawberry.argument()] = None,
    ) -> Connection[QueueEntry]:
        args = page_args(info, first, after, last, before)
        state = filter.state if filter else None
        page = await resolvers.entries_page(info.context, self.ref, args, state)
        return to_connection(page, QueueEntry.of)

    @strawberry.field(description="The latest PENDING entries, newest first.")
    async def latest(self, info: Info, count: int = 10) -> list[QueueEntry]:
        found = await resolvers.latest(info.context, self.ref, count)
        return [QueueEntry.of(e) for e in found]

    @strawberry.field(
        description="The entries still to be viewed: PENDING and COMPLETED, newest first."
    )
    async def pending_completed(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[QueueEntry]:
        args = page_args(info, first, after, last, before)
        page = await resolvers.entries_page(
            info.context, self.ref, args, pending_completed=True
        )
        return to_connection(page, QueueEntry.of)

    @classmethod
    def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Queue | None]:
        vendors = {s.vendor for s in resolvers.queue_sources(info.context.gateway)}
        out: list[Queue | None] = []
        for key in node_ids:
            ref = q.QueueRef.parse(key)
            out.append(cls.of(ref) if ref.vendor in vendors else None)
        return out


@strawberry.type
class QueueQuery:
    """The Query fields of queues (merged into the root Query)."""

    @strawberry.field(description="The queues configured (`[vendors.<v>] queues`).")
    def queues(self, info: Info) -> list[Queue]:
        return [Queue.of(ref) for ref in resolvers.configured(info.context.gateway)]

    @strawberry.field(
        description="Any queue of CRM.COM: pass exactly one of externalSystem (its "
        "name) or media."
    )
    def queue(
        self,
        info: Info,
        external_system: str | None = None,
        media: q.QueueMedia | None = None,
        vendor: Vendor = Vendor.CRMCOM,
    ) -> Queue:
        if (external_system is None) == (media is None):
            raise BadUserInput("Pass exactly one of 'externalSystem' or 'media'.")
        resolvers.source_for(info.context.gateway, vendor)
        if media is not None:
            return Queue.of(q.queue_ref(vendor, "media", media.value))
        assert external_system is not None
        return Queue.of(q.queue_ref(vendor, "external_system", external_system))


__all__ = [
    "Queue",
    "QueueContact",
    "QueueEntry",
    "QueueEntryFilter",
    "QueueEntryState",
    "QueueKind",
    "QueueMedia",
    "QueueQuery",
]
