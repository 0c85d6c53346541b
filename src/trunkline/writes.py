"""Writes as the gateway asks them of a vendor: checked specs and the writer port.

Resolvers build these from checked input and hand them to a connector that provides
`ContactWriter`; the connector turns them into its wire format. A field left None is
"not given": a create leaves the vendor's default, an update leaves the value as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from trunkline.domain import Address, Channel, Direction, Interaction


@dataclass(frozen=True, slots=True)
class PhoneSpec:
    number: str  # digits only
    sms_consent: bool | None = None
    cell_consent: bool | None = None


@dataclass(frozen=True, slots=True)
class ContactSpec:
    account: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None  # LiveVox keeps one
    phones: tuple[PhoneSpec, ...] | None = None  # given: replaces the list
    group_id: str | None = None  # LiveVox keeps one
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    balance: float | None = None
    due_date: date | None = None
    date_of_birth: date | None = None
    active: bool | None = None
    custom_fields: tuple[tuple[str, str | None], ...] | None = None


@dataclass(frozen=True, slots=True)
class DndSpec:
    """One contact's do-not-call change: blocks per phone number and for the account.
    Blocks are the vendor's actions (NONE, DAILY, PERMANENT, BOTH, DAILY_OFF, ...)."""

    account: str
    phones: tuple[tuple[str, str], ...] = ()  # (number, block action)
    account_block: str | None = None


@runtime_checkable
class ContactWriter(Protocol):
    """A contact source that takes writes (LiveVox)."""

    # Items per bulk call: what the vendor's doc and our simulator accept.
    bulk_chunk: ClassVar[int]

    async def create_contact(self, spec: ContactSpec) -> None:
        """Create; VendorConflict when the account exists."""
        ...

    async def bulk_create_contacts(self, specs: Sequence[ContactSpec]) -> int | None:
        """One bulk call; the count the vendor says it created (None: not said)."""
        ...

    async def update_contact(self, spec: ContactSpec) -> None: ...

    async def bulk_update_contacts(self, specs: Sequence[ContactSpec]) -> None: ...

    async def delete_contact(self, account: str) -> None: ...

    async def update_dnd(self, spec: DndSpec) -> None: ...

    async def bulk_update_dnd(self, specs: Sequence[DndSpec]) -> int | None: ...

    def block_after(self, current: str | None, action: str) -> str:
        """A phone's block state after a block action (the vendor's table)."""
        ...

    async def create_group(self, name: str) -> str: ...

    async def rename_group(self, group_id: str, name: str) -> None: ...

    async def update_field_labels(self, labels: Mapping[str, str]) -> None: ...


@runtime_checkable
class ActionLogWriter(Protocol):
    """A vendor whose log takes entries (MoxiWorks ActionLog)."""

    async def create_action_log(
        self,
        partner_contact_id: str,
        title: str,
        body: str,
        agent_action: str | None = None,
        address: Address | None = None,
    ) -> Interaction: ...

    async def delete_action_log(self, partner_contact_id: str, log_id: str) -> bool:
        """False when the vendor knows no such entry."""
        ...


@runtime_checkable
class MomentWriter(Protocol):
    """A vendor whose typed moments are validated by a JSON schema (Procurios)."""

    contents_types: ClassVar[frozenset[str]]  # the types that take `contents`

    def moment_time(self, at: datetime) -> str:
        """A time as the vendor's `dateTime` takes it."""
        ...

    async def type_schema(self, type: str) -> dict[str, Any]: ...

    async def create_moment(self, type: str, payload: Mapping[str, Any]) -> int: ...

    def moment_sender(self) -> int | None:
        """The sender of moments the gateway logs (config `sender`)."""
        ...

    async def created_moment(
        self, type: str, payload: Mapping[str, Any], moment_id: int, relation: int
    ) -> Interaction:
        """The moment just made, from what was sent."""
        ...


@runtime_checkable
class CommunicationWriter(Protocol):
    """A vendor of communications with drafts (CRM.COM)."""

    write_channels: ClassVar[frozenset[Channel]]

    async def create_communication(
        self,
        contact_key: str,
        channel: Channel,
        direction: Direction,
        subject: str,
        content: str,
        *,
        to: str | None = None,
        draft: bool = False,
    ) -> Interaction: ...

    async def update_communication(
        self, comm_id: str, changes: Mapping[str, Any]
    ) -> Interaction: ...

    async def complete_communication(self, comm_id: str) -> None: ...

    async def set_communication_viewed(self, comm_id: str) -> None: ...


__all__ = [
    "ActionLogWriter",
    "CommunicationWriter",
    "ContactSpec",
    "ContactWriter",
    "DndSpec",
    "MomentWriter",
    "PhoneSpec",
]
