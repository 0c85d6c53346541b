"""Queues, vendor-neutral: the records connectors produce and the port they implement.

A queue is what a vendor lists entries of in one call: at CRM.COM one external system
or one media (the vendor has no list of queues; `[vendors.crmcom] queues` names the
ones to show). Nothing above the connectors sees vendor JSON.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from trunkline.domain import Vendor, VendorRef
from trunkline.errors import BadUserInput, VendorConflict, shown

QueueKind = Literal["external_system", "media"]
KINDS: tuple[QueueKind, ...] = ("external_system", "media")
MAX_NAME = 200  # an external system's name, as a client may send it


class QueueEntryState(enum.Enum):
    PENDING = "PENDING"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"
    COMPLETED_AND_REMOVED = "COMPLETED_AND_REMOVED"


class QueueMedia(enum.Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    PHONE = "PHONE"
    LETTER = "LETTER"
    FACE_TO_FACE = "FACE_TO_FACE"


class QueueAction(enum.Enum):
    PROCESS = "process"
    REJECT = "reject"
    REMOVE = "remove"


class QueueEntryStateConflict(VendorConflict):
    """The vendor refused an action because of the entry's state (code CONFLICT)."""


@dataclass(frozen=True, slots=True)
class QueueRef:
    """One queue: a vendor's external system (by name) or media."""

    vendor: Vendor
    kind: QueueKind
    value: str

    @property
    def key(self) -> str:
        """The node key: `<vendor>:<kind>:<value>`."""
        return f"{self.vendor.value}:{self.kind}:{self.value}"

    @classmethod
    def parse(cls, key: str) -> QueueRef:
        vendor_name, _, rest = key.partition(":")
        kind, _, value = rest.partition(":")
        try:
            vendor = Vendor(vendor_name)
        except ValueError:
            raise BadUserInput(f"Unknown queue {shown(key)}.") from None
        return queue_ref(vendor, kind, value)


def queue_ref(vendor: Vendor, kind: str, value: str) -> QueueRef:
    """A checked QueueRef: a known kind, a media name, a bounded system name."""
    if kind == "media":
        try:
            value = QueueMedia(value).value
        except ValueError:
            raise BadUserInput(f"Unknown media {shown(value)}.") from None
        return QueueRef(vendor, "media", value)
    if kind == "external_system":
        value = value.strip()
        if not value or len(value) > MAX_NAME or not value.isprintable():
            raise BadUserInput(
                f"An external system's name is 1 to {MAX_NAME} printable characters."
            )
        return QueueRef(vendor, "external_system", value)
    raise BadUserInput(f"Unknown queue kind {shown(kind)}.")


def queues_option(vendor: Vendor, raw: Any) -> list[QueueRef]:
    """`[vendors.<v>] queues`: a list of `{ media = "SMS" }`, `{ external_system =
    "EXT 1" }`, or strings (a media's name, else an external system's)."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValueError("queues must be a list")
    out: list[QueueRef] = []
    for item in raw:
        if isinstance(item, str):
            kind = "media" if item in QueueMedia.__members__ else "external_system"
            out.append(queue_ref(vendor, kind, item))
        elif isinstance(item, Mapping) and len(item) == 1:
            ((kind, value),) = item.items()
            if kind not in KINDS or not isinstance(value, str):
                raise ValueError(
                    f"a queue is {{ media = ... }} or {{ external_system = ... }}, "
                    f"not {dict(item)!r}"
                )
            out.append(queue_ref(vendor, kind, value))
        else:
            raise ValueError(f"a queue is a string or a one-key table, not {item!r}")
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class QueueContact:
    """The vendor's contact a queued communication goes to."""

    source: VendorRef
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True, slots=True)
class QueueEntry:
    source: VendorRef
    state: QueueEntryState
    number: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_system: str | None = None  # its name, when the vendor says
    communication_id: str | None = None  # the Interaction's node token at the vendor
    contact: QueueContact | None = None


@runtime_checkable
class QueueSource(Protocol):
    """A vendor with queues (CRM.COM today). Offsets page newest first."""

    vendor: ClassVar[Vendor]

    def configured_queues(self) -> Sequence[QueueRef]: ...

    async def queue_entries(
        self,
        queue: QueueRef,
        offset: int,
        limit: int,
        state: QueueEntryState | None = None,
    ) -> tuple[Sequence[QueueEntry], bool]:
        """A page and whether more follow."""
        ...

    async def latest_queue_entries(
        self, queue: QueueRef, count: int
    ) -> Sequence[QueueEntry]: ...

    async def pending_completed_entries(
        self, queue: QueueRef, offset: int, limit: int
    ) -> tuple[Sequence[QueueEntry], bool]: ...

    async def queue_entry(self, entry_id: str) -> QueueEntry | None: ...

    def check_entry_id(self, entry_id: str) -> str:
        """The id, checked (BadUserInput when it cannot be one of the vendor's)."""
        ...

    async def act_on_queue_entry(
        self,
        entry_id: str,
        action: QueueAction,
        error_code: str | None = None,
        error_description: str | None = None,
    ) -> QueueEntry:
        """Process, reject or remove; a refusal for the entry's state raises
        QueueEntryStateConflict, an unknown entry VendorNotFound."""
        ...


__all__ = [
    "QueueAction",
    "QueueContact",
    "QueueEntry",
    "QueueEntryState",
    "QueueEntryStateConflict",
    "QueueMedia",
    "QueueRef",
    "QueueSource",
    "queue_ref",
    "queues_option",
]
