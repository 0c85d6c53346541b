"""Vendor-neutral records: what connectors produce and the schema layer renders.

Connectors turn validated vendor payloads into these; nothing above the connectors ever
sees vendor JSON.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime


class Vendor(enum.Enum):
    # Only vendors with a connector: a value here is one the graph serves.
    LIVEVOX = "livevox"
    MOXIWORKS = "moxiworks"
    PROCURIOS = "procurios"
    CRMCOM = "crmcom"
    ENGAGE = "engage"


class Channel(enum.Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    PHONE = "PHONE"
    LETTER = "LETTER"
    FACE_TO_FACE = "FACE_TO_FACE"
    VISIT = "VISIT"
    NOTE = "NOTE"
    ACTION_LOG = "ACTION_LOG"
    CALL_ATTEMPT = "CALL_ATTEMPT"
    OTHER = "OTHER"


class Direction(enum.Enum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


# The records built per vendor item (a Q3 request makes about 1,000) are not frozen: a
# frozen dataclass's __init__ costs about five times a plain one's (1.36 against
# 0.26 us for an Interaction). Treat them as immutable all the same; those that were
# hashable stay so (unsafe_hash: the hash of their fields, as when frozen).
@dataclass(slots=True, unsafe_hash=True)
class VendorRef:
    vendor: Vendor
    vendor_id: str


# Phone, Address and Contact likewise (per record of every page).
@dataclass(slots=True)
class Phone:
    number: str
    ordinal: int
    blocked: str | None  # the vendor's block state, e.g. NONE, DAILY, PERMANENT
    dnd: bool
    sms_consent: bool | None  # None: the vendor's answer does not say
    cell_consent: bool | None


@dataclass(frozen=True, slots=True)
class CustomField:
    field: str
    label: str | None
    value: str | None


@dataclass(frozen=True, slots=True)
class ContactGroup:
    id: str
    name: str


@dataclass(slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(slots=True)
class ContactDetails:
    """The parts of a contact most answers do not read (see `Contact.more`)."""

    emails: tuple[str, ...] = ()
    address: Address = field(default_factory=Address)
    date_of_birth: date | None = None
    balance: float | None = None
    due_date: date | None = None
    active: bool | None = None
    custom_fields: Sequence[CustomField] = ()  # LiveVox's: converted when read
    created_at: datetime | None = None
    modified_at: datetime | None = None


@dataclass(slots=True, eq=False)
class Contact:
    source: VendorRef
    account: str
    first_name: str | None = None
    last_name: str | None = None
    phones: tuple[Phone, ...] = ()
    group_ids: tuple[str, ...] = ()
    # The details, or what makes them when first read: a page of contacts is mapped
    # in full only when the answer reads more than names, phones and groups.
    more: ContactDetails | Callable[[], ContactDetails] = field(
        default_factory=ContactDetails, repr=False
    )
    # The custom fields alone, or what makes them, for while the details are not
    # made: an identity rule reads one custom field of every contact on a page.
    custom: Sequence[CustomField] | Callable[[], Sequence[CustomField]] | None = field(
        default=None, repr=False
    )
    # Values by upper-cased name, made at the first `custom_field` read: identity
    # rules read two fields of every contact on a page.
    custom_index: dict[str, str | None] | None = field(
        default=None, init=False, repr=False
    )

    @property
    def details(self) -> ContactDetails:
        more = self.more
        if not isinstance(more, ContactDetails):
            more = self.more = more()
        return more

    @property
    def emails(self) -> tuple[str, ...]:
        return self.details.emails

    @property
    def address(self) -> Address:
        return self.details.address

    @property
    def date_of_birth(self) -> date | None:
        return self.details.date_of_birth

    @property
    def balance(self) -> float | None:
        return self.details.balance

    @property
    def due_date(self) -> date | None:
        return self.details.due_date

    @property
    def active(self) -> bool | None:
        return self.details.active

    @property
    def custom_fields(self) -> Sequence[CustomField]:
        custom = self.custom
        if custom is None or isinstance(self.more, ContactDetails):
            return self.details.custom_fields
        if callable(custom):
            custom = self.custom = custom()
        return custom

    @property
    def created_at(self) -> datetime | None:
        return self.details.created_at

    @property
    def modified_at(self) -> datetime | None:
        return self.details.modified_at

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Contact):
            return NotImplemented
        return (
            self.source,
            self.account,
            self.first_name,
            self.last_name,
            self.phones,
            self.group_ids,
            self.details,
        ) == (
            other.source,
            other.account,
            other.first_name,
            other.last_name,
            other.phones,
            other.group_ids,
            other.details,
        )

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.account

    def custom_field(self, name: str) -> str | None:
        """A custom field's value by name, case-blind (the first of a name wins)."""
        index = self.custom_index
        if index is None:
            index = self.custom_index = {}
            for f in self.custom_fields:
                index.setdefault(f.field.upper(), f.value)
        return index.get(name.upper())


@dataclass(frozen=True, slots=True)
class ContactFilter:
    account: str | None = None
    account_prefix: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    postal_code: str | None = None
    balance_min: float | None = None
    balance_max: float | None = None
    modified_since: datetime | None = None


class Detail:
    """Base of a vendor's own fields on an Interaction: each vendor declares its record
    in `details/<vendor>.py`, and the schema renders it (`schema/vendors/<vendor>.py`)."""

    __slots__ = ()


@dataclass(slots=True, unsafe_hash=True)
class Interaction:
    source: VendorRef
    occurred_at: datetime
    channel: Channel
    vendor_type: str | None = None
    direction: Direction | None = None
    subject: str | None = None
    body: str | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    detail: Detail | None = None
    # The LiveVox account this history was read for (None: read across contacts).
    contact_account: str | None = None
    # What the connector needs to read this one item again (for node(id:)).
    node_key: str = ""
    # The vendor's own id of the contact the record belongs to, as `get_interaction`
    # read it (None: not known): an ID's contact is checked against it. Where it was
    # read from, not what the item is: left out of comparisons.
    contact_key: str | None = field(default=None, compare=False)

    @staticmethod
    def floor_key(before: float) -> tuple[float, str, str]:
        """A sort key below that of every interaction older than `before` (Unix s)."""
        return (-float(before), "", "")

    @property
    def sort_key(self) -> tuple[float, str, str]:
        """Newest first, ties broken by vendor then vendor id: a total order."""
        return (
            -self.occurred_at.timestamp(),
            self.source.vendor.value,
            self.source.vendor_id,
        )


@dataclass(frozen=True, slots=True)
class InteractionFilter:
    contact_account: str | None = None  # the LiveVox account the history belongs to
    vendors: frozenset[Vendor] | None = None
    channels: frozenset[Channel] | None = None
    since: datetime | None = None
    until: datetime | None = None
    direction: Direction | None = None
    text: str | None = None

    def matches(self, item: Interaction) -> bool:
        """The part of the filter a vendor cannot apply itself, applied after the fetch."""
        if self.channels and item.channel not in self.channels:
            return False
        if self.direction and item.direction is not self.direction:
            return False
        if self.since and item.occurred_at < self.since:
            return False
        if self.until and item.occurred_at >= self.until:
            return False
        if self.text:
            needle = self.text.lower()
            hay = f"{item.subject or ''}\n{item.body or ''}".lower()
            if needle not in hay:
                return False
        return True


__all__ = [
    "Address",
    "Channel",
    "Contact",
    "ContactDetails",
    "ContactFilter",
    "ContactGroup",
    "CustomField",
    "Detail",
    "Direction",
    "Interaction",
    "InteractionFilter",
    "Phone",
    "Vendor",
    "VendorRef",
]
