"""Interaction write mutations: logInteraction, deleteInteraction (mutation convention)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from strawberry.types import Info

from trunkline import domain
from trunkline.context import Context
from trunkline.errors import BadUserInput, shown
from trunkline.resolvers import interaction_writes as resolvers
from trunkline.resolvers import interactions as interaction_resolvers
from trunkline.resolvers import writes
from trunkline.schema.ids import contact_account_of, parse_global_id
from trunkline.schema.interaction import Interaction
from trunkline.schema.mutation_kit import payload
from trunkline.schema.payloads import UserError
from trunkline.schema.writes import KEY_HELP, _errors, _failure, _raw


@strawberry.input(description="Where a MoxiWorks agent action took place.")
class ActionAddressInput:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@strawberry.input(
    description="An interaction to log at one vendor: a MoxiWorks ActionLog entry "
    "(subject as its title, body 1-4999 characters, optional agentAction and address), "
    "a Procurios contact moment of momentType (checked against that type's JSON "
    "schema before it is sent; the sender comes from config), or a CRM.COM "
    "communication (channel; draft or completed; `to` required for EMAIL)."
)
class LogInteractionInput:
    contact_id: strawberry.ID
    subject: str
    vendor: domain.Vendor | None = strawberry.field(
        default=None, description="Default: [gateway] write_vendor."
    )
    body: str | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="Procurios: the moment's time (default: now)."
    )
    agent_action: str | None = strawberry.field(default=None, description="MoxiWorks.")
    address: ActionAddressInput | None = strawberry.field(
        default=None, description="MoxiWorks: where the agent action took place."
    )
    moment_type: str | None = strawberry.field(
        default=None, description="Procurios: the type id, e.g. ContactMomentPhone."
    )
    reference: str | None = strawberry.field(default=None, description="Procurios.")
    tag_ids: list[int] | None = strawberry.field(default=None, description="Procurios.")
    action_code: int | None = strawberry.field(default=None, description="Procurios.")
    channel: domain.Channel | None = strawberry.field(
        default=None,
        description="CRM.COM: EMAIL, SMS, PHONE, LETTER or FACE_TO_FACE.",
    )
    direction: domain.Direction | None = strawberry.field(
        default=None, description="CRM.COM (default OUTBOUND)."
    )
    to: str | None = strawberry.field(
        default=None, description="CRM.COM: the address; required for EMAIL."
    )
    draft: bool | None = strawberry.field(
        default=None, description="CRM.COM: create a DRAFT (default: COMPLETED)."
    )
    client_mutation_id: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.type
class LogInteractionPayload:
    interaction: Interaction | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.input(description="A CRM.COM draft's fields to change.")
class UpdateInteractionInput:
    interaction_id: strawberry.ID
    subject: str | None = None
    body: str | None = None
    to: str | None = None
    client_mutation_id: str | None = None


@strawberry.type
class UpdateInteractionPayload:
    interaction: Interaction | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.input
class CompleteInteractionInput:
    interaction_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.type
class CompleteInteractionPayload:
    interaction: Interaction | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.input
class MarkInteractionViewedInput:
    interaction_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.type
class MarkInteractionViewedPayload:
    interaction: Interaction | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.input
class DeleteInteractionInput:
    interaction_id: strawberry.ID = strawberry.field(
        description="A MoxiWorks ActionLog entry's Interaction ID."
    )
    client_mutation_id: str | None = None


@strawberry.type
class DeleteInteractionPayload:
    deleted_interaction_id: strawberry.ID | None
    client_mutation_id: str | None
    user_errors: list[UserError]


def _contact(raw: str) -> str:
    try:
        return contact_account_of(raw)
    except BadUserInput as exc:
        problem = writes.Problem(("contactId",), exc.message, exc.code)
        raise writes.Invalid([problem]) from None


def _interaction(raw: str) -> str:
    try:
        type_name, key = parse_global_id(raw)
    except BadUserInput as exc:
        problem = writes.Problem(("interactionId",), exc.message, exc.code)
        raise writes.Invalid([problem]) from None
    if type_name != "Interaction":
        problem = writes.Problem(
            ("interactionId",),
            f"ID {shown(raw)} is not an Interaction.",
            "BAD_USER_INPUT",
        )
        raise writes.Invalid([problem])
    return key


async def _changed(
    info: Info, raw_id: str, change: Callable[[Context, str], Awaitable[object]]
) -> tuple[Interaction | None, list[UserError]]:
    """`change` the interaction, then read it back; an expected failure as user errors."""
    try:
        node_id = _interaction(raw_id)
        await change(info.context, node_id)
        found = await interaction_resolvers.interaction(info.context, node_id)
    except Exception as exc:
        return None, _failure(exc)
    return (Interaction.of(found) if found else None), []


@strawberry.type
class InteractionWrites:
    @strawberry.mutation(
        description="Log an interaction at the vendor the input names (or the "
        "configured write vendor), once per idempotencyKey."
    )
    async def log_interaction(
        self, info: Info, input: LogInteractionInput
    ) -> LogInteractionPayload:
        try:
            account = _contact(input.contact_id)
            outcome = await resolvers.log_interaction(
                info.context, account, _raw(input), input.idempotency_key
            )
        except Exception as exc:
            return payload(
                LogInteractionPayload, input, _failure(exc), interaction=None
            )
        found = outcome["made"]  # this answer's own write: no read needed
        if found is None and outcome["id"] is not None:  # a recorded one
            found = await interaction_resolvers.interaction(info.context, outcome["id"])
        problems = [writes.Problem.from_json(p) for p in outcome["problems"]]
        return payload(
            LogInteractionPayload,
            input,
            _errors(problems),
            interaction=Interaction.of(found) if found is not None else None,
        )

    @strawberry.mutation(description="Change a CRM.COM DRAFT communication.")
    async def update_interaction(
        self, info: Info, input: UpdateInteractionInput
    ) -> UpdateInteractionPayload:
        found, errors = await _changed(
            info,
            input.interaction_id,
            lambda ctx, node_id: resolvers.update_interaction(
                ctx, node_id, _raw(input)
            ),
        )
        return payload(UpdateInteractionPayload, input, errors, interaction=found)

    @strawberry.mutation(description="Complete a CRM.COM DRAFT communication.")
    async def complete_interaction(
        self, info: Info, input: CompleteInteractionInput
    ) -> CompleteInteractionPayload:
        found, errors = await _changed(
            info,
            input.interaction_id,
            resolvers.complete_interaction,
        )
        return payload(CompleteInteractionPayload, input, errors, interaction=found)

    @strawberry.mutation(
        description="Mark a COMPLETED CRM.COM communication viewed (the doc allows "
        "only completed ones)."
    )
    async def mark_interaction_viewed(
        self, info: Info, input: MarkInteractionViewedInput
    ) -> MarkInteractionViewedPayload:
        found, errors = await _changed(
            info,
            input.interaction_id,
            resolvers.mark_viewed,
        )
        return payload(MarkInteractionViewedPayload, input, errors, interaction=found)

    @strawberry.mutation(description="Delete a MoxiWorks ActionLog entry.")
    async def delete_interaction(
        self, info: Info, input: DeleteInteractionInput
    ) -> DeleteInteractionPayload:
        try:
            await resolvers.delete_interaction(
                info.context, _interaction(input.interaction_id)
            )
        except Exception as exc:
            return payload(
                DeleteInteractionPayload,
                input,
                _failure(exc),
                deleted_interaction_id=None,
            )
        return payload(
            DeleteInteractionPayload,
            input,
            [],
            deleted_interaction_id=input.interaction_id,
        )


__all__ = ["InteractionWrites"]
