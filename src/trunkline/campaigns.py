"""Campaign records (vendor-neutral); the port a campaign vendor provides is
`sources.CampaignSource`.

Connectors turn vendor payloads into these; the schema renders them. Ids are the
vendor's: `id` is its internal id, `external_id` the name clients give it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


class SubCampaignState(enum.Enum):
    # The doc's states of a SubCampaign.
    LOADING = "Loading"
    RUNNING = "Running"
    PAUSED = "Paused"
    PENDING = "Pending"
    STOPPING = "Stopping"
    AWAITING = "Awaiting"
    CANCELLED = "Cancelled"
    COMPLETING = "Completing"
    DONE = "Done"
    UNKNOWN = "Unknown"  # a state the doc does not name (reported, not guessed)


class StateGroup(enum.Enum):
    # listSubCampaignStates' synthetic states
    ACTIVE = "Active"
    COMPLETED = "Completed"
    DONE = "Done"
    ALL = "All"


ACTIVE = frozenset(
    {
        SubCampaignState.LOADING,
        SubCampaignState.RUNNING,
        SubCampaignState.PAUSED,
        SubCampaignState.PENDING,
        SubCampaignState.STOPPING,
    }
)
COMPLETED = frozenset(
    {
        SubCampaignState.AWAITING,
        SubCampaignState.CANCELLED,
        SubCampaignState.COMPLETING,
        SubCampaignState.DONE,
    }
)
GROUPS: Mapping[StateGroup, frozenset[SubCampaignState]] = {
    StateGroup.ACTIVE: ACTIVE,
    StateGroup.COMPLETED: COMPLETED,
    StateGroup.DONE: frozenset(
        {SubCampaignState.AWAITING, SubCampaignState.CANCELLED, SubCampaignState.DONE}
    ),
    StateGroup.ALL: ACTIVE | COMPLETED,
}

# changeSubCampaignState: the states a change may set, each from the states it may
# leave (the doc: stop = Done or Stopping, pause = Paused, resume or start = Running).
TRANSITIONS: Mapping[SubCampaignState, frozenset[SubCampaignState]] = {
    SubCampaignState.PAUSED: frozenset({SubCampaignState.RUNNING}),
    SubCampaignState.RUNNING: frozenset(
        {SubCampaignState.PAUSED, SubCampaignState.PENDING}
    ),
    SubCampaignState.DONE: frozenset(
        {
            SubCampaignState.LOADING,
            SubCampaignState.RUNNING,
            SubCampaignState.PAUSED,
            SubCampaignState.PENDING,
        }
    ),
}


class BatchState(enum.Enum):
    PENDING = "Pending"
    RUNNING = "Running"
    DONE = "Done"
    CANCELLED = "Cancelled"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another vendor record (its ids, as the vendor gave them)."""

    id: str | None
    external_id: str | None


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    external_id: str | None
    name: str | None
    description: str | None
    created_at: datetime | None
    outreach_strategy: Ref | None
    default_agent_group: Ref | None


@dataclass(frozen=True, slots=True)
class CampaignPass:
    name: str | None
    channel: str | None
    pacing: str | None
    contacts_per_minute: int | None


@dataclass(frozen=True, slots=True)
class SubCampaign:
    id: str
    external_id: str | None
    name: str | None
    campaign_id: str
    state: SubCampaignState
    vendor_state: str | None  # as the vendor spelled it
    starts_at: datetime | None
    agent_group: Ref | None
    passes: tuple[CampaignPass, ...] = ()


@dataclass(frozen=True, slots=True)
class ContactBatch:
    id: str | None
    external_id: str
    campaign_id: str | None
    state: BatchState
    created_at: datetime | None
    contact_count: int | None
    attempted_count: int | None
    completed_count: int | None


@dataclass(frozen=True, slots=True)
class ComplianceRule:
    id: str
    type: str | None
    name: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class Script:
    id: str
    external_id: str | None
    name: str | None
    type: str | None


@dataclass(frozen=True, slots=True)
class OutreachStrategy:
    id: str
    external_id: str | None
    name: str | None
    channel: str | None


@dataclass(frozen=True, slots=True)
class ContactAttempt:
    id: str
    contact_key: str | None  # the contact's externalId at the vendor
    device: str | None
    channel: str | None  # Voice, SMS, Email
    result: str | None
    started_at: datetime
    duration_s: int | None
    campaign_id: str | None
    sub_campaign_id: str | None
    contact_batch_id: str | None


@dataclass(frozen=True, slots=True)
class NewContact:
    external_id: str
    phone: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True, slots=True)
class NewBatch:
    external_id: str
    campaign_id: str | None
    max_duration_minutes: int
    outreach_strategy_id: str | None = None
    script_id: str | None = None
    agent_group_id: str | None = None


@dataclass
class BatchOutcome:
    """What creating a batch did: the batch (once any chunk landed), and per contact
    None (accepted) or the error of the chunk it was sent in."""

    batch: ContactBatch | None
    errors: list[BaseException | None] = field(default_factory=list)
    calls: int = 0


__all__ = [
    "GROUPS",
    "TRANSITIONS",
    "BatchOutcome",
    "BatchState",
    "Campaign",
    "CampaignPass",
    "ComplianceRule",
    "ContactAttempt",
    "ContactBatch",
    "NewBatch",
    "NewContact",
    "OutreachStrategy",
    "Ref",
    "Script",
    "StateGroup",
    "SubCampaign",
    "SubCampaignState",
]
