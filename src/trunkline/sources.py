"""The ports: what resolvers, loaders and the request context ask of the vendors.

Capabilities are protocols (`ContactSource`, `InteractionSource`): resolvers ask which
connectors provide what, never which vendor is which. Connectors implement them; this
module imports no connector, so the layers above reach the vendors only through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from trunkline.campaigns import (
    BatchOutcome,
    Campaign,
    ComplianceRule,
    ContactAttempt,
    ContactBatch,
    NewBatch,
    NewContact,
    OutreachStrategy,
    Script,
    SubCampaign,
    SubCampaignState,
)
from trunkline.config import VendorSettings
from trunkline.domain import (
    Contact,
    ContactFilter,
    ContactGroup,
    Interaction,
    InteractionFilter,
    Vendor,
)
from trunkline.pagination.types import Batch


@runtime_checkable
class VendorClient(Protocol):
    """What the gateway holds per vendor: its settings, a readiness probe, a close."""

    vendor: ClassVar[Vendor]
    settings: VendorSettings

    async def ready(self) -> None:
        """Raise a ConnectorError if the vendor cannot be reached."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ContactSource(Protocol):
    """A vendor that owns the Contact list (LiveVox today)."""

    vendor: ClassVar[Vendor]

    async def list_contacts(
        self, filter: ContactFilter, offset: int, limit: int
    ) -> tuple[Sequence[Contact], bool]: ...

    async def get_contacts(self, accounts: Sequence[str]) -> Mapping[str, Contact]: ...

    async def list_groups(self) -> Sequence[ContactGroup]: ...

    async def custom_field_labels(self) -> Mapping[str, str]: ...

    async def contact_notes(self, account: str) -> Sequence[Interaction]: ...


class ReadScope(dict[Hashable, Any]):
    """What one request's reads of one vendor share (entries owned by its
    connector), and the background reads it started, stopped when the request ends."""

    def __init__(self) -> None:
        super().__init__()
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def close(self) -> None:
        """The request is over: what it started and still runs is of no use."""
        for task in list(self._tasks):
            task.cancel()


@dataclass(frozen=True, slots=True)
class HistoryRead:
    """One read of one contact's history at one vendor (hashable: a loader key)."""

    key: str | None  # the vendor's id for the contact; None: every contact
    filter: InteractionFilter
    fields: frozenset[str]  # the Interaction fields the query selects
    position: str | None  # the stream position (JSON text); None: the start
    limit: int


@runtime_checkable
class InteractionSource(Protocol):
    """A vendor that holds part of a contact's interaction history.

    A history is a stream, newest first, read through `read_histories`; positions are
    small JSON values the connector alone understands. Connectors with a batch path
    (several contacts in one call) use it for the reads that arrive together.
    """

    vendor: ClassVar[Vendor]
    default_contact_key: ClassVar[str]  # "account", "custom_field:<F>" or "link"
    # Where its first reads go out among the vendors', lowest first: those whose
    # answers call for further reads (windows, pages) start their chains first.
    read_order: ClassVar[int]
    # Whether reads that arrive together are answered by one call (a batch form):
    # only then are they gathered; otherwise each goes out, and is answered, alone.
    batch_reads: ClassVar[bool]

    def option(self, key: str, default: Any = None) -> Any: ...

    def history_applies(self, key: str | None, filter: InteractionFilter) -> bool:
        """Whether this vendor can answer (e.g. it needs a contact id)."""
        ...

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> Sequence[Batch[Interaction] | BaseException]:
        """One answer per read, in order: a Batch, or the error for that read alone.

        `scope` lives as long as one request and holds what its reads share (a
        vendor stream that answers many of them); None: every call on its own."""
        ...

    async def get_interaction(self, token: str) -> Interaction | None:
        """An interaction by the `node_token` the connector gave it."""
        ...


@runtime_checkable
class CampaignSource(Protocol):
    """A vendor that runs outreach campaigns (SoundBite Engage)."""

    vendor: ClassVar[Vendor]

    async def list_campaigns(self) -> Sequence[Campaign]: ...

    async def sub_campaigns(
        self, campaigns: Sequence[Campaign]
    ) -> Mapping[str, Sequence[SubCampaign]]: ...

    async def get_sub_campaign(self, sub_campaign_id: str) -> SubCampaign | None: ...

    async def change_sub_campaign_state(
        self, sub_campaign_id: str, state: SubCampaignState
    ) -> SubCampaign: ...

    async def contact_batches(
        self, since: datetime, until: datetime
    ) -> Sequence[ContactBatch]: ...

    async def get_contact_batch(self, external_id: str) -> ContactBatch | None: ...

    async def create_contact_batch(
        self, batch: NewBatch, contacts: Sequence[NewContact]
    ) -> BatchOutcome: ...

    async def cancel_contact_batch(self, external_id: str) -> ContactBatch: ...

    async def compliance_rules(self) -> Sequence[ComplianceRule]: ...

    async def scripts(self) -> Sequence[Script]: ...

    async def outreach_strategies(self) -> Sequence[OutreachStrategy]: ...

    async def contact_attempts(
        self,
        contact_key: str,
        since: datetime,
        until: datetime,
        position: object,
        limit: int,
        *,
        trim: bool = False,
    ) -> Batch[ContactAttempt]: ...


__all__ = [
    "CampaignSource",
    "ContactSource",
    "HistoryRead",
    "InteractionSource",
    "ReadScope",
    "VendorClient",
]
