"""CRM.COM simulator: communications and the communication queue (Web API v2).

Implements `/work/shared/vendor-docs/CONTRACT.md` (section CRM.COM) over the doc
`crmcom-communications.txt`. Every call answers the envelope
`{"status": {"code", "message", "description"}, "data"}`; a code other than `OK` is
an error. GET calls carry `token` and JSON-encoded identifiers in the query string,
POST calls carry them in a JSON body.

Each call answers exactly the fields the doc's examples show for it (see
`crmcom_data`: `SHOW_FIELDS`, `LIST_FIELDS`, ...), and refuses what the doc refuses:
only the configured credentials log in, a missing or expired token is
`INVALID_TOKEN`, mandatory parameters must be there, `number_of_results` is 1 to 500.

State lives on `app.state`: `store` (seeded data, see `crmcom_data`), `tokens`
(token -> monotonic expiry; `app.state.tokens.clear()` expires every token),
`clock()` (the simulator's now), `knobs` (`CrmcomKnobs`: what the doc leaves open)
and `http_errors` (True: errors answer 400/401/404/409; set False to answer them with
HTTP 200, so tests can check that a client reads the envelope code rather than the
HTTP status).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from trunkline.simulators.base import Faults, anchor_now, simulator_app
from trunkline.simulators.crmcom_data import (
    CATEGORIES,
    CATEGORY_KEYS,
    COMM_FIELDS,
    COMM_KEYS,
    COMPANY,
    COMPLETE_FIELDS,
    COMPLETED,
    CONTACT_KEYS,
    DIRECTIONS,
    DRAFT,
    EXTERNAL_SYSTEMS,
    GROUP,
    GROUP_KEYS,
    JSON,
    LIST_FIELDS,
    MEDIA,
    PENDING,
    QUEUE_FIELDS,
    QUEUE_KEYS,
    QUEUE_STATES,
    REJECTED,
    REMOVED,
    SAVE_FIELDS,
    SHOW_FIELDS,
    SYSTEM_KEYS,
    TEMPLATE_KEYS,
    TEMPLATES,
    UDF_NAMES,
    USERS,
    VIEWED_FIELDS,
    Category,
    Communication,
    Contact,
    ExternalSystem,
    QueueEntry,
    Store,
    contact_address,
    find_named,
    order_key,
    parse_date,
    render,
    seeded_store,
)

T = TypeVar("T")
Listed = TypeVar("Listed", Communication, QueueEntry)

PREFIX = "/crmapi/rest/v2"
DEFAULT_RESULTS = 50
MAX_RESULTS = 500

# Error codes (the doc names none; these follow CRM.COM's style) and HTTP statuses.
INVALID_TOKEN = "INVALID_TOKEN"
INVALID_LOGIN = "INVALID_LOGIN"
MISSING_PARAMETER = "MISSING_PARAMETER"
INVALID_PARAMETER = "INVALID_PARAMETER"
NOT_FOUND = "NOT_FOUND"
INVALID_LIFE_CYCLE_STATE = "INVALID_LIFE_CYCLE_STATE"
HTTP_STATUS = {
    INVALID_TOKEN: 401,
    INVALID_LOGIN: 401,
    MISSING_PARAMETER: 400,
    INVALID_PARAMETER: 400,
    NOT_FOUND: 404,
    INVALID_LIFE_CYCLE_STATE: 409,
}


# The credentials the simulator accepts, unless `create_app` names others: the
# gateway's (TRUNKLINE_CRMCOM_USERNAME / _PASSWORD), else its embedded defaults.
DEFAULT_USERNAME, DEFAULT_PASSWORD = "trunkline", "embedded"

ORDERS = ("created_desc_id_asc", "created_desc_id_desc", "created_asc_id_asc")
UNKNOWN_CONTACT = ("not_found", "empty")


@dataclass
class CrmcomKnobs:
    """What the doc leaves open and CONTRACT.md closes; tests vary it.

    - `order`: list order (communications and queue lists). CONTRACT.md says
      created_date descending, then id, without saying which way id goes;
      `created_asc_id_asc` is a vendor that sorts the other way (a connector must
      notice, not page through it silently).
    - `timezone`: the zone of the vendor's clock: zone-less dates are written and read
      as that clock shows them (CONTRACT.md: UTC). An IANA name.
    - `default_results`: the page size when `number_of_results` is omitted (50).
    - `unknown_contact`: what `communications/list` answers for a contact it does not
      know: `not_found` (the NOT_FOUND code) or `empty` (an empty list).
    """

    order: str = "created_desc_id_asc"
    timezone: str = "UTC"
    default_results: int = DEFAULT_RESULTS
    unknown_contact: str = "not_found"


@lru_cache(maxsize=16)
def _zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)


class ApiError(Exception):
    """An error answered in the envelope."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def envelope(data: Any, code: str = "OK", message: str = "") -> JSON:
    return {
        "status": {"code": code, "message": message, "description": message},
        "data": data,
    }


@dataclass
class Ctx:
    """What a handler sees: the data, the tokens, the simulator's clock and knobs."""

    store: Store
    tokens: dict[str, float]
    token_ttl_s: float
    clock: Callable[[], datetime]
    credentials: tuple[str, str] = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
    knobs: CrmcomKnobs = field(default_factory=CrmcomKnobs)

    @property
    def tz(self) -> tzinfo:
        return _zone(self.knobs.timezone)

    def ordered(self, items: list[Listed]) -> list[Listed]:
        """A list in the knobs' order; `items` is in the default order."""
        order = self.knobs.order
        if order not in ORDERS:
            raise ValueError(f"order knob must be one of {ORDERS}")
        if order == "created_desc_id_desc":  # two stable sorts: id, then date
            by_id = sorted(items, key=lambda i: order_key(i)[1], reverse=True)
            return sorted(by_id, key=lambda i: order_key(i)[0])
        if order == "created_asc_id_asc":
            return sorted(items, key=lambda i: (-order_key(i)[0], order_key(i)[1]))
        return items


# --- parameters ----------------------------------------------------------------


@dataclass
class Params:
    """Call parameters: query strings (GET) or a JSON body (POST)."""

    values: Mapping[str, Any]
    from_query: bool

    def has(self, name: str) -> bool:
        return name in self.values

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise ApiError(MISSING_PARAMETER, f"{name} is mandatory")
            return None
        if not isinstance(value, str):
            raise ApiError(INVALID_PARAMETER, f"{name} must be a string")
        return value

    def choice(self, name: str, allowed: Sequence[str]) -> str | None:
        value = self.string(name)
        if value is not None and value not in allowed:
            raise ApiError(INVALID_PARAMETER, f"{name} must be one of {allowed}")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None:
            return default
        try:
            number = int(value) if isinstance(value, str | int) else None
        except ValueError:
            number = None
        if number is None or isinstance(value, bool) or number < 0:
            raise ApiError(INVALID_PARAMETER, f"{name} must be a whole number >= 0")
        return number

    def identifier(self, name: str, keys: Sequence[str]) -> tuple[str, str] | None:
        """An identifier object naming exactly one of `keys`: (key, value)."""
        raw = self.values.get(name)
        if raw is None:
            return None
        if self.from_query and isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise ApiError(INVALID_PARAMETER, f"{name} is not JSON") from None
        if not isinstance(raw, dict) or len(raw) != 1:
            raise ApiError(INVALID_PARAMETER, f"{name} must name exactly one field")
        ((key, value),) = raw.items()
        if key not in keys or not isinstance(value, str) or not value:
            raise ApiError(
                INVALID_PARAMETER, f"{name} allows one of {list(keys)} as a string"
            )
        return key, value

    def required_identifier(self, name: str, keys: Sequence[str]) -> tuple[str, str]:
        ident = self.identifier(name, keys)
        if ident is None:
            raise ApiError(MISSING_PARAMETER, f"{name} is mandatory")
        return ident

    def fields(self) -> list[str] | None:
        value = self.string("fields_set")
        if not value:
            return None
        return [f.strip() for f in value.split(",") if f.strip()]

    def page(self, default: int = DEFAULT_RESULTS) -> tuple[int, int]:
        offset = self.integer("offset", 0) or 0
        count = self.integer("number_of_results", default)
        if count is None or not 1 <= count <= MAX_RESULTS:
            raise ApiError(
                INVALID_PARAMETER, f"number_of_results must be 1 to {MAX_RESULTS}"
            )
        return offset, count


async def _read_params(request: Request) -> Params:
    if request.method == "GET":
        return Params(dict(request.query_params), from_query=True)
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(INVALID_PARAMETER, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(INVALID_PARAMETER, "the body must be a JSON object")
    return Params(body, from_query=False)


def _check_token(ctx: Ctx, params: Params) -> None:
    token = params.values.get("token")
    expiry = ctx.tokens.get(token) if isinstance(token, str) else None
    if expiry is None or expiry <= time.monotonic():
        if isinstance(token, str):
            ctx.tokens.pop(token, None)
        raise ApiError(INVALID_TOKEN, "The token is invalid or has expired")


# --- lookups -------------------------------------------------------------------


def _comm(ctx: Ctx, p: Params) -> Communication:
    key, value = p.required_identifier("communication_identifier", COMM_KEYS)
    comm = ctx.store.find_comm(key, value)
    if comm is None:
        raise ApiError(NOT_FOUND, f"communication {key}={value} not found")
    return comm


def _own_comm(ctx: Ctx, p: Params) -> Communication:
    """The communication a write names, the store's own (seeded ones are shared)."""
    return ctx.store.own(_comm(ctx, p))


def _contact(ctx: Ctx, p: Params) -> Contact | None:
    ident = p.identifier("contact_information_identifier", CONTACT_KEYS)
    return None if ident is None else _find_contact(ctx, ident)


def _find_contact(ctx: Ctx, ident: tuple[str, str]) -> Contact:
    contact = ctx.store.find_contact(*ident)
    if contact is None:
        raise ApiError(NOT_FOUND, f"contact information {ident[1]} not found")
    return contact


def _named(
    p: Params, name: str, keys: Sequence[str], items: Iterable[T], what: str
) -> T | None:
    ident = p.identifier(name, keys)
    if ident is None:
        return None
    found = find_named(items, *ident)
    if found is None:
        raise ApiError(NOT_FOUND, f"{what} {ident[1]} not found")
    return found


def _category(p: Params) -> Category | None:
    return _named(p, "category_identifier", CATEGORY_KEYS, CATEGORIES, "category")


def _system(p: Params) -> ExternalSystem | None:
    name = "communication_queue_external_system_identifier"
    return _named(p, name, SYSTEM_KEYS, EXTERNAL_SYSTEMS, "external system")


def _queue_entry(ctx: Ctx, p: Params) -> QueueEntry:
    ident = p.required_identifier("communication_queue_identifier", QUEUE_KEYS)
    key, value = ident
    entry = ctx.store.find_queue_entry(key, value)
    if entry is None:
        raise ApiError(NOT_FOUND, f"communication queue entry {value} not found")
    return entry


# --- authentication ------------------------------------------------------------


def login(ctx: Ctx, p: Params) -> JSON:
    username = p.string("username", required=True)
    password = p.string("password", required=True)
    given = (username or "", password or "")
    pairs = zip(given, ctx.credentials, strict=True)
    if not all(secrets.compare_digest(a.encode(), b.encode()) for a, b in pairs):
        raise ApiError(INVALID_LOGIN, "The username or password is not valid")
    token = secrets.token_hex(16).upper()
    ctx.tokens[token] = time.monotonic() + ctx.token_ttl_s
    return {"token": token}


# --- communications ------------------------------------------------------------


def _render_comm(
    ctx: Ctx, comm: Communication, p: Params, names: Sequence[str]
) -> JSON:
    return render(comm, COMM_FIELDS, p.fields(), names=names, tz=ctx.tz)


def show_comm(ctx: Ctx, p: Params) -> JSON:
    return _render_comm(ctx, _comm(ctx, p), p, SHOW_FIELDS)


def list_comms(ctx: Ctx, p: Params) -> list[JSON]:
    try:
        contact = _contact(ctx, p)
    except ApiError as exc:
        if exc.code != NOT_FOUND or ctx.knobs.unknown_contact != "empty":
            raise
        p.page(ctx.knobs.default_results)  # still checked
        return []
    category = _category(p)
    if contact is None and category is None:
        raise ApiError(
            MISSING_PARAMETER,
            "contact_information_identifier or category_identifier is mandatory",
        )
    direction, media = p.choice("direction", DIRECTIONS), p.choice("media", MEDIA)
    offset, count = p.page(ctx.knobs.default_results)
    # Start from a pre-sorted list; filtering keeps its order.
    if contact is not None:
        items = ctx.store.by_contact[contact.id]
    else:
        items = ctx.store.by_category.get(category.id if category else "", [])
    items = ctx.ordered(items)
    if (contact and category) or direction or media:
        items = [
            c
            for c in items
            if (category is None or c.category is category)
            and (direction is None or c.direction == direction)
            and (media is None or c.media == media)
        ]
    fields, tz = p.fields(), ctx.tz
    page = items[offset : offset + count]
    return [render(c, COMM_FIELDS, fields, names=LIST_FIELDS, tz=tz) for c in page]


def _given(p: Params) -> dict[str, Any]:
    """The plain communication fields present in the call (null included)."""
    names = ("direction", "media", "subject", "content", "to", "notes")
    return {k: p.values[k] for k in (*names, "life_cycle_state") if p.has(k)}


def _udf_values(p: Params) -> dict[str, Any]:
    return {name: p.values[name] for name in UDF_NAMES if p.has(name)}


def _apply_template(p: Params, values: dict[str, Any]) -> None:
    template = _named(p, "template_identifier", TEMPLATE_KEYS, TEMPLATES, "template")
    if template is not None:
        for name in ("direction", "media", "subject", "content"):
            values.setdefault(name, getattr(template, name))


def _check_references(p: Params) -> None:
    """Identifiers the simulator accepts but does not model beyond one record."""
    group = p.identifier("owned_by_group_identifier", GROUP_KEYS)
    if group is not None and GROUP.get(group[0]) != group[1]:
        raise ApiError(NOT_FOUND, f"group {group[1]} not found")
    if p.identifier("privacy_level_identifier", ("id", "number", "name")):
        raise ApiError(NOT_FOUND, "privacy level not found")


def _validated(values: dict[str, Any]) -> None:
    for name, allowed in (("direction", DIRECTIONS), ("media", MEDIA)):
        if values.get(name) not in allowed:
            raise ApiError(INVALID_PARAMETER, f"{name} must be one of {allowed}")
    if values.get("life_cycle_state") not in (DRAFT, COMPLETED):
        raise ApiError(INVALID_PARAMETER, "life_cycle_state must be DRAFT or COMPLETED")
    if values["media"] == "EMAIL" and not values.get("to"):
        raise ApiError(MISSING_PARAMETER, "to is mandatory when media is EMAIL")
    for name in ("subject", "content", "to", "notes"):
        if values.get(name) is not None and not isinstance(values[name], str):
            raise ApiError(INVALID_PARAMETER, f"{name} must be a string")


def _queue_if_sent(ctx: Ctx, comm: Communication, now: datetime) -> None:
    """A completed outgoing communication for an external system gets queued."""
    if comm.external_system is None or comm.direction != "OUTGOING":
        return
    if comm.life_cycle_state != COMPLETED:
        return
    store = ctx.store
    store.add_queue_entry(
        QueueEntry(
            id=store.new_id(),
            number=store.next_queue_number(),
            communication=comm,
            life_cycle_state=PENDING,
            created=now,
            updated=now,
            external_system=comm.external_system,
        )
    )


def create_comm(ctx: Ctx, p: Params) -> JSON:
    contact = _find_contact(
        ctx, p.required_identifier("contact_information_identifier", CONTACT_KEYS)
    )
    values = _given(p)
    values.setdefault("life_cycle_state", COMPLETED)
    _apply_template(p, values)
    for name in ("direction", "media", "subject", "content"):
        if values.get(name) is None:
            raise ApiError(MISSING_PARAMETER, f"{name} is mandatory without template")
    _validated(values)
    _check_references(p)
    category, system = _category(p), _system(p)
    now, store = ctx.clock(), ctx.store
    number, code = store.next_comm_number()
    sender, recipient = _parties(contact, values)
    comm = Communication(
        id=store.new_id(),
        number=number,
        code=code,
        contact=contact,
        direction=values["direction"],
        media=values["media"],
        subject=values["subject"],
        content=values["content"],
        sender=sender,
        recipient=recipient,
        category=category,
        life_cycle_state=values["life_cycle_state"],
        created=now,
        updated=now,
        created_by=USERS[0],
        updated_by=USERS[0],
        notes=values.get("notes"),
        external_system=system,
        udf=_udf_values(p),
    )
    store.add_comm(comm)
    _queue_if_sent(ctx, comm, now)
    return _render_comm(ctx, comm, p, SAVE_FIELDS)


def update_comm(ctx: Ctx, p: Params) -> JSON:
    comm = _own_comm(ctx, p)
    if comm.life_cycle_state != DRAFT:
        raise ApiError(INVALID_LIFE_CYCLE_STATE, "only draft communications update")
    values = _given(p)
    _apply_template(p, values)
    # Fields not given keep their value.
    values.setdefault("direction", comm.direction)
    values.setdefault("media", comm.media)
    values.setdefault("to", comm.recipient)
    values.setdefault("life_cycle_state", DRAFT)
    _validated(values)
    _check_references(p)
    if p.has("communication_queue_external_system_identifier"):
        comm.external_system = _system(p)
    if p.has("category_identifier"):
        comm.category = _category(p)
    _apply_update(comm, values)
    comm.udf.update(_udf_values(p))
    comm.updated = ctx.clock()
    _queue_if_sent(ctx, comm, comm.updated)
    return _render_comm(ctx, comm, p, SAVE_FIELDS)


def _parties(contact: Contact, values: Mapping[str, Any]) -> tuple[Any, Any]:
    """(from, to): ours and the contact's address, `to` as given when given."""
    ours = COMPANY.get(values["media"])
    theirs = contact_address(contact.person, values["media"])
    if values["direction"] == "OUTGOING":
        return ours, values.get("to") or theirs
    return theirs, values.get("to") or ours


def _apply_update(comm: Communication, values: Mapping[str, Any]) -> None:
    comm.direction, comm.media = values["direction"], values["media"]
    comm.sender, comm.recipient = _parties(comm.contact, values)
    comm.life_cycle_state = values["life_cycle_state"]
    for name in ("subject", "content", "notes"):
        if name in values:
            setattr(comm, name, values[name])


def complete_comm(ctx: Ctx, p: Params) -> JSON:
    comm = _own_comm(ctx, p)
    if comm.life_cycle_state != DRAFT:
        raise ApiError(INVALID_LIFE_CYCLE_STATE, "only draft communications complete")
    comm.life_cycle_state = COMPLETED
    comm.updated = ctx.clock()
    _queue_if_sent(ctx, comm, comm.updated)
    return _render_comm(ctx, comm, p, COMPLETE_FIELDS)


def set_as_viewed(ctx: Ctx, p: Params) -> JSON:
    comm = _own_comm(ctx, p)
    if comm.life_cycle_state != COMPLETED:
        raise ApiError(INVALID_LIFE_CYCLE_STATE, "only completed communications")
    text = p.string("viewed_on")
    try:
        viewed_on = ctx.clock() if text is None else parse_date(text, ctx.tz)
    except ValueError:
        msg = "viewed_on must be yyyy-mm-ddThh:mm:ss"
        raise ApiError(INVALID_PARAMETER, msg) from None
    comm.viewed_on = viewed_on
    comm.updated = ctx.clock()
    return _render_comm(ctx, comm, p, VIEWED_FIELDS)


# --- communication queue -------------------------------------------------------


def _render_queue(ctx: Ctx, entries: Iterable[QueueEntry], p: Params) -> list[JSON]:
    fields, tz = p.fields(), ctx.tz
    return [render(q, QUEUE_FIELDS, fields, tz=tz) for q in entries]


def show_queue(ctx: Ctx, p: Params) -> JSON:
    (entry,) = _render_queue(ctx, [_queue_entry(ctx, p)], p)
    return entry


def _queue_filtered(ctx: Ctx, p: Params, states: Sequence[str]) -> list[QueueEntry]:
    """Entries matching the doc's filters: exactly one of system or media."""
    system, media = _system(p), p.choice("media", MEDIA)
    if (system is None) == (media is None):
        raise ApiError(
            MISSING_PARAMETER if system is None else INVALID_PARAMETER,
            "specify one of communication_queue_external_system_identifier or media",
        )
    contact = _contact(ctx, p)
    return [
        q
        for q in ctx.ordered(ctx.store.queue)
        if q.life_cycle_state in states
        and (system is None or q.external_system is system)
        and (media is None or q.communication.media == media)
        and (contact is None or q.communication.contact is contact)
    ]


def list_queue(ctx: Ctx, p: Params) -> list[JSON]:
    state = p.choice("life_cycle_state", QUEUE_STATES)
    entries = _queue_filtered(ctx, p, QUEUE_STATES if state is None else (state,))
    offset, count = p.page(ctx.knobs.default_results)
    return _render_queue(ctx, entries[offset : offset + count], p)


def latest_queue(ctx: Ctx, p: Params) -> list[JSON]:
    count = p.integer("number")
    if count is None:
        raise ApiError(MISSING_PARAMETER, "number is mandatory")
    if not 1 <= count <= MAX_RESULTS:
        raise ApiError(INVALID_PARAMETER, f"number must be 1 to {MAX_RESULTS}")
    # "starting from the latest one", whatever the list order
    entries = sorted(_queue_filtered(ctx, p, (PENDING,)), key=order_key)
    return _render_queue(ctx, entries[:count], p)


def pending_completed_queue(ctx: Ctx, p: Params) -> list[JSON]:
    entries = _queue_filtered(ctx, p, (PENDING, COMPLETED))
    offset, count = p.page(ctx.knobs.default_results)
    return _render_queue(ctx, entries[offset : offset + count], p)


def _transition(
    ctx: Ctx, p: Params, from_states: Sequence[str], to_state: str
) -> QueueEntry:
    entry = _queue_entry(ctx, p)
    if entry.life_cycle_state not in from_states:
        raise ApiError(
            INVALID_LIFE_CYCLE_STATE,
            f"queue entry {entry.number} is {entry.life_cycle_state}",
        )
    entry.life_cycle_state = to_state
    entry.updated = ctx.clock()
    return entry


def process_queue(ctx: Ctx, p: Params) -> JSON:
    entry = _transition(ctx, p, (PENDING,), COMPLETED)
    return _render_queue(ctx, [entry], p)[0]


def reject_queue(ctx: Ctx, p: Params) -> JSON:
    code = p.string("error_code", required=True)
    description = p.string("error_description", required=True)
    if not code or not description:
        raise ApiError(INVALID_PARAMETER, "error_code and error_description are empty")
    entry = _transition(ctx, p, (PENDING,), REJECTED)
    entry.error_code, entry.error_description = code, description
    return _render_queue(ctx, [entry], p)[0]


def remove_queue(ctx: Ctx, p: Params) -> JSON:
    # A pending entry may be completed and removed in one step.
    entry = _transition(ctx, p, (PENDING, COMPLETED), REMOVED)
    return _render_queue(ctx, [entry], p)[0]


# --- app -----------------------------------------------------------------------

Handler = Callable[[Ctx, Params], Any]


def _route(method: str, path: str, handler: Handler, *, auth: bool = True) -> Route:
    async def endpoint(request: Request) -> Response:
        state = request.app.state
        state.ctx.knobs = state.knobs
        try:
            params = await _read_params(request)
            if auth:
                _check_token(state.ctx, params)
            data = handler(state.ctx, params)
        except ApiError as exc:
            status = HTTP_STATUS[exc.code] if state.http_errors else 200
            return JSONResponse(envelope(None, exc.code, exc.message), status)
        return JSONResponse(envelope(data))

    return Route(f"{PREFIX}/{path}", endpoint, methods=[method])


def _routes() -> list[BaseRoute]:
    get: list[tuple[str, Handler]] = [
        ("communications/show", show_comm),
        ("communications/list", list_comms),
        ("communications/queue/show", show_queue),
        ("communications/queue/list", list_queue),
        ("communications/queue/get_latest", latest_queue),
        ("communications/queue/get_pending_completed", pending_completed_queue),
    ]
    post: list[tuple[str, Handler]] = [
        ("communications/create", create_comm),
        ("communications/update", update_comm),
        ("communications/complete", complete_comm),
        ("communications/set_as_viewed", set_as_viewed),
        ("communications/queue/process", process_queue),
        ("communications/queue/reject", reject_queue),
        ("communications/queue/remove", remove_queue),
    ]
    return [
        _route("POST", "authentication/login", login, auth=False),
        *(_route("GET", path, handler) for path, handler in get),
        *(_route("POST", path, handler) for path, handler in post),
    ]


def create_app(
    *,
    faults: Faults | None = None,
    seed: int = 7,
    now: datetime | None = None,
    token_ttl_s: float = 3600.0,
    knobs: CrmcomKnobs | None = None,
    credentials: tuple[str, str] | None = None,
) -> Starlette:
    """The CRM.COM simulator app; its data is seeded from `seed` around `now`.
    `credentials` (username, password): the only ones that log in; by default the
    gateway's from the environment, else its embedded stand-ins."""
    anchor = now or anchor_now()
    started = time.monotonic()

    def clock() -> datetime:
        # Time moves on from the anchor, so created records sort as newest; whole
        # seconds, as the vendor's dates show them.
        now = anchor + timedelta(seconds=time.monotonic() - started)
        return now.replace(microsecond=0)

    app = simulator_app(
        "crmcom", _routes(), faults=faults, knobs=knobs or CrmcomKnobs(), seed=seed
    )
    if credentials is None:
        credentials = (
            os.environ.get("TRUNKLINE_CRMCOM_USERNAME") or DEFAULT_USERNAME,
            os.environ.get("TRUNKLINE_CRMCOM_PASSWORD") or DEFAULT_PASSWORD,
        )
    ctx = Ctx(seeded_store(seed, anchor), {}, token_ttl_s, clock, credentials)
    app.state.ctx = ctx
    app.state.store = ctx.store
    app.state.tokens = ctx.tokens
    app.state.clock = clock
    app.state.http_errors = True
    return app


__all__ = ["PREFIX", "ApiError", "CrmcomKnobs", "create_app", "envelope"]
