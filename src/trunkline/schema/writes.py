"""Contact write mutations (LiveVox), on the mutation convention (schema/payloads.py).

Creates and bulks take an `idempotencyKey`: the same key and input answers the recorded
outcome without writing again. LiveVox keeps one e-mail and one group per contact, so the
input takes one of each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from trunkline.errors import BadUserInput, TrunklineError
from trunkline.resolvers import writes
from trunkline.resolvers.writes_once import KeyConflict
from trunkline.schema.contact import Contact, ContactGroup
from trunkline.schema.ids import contact_account_of
from trunkline.schema.mutation_kit import payload
from trunkline.schema.payloads import UserError, is_expected, user_error

KEY_HELP = (
    "A key you choose (1-200 characters): a retry with the same key and input gets "
    "the recorded result without writing again; the same key with another input is "
    "a CONFLICT."
)


@strawberry.input(description="One phone number of a contact.")
class PhoneInput:
    number: str = strawberry.field(
        description="10 to 15 digits; spaces, dashes, dots, parentheses and a leading + are dropped."
    )
    sms_consent: bool | None = None
    cell_consent: bool | None = None


@strawberry.input(description="A custom field's value (COL1, COL2, ...).")
class CustomFieldInput:
    field: str
    value: str | None = None


@strawberry.input(description="A contact as LiveVox holds it: one e-mail, one group.")
class ContactInput:
    account: str = strawberry.field(
        description="The contact's LiveVox account (its key)."
    )
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = strawberry.field(
        default=None, description="LiveVox keeps one e-mail address."
    )
    phones: list[PhoneInput] | None = strawberry.field(
        default=None, description="At most 10."
    )
    group_id: strawberry.ID | None = strawberry.field(
        default=None, description="LiveVox keeps one contact group."
    )
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
    custom_fields: list[CustomFieldInput] | None = None


def _raw(value: Any) -> Any:
    """An input as plain data (the resolvers' and the idempotency hash's form)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _raw(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_raw(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _errors(problems: list[writes.Problem]) -> list[UserError]:
    return [
        UserError(
            field=list(p.field) if p.field is not None else None,
            message=p.message,
            code=p.code,
        )
        for p in problems
    ]


def _failure(exc: Exception) -> list[UserError]:
    """User errors for an expected failure; anything else is raised."""
    if isinstance(exc, writes.Invalid):
        return _errors(exc.problems)
    if isinstance(exc, KeyConflict):
        return [user_error(exc, ["idempotencyKey"])]
    if isinstance(exc, TrunklineError) and is_expected(exc):
        return [user_error(exc)]
    raise exc


# ---- createContact -------------------------------------------------------------------


@strawberry.input
class CreateContactInput:
    contact: ContactInput
    client_mutation_id: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


# A payload type per mutation (the convention), with the fields shared by several of
# them declared once here. These bases are never in the schema themselves.
@strawberry.type
class _ContactPayload:
    contact: Contact | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class _BulkUpdatePayload:
    results: list[BulkContactResult]
    updated: int = strawberry.field(description="Items UPDATED.")
    complete: bool
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class _GroupPayload:
    group: ContactGroup | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.type
class CreateContactPayload(_ContactPayload):
    pass


# ---- bulkCreateContacts --------------------------------------------------------------


@strawberry.enum(description="What became of one item of a bulk write.")
class BulkItemStatus(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID = "INVALID"
    FAILED = "FAILED"
    NOT_ATTEMPTED = "NOT_ATTEMPTED"


@strawberry.type(
    description="One item's outcome, confirmed by reading the vendor back."
)
class BulkContactResult:
    index: int = strawberry.field(description="The item's position in the input.")
    account: str | None
    status: BulkItemStatus
    error: UserError | None


@strawberry.input
class BulkCreateContactsInput:
    contacts: list[ContactInput] = strawberry.field(
        description="1 to 10,000 contacts, sent in chunks of 500."
    )
    client_mutation_id: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=KEY_HELP
        + " A bulk that stopped part way resumes where it stopped.",
    )


@strawberry.type
class BulkCreateContactsPayload:
    results: list[BulkContactResult]
    created: int = strawberry.field(description="Items CREATED.")
    complete: bool = strawberry.field(
        description="False when items FAILED or were NOT_ATTEMPTED: the same call with the same key finishes them."
    )
    client_mutation_id: str | None
    user_errors: list[UserError]


def _results(outcome: dict[str, Any]) -> list[BulkContactResult]:
    out = []
    for n, item in enumerate(outcome["items"]):
        status = item["status"]
        if status == writes.SENDING:  # a crashed try's chunk: not confirmed yet
            status = writes.FAILED
        problem = writes.Problem.from_json(item["problem"]) if item["problem"] else None
        out.append(
            BulkContactResult(
                index=n,
                account=item["account"],
                status=BulkItemStatus(status),
                error=_errors([problem])[0] if problem else None,
            )
        )
    return out


# ---- updateContact, deleteContact, updateContactDnd --------------------------------


@strawberry.input(
    description="One contact's fields to change; those left out stay as they are."
)
class ContactChanges:
    contact_id: strawberry.ID
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phones: list[PhoneInput] | None = strawberry.field(
        default=None, description="Replaces the contact's phones."
    )
    group_id: strawberry.ID | None = None
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
    custom_fields: list[CustomFieldInput] | None = None


@strawberry.input
class UpdateContactInput(ContactChanges):
    client_mutation_id: str | None = None


@strawberry.type
class UpdateContactPayload(_ContactPayload):
    pass


@strawberry.input
class DeleteContactInput:
    contact_id: strawberry.ID
    client_mutation_id: str | None = None


@strawberry.type
class DeleteContactPayload:
    deleted_contact_id: strawberry.ID | None
    client_mutation_id: str | None
    user_errors: list[UserError]


@strawberry.input(description="A block action on one of the contact's numbers.")
class PhoneDndInput:
    number: str
    block: str = strawberry.field(
        description="NONE, DAILY, PERMANENT, BOTH, DAILY_OFF or PERMANENT_OFF."
    )


@strawberry.input(description="One contact's do-not-call change.")
class ContactDndChange:
    contact_id: strawberry.ID
    phones: list[PhoneDndInput] | None = None
    account_block: str | None = strawberry.field(
        default=None, description="A block action for the whole account, as for phones."
    )


@strawberry.input
class UpdateContactDndInput(ContactDndChange):
    client_mutation_id: str | None = None


@strawberry.type
class UpdateContactDndPayload(_ContactPayload):
    pass


@strawberry.input
class BulkUpdateContactsInput:
    items: list[ContactChanges] = strawberry.field(
        description="1 to 10,000 changes, sent in chunks of 500."
    )
    client_mutation_id: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.type
class BulkUpdateContactsPayload(_BulkUpdatePayload):
    pass


@strawberry.input
class BulkUpdateDndInput:
    items: list[ContactDndChange]
    client_mutation_id: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.type
class BulkUpdateDndPayload(_BulkUpdatePayload):
    pass


def _maybe_account(raw: str) -> str | None:
    try:
        return contact_account_of(raw)
    except BadUserInput:
        return None


# ---- groups and field labels ----------------------------------------------------------


@strawberry.input
class CreateContactGroupInput:
    name: str
    client_mutation_id: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.type
class CreateContactGroupPayload(_GroupPayload):
    pass


@strawberry.input
class RenameContactGroupInput:
    id: strawberry.ID
    name: str
    client_mutation_id: str | None = None


@strawberry.type
class RenameContactGroupPayload(_GroupPayload):
    pass


@strawberry.input
class CustomFieldLabelInput:
    field: str
    label: str


@strawberry.input
class UpdateCustomFieldLabelsInput:
    labels: list[CustomFieldLabelInput]
    client_mutation_id: str | None = None


@strawberry.type
class CustomFieldLabel:
    field: str
    label: str


@strawberry.type
class UpdateCustomFieldLabelsPayload:
    labels: list[CustomFieldLabel]
    client_mutation_id: str | None
    user_errors: list[UserError]


async def _contact(info: Info, account: str | None) -> Contact | None:
    if account is None:
        return None
    found = await info.context.loaders.contact.load(account)
    return Contact.of(found, info.context) if found is not None else None


def _account(raw: str) -> str:
    try:
        return contact_account_of(raw)
    except BadUserInput as exc:
        raise writes.Invalid(
            [writes.Problem(("contactId",), exc.message, exc.code)]
        ) from None


def _bulk(
    outcome: dict[str, Any], counted: str, client_mutation_id: str | None
) -> dict[str, Any]:
    """A bulk payload's fields: one result per item, `counted` those that did it."""
    results = _results(outcome)
    return {
        "results": results,
        counted: sum(r.status is BulkItemStatus[counted.upper()] for r in results),
        "complete": bool(outcome["complete"]),
        "client_mutation_id": client_mutation_id,
        "user_errors": [r.error for r in results if r.error is not None],
    }


def _bulk_failed(
    exc: Exception, counted: str, client_mutation_id: str | None
) -> dict[str, Any]:
    """A bulk payload's fields when the whole failed (an unexpected failure raises)."""
    return {
        "results": [],
        counted: 0,
        "complete": False,
        "client_mutation_id": client_mutation_id,
        "user_errors": _failure(exc),
    }


def _bulk_items(items: list[Any]) -> list[tuple[str | None, Any]]:
    """Bulk update items: (the account, None if the ID is no Contact's; the input)."""
    return [(_maybe_account(i.contact_id), _raw(i)) for i in items]


P = TypeVar("P")


async def _bulk_payload(
    make: Callable[..., P],
    counted: str,
    client_mutation_id: str | None,
    write: Awaitable[dict[str, Any]],
) -> P:
    """A bulk mutation's payload: its results, or user errors when the whole failed
    as expected (anything else is raised)."""
    try:
        outcome = await write
    except Exception as exc:
        return make(**_bulk_failed(exc, counted, client_mutation_id))
    return make(**_bulk(outcome, counted, client_mutation_id))


@strawberry.type
class ContactWrites:
    @strawberry.mutation(
        description="Create a contact at LiveVox, once per idempotencyKey. An account that exists is a CONFLICT naming it."
    )
    async def create_contact(
        self, info: Info, input: CreateContactInput
    ) -> CreateContactPayload:
        try:
            outcome = await writes.create_contact(
                info.context, _raw(input.contact), input.idempotency_key
            )
        except Exception as exc:
            return payload(CreateContactPayload, input, _failure(exc), contact=None)
        problems = [writes.Problem.from_json(p) for p in outcome["problems"]]
        return payload(
            CreateContactPayload,
            input,
            _errors(problems),
            contact=await _contact(info, outcome["account"]),
        )

    @strawberry.mutation(
        description="Create many contacts, in chunks; one result per item, confirmed by reading LiveVox back."
    )
    async def bulk_create_contacts(
        self, info: Info, input: BulkCreateContactsInput
    ) -> BulkCreateContactsPayload:
        contacts = [_raw(c) for c in input.contacts]
        return await _bulk_payload(
            BulkCreateContactsPayload,
            "created",
            input.client_mutation_id,
            writes.bulk_create(info.context, contacts, input.idempotency_key),
        )

    @strawberry.mutation(description="Change a contact's fields at LiveVox.")
    async def update_contact(
        self, info: Info, input: UpdateContactInput
    ) -> UpdateContactPayload:
        try:
            account = _account(input.contact_id)
            raw = _raw(input)
            await writes.update_contact(info.context, account, raw)
        except Exception as exc:
            return payload(UpdateContactPayload, input, _failure(exc), contact=None)
        return payload(
            UpdateContactPayload, input, [], contact=await _contact(info, account)
        )

    @strawberry.mutation(description="Delete a contact at LiveVox.")
    async def delete_contact(
        self, info: Info, input: DeleteContactInput
    ) -> DeleteContactPayload:
        try:
            await writes.delete_contact(info.context, _account(input.contact_id))
        except Exception as exc:
            return payload(
                DeleteContactPayload, input, _failure(exc), deleted_contact_id=None
            )
        return payload(
            DeleteContactPayload, input, [], deleted_contact_id=input.contact_id
        )

    @strawberry.mutation(
        description="Set do-not-call blocks on a contact's numbers and account."
    )
    async def update_contact_dnd(
        self, info: Info, input: UpdateContactDndInput
    ) -> UpdateContactDndPayload:
        try:
            account = _account(input.contact_id)
            await writes.update_dnd(info.context, account, _raw(input))
        except Exception as exc:
            return payload(UpdateContactDndPayload, input, _failure(exc), contact=None)
        return payload(
            UpdateContactDndPayload, input, [], contact=await _contact(info, account)
        )

    @strawberry.mutation(
        description="Change many contacts; one result per item, confirmed by reading "
        "LiveVox back."
    )
    async def bulk_update_contacts(
        self, info: Info, input: BulkUpdateContactsInput
    ) -> BulkUpdateContactsPayload:
        items = _bulk_items(input.items)
        return await _bulk_payload(
            BulkUpdateContactsPayload,
            "updated",
            input.client_mutation_id,
            writes.bulk_update(info.context, items, input.idempotency_key),
        )

    @strawberry.mutation(
        description="Set do-not-call blocks on many contacts; each phone's new block "
        "is confirmed by reading LiveVox back."
    )
    async def bulk_update_dnd(
        self, info: Info, input: BulkUpdateDndInput
    ) -> BulkUpdateDndPayload:
        items = _bulk_items(input.items)
        return await _bulk_payload(
            BulkUpdateDndPayload,
            "updated",
            input.client_mutation_id,
            writes.bulk_update_dnd(info.context, items, input.idempotency_key),
        )

    @strawberry.mutation(description="Create a contact group, once per idempotencyKey.")
    async def create_contact_group(
        self, info: Info, input: CreateContactGroupInput
    ) -> CreateContactGroupPayload:
        try:
            outcome = await writes.create_group(
                info.context, input.name, input.idempotency_key
            )
        except Exception as exc:
            return payload(CreateContactGroupPayload, input, _failure(exc), group=None)
        return payload(
            CreateContactGroupPayload,
            input,
            [],
            group=ContactGroup(id=outcome["id"], name=outcome["name"]),
        )

    @strawberry.mutation(description="Rename a contact group.")
    async def rename_contact_group(
        self, info: Info, input: RenameContactGroupInput
    ) -> RenameContactGroupPayload:
        try:
            outcome = await writes.rename_group(info.context, str(input.id), input.name)
        except Exception as exc:
            return payload(RenameContactGroupPayload, input, _failure(exc), group=None)
        return payload(
            RenameContactGroupPayload,
            input,
            [],
            group=ContactGroup(id=outcome["id"], name=outcome["name"]),
        )

    @strawberry.mutation(description="Change the labels of LiveVox custom fields.")
    async def update_custom_field_labels(
        self, info: Info, input: UpdateCustomFieldLabelsInput
    ) -> UpdateCustomFieldLabelsPayload:
        try:
            labels = await writes.update_labels(
                info.context, [_raw(i) for i in input.labels]
            )
        except Exception as exc:
            return payload(
                UpdateCustomFieldLabelsPayload, input, _failure(exc), labels=[]
            )
        return payload(
            UpdateCustomFieldLabelsPayload,
            input,
            [],
            labels=[CustomFieldLabel(field=f, label=v) for f, v in labels.items()],
        )


__all__ = ["ContactWrites"]
