"""Procurios simulator: the contact moment API as the vendor's doc shows it, with
CONTRACT.md filling what the doc leaves open.

A list item carries exactly the doc's example fields (no `contents`, no `reference`:
a create takes them, the list never shows them). What the doc leaves open (the list
order, the zone of the zone-less `dateTime`, whether `since` includes its second) can
be varied through `ProcuriosKnobs` (`app.state.knobs`, `PUT /_sim/knobs`). Only the
configured bearer token passes (`simulators.credentials`).

Each shared person is a CRM relation (`Person.relation_id`) and takes part, as a
recipient or now and then as the sender, in a seeded history of contact moments.
Employees (`EMPLOYEES`) send most of them. The data lives on `app.state.store` (a
`ProcuriosStore`), with per-relation lists kept in list order so that a `relationIds`
query over many relations is a lazy merge, not a scan.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import json
import random
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trunkline.simulators.base import Faults, anchor_now, simulator_app
from trunkline.simulators.credentials import configured
from trunkline.simulators.moxiworks import clustered_times
from trunkline.simulators.seed import HEAVY, HUGE, Person, history_size, people

BASE_PATH = "/l/contact_moment_api/contact_moment"
ACCEPT_MEDIA = "application/vnd.procurios.contact_moment+json"
ACCEPT_VERSION = "1"
PAGE_SIZE = 25
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
FIRST_MOMENT_ID = 10_001

DAY_S = 86_400
SPAN_S = 3 * 365 * DAY_S

# (id, title, addable). Text messages arrive from the SMS gateway only.
TYPES = (
    ("ContactMomentPhone", "Telephone call", True),
    ("ContactMomentEmail", "E-mail", True),
    ("ContactMomentVisit", "Visit", True),
    ("ContactMomentLetter", "Letter", True),
    ("ContactMomentSms", "Text message", False),
)
TYPE_WEIGHTS = (40, 30, 10, 10, 10)
PHONE = "ContactMomentPhone"
TAGS = {
    "3": "Label 1",
    "4": "Label 2",
    "5": "Label 3",
    "6": "Retention",
    "7": "Complaint",
    "8": "Renewal",
    "9": "Event",
    "10": "Newsletter",
}
EMPLOYEES = {
    1516: "Jan de Vries",
    42: "Douglas Adams",
    1517: "Fatima el Amrani",
    2001: "Pieter Bakker",
    2002: "Sanne Visser",
}
# Relations in the CRM that are not shared people (households, organisations).
# 429000 is the recipient of the doc's own create example.
OTHER_RELATIONS = {429000: "Stichting Voorbeeld"} | {
    800000 + n: f"Organisation {n}" for n in range(200)
}
JUNK_RECIPIENT = "other relation ids as int"  # as in the doc's example

_INT = re.compile(r"-?\d+")
_PAGE = re.compile(r"[1-9]\d*")

EMBEDDED_TOKEN = "embedded"  # the connector's stand-in for its embedded simulator
ORDERS = ("newest_first", "oldest_first")
TIES = ("id_desc", "id_asc")
EMPTY_TAGS = ("object", "list")


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


@dataclass
class ProcuriosKnobs:
    """Behaviours the doc leaves open, to vary in tests; defaults: CONTRACT.md."""

    # The zone of the zone-less `dateTime` (and of `since`): CONTRACT.md says UTC.
    timezone: str = "UTC"
    # List order: CONTRACT.md says dateTime descending (the doc says nothing).
    order: str = "newest_first"
    # Equal dateTimes: CONTRACT.md says id descending.
    ties: str = "id_desc"
    # `since` "created or updated since": whether its own second is included.
    since_inclusive: bool = True
    # A moment without tags: the doc shows only a filled object; PHP's encoder
    # writes an empty one as a list, `[]`.
    empty_tags: str = "object"

    def __setattr__(self, name: str, value: Any) -> None:
        allowed = {"order": ORDERS, "ties": TIES, "empty_tags": EMPTY_TAGS}.get(name)
        if allowed is not None and value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        if name == "timezone":
            _zone(value)
        super().__setattr__(name, value)

    @property
    def zone(self) -> tzinfo:
        return _zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Moment:
    """One contact moment. Frozen, and its tags are never changed: seeded moments
    are shared between apps; an update replaces the moment."""

    id: int
    type: str
    subject: str
    sender_id: int
    sender: str
    ts: int  # dateTime, Unix seconds (UTC)
    updated: int  # last change, for `since`
    action: int | None
    tags: dict[str, str]
    recipients: tuple[int | str, ...]  # may hold junk, like the vendor's
    contents: str | None = None  # phone moments only
    reference: str | None = None

    def relations(self) -> set[int]:
        ints = (r for r in self.recipients if isinstance(r, int))
        return {self.sender_id, *ints}

    def to_json(self, zone: tzinfo = UTC, empty_tags: Any = None) -> dict[str, object]:
        """The list's item: exactly the fields of the doc's example."""
        tags: object = dict(self.tags)
        if not self.tags and empty_tags is not None:
            tags = empty_tags
        return {
            "id": self.id,
            "subject": self.subject,
            "senderId": self.sender_id,
            "sender": self.sender,
            "type": self.type,
            "dateTime": _format(self.ts, zone),
            "action": self.action,
            "tags": tags,
            "recipients": list(self.recipients),
        }


def order_key(moment: Moment) -> tuple[int, int]:
    """List order: dateTime descending, then id descending."""
    return (-moment.ts, -moment.id)


def _format(ts: int, zone: tzinfo = UTC) -> str:
    return datetime.fromtimestamp(ts, zone).strftime(DATETIME_FORMAT)


@dataclass
class ProcuriosStore:
    """Everything the simulator knows; tests read and tweak it directly."""

    now: datetime
    relations: dict[int, str]  # relation id -> name: what "available in CRM" means
    clock: Callable[[], float]  # simulated Unix time; advances from `now`
    moments: dict[int, Moment] = field(default_factory=dict)
    ordered: list[Moment] = field(default_factory=list)  # list order
    by_relation: dict[int, list[Moment]] = field(default_factory=dict)  # list order
    next_id: int = FIRST_MOMENT_ID

    def add(self, moment: Moment) -> None:
        self.moments[moment.id] = moment
        _insort(self.ordered, moment)
        for relation in moment.relations():
            _insort(self.by_relation.setdefault(relation, []), moment)
        self.next_id = max(self.next_id, moment.id + 1)

    def remove(self, moment: Moment) -> None:
        del self.moments[moment.id]
        _unsort(self.ordered, moment)
        for relation in moment.relations():
            _unsort(self.by_relation[relation], moment)

    def select(
        self,
        relation_ids: Iterable[int] | None,
        since: int | None,
        knobs: ProcuriosKnobs | None = None,
    ) -> Iterator[Moment]:
        """Moments in list order, filtered; lazy, so a page reads only what it needs
        (in CONTRACT.md's order; another order the knobs ask for is made whole)."""
        stream: Iterator[Moment]
        if relation_ids is None:
            stream = iter(self.ordered)
        else:
            lists = [self.by_relation.get(r, []) for r in set(relation_ids)]
            stream = _unique(heapq.merge(*lists, key=order_key))
        if since is not None:
            inclusive = knobs is None or knobs.since_inclusive
            if inclusive:
                stream = (m for m in stream if m.updated >= since)
            else:
                stream = (m for m in stream if m.updated > since)
        if knobs is not None and (knobs.ties, knobs.order) != (
            "id_desc",
            "newest_first",
        ):
            ties = -1 if knobs.ties == "id_desc" else 1
            moments = sorted(stream, key=lambda m: (-m.ts, ties * m.id))
            stream = iter(moments if knobs.order == "newest_first" else moments[::-1])
        return stream


def _insort(moments: list[Moment], moment: Moment) -> None:
    bisect.insort(moments, moment, key=order_key)


def _unsort(moments: list[Moment], moment: Moment) -> None:
    del moments[bisect.bisect_left(moments, order_key(moment), key=order_key)]


def _unique(moments: Iterator[Moment]) -> Iterator[Moment]:
    """Drop repeats: a moment shared by two asked relations comes out of both lists."""
    last = None
    for moment in moments:
        if moment.id != last:
            last = moment.id
            yield moment


# --- seeding -------------------------------------------------------------------

TYPE_IDS = tuple(type_id for type_id, _, _ in TYPES)
_TYPE_CUM = tuple(itertools.accumulate(TYPE_WEIGHTS))
_EMPLOYEE_IDS = tuple(EMPLOYEES)
_OTHER_IDS = tuple(OTHER_RELATIONS)
_SUBJECTS = {
    "ContactMomentPhone": (
        "Retention call",
        "Membership renewal call",
        "Question about the invoice",
        "Follow-up call",
        "Welcome call",
    ),
    "ContactMomentEmail": (
        "Invoice question",
        "Reply to the newsletter",
        "Change of address",
        "Event registration",
    ),
    "ContactMomentVisit": ("Home visit", "Visit at the office", "Annual meeting"),
    "ContactMomentLetter": ("Welcome letter", "Payment reminder", "Renewal notice"),
    "ContactMomentSms": ("Appointment reminder", "Payment confirmation"),
}
_CONTENTS = (
    "We had a good call and the person decided to stay a member",
    "Left a voicemail",
    "Asked to be called back next week",
    "Wants the invoice sent by e-mail",
    "",
)


def _seed_moment(
    number: int, person: Person, ts: int, rng: random.Random, now_ts: int
) -> Moment:
    kind = rng.choices(TYPE_IDS, cum_weights=_TYPE_CUM)[0]
    employee = rng.choice(_EMPLOYEE_IDS)
    recipients: list[int | str]
    if rng.random() < 0.08:  # the person reached out to the organisation
        sender_id, sender, recipients = person.relation_id, person.name, [employee]
    else:
        sender_id, sender = employee, EMPLOYEES[employee]
        recipients = [person.relation_id]
    if rng.random() < 0.1:  # a household or organisation was in on it
        recipients.append(rng.choice(_OTHER_IDS))
    if rng.random() < 0.05:
        recipients.append(JUNK_RECIPIENT)
    late_edit = rng.random() < 0.1
    updated = rng.randint(ts, now_ts) if late_edit else ts + rng.randint(0, 3600)
    n_tags = rng.choice((0, 0, 0, 1, 1, 2))
    tags = {tag: TAGS[tag] for tag in rng.sample(sorted(TAGS), n_tags)}
    return Moment(
        id=number,
        type=kind,
        subject=rng.choice(_SUBJECTS[kind]),
        sender_id=sender_id,
        sender=sender,
        ts=ts,
        updated=min(updated, now_ts - 1),
        action=rng.randint(1000, 1300) if rng.random() < 0.75 else None,
        tags=tags,
        recipients=tuple(recipients),
        contents=rng.choice(_CONTENTS) if kind == PHONE else None,
        reference=f"REF{rng.randint(0, 999_999):06d}" if rng.random() < 0.2 else None,
    )


def _person_times(person: Person, rng: random.Random, now_ts: int) -> list[int]:
    n = history_size(person.index, rng, heavy=350, huge=3000)
    gap = person.index in (HEAVY, HUGE) or rng.random() < 0.3
    return clustered_times(n, rng, now_ts, gap=gap)


@functools.lru_cache(maxsize=4)
def _seeded(seed: int, now_ts: int) -> tuple[Moment, ...]:
    """The seeded moments in list order, built once per seed and day: apps copy the
    lists and share the (frozen) moments, so a test suite can afford many apps."""
    rng = random.Random(f"procurios:{seed}")
    slots = [(ts, p) for p in people() for ts in _person_times(p, rng, now_ts)]
    slots.sort(key=lambda slot: slot[0])  # ids grow with time, as in a real CRM
    numbered = enumerate(slots, FIRST_MOMENT_ID)
    moments = [_seed_moment(n, p, ts, rng, now_ts) for n, (ts, p) in numbered]
    return tuple(reversed(moments))


@functools.lru_cache(maxsize=4)
def _seeded_index(
    seed: int, now_ts: int
) -> tuple[dict[int, Moment], dict[int, tuple[Moment, ...]]]:
    """The seeded moments by id and by relation (each in list order), indexed once
    per seed and day: an app copies these containers, never re-reads every moment."""
    moments: dict[int, Moment] = {}
    by_relation: dict[int, list[Moment]] = {}
    for moment in _seeded(seed, now_ts):  # appending in list order keeps lists sorted
        moments[moment.id] = moment
        for relation in moment.relations():
            by_relation.setdefault(relation, []).append(moment)
    return moments, {r: tuple(listed) for r, listed in by_relation.items()}


def build_store(seed: int, now: datetime) -> ProcuriosStore:
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    base, started = now.timestamp(), time.monotonic()
    relations = {p.relation_id: p.name for p in people()}
    relations |= EMPLOYEES | OTHER_RELATIONS
    store = ProcuriosStore(
        now=now,
        relations=relations,
        clock=lambda: base + (time.monotonic() - started),
    )
    # The store's own containers, over the shared frozen moments: what a test or a
    # create changes is this app's alone.
    store.ordered = list(_seeded(seed, int(base)))
    moments, by_relation = _seeded_index(seed, int(base))
    store.moments = dict(moments)
    store.by_relation = {r: list(listed) for r, listed in by_relation.items()}
    store.next_id = max(store.moments, default=FIRST_MOMENT_ID - 1) + 1
    return store


# --- JSON schema ---------------------------------------------------------------


def schema_for(type_id: str) -> dict[str, Any]:
    """The draft-07 schema to create a moment of a type: the doc's, as shown. (The doc
    sends a phone call's `contents` without its schema naming it: the schema does not
    forbid other properties.)"""
    ids = {"type": "array", "uniqueItems": True, "items": {"type": "integer"}}
    properties: dict[str, Any] = {
        "contactMomentId": {
            "title": "Contact moment ID",
            "description": "The unique ID for the contact moment",
            "type": "integer",
        },
        "subject": {
            "title": "Subject",
            "description": "What the contact moment was about",
            "type": "string",
        },
        "dateTime": {
            "title": "Date and time",
            "description": "yyyy-mm-dd hh:mm:ss",
            "type": "string",
        },
        "senderId": {
            "title": "Sender ID",
            "description": "The Procurios ID of the relation that initiated contact",
            "type": "integer",
        },
        "recipients": {
            "title": "Recipient",
            "description": "The Procurios IDs of the relations that were contacted",
            **ids,
            "minItems": 1,
        },
        "action_code": {"title": "Entered via action", "type": "integer"},
        "reference": {
            "title": "A reference for this contact moment in the calling system.",
            "type": "string",
            "maxLength": 255,
        },
        "tagIds": {
            "title": "Tag Ids",
            "description": "The ids of the labels attached to the contact moment "
            "for extra information",
            **ids,
            "minItems": 0,
        },
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Contact moment",
        "type": "object",
        "properties": properties,
        "required": ["subject", "senderId", "recipients"],
    }


_TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def validate(
    value: object, schema: Mapping[str, Any], where: str = "body"
) -> list[str]:
    """Errors of `value` against the draft-07 subset the vendor's schemas use.

    (`jsonschema` is not installed: type, required, properties, maxLength, minItems,
    uniqueItems and items cover those schemas.)
    """
    expected = schema.get("type")
    if isinstance(expected, str) and not _TYPE_CHECKS[expected](value):
        return [f"{where} must be of type {expected}"]
    if isinstance(value, str):
        return _string_errors(value, schema, where)
    if isinstance(value, list):
        return _array_errors(value, schema, where)
    if isinstance(value, dict):
        return _object_errors(value, schema)
    return []


def _string_errors(value: str, schema: Mapping[str, Any], where: str) -> list[str]:
    limit = schema.get("maxLength")
    if limit is not None and len(value) > limit:
        return [f"{where} must be at most {limit} characters long"]
    return []


def _array_errors(value: list[Any], schema: Mapping[str, Any], where: str) -> list[str]:
    errors = []
    if len(value) < schema.get("minItems", 0):
        errors.append(f"{where} must hold at least {schema['minItems']} items")
    seen = {json.dumps(item, sort_keys=True) for item in value}
    if schema.get("uniqueItems") and len(seen) < len(value):
        errors.append(f"{where} must not hold duplicates")
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(value):
            errors += validate(item, items, f"{where}[{i}]")
    return errors


def _object_errors(value: dict[str, Any], schema: Mapping[str, Any]) -> list[str]:
    errors = [
        f"The property {name} is required"
        for name in schema.get("required", ())
        if name not in value
    ]
    for name, sub in schema.get("properties", {}).items():
        if name in value:
            errors += validate(value[name], sub, name)
    return errors


# --- request plumbing ----------------------------------------------------------


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": message}, status)


def _accept_ok(header: str | None) -> bool:
    """True when an Accept entry is the vendor media type, version 1 (any spacing)."""
    for entry in (header or "").split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        options = {
            k.strip(): v.strip() for k, _, v in (p.partition("=") for p in params)
        }
        if media.lower() == ACCEPT_MEDIA and options.get("version") == ACCEPT_VERSION:
            return True
    return False


def _bearer_ok(header: str | None, expected: str) -> bool:
    scheme, _, token = (header or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        token.strip().encode(), expected.encode()
    )


Handler = Callable[[Request, ProcuriosStore], Awaitable[Response]]


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Bearer token and Accept header, checked on every call."""

    async def endpoint(request: Request) -> Response:
        token = request.app.state.token
        if not _bearer_ok(request.headers.get("authorization"), token):
            return _error(401, "A valid bearer token is required")
        if not _accept_ok(request.headers.get("accept")):
            return _error(
                406, f"Accept must be {ACCEPT_MEDIA}; version={ACCEPT_VERSION}"
            )
        return await handler(request, request.app.state.store)

    return endpoint


@dataclass(frozen=True, slots=True)
class ListQuery:
    page: int
    since: int | None
    relation_ids: list[int] | None


_SINCE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_RELATION_KEY = re.compile(r"relationIds(\[\d*\])?")


def parse_since(raw: str, zone: tzinfo = UTC) -> int | None:
    """`yyyy-mm-ddThh:mm:ss` (in `zone`) as Unix seconds; None if malformed."""
    if not _SINCE.fullmatch(raw):
        return None
    try:
        parsed = datetime.strptime(raw, DATETIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        return None
    return int(parsed.timestamp())


def _list_query(request: Request, zone: tzinfo) -> ListQuery | Response:
    query = request.query_params
    page = query.get("page", "1")
    if not _PAGE.fullmatch(page):
        return _error(400, "page must be a positive integer")
    since = None
    if "since" in query:
        since = parse_since(query["since"], zone)
        if since is None:
            return _error(400, "since must be formatted yyyy-mm-ddThh:mm:ss")
    raw = [v for k, v in query.multi_items() if _RELATION_KEY.fullmatch(k)]
    parts = [part.strip() for value in raw for part in value.split(",")]
    if not all(_INT.fullmatch(part) for part in parts):
        return _error(400, "relationIds must be integers, comma-separated")
    ids = [int(part) for part in parts] if raw else None
    return ListQuery(int(page), since, ids)


# --- endpoints -----------------------------------------------------------------


async def list_moments(request: Request, store: ProcuriosStore) -> Response:
    knobs: ProcuriosKnobs = request.app.state.knobs
    zone = knobs.zone
    query = _list_query(request, zone)
    if isinstance(query, Response):
        return query
    start = (query.page - 1) * PAGE_SIZE
    stream = store.select(query.relation_ids, query.since, knobs)
    page = itertools.islice(stream, start, start + PAGE_SIZE)
    empty: list[object] | None = [] if knobs.empty_tags == "list" else None
    return JSONResponse([moment.to_json(zone, empty) for moment in page])


async def list_types(request: Request, store: ProcuriosStore) -> Response:
    return JSONResponse(
        [
            {
                "id": type_id,
                "title": title,
                "addable": addable,
                "_links": {
                    "schema": {
                        "href": str(request.url_for("schema", type=type_id)),
                        "type": ["GET"],
                    }
                },
            }
            for type_id, title, addable in TYPES
        ]
    )


async def list_tags(request: Request, store: ProcuriosStore) -> Response:
    return JSONResponse(TAGS)


async def get_schema(request: Request, store: ProcuriosStore) -> Response:
    type_id = request.path_params["type"]
    if type_id not in TYPE_IDS:
        return _error(404, f"Unknown contact moment type {type_id}")
    return JSONResponse([schema_for(type_id)])  # wrapped in a list, as in the doc


def _client_time(raw: object, zone: tzinfo) -> int | None:
    """A client's dateTime: ISO 8601 with or without offset; no offset: `zone`."""
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).timestamp())


def _check_references(store: ProcuriosStore, body: dict[str, Any]) -> str | None:
    if body["senderId"] not in store.relations:
        return "Sender is not available in CRM"
    if not all(r in store.relations for r in body["recipients"]):
        return "Not all recipients are available in CRM"
    if not all(str(t) in TAGS for t in body.get("tagIds", ())):
        return "Not all tags are available"
    return None


def _existing(
    store: ProcuriosStore, body: dict[str, Any], type_id: str
) -> Moment | str | None:
    """The moment a body with `contactMomentId` updates (or why it cannot)."""
    if "contactMomentId" not in body:
        return None
    moment = store.moments.get(body["contactMomentId"])
    if moment is None:
        return f"Contact moment {body['contactMomentId']} does not exist"
    if moment.type != type_id:
        return f"Contact moment {moment.id} is not of type {type_id}"
    return moment


def _new_moment(
    store: ProcuriosStore,
    body: dict[str, Any],
    type_id: str,
    old: Moment | None,
    zone: tzinfo = UTC,
) -> Moment | str:
    now = int(store.clock())
    ts = now if old is None else old.ts
    if "dateTime" in body:
        parsed = _client_time(body["dateTime"], zone)
        if parsed is None:
            return "dateTime must be formatted yyyy-mm-dd hh:mm:ss"
        ts = parsed
    return Moment(
        id=store.next_id if old is None else old.id,
        type=type_id,
        subject=body["subject"],
        sender_id=body["senderId"],
        sender=store.relations[body["senderId"]],
        ts=ts,
        updated=now,
        action=body.get("action_code"),
        tags={str(t): TAGS[str(t)] for t in body.get("tagIds", ())},
        recipients=tuple(body["recipients"]),
        contents=body.get("contents") if type_id == PHONE else None,
        reference=body.get("reference"),
    )


async def create_moment(request: Request, store: ProcuriosStore) -> Response:
    type_id = request.path_params["type"]
    addable = {type_id: addable for type_id, _, addable in TYPES}
    if type_id not in addable:
        return _error(404, f"Unknown contact moment type {type_id}")
    if not addable[type_id]:
        return _error(400, f"Contact moments of type {type_id} cannot be added")
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "The request body is not valid JSON")
    errors = validate(body, schema_for(type_id))
    if errors:
        return _error(400, "; ".join(errors))
    problem = _check_references(store, body)
    old = _existing(store, body, type_id)
    if problem is not None or isinstance(old, str):
        return _error(400, problem or str(old))
    moment = _new_moment(store, body, type_id, old, request.app.state.knobs.zone)
    if isinstance(moment, str):
        return _error(400, moment)
    if old is not None:
        store.remove(old)
    store.add(moment)
    return JSONResponse({"contactMomentId": moment.id})


def create_app(
    *,
    faults: Faults | None = None,
    knobs: ProcuriosKnobs | None = None,
    seed: int = 7,
    now: datetime | None = None,
    token: str | None = None,
) -> Starlette:
    """The Procurios simulator app; its data is on `app.state.store`.

    Only `token` passes as the bearer token; by default the configured one
    (TRUNKLINE_PROCURIOS_TOKEN), else the embedded stand-in."""
    routes = [
        Route(BASE_PATH, _endpoint(list_moments), methods=["GET"]),
        Route(f"{BASE_PATH}/types", _endpoint(list_types), methods=["GET"]),
        Route(f"{BASE_PATH}/tags", _endpoint(list_tags), methods=["GET"]),
        Route(
            f"{BASE_PATH}/type/{{type}}/schema",
            _endpoint(get_schema),
            methods=["GET"],
            name="schema",
        ),
        Route(f"{BASE_PATH}/type/{{type}}", _endpoint(create_moment), methods=["POST"]),
    ]
    app = simulator_app(
        "procurios", routes, faults=faults, knobs=knobs or ProcuriosKnobs(), seed=seed
    )
    app.state.store = build_store(seed, now or anchor_now())
    app.state.token = token or configured("procurios", "TOKEN", EMBEDDED_TOKEN)
    return app


__all__ = [
    "EMBEDDED_TOKEN",
    "EMPLOYEES",
    "JUNK_RECIPIENT",
    "PAGE_SIZE",
    "TAGS",
    "TYPES",
    "Moment",
    "ProcuriosKnobs",
    "ProcuriosStore",
    "create_app",
    "order_key",
    "schema_for",
    "validate",
]
