"""processQueueEntry, rejectQueueEntry, removeQueueEntry (the mutation convention:
schema/payloads.py). A refusal for the entry's state, an unknown entry and bad input
are user errors; a vendor that cannot be reached is a GraphQL error."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from trunkline.errors import BadUserInput, TrunklineError, shown
from trunkline.queues import QueueAction
from trunkline.resolvers import queues as resolvers
from trunkline.schema.ids import parse_global_id
from trunkline.schema.mutation_kit import payload
from trunkline.schema.payloads import UserError, is_expected, user_error
from trunkline.schema.queue import QueueEntry


@strawberry.input(description="The entry to mark processed (COMPLETED).")
class ProcessQueueEntryInput:
    id: strawberry.ID = strawberry.field(description="A QueueEntry's global ID.")
    client_mutation_id: str | None = None


@strawberry.input(description="The entry to reject (REJECTED), and why.")
class RejectQueueEntryInput:
    id: strawberry.ID = strawberry.field(description="A QueueEntry's global ID.")
    error_code: str | None = strawberry.field(
        default=None, description="Required (a user error when missing or blank)."
    )
    error_description: str | None = strawberry.field(
        default=None, description="Required (a user error when missing or blank)."
    )
    client_mutation_id: str | None = None


@strawberry.input(description="The entry to remove (COMPLETED_AND_REMOVED).")
class RemoveQueueEntryInput:
    id: strawberry.ID = strawberry.field(description="A QueueEntry's global ID.")
    client_mutation_id: str | None = None


@strawberry.type
class ProcessQueueEntryPayload:
    queue_entry: QueueEntry | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class RejectQueueEntryPayload:
    queue_entry: QueueEntry | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class RemoveQueueEntryPayload:
    queue_entry: QueueEntry | None
    client_mutation_id: str | None
    user_errors: list[UserError]


def _entry_key(raw: str) -> str:
    type_name, key = parse_global_id(raw)
    if type_name != "QueueEntry":
        raise BadUserInput(f"ID {shown(raw)} is not a QueueEntry.")
    resolvers.entry_key(key)  # a known vendor
    return key


async def _act(
    info: Info,
    raw_id: str,
    action: QueueAction,
    error_code: str | None = None,
    error_description: str | None = None,
) -> tuple[QueueEntry | None, list[UserError]]:
    errors: list[UserError] = []
    key = None
    try:
        key = _entry_key(raw_id)
    except BadUserInput as exc:
        errors.append(user_error(exc, ["id"]))
    if action is QueueAction.REJECT:
        for name, fault in resolvers.check_reject_reason(error_code, error_description):
            errors.append(user_error(fault, [name]))
    if errors or key is None:
        return None, errors  # nothing reaches the vendor
    try:
        done = await resolvers.act(
            info.context, key, action, error_code, error_description
        )
    except TrunklineError as exc:
        if not is_expected(exc):
            raise
        return None, [user_error(exc, ["id"])]
    return QueueEntry.of(done), []


@strawberry.type
class QueueMutations:
    """The Mutation fields of queues (merged into the root Mutation)."""

    @strawberry.mutation(description="Mark a PENDING queue entry processed.")
    async def process_queue_entry(
        self, info: Info, input: ProcessQueueEntryInput
    ) -> ProcessQueueEntryPayload:
        entry, errors = await _act(info, input.id, QueueAction.PROCESS)
        return payload(ProcessQueueEntryPayload, input, errors, queue_entry=entry)

    @strawberry.mutation(
        description="Reject a PENDING queue entry, with the delivering system's "
        "error code and description."
    )
    async def reject_queue_entry(
        self, info: Info, input: RejectQueueEntryInput
    ) -> RejectQueueEntryPayload:
        entry, errors = await _act(
            info,
            input.id,
            QueueAction.REJECT,
            input.error_code,
            input.error_description,
        )
        return payload(RejectQueueEntryPayload, input, errors, queue_entry=entry)

    @strawberry.mutation(
        description="Remove a PENDING or COMPLETED queue entry (COMPLETED_AND_REMOVED)."
    )
    async def remove_queue_entry(
        self, info: Info, input: RemoveQueueEntryInput
    ) -> RemoveQueueEntryPayload:
        entry, errors = await _act(info, input.id, QueueAction.REMOVE)
        return payload(RemoveQueueEntryPayload, input, errors, queue_entry=entry)


__all__ = [
    "ProcessQueueEntryInput",
    "ProcessQueueEntryPayload",
    "QueueMutations",
    "RejectQueueEntryInput",
    "RejectQueueEntryPayload",
    "RemoveQueueEntryInput",
    "RemoveQueueEntryPayload",
]
