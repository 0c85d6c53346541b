"""Campaign mutations (Relay style, schema/payloads.py): sub-campaign state changes and
contact batches."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from trunkline import campaigns as domain
from trunkline.errors import BadUserInput, TrunklineError
from trunkline.resolvers import campaigns as resolvers
from trunkline.resolvers.writes_once import KeyConflict
from trunkline.schema.campaign import ContactBatch, SubCampaign
from trunkline.schema.ids import parse_global_id
from trunkline.schema.mutation_kit import payload
from trunkline.schema.payloads import UserError, is_expected, user_error

T = TypeVar("T")


def _key(raw: str, type_name: str, field: str) -> str:
    kind, key = parse_global_id(raw)
    if kind != type_name:
        raise BadUserInput(f"'{field}' must be a {type_name} ID.")
    return resolvers.check_id(key, f"{type_name} ID")


# ---- sub-campaign state changes ----------------------------------------------------------
@strawberry.input(description="Which sub-campaign to pause.")
class PauseSubCampaignInput:
    sub_campaign_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.input(description="Which sub-campaign to resume (or start).")
class ResumeSubCampaignInput:
    sub_campaign_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.input(description="Which sub-campaign to stop (to Done).")
class StopSubCampaignInput:
    sub_campaign_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.type
class PauseSubCampaignPayload:
    sub_campaign: SubCampaign | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class ResumeSubCampaignPayload:
    sub_campaign: SubCampaign | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class StopSubCampaignPayload:
    sub_campaign: SubCampaign | None
    client_mutation_id: str | None
    user_errors: list[UserError]


async def _change(
    info: Info, raw_id: str, target: domain.SubCampaignState
) -> tuple[SubCampaign | None, list[UserError]]:
    try:
        key = _key(raw_id, "SubCampaign", "subCampaignId")
        changed = await resolvers.change_state(info.context, key, target)
    except TrunklineError as exc:
        if not is_expected(exc):
            raise
        return None, [user_error(exc, ["subCampaignId"])]
    return SubCampaign.of(changed), []


# ---- contact batches --------------------------------------------------------------------
@strawberry.input(description="One contact to reach.")
class ContactBatchContactInput:
    external_id: str = strawberry.field(
        description="The contact's id at Engage (e.g. its LiveVox account)."
    )
    phone: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@strawberry.input(description="A contact batch: contacts sent to a campaign.")
class CreateContactBatchInput:
    contacts: list[ContactBatchContactInput]
    idempotency_key: str = strawberry.field(
        description="The same key names the same batch: a retry does not create it "
        "twice (it becomes the batch's externalId unless one is given)."
    )
    campaign_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the account's default campaign."
    )
    external_id: str | None = None
    max_duration_minutes: int = strawberry.field(
        default=60, description="How long outreach may run (at most 12 hours)."
    )
    outreach_strategy_id: str | None = None
    script_id: str | None = None
    agent_group_id: str | None = None
    client_mutation_id: str | None = None


@strawberry.type(description="What happened to one contact of a new batch.")
class ContactOutcome:
    index: int = strawberry.field(description="Its position in the input's contacts.")
    external_id: str
    accepted: bool
    error: UserError | None


@strawberry.type
class CreateContactBatchPayload:
    contact_batch: ContactBatch | None
    outcomes: list[ContactOutcome] = strawberry.field(
        description="One per input contact, in order."
    )
    replayed: bool = strawberry.field(
        description="True when the idempotency key named a batch already created."
    )
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.input(description="Which contact batch to cancel.")
class CancelContactBatchInput:
    contact_batch_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.type
class CancelContactBatchPayload:
    contact_batch: ContactBatch | None
    client_mutation_id: str | None
    user_errors: list[UserError]


class _Invalid(Exception):
    """Problems found in a batch's input: nothing was sent."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _batch_external_id(given: str | None, idempotency_key: str) -> str:
    if given:
        return resolvers.check_id(given, "externalId")
    return "tl-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def _new_batch(
    input: CreateContactBatchInput,
) -> tuple[domain.NewBatch, list[domain.NewContact]]:
    """The batch and its contacts, every input field checked first: a problem is a
    user error on its field's path, and any problem means nothing is sent."""
    errors: list[UserError] = []

    def checked(field: str, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except BadUserInput as exc:
            errors.append(user_error(exc, [field]))
            return None

    def key() -> str:
        if not input.idempotency_key.strip() or len(input.idempotency_key) > 200:
            raise BadUserInput("'idempotencyKey' must hold 1 to 200 characters.")
        return input.idempotency_key

    def duration() -> int:
        if not 1 <= input.max_duration_minutes <= 12 * 60:
            raise BadUserInput("'maxDurationMinutes' must be between 1 and 720.")
        return input.max_duration_minutes

    def plain_id(value: str | None) -> Callable[[], str | None]:
        return lambda: resolvers.check_id(value, "id") if value else None

    checked("idempotencyKey", key)
    external_id = checked(
        "externalId",
        lambda: _batch_external_id(input.external_id, input.idempotency_key),
    )
    campaign_id = checked(
        "campaignId",
        lambda: (
            _key(input.campaign_id, "Campaign", "campaignId")
            if input.campaign_id is not None
            else None
        ),
    )
    minutes = checked("maxDurationMinutes", duration)
    strategy = checked("outreachStrategyId", plain_id(input.outreach_strategy_id))
    script = checked("scriptId", plain_id(input.script_id))
    group = checked("agentGroupId", plain_id(input.agent_group_id))
    if not input.contacts:
        errors.append(
            user_error(
                BadUserInput("A contact batch needs at least one contact."),
                ["contacts"],
            )
        )
    contacts = []
    for n, c in enumerate(input.contacts):
        contact, problems = resolvers.check_contact(
            c.external_id, c.phone, c.email, c.first_name, c.last_name
        )
        contacts.append(contact)
        for field, message in problems:
            errors.append(user_error(BadUserInput(message), ["contacts", n, field]))
    if errors:
        raise _Invalid(errors)
    assert external_id is not None and minutes is not None
    batch = domain.NewBatch(
        external_id=external_id,
        campaign_id=campaign_id,
        max_duration_minutes=minutes,
        outreach_strategy_id=strategy,
        script_id=script,
        agent_group_id=group,
    )
    return batch, contacts


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(description="Pause a running sub-campaign.")
    async def pause_sub_campaign(
        self, info: Info, input: PauseSubCampaignInput
    ) -> PauseSubCampaignPayload:
        sub, errors = await _change(
            info, input.sub_campaign_id, domain.SubCampaignState.PAUSED
        )
        return payload(PauseSubCampaignPayload, input, errors, sub_campaign=sub)

    @strawberry.mutation(
        description="Resume a paused (or start a pending) sub-campaign."
    )
    async def resume_sub_campaign(
        self, info: Info, input: ResumeSubCampaignInput
    ) -> ResumeSubCampaignPayload:
        sub, errors = await _change(
            info, input.sub_campaign_id, domain.SubCampaignState.RUNNING
        )
        return payload(ResumeSubCampaignPayload, input, errors, sub_campaign=sub)

    @strawberry.mutation(description="Stop a sub-campaign (it becomes Done).")
    async def stop_sub_campaign(
        self, info: Info, input: StopSubCampaignInput
    ) -> StopSubCampaignPayload:
        sub, errors = await _change(
            info, input.sub_campaign_id, domain.SubCampaignState.DONE
        )
        return payload(StopSubCampaignPayload, input, errors, sub_campaign=sub)

    @strawberry.mutation(
        description="Send contacts to a campaign, 100 per vendor call; each contact's "
        "outcome is reported (a failed call fails only its own contacts)."
    )
    async def create_contact_batch(
        self, info: Info, input: CreateContactBatchInput
    ) -> CreateContactBatchPayload:
        def failed(errors: list[UserError]) -> CreateContactBatchPayload:
            return payload(
                CreateContactBatchPayload,
                input,
                errors,
                contact_batch=None,
                outcomes=[],
                replayed=False,
            )

        try:
            batch, contacts = _new_batch(input)
            outcome, replayed = await resolvers.create_batch(
                info.context, batch, contacts, input.idempotency_key
            )
        except _Invalid as exc:
            return failed(exc.errors)
        except KeyConflict as exc:
            return failed([user_error(exc, ["idempotencyKey"])])
        except TrunklineError as exc:
            if not is_expected(exc):
                raise
            return failed([user_error(exc, None)])
        outcomes = []
        errors: list[UserError] = []
        for n, error in enumerate(outcome.errors):
            problem = None
            if error is not None:
                # a chunk's failure is its contacts' outcome (the rest landed)
                if not isinstance(error, TrunklineError):
                    raise error
                problem = user_error(error, ["contacts", n])
                errors.append(problem)
            outcomes.append(
                ContactOutcome(
                    index=n,
                    external_id=contacts[n].external_id,
                    accepted=error is None,
                    error=problem,
                )
            )
        return payload(
            CreateContactBatchPayload,
            input,
            errors,
            contact_batch=ContactBatch.of(outcome.batch) if outcome.batch else None,
            outcomes=outcomes,
            replayed=replayed,
        )

    @strawberry.mutation(
        description="Cancel a contact batch (not a Done or Cancelled one)."
    )
    async def cancel_contact_batch(
        self, info: Info, input: CancelContactBatchInput
    ) -> CancelContactBatchPayload:
        try:
            key = _key(input.contact_batch_id, "ContactBatch", "contactBatchId")
            found = await resolvers.cancel_batch(info.context, key)
        except TrunklineError as exc:
            if not is_expected(exc):
                raise
            return payload(
                CancelContactBatchPayload,
                input,
                [user_error(exc, ["contactBatchId"])],
                contact_batch=None,
            )
        return payload(
            CancelContactBatchPayload, input, [], contact_batch=ContactBatch.of(found)
        )


__all__ = ["CampaignMutations"]
