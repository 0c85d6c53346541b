"""The Contact node and the small types it carries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline import domain
from trunkline.details.livevox import NoteDetail
from trunkline.resolvers import fields
from trunkline.schema.connections import Connection
from trunkline.schema.enums import Vendor
from trunkline.schema.fields import attribute_field
from trunkline.schema.inputs import InteractionFilter

if TYPE_CHECKING:
    from trunkline.context import Context
    from trunkline.schema.interaction import Interaction


@strawberry.type(description="Which vendor record a unified object comes from.")
class VendorRecord:
    vendor: Vendor
    vendor_id: str

    @classmethod
    def of(cls, ref: domain.VendorRef) -> VendorRecord:
        return cls(vendor=ref.vendor, vendor_id=ref.vendor_id)


@strawberry.type
class Phone:
    # Rendered from the domain's Phone itself: the same attribute names.
    number: str
    ordinal: int
    blocked: str | None = strawberry.field(
        name="block", description="Block state, e.g. NONE, DAILY."
    )
    dnd: bool = strawberry.field(description="Do-not-disturb is set on this number.")
    sms_consent: bool | None = strawberry.field(
        description="Null when the vendor's answer does not say (LiveVox's contact "
        "list and read carry no consent flags; its search does)."
    )
    cell_consent: bool | None = strawberry.field(
        description="Null when the vendor's answer does not say, as smsConsent."
    )


@strawberry.type
class CustomField:
    field: str
    value: str | None
    _label: strawberry.Private[str | None]

    @strawberry.field(description="The field's label as configured at the vendor.")
    async def label(self, info: Info) -> str | None:
        labels = await fields.field_labels(info.context)
        return labels.get(self.field, self._label)


@strawberry.type
class ContactGroup:
    id: str
    name: str


@strawberry.type
class Note:
    id: str
    text: str | None
    created_at: datetime | None


def _record(attr: str) -> Any:
    return attribute_field(f"record.{attr}")


@strawberry.type(description="A person or account, as the contact source knows it.")
class Contact(relay.Node):
    # Most fields read the domain record itself: a page's contacts are not copied.
    key: relay.NodeID[str]
    source: VendorRecord = _record("source")  # a VendorRef has VendorRecord's fields
    account: str = _record("account")
    first_name: str | None = _record("first_name")
    last_name: str | None = _record("last_name")
    display_name: str = _record("display_name")
    emails: list[str] = _record("emails")
    phones: list[Phone] = _record("phones")
    address1: str | None = _record("address.line1")
    address2: str | None = _record("address.line2")
    city: str | None = _record("address.city")
    state: str | None = _record("address.state")
    postal_code: str | None = _record("address.postal_code")
    country: str | None = _record("address.country")
    date_of_birth: date | None = _record("date_of_birth")
    balance: float | None = _record("balance")
    due_date: date | None = _record("due_date")
    active: bool | None = _record("active")
    # built only if the query reads them: most do not
    custom_fields: list[CustomField] = attribute_field("custom_field_list")
    created_at: datetime | None = _record("created_at")
    modified_at: datetime | None = _record("modified_at")
    # A plain field, so a page of contacts costs no resolver call per contact: the
    # list when the group names are at hand (fetched beside the page), else a lazy
    # awaitable that loads them only if the query asks.
    groups: list[ContactGroup] = strawberry.field(
        description="The contact groups this contact belongs to.",
        graphql_type=list[ContactGroup],
    )
    record: strawberry.Private[domain.Contact]

    @classmethod
    def of(cls, c: domain.Contact, ctx: Context) -> Contact:
        return cls(key=c.account, groups=fields.contact_groups(c, ctx), record=c)

    @property
    def custom_field_list(self) -> list[CustomField]:
        return [
            CustomField(field=f.field, value=f.value, _label=f.label)
            for f in self.record.custom_fields
        ]

    @strawberry.field(description="Notes agents left on the contact, newest first.")
    async def notes(self, info: Info) -> list[Note]:
        items = await fields.contact_notes(info.context, self.record.account)
        return [
            Note(
                id=i.detail.note_id
                if isinstance(i.detail, NoteDetail)
                else i.source.vendor_id,
                text=i.body,
                created_at=i.occurred_at,
            )
            for i in items
        ]

    @strawberry.field(
        description="This contact's history over every vendor, newest first."
    )
    async def interactions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[InteractionFilter | None, strawberry.argument()] = None,
    ) -> Annotated[
        Connection[
            Annotated[Interaction, strawberry.lazy("trunkline.schema.interaction")]
        ],
        strawberry.lazy("trunkline.schema.connections"),
    ]:
        from trunkline.schema.interaction import interactions_connection

        return await interactions_connection(
            info, first, after, last, before, filter, contact=self.record
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Contact | None]:
        ids = list(node_ids)
        found = await fields.find_contacts(info.context, ids)
        return [cls.of(c, info.context) if c is not None else None for c in found]


__all__ = ["Contact", "ContactGroup", "CustomField", "Note", "Phone", "VendorRecord"]
