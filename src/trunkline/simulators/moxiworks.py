"""MoxiWorks Platform simulator: the ActionLog endpoints as the vendor's doc describes
them, with CONTRACT.md filling what the doc leaves open.

Where the two differ the doc wins: `date_min` is exclusive ("later than"), as is
`date_max` ("earlier than"). What the doc leaves open (bound inclusivity as CONTRACT.md
reads it, the order of a window's entries, the answer for an unknown contact) can be
varied through `MoxiWorksKnobs` (`app.state.knobs`, `PUT /_sim/knobs`). Only the
configured partner credentials pass (`simulators.credentials`).

One agent (`AGENT_UUID`, `AGENT_ID`, or `SOURCE_AGENT_ID` within `COMPANY_ID` /
`PARENT_COMPANY_ID`) keeps an action log for every shared person, who is known by
`partner_contact_id` = the person's LiveVox account and by a deterministic
`moxi_works_contact_id`. The data lives on `app.state.store` (a `MoxiStore`).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import itertools
import random
import re
import secrets
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trunkline.simulators.base import Faults, anchor_now, simulator_app
from trunkline.simulators.credentials import configured
from trunkline.simulators.seed import HEAVY, HUGE, Person, history_size, people

AGENT_UUID = "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10"
AGENT_ID = "agent@example.com"
SOURCE_AGENT_ID = "WIN-1042"
COMPANY_ID = "windermere"
PARENT_COMPANY_ID = "windermere_group"

ACCEPT_MEDIA = "application/vnd.moxi-platform+json"
ACCEPT_VERSION = "1"
SESSION_COOKIE = "_moxi_session"
PATH = "/api/action_logs"

DAY_S = 86_400
WINDOW_S = 90 * DAY_S
SPAN_S = 3 * 365 * DAY_S
MAX_TEXT = 4999

# `type` of an entry: "manual" for a plain title/body note, else the agent_action
# keyword. The doc names 'inperson' and 'other' as the actions with a location.
ACTION_TYPES = (
    "manual",
    "call",
    "email",
    "text",
    "mail",
    "meeting",
    "inperson",
    "other",
)
TYPE_WEIGHTS = (30, 22, 18, 8, 4, 6, 8, 4)
_TYPE_CUM = tuple(itertools.accumulate(TYPE_WEIGHTS))
LOCATED = frozenset({"inperson", "other"})
ADDRESS_FIELDS = (
    "agent_action_address",
    "agent_action_address2",
    "agent_action_city",
    "agent_action_state",
    "agent_action_zip",
)
AGENT_KEYS = ("agent_uuid", "moxi_works_agent_id", "source_agent_id")
CONTACT_KEYS = ("partner_contact_id", "moxi_works_contact_id")
_CONTACT_NS = uuid.UUID("6f1d2a4e-0c3b-4e8f-9a57-1b2c3d4e5f60")
_INT = re.compile(r"-?\d+")

LogData = dict[str, str | None]

# The connector's stand-ins when it talks to its embedded simulator.
EMBEDDED_USERNAME = "trunkline"
EMBEDDED_PASSWORD = "embedded"

ORDERS = ("oldest_first", "newest_first", "shuffled")
UNKNOWN_CONTACT = ("empty", "404")


@dataclass
class MoxiWorksKnobs:
    """Behaviours the doc leaves open (or CONTRACT.md reads otherwise), to vary in tests.

    The defaults follow the doc where it is explicit, else CONTRACT.md.
    """

    # The doc: records "later than" date_min; CONTRACT.md: date_min included.
    date_min_inclusive: bool = False
    # The doc: records "earlier than" date_max (CONTRACT.md agrees); True: included.
    date_max_inclusive: bool = False
    # A window's entries: CONTRACT.md says newest last; the doc says nothing.
    order: str = "oldest_first"
    # An unknown contact: CONTRACT.md says an empty `actions` list; or a 404.
    unknown_contact: str = "empty"

    def __setattr__(self, name: str, value: Any) -> None:
        allowed = {"order": ORDERS, "unknown_contact": UNKNOWN_CONTACT}.get(name)
        if allowed is not None and value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        super().__setattr__(name, value)


@dataclass(frozen=True, slots=True)
class ActionLog:
    """One entry. Frozen, and its log_data is never changed: seeded entries are
    shared between apps."""

    id: str
    account: str  # partner_contact_id of the contact it is about
    type: str
    timestamp: int
    log_data: LogData

    def to_json(self) -> dict[str, object]:
        return {
            "moxi_works_action_log_id": self.id,
            "type": self.type,
            "timestamp": self.timestamp,
            "log_data": dict(self.log_data),
        }


def _timestamp(entry: ActionLog) -> int:
    return entry.timestamp


@dataclass
class MoxiStore:
    """Everything the simulator knows; tests read and tweak it directly."""

    now: datetime
    contacts: dict[str, str]  # partner_contact_id -> moxi_works_contact_id
    by_moxi_id: dict[str, str]  # moxi_works_contact_id -> partner_contact_id
    logs: dict[str, list[ActionLog]]  # per partner_contact_id, oldest first
    by_id: dict[str, ActionLog]
    clock: Callable[[], float]  # simulated Unix time; advances from `now`
    sessions: dict[str, int] = field(default_factory=dict)  # cookie -> times sent back

    def window(self, account: str, date_min: int, date_max: int) -> list[ActionLog]:
        entries = self.logs.get(account, [])
        lo = bisect.bisect_left(entries, date_min, key=_timestamp)
        hi = bisect.bisect_left(entries, date_max, key=_timestamp)
        return entries[lo:hi]

    def add(self, entry: ActionLog) -> None:
        bisect.insort_right(
            self.logs.setdefault(entry.account, []), entry, key=_timestamp
        )
        self.by_id[entry.id] = entry

    def remove(self, entry: ActionLog) -> None:
        self.logs[entry.account].remove(entry)
        del self.by_id[entry.id]


# --- seeding -------------------------------------------------------------------


def contact_uuid(account: str) -> str:
    """The `moxi_works_contact_id` of a partner contact: stable across seeds."""
    return str(uuid.uuid5(_CONTACT_NS, f"moxi-contact:{account}"))


def clustered_times(n: int, rng: random.Random, now_ts: int, *, gap: bool) -> list[int]:
    """`n` sorted timestamps over the 3 years before `now_ts`, in bursts.

    With `gap`, a hiatus of 300..480 days holds nothing, so that several consecutive
    90-day windows are empty and window walkers must not stop at the first empty one.
    """
    if n == 0:
        return []
    start = now_ts - SPAN_S
    hiatus = (0, 0)
    if gap:
        length = rng.randint(300, 480) * DAY_S
        begin = rng.randint(start + 90 * DAY_S, now_ts - 90 * DAY_S - length)
        hiatus = (begin - 20 * DAY_S, begin + length + 20 * DAY_S)
    centers = _cluster_centers(max(1, min(n, 2 + n // 25)), rng, start, now_ts, hiatus)
    times = []
    for _ in range(n):
        center, spread = rng.choice(centers)
        t = _reflect(center + int(rng.gauss(0, spread)), start, now_ts)
        times.append(center if hiatus[0] <= t < hiatus[1] else t)
    return sorted(times)


def _reflect(t: int, start: int, end: int) -> int:
    """Fold a time that spilled out of [start, end) back in, rather than pile it up."""
    if t >= end:
        t = 2 * end - t - 1
    if t < start:
        t = 2 * start - t
    return min(max(t, start), end - 1)


def _cluster_centers(
    k: int, rng: random.Random, start: int, end: int, hiatus: tuple[int, int]
) -> list[tuple[int, float]]:
    centers: list[tuple[int, float]] = []
    if k >= 4:  # long histories reach from about 3 years ago up to now
        centers += [(start + 10 * DAY_S, 2.0 * DAY_S), (end - 10 * DAY_S, 2.0 * DAY_S)]
    while len(centers) < k:
        c = rng.randint(start, end - 1)
        if not hiatus[0] <= c < hiatus[1]:
            centers.append((c, rng.uniform(0.3, 10) * DAY_S))
    return centers


_TOPICS = (
    "the listing on {street}",
    "pre-approval status",
    "showing schedule",
    "offer strategy",
    "neighbourhood comps",
    "closing documents",
    "open house feedback",
)
_STREETS = ("Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm Ct", "Birch Way")


def _log_data(kind: str, person: Person, rng: random.Random) -> LogData:
    street = f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}"
    topic = rng.choice(_TOPICS).format(street=street)
    title: str | None = {
        "manual": f"Note: {topic}",
        "call": f"Called {person.first_name}",
        "email": f"Emailed {person.first_name}",
        "text": f"Texted {person.first_name}",
        "mail": f"Mailed {person.first_name} a postcard",
        "meeting": f"Meeting with {person.name}",
        "inperson": f"Met {person.first_name} in person",
        "other": f"Other contact with {person.first_name}",
    }[kind]
    if kind != "manual" and rng.random() < 0.1:
        title = None  # some integrations log only the body
    data: LogData = {"agent_action": None if kind == "manual" else kind}
    data.update(dict.fromkeys(ADDRESS_FIELDS))
    if kind in LOCATED:
        data["agent_action_address"] = street
        data["agent_action_address2"] = (
            f"Unit {rng.randint(1, 40)}" if rng.random() < 0.3 else None
        )
        data["agent_action_city"] = person.city
        data["agent_action_state"] = person.state
        data["agent_action_zip"] = person.postal_code
    data["title"] = title
    data["body"] = f"Talked with {person.name} about {topic}."
    return data


def _person_log(person: Person, rng: random.Random, now_ts: int) -> list[ActionLog]:
    n = history_size(person.index, rng, heavy=350, huge=3000)
    gap = person.index in (HEAVY, HUGE) or rng.random() < 0.3
    entries = []
    for ts in clustered_times(n, rng, now_ts, gap=gap):
        kind = rng.choices(ACTION_TYPES, cum_weights=_TYPE_CUM)[0]
        log_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        data = _log_data(kind, person, rng)
        entries.append(ActionLog(log_id, person.account, kind, ts, data))
    return entries  # times come sorted


@functools.lru_cache(maxsize=4)
def _seeded(seed: int, now_ts: int) -> tuple[tuple[str, tuple[ActionLog, ...]], ...]:
    """The seeded logs, built once per seed and day: apps copy the lists, share the
    (frozen) entries, so a test suite can afford a fresh app per test."""
    rng = random.Random(f"moxiworks:{seed}")
    return tuple((p.account, tuple(_person_log(p, rng, now_ts))) for p in people())


@functools.cache
def _seeded_contacts() -> dict[str, str]:
    """Each seed person's contact id (2,500 uuid5s: most of an app's build, once)."""
    return {p.account: contact_uuid(p.account) for p in people()}


def build_store(seed: int, now: datetime) -> MoxiStore:
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    base, started = now.timestamp(), time.monotonic()
    contacts = dict(_seeded_contacts())
    logs = {account: list(entries) for account, entries in _seeded(seed, int(base))}
    return MoxiStore(
        now=now,
        contacts=contacts,
        by_moxi_id={v: k for k, v in contacts.items()},
        logs=logs,
        by_id={e.id: e for entries in logs.values() for e in entries},
        clock=lambda: base + (time.monotonic() - started),
    )


# --- request plumbing ----------------------------------------------------------


def _error(status: int, message: str, kind: str = "fail") -> JSONResponse:
    return JSONResponse({"status": kind, "messages": [message]}, status)


def _basic_auth_ok(header: str | None, expected: tuple[str, str]) -> bool:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, sep, secret = decoded.partition(":")
    return bool(sep) and secrets.compare_digest(
        f"{user}:{secret}".encode(), ":".join(expected).encode()
    )


def _accept_ok(header: str | None) -> bool:
    """True when an Accept entry is the platform media type, version 1 (any spacing)."""
    for entry in (header or "").split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        options = {
            k.strip(): v.strip() for k, _, v in (p.partition("=") for p in params)
        }
        if media.lower() == ACCEPT_MEDIA and options.get("version") == ACCEPT_VERSION:
            return True
    return False


async def _read_params(request: Request) -> dict[str, str] | Response:
    """Query parameters, overlaid with the body (JSON or form) of a POST/DELETE."""
    params = dict(request.query_params)
    ctype = request.headers.get("content-type", "")
    if request.method == "GET" or not ctype:
        return params
    if "json" in ctype:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "request body must be a JSON object")
        for key, value in body.items():
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # ids sent as JSON numbers
            if value is not None and not isinstance(value, str):
                return _error(422, f"{key} must be a string")
            if value is not None:
                params[key] = value
        return params
    if "application/x-www-form-urlencoded" not in ctype:
        return _error(415, "send the fields as JSON or as a urlencoded form")
    # parsed by hand: Starlette's form parser needs python-multipart, not a dependency
    text = (await request.body()).decode("utf-8", errors="replace")
    params.update(urllib.parse.parse_qsl(text, keep_blank_values=True))
    return params


def _check_agent(params: dict[str, str]) -> Response | None:
    named = [key for key in AGENT_KEYS if key in params]
    if len(named) != 1:
        return _error(422, "name the agent by exactly one of " + ", ".join(AGENT_KEYS))
    key = named[0]
    value = params[key]
    if not value:
        return _error(422, f"{key} must not be empty")
    if key == "source_agent_id":
        company = params.get("moxi_works_company_id")
        parent = params.get("parent_company_id")
        if not company and not parent:
            return _error(
                422, "source_agent_id needs moxi_works_company_id or parent_company_id"
            )
        known = (
            value == SOURCE_AGENT_ID
            and company in (None, COMPANY_ID)
            and parent in (None, PARENT_COMPANY_ID)
        )
    else:
        known = value == (AGENT_UUID if key == "agent_uuid" else AGENT_ID)
    return None if known else _error(404, f"no agent found for {key} {value}", "error")


@dataclass(frozen=True, slots=True)
class Contact:
    """The contact a call names: the ids as sent, and the account if it is known."""

    partner_contact_id: str | None
    moxi_works_contact_id: str | None
    account: str | None


def _resolve_contact(store: MoxiStore, params: dict[str, str]) -> Contact | Response:
    named = {key: params[key] for key in CONTACT_KEYS if key in params}
    if not named:
        return _error(
            422, "name the contact by moxi_works_contact_id or partner_contact_id"
        )
    if not all(named.values()):
        return _error(422, "contact ids must not be empty")
    partner, moxi = named.get("partner_contact_id"), named.get("moxi_works_contact_id")
    by_partner = partner if partner in store.contacts else None
    by_moxi = store.by_moxi_id.get(moxi) if moxi else None
    if partner and moxi and by_partner != by_moxi:
        return _error(422, "partner_contact_id and moxi_works_contact_id disagree")
    account = by_partner or by_moxi
    return Contact(
        partner_contact_id=account or partner,
        moxi_works_contact_id=store.contacts[account] if account else moxi,
        account=account,
    )


Handler = Callable[[Request, MoxiStore, dict[str, str], Contact], Awaitable[Response]]


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Auth, Accept, agent and contact naming and the session cookie, on every call."""

    async def endpoint(request: Request) -> Response:
        expected = request.app.state.credentials
        if not _basic_auth_ok(request.headers.get("authorization"), expected):
            response: Response = _error(401, "Authorization required")
            response.headers["WWW-Authenticate"] = 'Basic realm="MoxiWorks Platform"'
            return response
        store: MoxiStore = request.app.state.store
        response = await _answer(request, store, handler)
        _set_session(request, store, response)
        return response

    return endpoint


async def _answer(request: Request, store: MoxiStore, handler: Handler) -> Response:
    if not _accept_ok(request.headers.get("accept")):
        return _error(406, f"Accept must be {ACCEPT_MEDIA};version={ACCEPT_VERSION}")
    params = await _read_params(request)
    if isinstance(params, Response):
        return params
    problem = _check_agent(params)
    if problem is not None:
        return problem
    contact = _resolve_contact(store, params)
    if isinstance(contact, Response):
        return contact
    return await handler(request, store, params, contact)


def _set_session(request: Request, store: MoxiStore, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token in store.sessions:
        store.sessions[token] += 1
    else:
        token = secrets.token_hex(16)
        store.sessions[token] = 0
    response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True)


# --- endpoints -----------------------------------------------------------------


def _window(
    store: MoxiStore, params: dict[str, str], knobs: MoxiWorksKnobs
) -> tuple[int, int] | Response:
    """The entries' timestamps a call covers, as a half-open range [low, high).

    The doc: records "later than" date_min and "earlier than" date_max; the upper
    bound is date_min + 90 days or date_max, whichever is lower; with neither given,
    the last 90 days. The knobs make either bound inclusive instead.
    """
    bounds: dict[str, int] = {}
    for key in ("date_min", "date_max"):
        if key in params:
            if not _INT.fullmatch(params[key]):
                return _error(422, f"{key} must be a Unix timestamp in seconds")
            bounds[key] = int(params[key])
    low, high = bounds.get("date_min"), bounds.get("date_max")
    if low is None and high is None:
        # the current second belongs to "the last 90 days": a fresh entry shows up
        high = int(store.clock()) + 1
        return high - WINDOW_S, high
    if low is None:
        assert high is not None
        low = high - WINDOW_S
    upper = low + WINDOW_S if high is None else min(high, low + WINDOW_S)
    first = low if knobs.date_min_inclusive else low + 1
    end = upper + 1 if knobs.date_max_inclusive else upper
    return first, max(first, end)


def _identity(contact: Contact) -> dict[str, object]:
    return {
        "agent_uuid": AGENT_UUID,
        "moxi_works_agent_id": AGENT_ID,
        "partner_contact_id": contact.partner_contact_id,
        "moxi_works_contact_id": contact.moxi_works_contact_id,
    }


async def index(
    request: Request, store: MoxiStore, params: dict[str, str], contact: Contact
) -> Response:
    knobs: MoxiWorksKnobs = request.app.state.knobs
    window = _window(store, params, knobs)
    if isinstance(window, Response):
        return window
    if contact.account is None and knobs.unknown_contact == "404":
        named = contact.partner_contact_id or contact.moxi_works_contact_id
        return _error(404, f"no contact found for the contact id {named}", "error")
    entries = store.window(contact.account, *window) if contact.account else []
    if knobs.order == "newest_first":
        entries = entries[::-1]
    elif knobs.order == "shuffled":
        entries = list(entries)
        random.Random(f"{contact.account}:{window}").shuffle(entries)
    actions = [entry.to_json() for entry in entries]
    return JSONResponse({**_identity(contact), "actions": actions})


def _new_log_data(params: dict[str, str]) -> LogData | Response:
    for key in ("title", "body"):
        text = params.get(key)
        if text is None:
            return _error(422, f"{key} is required")
        if not 1 <= len(text) <= MAX_TEXT:
            return _error(422, f"{key} must be 1 to {MAX_TEXT} characters long")
    data: LogData = {"agent_action": params.get("agent_action") or None}
    data.update({key: params.get(key) or None for key in ADDRESS_FIELDS})
    data["title"], data["body"] = params["title"], params["body"]
    return data


async def create(
    request: Request, store: MoxiStore, params: dict[str, str], contact: Contact
) -> Response:
    if contact.account is None:
        return _error(404, "no contact found for the given contact id", "error")
    data = _new_log_data(params)
    if isinstance(data, Response):
        return data
    action = (data["agent_action"] or "").lower()
    kind = action if action in ACTION_TYPES else "manual"
    entry = ActionLog(
        str(uuid.uuid4()), contact.account, kind, int(store.clock()), data
    )
    store.add(entry)
    # the created entry, as the index shows it (CONTRACT.md), with the ids
    return JSONResponse({**_identity(contact), **entry.to_json()})


async def delete(
    request: Request, store: MoxiStore, params: dict[str, str], contact: Contact
) -> Response:
    log_id = request.path_params["moxi_works_action_log_id"]
    entry = store.by_id.get(log_id)
    if entry is None or entry.account != contact.account:
        return _error(404, f"no ActionLog found for {log_id}", "error")
    store.remove(entry)
    return JSONResponse({"status": "success", "deleted": True, "messages": []})


def create_app(
    *,
    faults: Faults | None = None,
    knobs: MoxiWorksKnobs | None = None,
    seed: int = 7,
    now: datetime | None = None,
    username: str | None = None,
    password: str | None = None,
) -> Starlette:
    """The MoxiWorks simulator app; its data is on `app.state.store`.

    Only `username`/`password` pass Basic auth; by default the configured ones
    (TRUNKLINE_MOXIWORKS_USERNAME / _PASSWORD), else the embedded stand-ins."""
    routes = [
        Route(PATH, _endpoint(index), methods=["GET"]),
        Route(PATH, _endpoint(create), methods=["POST"]),
        Route(
            f"{PATH}/{{moxi_works_action_log_id}}",
            _endpoint(delete),
            methods=["DELETE"],
        ),
    ]
    app = simulator_app(
        "moxiworks", routes, faults=faults, knobs=knobs or MoxiWorksKnobs(), seed=seed
    )
    app.state.store = build_store(seed, now or anchor_now())
    app.state.credentials = (
        username or configured("moxiworks", "USERNAME", EMBEDDED_USERNAME),
        password or configured("moxiworks", "PASSWORD", EMBEDDED_PASSWORD),
    )
    return app


__all__ = [
    "ACTION_TYPES",
    "AGENT_ID",
    "AGENT_UUID",
    "COMPANY_ID",
    "EMBEDDED_PASSWORD",
    "EMBEDDED_USERNAME",
    "PARENT_COMPANY_ID",
    "SOURCE_AGENT_ID",
    "ActionLog",
    "MoxiStore",
    "MoxiWorksKnobs",
    "contact_uuid",
    "create_app",
]
