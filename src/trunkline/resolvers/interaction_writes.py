"""Interaction writes: logInteraction at MoxiWorks or Procurios, deleteInteraction.

The input names a vendor, else `[gateway] write_vendor`. Everything is checked before
anything is sent: a MoxiWorks entry's title and body (1 to 4999 characters), a Procurios
moment against its type's JSON schema (jsonschema, draft-07; the schema is read once
and kept for SCHEMA_TTL_S), the contact's record at that vendor (its identity rule or
link).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jsonschema import Draft7Validator

from trunkline.context import Context
from trunkline.domain import (
    Address,
    Channel,
    Direction,
    Interaction,
    InteractionFilter,
    Vendor,
)
from trunkline.errors import (
    BadUserInput,
    ConnectorError,
    VendorConflict,
    VendorNotFound,
    VendorRejected,
    shown,
)
from trunkline.resolvers.guard import horizon_floor, interaction_source
from trunkline.resolvers.identity import vendor_keys
from trunkline.resolvers.interactions import node_id_of, owned
from trunkline.resolvers.writes import Invalid, Problem, read_back
from trunkline.resolvers.writes_once import Run, check_key, once
from trunkline.sources import HistoryRead
from trunkline.writes import ActionLogWriter, CommunicationWriter, MomentWriter

RECOVER_READ = 25  # newest entries a recovering try looks through
MAX_BODY = 4999  # MoxiWorks: body must be 1 to 4999 characters
SCHEMA_TTL_S = 300.0
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of our clock occurredAt may be
# Procurios wire field -> the input field a schema violation points at
MOMENT_FIELDS = {
    "subject": "subject",
    "contents": "body",
    "dateTime": "occurredAt",
    "reference": "reference",
    "tagIds": "tagIds",
    "recipients": "contactId",
    "senderId": "vendor",
    "action_code": "actionCode",
}

_schemas: dict[tuple[int, str], tuple[float, Draft7Validator]] = {}


def _bad(field: str | None, message: str, code: str = "BAD_USER_INPUT") -> Problem:
    return Problem((field,) if field else None, message, code)


async def _validator(source: MomentWriter, type: str) -> Draft7Validator:
    """The type's schema, read once per SCHEMA_TTL_S per connector."""
    key = (id(source), type)
    cached = _schemas.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    schema = await source.type_schema(type)
    validator = Draft7Validator(schema)
    _schemas[key] = (time.monotonic() + SCHEMA_TTL_S, validator)
    return validator


def _connector(ctx: Context, vendor: Vendor) -> Any:
    found = ctx.gateway.connectors.get(vendor)
    if found is None:
        raise Invalid([_bad("vendor", f"{vendor.name} is not configured.")])
    return found


async def _vendor_key(ctx: Context, vendor: Vendor, account: str) -> str:
    contact = (await read_back(ctx, [account])).get(account)
    if contact is None:
        raise Invalid(
            [
                _bad(
                    "contactId",
                    f"No contact with account {shown(account)}.",
                    "NOT_FOUND",
                )
            ]
        )
    source = next(
        (s for s in ctx.gateway.interaction_sources() if s.vendor is vendor), None
    )
    key = (await vendor_keys(ctx, [source], contact))[0] if source else None
    if not key:
        msg = f"Contact {shown(account)} has no record at {vendor.name} (no rule or link)."
        raise Invalid([_bad("contactId", msg, "NOT_FOUND")])
    return key


def _text(raw: Mapping[str, Any], name: str, field: str, limit: int) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not value.strip():
        raise Invalid([_bad(field, f"{field} must not be empty.")])
    if len(value) > limit:
        raise Invalid(
            [
                _bad(
                    field,
                    f"{field} must be at most {limit} characters (got {len(value)}).",
                )
            ]
        )
    return str(value)


def _check_time(ctx: Context, at: datetime | None) -> None:
    """An occurredAt a history can show: from the horizon to now (plus CLOCK_SKEW);
    else the write would land where no history ever reads it."""
    if at is None:
        return
    now = time.time()
    horizon = ctx.gateway.settings.history_horizon_days
    oldest = horizon_floor(now, horizon)
    if at.timestamp() > now + CLOCK_SKEW.total_seconds():
        msg = (
            f"occurredAt must not be later than now (+{CLOCK_SKEW.seconds // 60} min)."
        )
        raise Invalid([_bad("occurredAt", msg)])
    if at.timestamp() < oldest:
        msg = f"occurredAt must be within the history horizon ({horizon} days)."
        raise Invalid([_bad("occurredAt", msg)])


async def log_interaction(
    ctx: Context, account: str, raw: Mapping[str, Any], key: str | None
) -> dict[str, Any]:
    """Outcome: {"id": the interaction's node id, "vendor"}."""
    key = check_key(key)
    _check_time(ctx, raw.get("occurred_at"))
    vendor = raw.get("vendor") or Vendor(
        ctx.gateway.settings.table("gateway").get("write_vendor", "moxiworks")
    )
    vendor = Vendor(vendor)
    if vendor is Vendor.MOXIWORKS:
        send = await _action_log(ctx, account, raw)
    elif vendor is Vendor.PROCURIOS:
        send = await _moment(ctx, account, raw)
    elif vendor is Vendor.CRMCOM:
        send = await _communication(ctx, account, raw)
    else:
        raise Invalid([_bad("vendor", f"{vendor.name} takes no interactions.")])

    made: dict[str, Interaction] = {}

    async def work(run: Run) -> tuple[dict[str, Any], bool]:
        found = await _landed(ctx, account, send) if run.recover else None
        try:
            item = found or await send.send()
        except VendorRejected as exc:
            return {"id": None, "problems": [Problem.of(exc, ()).json()]}, True
        _forget_histories(ctx)
        made[node_id_of(item)] = item
        return {"id": node_id_of(item), "problems": []}, True

    value = {
        k: (str(v) if isinstance(v, datetime) else v)
        for k, v in raw.items()
        if k not in ("client_mutation_id", "idempotency_key")
    }
    outcome: dict[str, Any] = await once(
        ctx.gateway.idempotency, "logInteraction", key, [account, value], work
    )
    return {**outcome, "made": made.get(outcome["id"])}


@dataclass
class Pending:
    """A checked interaction write: its call, and what finds it if it landed."""

    send: Callable[[], Awaitable[Interaction]]
    vendor: Vendor
    key: str
    subject: str | None
    body: str | None


async def _landed(ctx: Context, account: str, pending: Pending) -> Interaction | None:
    """After a try that may have reached the vendor: the contact's newest entries
    (one read, the last two days) holding the same subject and body, if any."""
    source = next(
        (s for s in ctx.gateway.interaction_sources() if s.vendor is pending.vendor),
        None,
    )
    if source is None:
        return None
    since = datetime.now(UTC) - timedelta(days=2)
    f = InteractionFilter(contact_account=account, since=since)
    read = HistoryRead(pending.key, f, frozenset(), None, RECOVER_READ)
    (batch,) = await source.read_histories([read])
    if isinstance(batch, BaseException):
        raise batch
    for item, _position in batch.items:
        # a vendor's list may not show the body (Procurios lists no contents)
        body_ok = item.body is None or item.body == pending.body
        if item.subject == pending.subject and body_ok:
            return _for(item, account)
    return None


def _forget_histories(ctx: Context) -> None:
    """A write: the request's later history reads go to the vendor again."""
    for loader in ctx.loaders.history.values():
        loader.clear_all()


async def _action_log(ctx: Context, account: str, raw: Mapping[str, Any]) -> Pending:
    title = _text(raw, "subject", "subject", MAX_BODY)
    body = _text(raw, "body", "body", MAX_BODY)
    problems = []
    if title is None:
        problems.append(_bad("subject", "subject is required (the entry's title)."))
    if body is None:
        problems.append(_bad("body", "body is required at MoxiWorks (1 to 4999)."))
    for name in (
        "moment_type",
        "reference",
        "tag_ids",
        "action_code",
        "channel",
        "to",
        "draft",
        "direction",
        "occurred_at",  # the platform stamps its own creation time
    ):
        if raw.get(name) is not None:
            problems.append(_bad(_camel(name), f"{_camel(name)} is not for MoxiWorks."))
    if problems:
        raise Invalid(problems)
    source = _connector(ctx, Vendor.MOXIWORKS)
    if not isinstance(source, ActionLogWriter):
        raise Invalid([_bad("vendor", "MOXIWORKS takes no entries.")])
    partner = await _vendor_key(ctx, Vendor.MOXIWORKS, account)
    addr = raw.get("address")
    address = (
        Address(
            addr.get("line1"),
            addr.get("line2"),
            addr.get("city"),
            addr.get("state"),
            addr.get("postal_code"),
        )
        if addr
        else None
    )
    agent_action = raw.get("agent_action")

    async def send() -> Interaction:
        assert title is not None and body is not None
        item = await source.create_action_log(
            partner, title, body, agent_action, address
        )
        return _for(item, account)

    return Pending(send, Vendor.MOXIWORKS, partner, title, body)


def _for(item: Interaction, account: str) -> Interaction:
    from trunkline.resolvers.interactions import for_contact

    return for_contact(item, account)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def _moment(ctx: Context, account: str, raw: Mapping[str, Any]) -> Pending:
    source = _connector(ctx, Vendor.PROCURIOS)
    if not isinstance(source, MomentWriter):
        raise Invalid([_bad("vendor", "PROCURIOS takes no moments.")])
    type_name = raw.get("moment_type")
    if not type_name:
        raise Invalid([_bad("momentType", "momentType is required at Procurios.")])
    _others(
        raw,
        ("agent_action", "address", "channel", "to", "draft", "direction"),
        "Procurios",
    )
    try:
        validator = await _validator(source, type_name)
    except VendorNotFound:
        msg = f"Procurios has no contact moment type {shown(type_name)}."
        raise Invalid([_bad("momentType", msg, "NOT_FOUND")]) from None
    sender = source.moment_sender()
    if sender is None:
        raise Invalid([_bad("vendor", "[vendors.procurios] sender is not configured.")])
    relation_text = await _vendor_key(ctx, Vendor.PROCURIOS, account)
    try:
        relation = int(relation_text)
    except ValueError:
        msg = f"Contact {shown(account)} has no Procurios relation id."
        raise Invalid([_bad("contactId", msg, "NOT_FOUND")]) from None
    at = raw.get("occurred_at") or datetime.now(UTC)
    when = source.moment_time(at)
    payload: dict[str, Any] = {
        "subject": raw.get("subject"),
        "dateTime": when,
        "senderId": sender,
        "recipients": [relation],
    }
    for wire_name, name in (
        ("contents", "body"),
        ("reference", "reference"),
        ("tagIds", "tag_ids"),
        ("action_code", "action_code"),
    ):
        if raw.get(name) is not None:
            payload[wire_name] = raw[name]
    schema: Any = validator.schema
    properties = schema.get("properties") or {} if isinstance(schema, dict) else {}
    problems = []
    takes_contents = type_name in source.contents_types or "contents" in properties
    if "contents" in payload and not takes_contents:
        msg = f"Moments of type {type_name} have no contents; leave body out."
        problems.append(_bad("body", msg))
    for error in sorted(validator.iter_errors(payload), key=lambda e: list(e.path)):
        wire: Any = error.path[0] if error.path else None
        if wire is None and error.validator == "required":
            wire = str(error.message).split("'")[1] if "'" in error.message else None
        field = MOMENT_FIELDS.get(str(wire), str(wire)) if wire is not None else None
        path = (field, *map(str, list(error.path)[1:])) if field else None
        problems.append(
            Problem(path, f"Procurios schema: {error.message}", "BAD_USER_INPUT")
        )
    if problems:
        raise Invalid(problems)

    async def send() -> Interaction:
        moment_id = await source.create_moment(type_name, payload)
        made = await source.created_moment(type_name, payload, moment_id, relation)
        return _for(made, account)

    return Pending(
        send, Vendor.PROCURIOS, relation_text, raw.get("subject"), raw.get("body")
    )


MAX_CONTENT = 10_000


def _others(raw: Mapping[str, Any], names: tuple[str, ...], vendor: str) -> None:
    for name in names:
        if raw.get(name) is not None:
            raise Invalid([_bad(_camel(name), f"{_camel(name)} is not for {vendor}.")])


async def _communication(ctx: Context, account: str, raw: Mapping[str, Any]) -> Pending:
    source = _connector(ctx, Vendor.CRMCOM)
    if not isinstance(source, CommunicationWriter):
        raise Invalid([_bad("vendor", "CRMCOM takes no communications.")])
    _others(
        raw,
        (
            "agent_action",
            "address",
            "moment_type",
            "tag_ids",
            "reference",
            "action_code",
            "occurred_at",
        ),
        "CRM.COM",
    )
    subject = _text(raw, "subject", "subject", 255)
    content = _text(raw, "body", "body", MAX_CONTENT)
    if content is None:
        raise Invalid([_bad("body", "body is required at CRM.COM (its content).")])
    channel = raw.get("channel")
    if channel is None:
        raise Invalid([_bad("channel", "channel is required at CRM.COM.")])
    channel = Channel(channel)
    if channel not in source.write_channels:
        allowed = ", ".join(sorted(c.name for c in source.write_channels))
        raise Invalid([_bad("channel", f"CRM.COM takes one of {allowed}.")])
    to = _text(raw, "to", "to", 255)
    if channel is Channel.EMAIL and to is None:
        raise Invalid([_bad("to", "to is required for an e-mail.")])
    direction = Direction(raw.get("direction") or Direction.OUTBOUND)
    draft = bool(raw.get("draft"))
    key = await _vendor_key(ctx, Vendor.CRMCOM, account)

    async def send() -> Interaction:
        assert subject is not None and content is not None
        item = await source.create_communication(
            key, channel, direction, subject, content, to=to, draft=draft
        )
        return _for(item, account)

    return Pending(send, Vendor.CRMCOM, key, subject, content)


async def _token(ctx: Context, node_id: str, vendor: Vendor, wrong: str) -> str:
    """The vendor's token an interaction write acts on, checked as node(id) checks
    it: an ID that names a contact (`vendor@account:token`, as a contact's history
    gives it) must name that contact's own record (`owned`), else it names nothing
    and nothing is written. An ID without one (a queue entry's communication, the
    history of everyone) names the vendor's record alone."""
    if node_id.partition(":")[0].partition("@")[0] != vendor.value:
        raise Invalid([_bad("interactionId", wrong)])
    try:
        found = interaction_source(ctx, node_id)
    except BadUserInput as exc:
        raise Invalid([_bad("interactionId", exc.message)]) from None
    if found is not None:
        source, token, account = found
        if account is None or await owned(ctx, source, token, account) is not None:
            return str(token)
    raise Invalid([_bad("interactionId", "No interaction with this ID.", "NOT_FOUND")])


async def _crmcom_comm(
    ctx: Context, node_id: str, done: str
) -> tuple[CommunicationWriter, str]:
    source = _connector(ctx, Vendor.CRMCOM)
    if not isinstance(source, CommunicationWriter):
        raise Invalid([_bad("vendor", "CRMCOM takes no communications.")])
    wrong = f"Only CRM.COM communications can be {done}."
    return source, await _token(ctx, node_id, Vendor.CRMCOM, wrong)


async def _state_change(ctx: Context, work: Any, wrong_state: str) -> Any:
    try:
        result = await work
    except VendorConflict:
        raise Invalid([_bad("interactionId", wrong_state, "CONFLICT")]) from None
    except VendorNotFound:
        raise Invalid(
            [_bad("interactionId", "No such communication.", "NOT_FOUND")]
        ) from None
    _forget_histories(ctx)
    return result


async def update_interaction(
    ctx: Context, node_id: str, raw: Mapping[str, Any]
) -> Interaction:
    """Change a CRM.COM draft's subject, body or `to`."""
    source, comm_id = await _crmcom_comm(ctx, node_id, "updated")
    changes: dict[str, Any] = {}
    for name, wire, limit in (
        ("subject", "subject", 255),
        ("body", "content", MAX_CONTENT),
        ("to", "to", 255),
    ):
        value = _text(raw, name, name, limit)
        if value is not None:
            changes[wire] = value
    if not changes:
        raise Invalid([_bad(None, "Give subject, body or to.")])
    item: Interaction = await _state_change(
        ctx,
        source.update_communication(comm_id, changes),
        "Only a DRAFT communication can be updated.",
    )
    return item


async def complete_interaction(ctx: Context, node_id: str) -> None:
    source, comm_id = await _crmcom_comm(ctx, node_id, "completed")
    await _state_change(
        ctx,
        source.complete_communication(comm_id),
        "Only a DRAFT communication can be completed.",
    )


async def mark_viewed(ctx: Context, node_id: str) -> None:
    source, comm_id = await _crmcom_comm(ctx, node_id, "marked viewed")
    await _state_change(
        ctx,
        source.set_communication_viewed(comm_id),
        "Only a COMPLETED communication can be marked viewed.",
    )


async def delete_interaction(ctx: Context, node_id: str) -> str:
    source = _connector(ctx, Vendor.MOXIWORKS)
    wrong = "Only MoxiWorks ActionLog entries can be deleted."
    token = await _token(ctx, node_id, Vendor.MOXIWORKS, wrong)
    rest, _, log_id = token.rpartition("|")
    partner = rest.rpartition("|")[0]
    if not isinstance(source, ActionLogWriter) or not partner or not log_id:
        raise Invalid([_bad("interactionId", "Not a MoxiWorks ActionLog entry ID.")])
    try:
        deleted = await source.delete_action_log(partner, log_id)
    except ConnectorError:
        raise
    if not deleted:
        raise Invalid([_bad("interactionId", "No such ActionLog entry.", "NOT_FOUND")])
    _forget_histories(ctx)
    return node_id


__all__ = [
    "complete_interaction",
    "delete_interaction",
    "log_interaction",
    "mark_viewed",
    "update_interaction",
]
