"""Campaign, SubCampaign and ContactBatch nodes, and the small types they carry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline import campaigns as domain
from trunkline.errors import BadUserInput
from trunkline.resolvers import campaigns as resolvers
from trunkline.resolvers.campaigns import ALL
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.enums import Vendor as Vendor  # registered before any use
from trunkline.schema.inputs import utc
from trunkline.schema.paging import page_args
from trunkline.schema.selection import node_field_arguments

strawberry.enum(
    domain.SubCampaignState,
    name="SubCampaignState",
    description="A sub-campaign's state, as Engage names it (Unknown: one it does not).",
)
strawberry.enum(
    domain.StateGroup,
    name="SubCampaignStateGroup",
    description="Engage's synthetic states: ACTIVE (Loading, Running, Paused, "
    "Pending, Stopping), COMPLETED (Awaiting, Cancelled, Completing, Done), DONE "
    "(Awaiting, Cancelled, Done), ALL.",
)
strawberry.enum(
    domain.BatchState, name="ContactBatchState", description="A contact batch's state."
)

SubCampaignState = domain.SubCampaignState
StateGroup = domain.StateGroup
BatchState = domain.BatchState


@strawberry.type(description="A reference to another Engage record.")
class EngageRef:
    id: str | None = strawberry.field(description="Its internalId.")
    external_id: str | None


def _ref(r: domain.Ref | None) -> EngageRef | None:
    return EngageRef(id=r.id, external_id=r.external_id) if r is not None else None


@strawberry.type(description="One pass of a sub-campaign over its contacts.")
class CampaignPass:
    name: str | None
    channel: str | None = strawberry.field(description="Voice, SMS or Email.")
    pacing: str | None
    contacts_per_minute: int | None


@strawberry.type(description="A compliance rule of the account (date, region, ...).")
class ComplianceRule:
    id: str
    type: str | None
    name: str | None
    description: str | None


@strawberry.type(description="A script of the account.")
class Script:
    id: str
    external_id: str | None
    name: str | None
    type: str | None


@strawberry.type(description="An outreach strategy: how and when contacts are reached.")
class OutreachStrategy:
    id: str
    external_id: str | None
    name: str | None
    channel: str | None


@strawberry.type(description="An outreach campaign at SoundBite Engage.")
class Campaign(relay.Node):
    key: relay.NodeID[str]
    external_id: str | None
    name: str | None
    description: str | None
    created_at: datetime | None
    default_agent_group: EngageRef | None
    record: strawberry.Private[domain.Campaign]

    @classmethod
    def of(cls, c: domain.Campaign) -> Campaign:
        return cls(
            key=c.id,
            external_id=c.external_id,
            name=c.name,
            description=c.description,
            created_at=c.created_at,
            default_agent_group=_ref(c.default_agent_group),
            record=c,
        )

    @strawberry.field(description="The campaign's outreach strategy.")
    async def outreach_strategy(self, info: Info) -> OutreachStrategy | None:
        ref = self.record.outreach_strategy
        if ref is None or ref.id is None:
            return None
        found = (await info.context.campaigns.strategies.load(ALL)).get(ref.id)
        if found is None:
            return OutreachStrategy(
                id=ref.id, external_id=ref.external_id, name=None, channel=None
            )
        return OutreachStrategy(
            id=found.id,
            external_id=found.external_id,
            name=found.name,
            channel=found.channel,
        )

    @strawberry.field(description="Its sub-campaigns, with their states and passes.")
    async def sub_campaigns(self, info: Info) -> list[SubCampaign]:
        subs = await info.context.campaigns.sub_campaigns.load(self.record.id)
        return [SubCampaign.of(s) for s in subs]

    @strawberry.field(
        description="Its contact batches created in [since, until) (default: the "
        "7 days up to now), with their states and counts."
    )
    async def contact_batches(
        self,
        info: Info,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[ContactBatch]:
        ctx = info.context
        window = resolvers.batch_window(utc(since), utc(until), ctx.campaigns.now())
        found = await resolvers.campaign_batches(ctx, self.record.id, *window)
        return [ContactBatch.of(b) for b in found]

    @strawberry.field(description="The account's compliance rules (they apply to it).")
    async def compliance_rules(self, info: Info) -> list[ComplianceRule]:
        rules = await info.context.campaigns.rules.load(ALL)
        return [
            ComplianceRule(id=r.id, type=r.type, name=r.name, description=r.description)
            for r in rules
        ]

    @strawberry.field(description="The account's scripts.")
    async def scripts(self, info: Info) -> list[Script]:
        found = await info.context.campaigns.scripts.load(ALL)
        return [
            Script(id=s.id, external_id=s.external_id, name=s.name, type=s.type)
            for s in found
        ]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Campaign | None]:
        keys = [_plain(i) for i in node_ids]  # malformed: BAD_USER_INPUT, no call
        known = await info.context.campaigns.campaigns.load(ALL)
        return [cls.of(known[i]) if i in known else None for i in keys]


@strawberry.type(description="A sub-campaign: one run of a campaign over a list.")
class SubCampaign(relay.Node):
    key: relay.NodeID[str]
    external_id: str | None
    name: str | None
    state: SubCampaignState
    vendor_state: str | None = strawberry.field(
        description="The state as Engage spelled it."
    )
    starts_at: datetime | None
    agent_group: EngageRef | None
    passes: list[CampaignPass]
    campaign_id: strawberry.Private[str]

    @classmethod
    def of(cls, s: domain.SubCampaign) -> SubCampaign:
        return cls(
            key=s.id,
            external_id=s.external_id,
            name=s.name,
            state=s.state,
            vendor_state=s.vendor_state,
            starts_at=s.starts_at,
            agent_group=_ref(s.agent_group),
            passes=[
                CampaignPass(
                    name=p.name,
                    channel=p.channel,
                    pacing=p.pacing,
                    contacts_per_minute=p.contacts_per_minute,
                )
                for p in s.passes
            ],
            campaign_id=s.campaign_id,
        )

    @strawberry.field(description="The campaign it belongs to.")
    async def campaign(self, info: Info) -> Campaign | None:
        return await _campaign(info, self.campaign_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SubCampaign | None]:
        return await _nodes(info.context.campaigns.sub_campaign, node_ids, cls.of)


async def _campaign(info: Info, campaign_id: str | None) -> Campaign | None:
    if campaign_id is None:
        return None
    known = await info.context.campaigns.campaigns.load(ALL)
    found = known.get(campaign_id)
    return Campaign.of(found) if found is not None else None


@strawberry.type(description="A batch of contacts sent to a campaign for outreach.")
class ContactBatch(relay.Node):
    key: relay.NodeID[str]
    external_id: str
    vendor_id: str | None = strawberry.field(description="Its Engage internalId.")
    state: BatchState
    created_at: datetime | None
    contact_count: int | None
    attempted_count: int | None
    completed_count: int | None
    campaign_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, b: domain.ContactBatch) -> ContactBatch:
        return cls(
            key=b.external_id,
            external_id=b.external_id,
            vendor_id=b.id,
            state=b.state,
            created_at=b.created_at,
            contact_count=b.contact_count,
            attempted_count=b.attempted_count,
            completed_count=b.completed_count,
            campaign_id=b.campaign_id,
        )

    @strawberry.field(description="The campaign it belongs to.")
    async def campaign(self, info: Info) -> Campaign | None:
        return await _campaign(info, self.campaign_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ContactBatch | None]:
        return await _nodes(info.context.campaigns.contact_batch, node_ids, cls.of)


@strawberry.type(description="One attempt to reach a contact (a call, SMS or email).")
class ContactAttempt:
    id: str = strawberry.field(description="Its Engage internalId.")
    channel: str | None = strawberry.field(description="Voice, SMS or Email.")
    result: str | None
    started_at: datetime
    duration_s: int | None
    device: str | None = strawberry.field(description="The number or address used.")
    campaign_id: str | None = strawberry.field(
        description="Engage's internalId of its campaign.",
        deprecation_reason="Engage's raw id, not a global ID: use `campaign`.",
    )
    sub_campaign_id: str | None
    contact_batch_id: str | None

    @strawberry.field(description="The campaign it belongs to.")
    async def campaign(self, info: Info) -> Campaign | None:
        # the request's one listCampaigns, shared by every attempt: no N+1
        return await _campaign(info, self.campaign_id)


def attempt_of(a: domain.ContactAttempt) -> ContactAttempt:
    return ContactAttempt(
        id=a.id,
        channel=a.channel,
        result=a.result,
        started_at=a.started_at,
        duration_s=a.duration_s,
        device=a.device,
        campaign_id=a.campaign_id,
        sub_campaign_id=a.sub_campaign_id,
        contact_batch_id=a.contact_batch_id,
    )


@strawberry.input(description="Campaign filters; all optional, combined with AND.")
class CampaignFilter:
    created_from: datetime | None = strawberry.field(
        default=None, description="Created at or after."
    )
    created_to: datetime | None = strawberry.field(
        default=None, description="Created before."
    )
    state: StateGroup | None = strawberry.field(
        default=None,
        description="Has a sub-campaign in one of the group's states.",
    )
    states: list[SubCampaignState] | None = strawberry.field(
        default=None, description="Has a sub-campaign in one of these states."
    )
    text: str | None = strawberry.field(
        default=None, description="Part of the name, description or externalId."
    )

    def to_query(self) -> resolvers.CampaignQuery:
        if self.text is not None and len(self.text) > 200:
            raise BadUserInput("'text' may hold at most 200 characters.")
        return resolvers.CampaignQuery(
            created_from=utc(self.created_from),
            created_to=utc(self.created_to),
            states=resolvers.states_of(self.state, self.states),
            text=self.text or None,
        )


def _plain(key: str) -> str:
    return resolvers.check_id(key, "ID")


N = TypeVar("N")


async def _nodes(
    loader: Any, node_ids: Iterable[str], of: Callable[[Any], N]
) -> list[N | None]:
    """Nodes by their keys, checked, through one of the request's loaders."""
    found = await loader.load_many([_plain(i) for i in node_ids])
    return [of(x) if x is not None else None for x in found]


@strawberry.type
class CampaignQueries:
    @strawberry.field(description="Engage campaigns, newest first, filtered and paged.")
    async def campaigns(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[CampaignFilter | None, strawberry.argument()] = None,
    ) -> Connection[Campaign]:
        args = page_args(info, first, after, last, before)
        query = (filter or CampaignFilter()).to_query()
        windows = [
            (utc(a.get("since")), utc(a.get("until")))
            for a in node_field_arguments(info, "Campaign", "contactBatches")
        ]
        page = await resolvers.campaigns_page(info.context, query, args, windows)
        return to_connection(page, Campaign.of)

    @strawberry.field(
        description="A contact's Engage attempts in [since, until) (default: the "
        "last 24 hours), newest first. `contactKey` is the contact's externalId at "
        "Engage (its LiveVox account)."
    )
    async def contact_attempts(
        self,
        info: Info,
        contact_key: str,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ContactAttempt]:
        args = page_args(info, first, after)
        assert args.first is not None
        key = resolvers.check_id(contact_key, "contactKey")
        page = await resolvers.attempts_page(
            info.context, key, utc(since), utc(until), args.first, after
        )
        return to_connection(page, attempt_of)


NODE_TYPES: dict[str, Any] = {
    "Campaign": Campaign,
    "SubCampaign": SubCampaign,
    "ContactBatch": ContactBatch,
}

__all__ = [
    "NODE_TYPES",
    "Campaign",
    "CampaignFilter",
    "CampaignQueries",
    "ContactAttempt",
    "ContactBatch",
    "SubCampaign",
    "attempt_of",
]
