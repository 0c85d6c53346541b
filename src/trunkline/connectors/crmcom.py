"""CRM.COM Web API v2: communications as interaction history, and the queue.

Every answer is the envelope `{"status": {"code", "message", "description"}, "data"}`;
any code other than `OK` is an error whatever the HTTP status, so `check` reads the
envelope before the status line. Auth is a token from `POST authentication/login`,
sent as the `token` query parameter (GET) or body field (POST); `INVALID_TOKEN` logs in
again once. Lists page by `offset` + `number_of_results` (at most 500), newest first,
and `fields_set` trims each record to what the query selects.

What only CONTRACT.md states is checked, not trusted: a list that is not newest first
is a VENDOR_PROTOCOL_ERROR (each position remembers the last date read, so the check
spans pages), and zone-less dates are read in `[vendors.crmcom] timezone` (an IANA
name, default UTC).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from pydantic import Field, ValidationError, ValidationInfo, field_validator

from trunkline.connectors.base import (
    Connector,
    Endpoint,
    HistoryCost,
    HistoryRead,
    ReadScope,
    answer_each,
    json_position,
)
from trunkline.connectors.transport import Answer
from trunkline.connectors.wire import Lenient, clean_text
from trunkline.details.crmcom import CommunicationDetail
from trunkline.domain import (
    Channel,
    Direction,
    Interaction,
    InteractionFilter,
    Vendor,
    VendorRef,
)
from trunkline.errors import (
    BadUserInput,
    ConfigError,
    TrunklineError,
    VendorConflict,
    VendorNotFound,
    VendorProtocolError,
    VendorRejected,
    shown,
)
from trunkline.pagination.counted import count_of, counted_batch
from trunkline.pagination.merge import Batch
from trunkline.queues import (
    QueueAction,
    QueueContact,
    QueueEntry,
    QueueEntryState,
    QueueEntryStateConflict,
    QueueRef,
    queues_option,
)

API = "/crmapi/rest/v2/"
MAX_RESULTS = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

OK = "OK"
INVALID_TOKEN = "INVALID_TOKEN"
# Envelope codes that are not transient; anything unknown is a rejection too.
_CODE_ERRORS: Final[Mapping[str, type[VendorRejected]]] = {
    "NOT_FOUND": VendorNotFound,
    "INVALID_PARAMETER": VendorRejected,
    "MISSING_PARAMETER": VendorRejected,
    "INVALID_LIFE_CYCLE_STATE": VendorConflict,
}

MEDIA_CHANNEL: Final[Mapping[str, Channel]] = {
    "EMAIL": Channel.EMAIL,
    "SMS": Channel.SMS,
    "PHONE": Channel.PHONE,
    "LETTER": Channel.LETTER,
    "FACE_TO_FACE": Channel.FACE_TO_FACE,
}
CHANNEL_MEDIA: Final[Mapping[Channel, str]] = {c: m for m, c in MEDIA_CHANNEL.items()}
# Channels a communication can map to (an unknown media maps to OTHER).
CHANNELS: Final = frozenset(MEDIA_CHANNEL.values()) | {Channel.OTHER}
DIRECTIONS: Final[Mapping[str, Direction]] = {
    "INCOMING": Direction.INBOUND,
    "INBOUND": Direction.INBOUND,
    "OUTGOING": Direction.OUTBOUND,
    "OUTBOUND": Direction.OUTBOUND,
}
WIRE_DIRECTION: Final[Mapping[Direction, str]] = {
    Direction.INBOUND: "INCOMING",
    Direction.OUTBOUND: "OUTGOING",
}

# The vendor fields each Interaction field (GraphQL name) is built from. `id` and
# `log_information` (the order key) are always asked for.
ALWAYS: Final = ("id", "log_information")
NEEDS: Final[Mapping[str, tuple[str, ...]]] = {
    "channel": ("media",),
    "vendorType": ("media",),
    "direction": ("direction",),
    "subject": ("subject",),
    "body": ("content",),
    # `viewed`/`viewed_on` are only in set_as_viewed's answer (the doc's examples
    # of show and list have neither): a history item's viewedOn stays unknown.
    "status": ("life_cycle_state",),
    "tags": ("category",),
    "detail": ("number", "category", "media", "from", "to"),
}
# Other fields need nothing more: id/source come from `id`, occurredAt from
# `log_information`, contact/participants from the resolver, not from CRM.COM.
_SNAKE: Final[Mapping[str, str]] = {
    "vendor_type": "vendorType",
    "occurred_at": "occurredAt",
}


def wire_fields(selected: Iterable[str], f: InteractionFilter) -> list[str]:
    """`fields_set` for a selection (GraphQL names) plus what `f.matches` reads."""
    names = {_SNAKE.get(n, n) for n in selected}
    if not names - {"__typename"}:
        names = set(NEEDS)  # nothing said: everything the Interaction holds
    wanted: dict[str, None] = dict.fromkeys(ALWAYS)
    for name, needs in NEEDS.items():
        if name in names:
            wanted.update(dict.fromkeys(needs))
    if f.channels:
        wanted["media"] = None
    if f.direction:
        wanted["direction"] = None
    if f.text:
        wanted.update({"subject": None, "content": None})
    return list(wanted)


# ---- dates ----------------------------------------------------------------------

# Zone abbreviations seen in CRM.COM's Java-style dates ("Mon May 22 12:42:03 EEST
# 2017"); an unknown abbreviation makes the date unknown rather than wrong.
_ZONES: Final[Mapping[str, int]] = {
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
_JAVA_DATE = re.compile(
    r"[A-Za-z]{3} ([A-Za-z]{3} \d{1,2} \d{2}:\d{2}:\d{2}) ([A-Za-z]{2,5}) (\d{4})"
)


def parse_date(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """A CRM.COM date as UTC; None when unreadable. A date without zone is a clock
    time in `tz` (the vendor's zone); a Java-style date names its zone."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _java_date(text, tz)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _java_date(text: str, tz: tzinfo) -> datetime | None:
    match = _JAVA_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        naive = datetime.strptime(  # noqa: DTZ007 (the zone is applied below)
            f"{match.group(1)} {match.group(3)}", "%b %d %H:%M:%S %Y"
        )
    except ValueError:
        return None
    abbr = match.group(2).upper()
    local = naive.replace(tzinfo=tz)
    if (local.tzname() or "").upper() == abbr:  # the vendor's own zone: exact
        return local.astimezone(UTC)
    offset = _ZONES.get(abbr)
    if offset is None:
        return None
    zone = timezone(timedelta(hours=offset))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _zone_of(info: ValidationInfo) -> tzinfo:
    context = info.context
    zone = context.get("tz") if isinstance(context, dict) else None
    return zone if isinstance(zone, tzinfo) else UTC


# ---- wire models ------------------------------------------------------------------


class CcNamed(Lenient):
    """A referenced record (category, external system, unit): id and name."""

    id: str | None = None
    name: str | None = None
    code: str | None = None

    @field_validator("id", "name", "code", mode="before")
    @classmethod
    def _str(cls, v: Any) -> str | None:
        return clean_text(v)


def _named(v: Any) -> Any:
    """A reference given as a bare string is its name; other shapes are unknown."""
    if isinstance(v, str):
        return {"name": v}
    return v if isinstance(v, dict) else None


class CcLog(Lenient):
    created_date: datetime | None = None
    updated_date: datetime | None = None

    @field_validator("created_date", "updated_date", mode="before")
    @classmethod
    def _date(cls, v: Any, info: ValidationInfo) -> datetime | None:
        return parse_date(v, _zone_of(info))


class CcCommunication(Lenient):
    """A communication as `communications/show|list` answer it (any field trimmed)."""

    id: str
    number: str | None = None
    code: str | None = None
    life_cycle_state: str | None = None
    direction: str | None = None
    media: str | None = None
    subject: str | None = None
    content: str | None = None
    sender: str | None = Field(default=None, alias="from")
    recipient: str | None = Field(default=None, alias="to")
    viewed_on: datetime | None = None
    viewed: bool = False
    category: CcNamed | None = None
    log_information: CcLog | None = None
    contact_information: CcContactRef | None = None  # whose it is (show answers it)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        return clean_text(v) or v  # numbers become text; an empty id stays invalid

    @field_validator(
        "number",
        "code",
        "life_cycle_state",
        "direction",
        "media",
        "sender",
        "recipient",
        mode="before",
    )
    @classmethod
    def _str(cls, v: Any) -> str | None:
        return clean_text(v)

    @field_validator("subject", "content", mode="before")
    @classmethod
    def _freeclean_text(cls, v: Any) -> str | None:
        return v if isinstance(v, str) else clean_text(v)

    @field_validator("viewed_on", mode="before")
    @classmethod
    def _date(cls, v: Any, info: ValidationInfo) -> datetime | None:
        return parse_date(v, _zone_of(info))

    @field_validator("viewed", mode="before")
    @classmethod
    def _flag(cls, v: Any) -> bool:
        # The doc answers 1/0; be kind to booleans and "true".
        return str(v).strip().lower() in ("1", "true", "yes")

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, v: Any) -> Any:
        return _named(v)

    @field_validator("log_information", "contact_information", mode="before")
    @classmethod
    def _log(cls, v: Any) -> Any:
        return v if isinstance(v, dict) else None

    @property
    def created(self) -> datetime | None:
        return self.log_information.created_date if self.log_information else None

    def to_interaction(self) -> Interaction:
        media = self.media.upper() if self.media else None
        category = self.category.name if self.category else None
        viewed = self.viewed or self.viewed_on is not None
        state = self.life_cycle_state.lower() if self.life_cycle_state else None
        return Interaction(
            source=VendorRef(Vendor.CRMCOM, self.id),
            occurred_at=self.created or EPOCH,
            channel=MEDIA_CHANNEL.get(media or "", Channel.OTHER),
            vendor_type=self.media,
            direction=DIRECTIONS.get((self.direction or "").upper()),
            subject=self.subject,
            body=self.content,
            status="viewed" if viewed else state,
            tags=(category,) if category else (),
            detail=CommunicationDetail(
                number=self.number,
                category=category,
                media=self.media,
                sender=self.sender,
                recipient=self.recipient,
                viewed_on=self.viewed_on,
            ),
            contact_account=None,  # the resolver knows whose history this is
            node_key=self.id,
        )


class CcContactRef(Lenient):
    """The contact information nested in a queued communication."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @field_validator("id", "first_name", "last_name", mode="before")
    @classmethod
    def _str(cls, v: Any) -> str | None:
        return clean_text(v)


class CcCommunicationRef(Lenient):
    """A communication as nested in a queue entry."""

    id: str | None = None
    number: str | None = None
    subject: str | None = None
    life_cycle_state: str | None = None
    contact_information: CcContactRef | None = None

    @field_validator("id", "number", "life_cycle_state", mode="before")
    @classmethod
    def _str(cls, v: Any) -> str | None:
        return clean_text(v)

    @field_validator("contact_information", mode="before")
    @classmethod
    def _object(cls, v: Any) -> Any:
        return v if isinstance(v, dict) else None


class CcQueueEntry(Lenient):
    """A communication queue entry."""

    id: str
    number: str | None = None
    life_cycle_state: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    communication: CcCommunicationRef | None = None
    external_system: CcNamed | None = Field(
        default=None, alias="communication_queue_external_system"
    )
    log_information: CcLog | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        return clean_text(v) or v

    @field_validator(
        "number", "life_cycle_state", "error_code", "error_description", mode="before"
    )
    @classmethod
    def _str(cls, v: Any) -> str | None:
        return clean_text(v)

    @field_validator("communication", "log_information", mode="before")
    @classmethod
    def _object(cls, v: Any) -> Any:
        return v if isinstance(v, dict) else None

    @field_validator("external_system", mode="before")
    @classmethod
    def _system(cls, v: Any) -> Any:
        return _named(v)


# Queue filters by keyword, as `list_queue(**filters)` takes them.
_QUEUE_FILTERS: Final[Mapping[str, tuple[str, str | None]]] = {
    "media": ("media", None),
    "life_cycle_state": ("life_cycle_state", None),
    "external_system_id": ("communication_queue_external_system_identifier", "id"),
    "external_system_name": ("communication_queue_external_system_identifier", "name"),
    "contact_id": ("contact_information_identifier", "id"),
}


# The queue entry fields the gateway maps (fields_set of every queue read).
QUEUE_FIELDS_SET: Final = ",".join(
    (
        "id",
        "number",
        "life_cycle_state",
        "error_code",
        "error_description",
        "communication",
        "communication_queue_external_system",
        "log_information",
    )
)
_ENTRY_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _ident(key: str, value: str) -> str:
    """An identifier object as a GET query value (JSON text)."""
    return orjson.dumps({key: value}).decode()


@dataclass(frozen=True, slots=True)
class _Mark:
    """Where a history read stands in time: the created date of the last item read
    (`t`, epoch seconds) and the ids read at exactly that date (`i`). Kept in the
    position beside the offset (`n`), so the next page can check the order and
    recognise items it has read already."""

    at: float | None = None
    ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, position: Any) -> _Mark:
        if not isinstance(position, dict):
            return cls()
        at, ids = position.get("t"), position.get("i")
        if not isinstance(at, int | float) or isinstance(at, bool):
            return cls()
        ids = (
            tuple(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else ()
        )
        return cls(float(at), ids)

    def seen(self, item: Interaction) -> bool:
        return (
            self.at is not None
            and item.occurred_at.timestamp() == self.at
            and item.source.vendor_id in self.ids
        )

    def after(self, item: Interaction) -> _Mark:
        if self.seen(item):
            return self
        at = item.occurred_at.timestamp()
        ids = self.ids if at == self.at else ()
        return _Mark(at, (*ids, item.source.vendor_id))

    def position(self, n: int) -> dict[str, Any]:
        if self.at is None:
            return {"n": n}
        at = int(self.at) if self.at.is_integer() else self.at
        return {"n": n, "t": at, "i": list(self.ids)}

    @staticmethod
    def stamp(
        batch: Batch[Interaction],
        raw: Sequence[Interaction],
        base: int,
        mark: _Mark,
    ) -> Batch[Interaction]:
        """The batch with each position (`{"n": k}`) marked by raw item k - 1."""
        marks = [mark]
        for item in raw:
            marks.append(marks[-1].after(item))

        def marked(position: Any) -> Any:
            k = count_of(position)
            return (
                marks[k - base].position(k) if 0 <= k - base < len(marks) else position
            )

        items = [(item, marked(pos)) for item, pos in batch.items]
        nxt = None if batch.next is None else marked(batch.next)
        return Batch(items, nxt, batch.floor)


class _Token:
    """Marks a query that carries the token (GET); `sign_params` fills it in."""


_TOKEN: Final = _Token()


class CrmComConnector(Connector):
    vendor: ClassVar[Vendor] = Vendor.CRMCOM
    # Client input's shapes (trunkline/shapes.py) and a history's cost (cost.py).
    id_shapes: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "contact": re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"),
        "interaction": re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"),
    }
    history_cost: ClassVar[HistoryCost] = HistoryCost("offset", MAX_RESULTS)
    default_contact_key: ClassVar[str] = "link"
    # Embedded: the LiveVox custom field COL6 holds the CRM.COM contact id.
    # The simulator's queues: one external system's, and one media's.
    embedded_options: ClassVar[Mapping[str, Any]] = {
        "contact_key": "custom_field:COL6",
        "queues": [{"external_system": "EXT 1"}, {"media": "SMS"}],
    }
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "login": Endpoint("POST", API + "authentication/login", idempotent=False),
        "show": Endpoint("GET", API + "communications/show"),
        "list": Endpoint(
            "GET",
            API + "communications/list",
            "offset",
            MAX_RESULTS,
            size_param="number_of_results",
        ),
        "create": Endpoint("POST", API + "communications/create", idempotent=False),
        "update": Endpoint("POST", API + "communications/update", idempotent=False),
        "complete": Endpoint("POST", API + "communications/complete", idempotent=False),
        "set_as_viewed": Endpoint(
            "POST", API + "communications/set_as_viewed", idempotent=False
        ),
        "queue_show": Endpoint("GET", API + "communications/queue/show"),
        "queue_list": Endpoint(
            "GET",
            API + "communications/queue/list",
            "offset",
            MAX_RESULTS,
            size_param="number_of_results",
        ),
        "queue_latest": Endpoint(
            "GET",
            API + "communications/queue/get_latest",
            max_page_size=MAX_RESULTS,
            size_param="number_of_results",
        ),
        "queue_pending_completed": Endpoint(
            "GET",
            API + "communications/queue/get_pending_completed",
            "offset",
            MAX_RESULTS,
            size_param="number_of_results",
        ),
        "queue_process": Endpoint(
            "POST", API + "communications/queue/process", idempotent=False
        ),
        "queue_reject": Endpoint(
            "POST", API + "communications/queue/reject", idempotent=False
        ),
        "queue_remove": Endpoint(
            "POST", API + "communications/queue/remove", idempotent=False
        ),
    }

    _token: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # auth_expired, check and the caller all read one body: parse it once.
        self._bodies: weakref.WeakKeyDictionary[Answer, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._context = {"tz": self._timezone()}
        self._queues = self._queues_option()  # a bad option fails at start-up

    def _timezone(self) -> tzinfo:
        """`[vendors.crmcom] timezone`: the zone of the vendor's zone-less dates."""
        name = self.option("timezone", "UTC")
        if name == "UTC":
            return UTC
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"[vendors.{self.name}] timezone: {name!r} is not an IANA time zone"
            ) from None

    # ---- auth ----------------------------------------------------------------
    def authenticated(self) -> bool:
        return self._token is not None

    def forget_auth(self) -> None:
        self._token = None

    async def authenticate(self) -> None:
        body = {
            "username": self.credential("USERNAME", "trunkline"),
            "password": self.credential("PASSWORD", "embedded"),
        }
        response = await self.call("login", json=body, login=True)
        data = self._data(response)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise VendorProtocolError(self.name, "CRMCOM: login answered no token")
        self._token = token

    def sign_params(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("token") is _TOKEN:
            params["token"] = self._token or ""
        return params

    def sign_body(self, body: Any) -> Any:
        if isinstance(body, dict):
            return {**body, "token": self._token or ""}
        return body

    def auth_expired(self, response: Answer) -> bool:
        return self._code(response) == INVALID_TOKEN

    # ---- the envelope ----------------------------------------------------------
    def _body(self, response: Answer) -> Any:
        if response not in self._bodies:
            try:
                self._bodies[response] = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                self._bodies[response] = None
        return self._bodies[response]

    def _status(self, response: Answer) -> Mapping[str, Any] | None:
        body = self._body(response)
        status = body.get("status") if isinstance(body, dict) else None
        return status if isinstance(status, dict) and "code" in status else None

    def _code(self, response: Answer) -> str | None:
        status = self._status(response)
        return None if status is None else str(status["code"])

    def _data(self, response: Answer) -> Any:
        body = self._body(response)
        if self._status(response) is None:
            raise VendorProtocolError(self.name, "CRMCOM: answer was not an envelope")
        return body.get("data")

    def error_message(self, response: Answer) -> str:
        status = self._status(response)
        if status is None:
            return super().error_message(response)
        text = clean_text(status.get("message")) or clean_text(
            status.get("description")
        )
        message = text or str(status["code"])
        if self._token:  # never echo a credential, even if the vendor does
            message = message.replace(self._token, "***")
        return message

    def check(self, response: Answer) -> None:
        """The envelope code decides, except for transient HTTP failures."""
        http = response.status_code
        code = self._code(response)
        if http == 429 or http >= 500 or code is None or code == OK:
            super().check(response)
            return
        message = f"{self.vendor.name}: {self.error_message(response)}"
        error = _CODE_ERRORS.get(code, VendorRejected)
        raise error(self.name, message, status=http if http >= 400 else None)

    # ---- calls -----------------------------------------------------------------
    async def _get(self, endpoint: str, **params: Any) -> Any:
        response = await self.call(endpoint, params={"token": _TOKEN, **params})
        return self._data(response)

    async def _post(self, endpoint: str, body: Mapping[str, Any]) -> Any:
        response = await self.call(endpoint, json=dict(body))
        return self._data(response)

    def _communication(self, raw: Any) -> CcCommunication:
        try:
            return CcCommunication.model_validate(raw, context=self._context)
        except ValidationError as exc:
            where = ".".join(map(str, exc.errors()[0]["loc"])) or "record"
            raise VendorProtocolError(
                self.name, f"CRMCOM: malformed communication ({where})"
            ) from None

    def _list(self, data: Any) -> list[Any]:
        if data is None:
            return []
        if not isinstance(data, list):
            raise VendorProtocolError(self.name, "CRMCOM: expected a list")
        return data

    # ---- communications as interaction history -----------------------------------
    def history_applies(self, key: str | None, filter: InteractionFilter) -> bool:
        # The list needs a contact; a channel filter CRM.COM cannot match saves a call.
        if key is None:
            return False
        return not filter.channels or bool(filter.channels & CHANNELS)

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> Sequence[Batch[Interaction] | BaseException]:
        """One list call per read, concurrently; a failure stays in its read's slot."""
        return await answer_each(reads, self._read_history)

    async def _read_history(self, read: HistoryRead) -> Batch[Interaction]:
        if read.key is None:
            return Batch([], None)
        f = read.filter
        position = json_position(read.position)
        offset = count_of(position)
        asked = max(1, min(read.limit, MAX_RESULTS))
        params: dict[str, Any] = {
            "contact_information_identifier": _ident("id", read.key),
            "offset": offset,
            "number_of_results": asked,
            "fields_set": ",".join(wire_fields(read.fields, f)),
        }
        if f.direction is not None:
            params["direction"] = WIRE_DIRECTION[f.direction]
        if f.channels and len(f.channels) == 1:
            (channel,) = f.channels
            if channel in CHANNEL_MEDIA:
                params["media"] = CHANNEL_MEDIA[channel]
        try:
            data = await self._get("list", **params)
        except VendorNotFound:
            return Batch([], None)  # an unknown contact has no history
        raw = [self._dated(c).to_interaction() for c in self._list(data)]
        mark = _Mark.of(position)
        skip = self._check_order(raw, mark, offset)
        more = len(raw) == asked
        if more and f.since is not None and raw[-1].occurred_at < f.since:
            more = False  # newest first: everything further is older still
        batch = counted_batch(
            raw,
            base=offset,
            start=offset + skip,
            limit=read.limit,
            more=more,
            keep=f.matches,
        )
        return _Mark.stamp(batch, raw, offset, mark)

    def _dated(self, raw: Any) -> CcCommunication:
        comm = self._communication(raw)
        if comm.created is None:  # the list's order key: asked for, always there
            raise VendorProtocolError(
                self.name, f"CRMCOM: communication {comm.id} has no created_date"
            )
        return comm

    def _check_order(self, raw: Sequence[Interaction], mark: _Mark, offset: int) -> int:
        """How many leading items were read already (the list grew at its top since
        the last page: the vendor pages by offset). Anything else out of newest-first
        order is a VENDOR_PROTOCOL_ERROR, never skipped or shown twice."""
        skip = 0
        while skip < len(raw) and mark.seen(raw[skip]):
            skip += 1
        last = mark.at
        for n, item in enumerate(raw[skip:], start=offset + skip):
            at = item.occurred_at.timestamp()
            if last is not None and at > last:
                raise VendorProtocolError(
                    self.name,
                    "CRMCOM: communications/list is not newest first: communication "
                    f"{item.source.vendor_id} at offset {n} is newer than the one "
                    "before it",
                )
            last = at
        return skip

    async def get_interaction(self, token: str) -> Interaction | None:
        if not token:
            return None
        try:
            data = await self._get("show", communication_identifier=_ident("id", token))
        except VendorNotFound:
            return None
        comm = self._communication(data)
        item = comm.to_interaction()
        contact = comm.contact_information
        item.contact_key = contact.id if contact is not None else None
        return item

    # ---- communication writes (create, update and complete drafts, set viewed) ------
    write_channels: ClassVar[frozenset[Channel]] = frozenset(CHANNEL_MEDIA)

    async def create_communication(
        self,
        contact_key: str,
        channel: Channel,
        direction: Direction,
        subject: str,
        content: str,
        *,
        to: str | None = None,
        draft: bool = False,
    ) -> Interaction:
        """Create; answers the communication as saved (the doc's create answer)."""
        body: dict[str, Any] = {
            "contact_information_identifier": {"id": contact_key},
            "direction": WIRE_DIRECTION[direction],
            "media": CHANNEL_MEDIA[channel],
            "subject": subject,
            "content": content,
            "life_cycle_state": "DRAFT" if draft else "COMPLETED",
        }
        if to is not None:
            body["to"] = to
        return self._communication(await self._post("create", body)).to_interaction()

    async def update_communication(
        self, comm_id: str, changes: Mapping[str, Any]
    ) -> Interaction:
        """Change a DRAFT (VendorConflict for any other state). `changes` holds
        subject, content, to (wire names)."""
        body = {"communication_identifier": {"id": comm_id}, **changes}
        return self._communication(await self._post("update", body)).to_interaction()

    async def complete_communication(self, comm_id: str) -> None:
        """DRAFT -> COMPLETED (VendorConflict for any other state)."""
        await self._post("complete", {"communication_identifier": {"id": comm_id}})

    async def set_communication_viewed(self, comm_id: str) -> None:
        """Mark a COMPLETED communication viewed now (VendorConflict otherwise)."""
        await self._post("set_as_viewed", {"communication_identifier": {"id": comm_id}})

    async def ready(self) -> None:
        await self.authenticate()

    # ---- the communication queue ---------------------------------------------------
    def _queue_entry(self, raw: Any) -> CcQueueEntry:
        try:
            return CcQueueEntry.model_validate(raw, context=self._context)
        except ValidationError:
            raise VendorProtocolError(
                self.name, "CRMCOM: malformed queue entry"
            ) from None

    async def list_queue(
        self, offset: int = 0, limit: int = 50, **filters: str | None
    ) -> list[CcQueueEntry]:
        """One page of queue entries. Filters: media or external_system_id/_name
        (exactly one of those, as the vendor requires), life_cycle_state, contact_id."""
        params: dict[str, Any] = {
            "offset": offset,
            "number_of_results": max(1, min(limit, MAX_RESULTS)),
        }
        for name, value in filters.items():
            if name not in _QUEUE_FILTERS:
                raise ValueError(f"unknown queue filter {name!r}")
            if value is None:
                continue
            param, key = _QUEUE_FILTERS[name]
            params[param] = value if key is None else _ident(key, value)
        data = await self._get("queue_list", **params)
        return [self._queue_entry(q) for q in self._list(data)]

    async def get_queue_entry(self, entry_id: str) -> CcQueueEntry | None:
        try:
            data = await self._get(
                "queue_show", communication_queue_identifier=_ident("id", entry_id)
            )
        except VendorNotFound:
            return None
        return self._queue_entry(data)

    async def _queue_action(
        self, endpoint: str, entry_id: str, **extra: str
    ) -> CcQueueEntry:
        body = {"communication_queue_identifier": {"id": entry_id}, **extra}
        return self._queue_entry(await self._post(endpoint, body))

    async def process_queue_entry(self, entry_id: str) -> CcQueueEntry:
        """PENDING -> COMPLETED; an entry in any other state is a VendorConflict."""
        return await self._queue_action("queue_process", entry_id)

    async def reject_queue_entry(
        self, entry_id: str, error_code: str, error_description: str
    ) -> CcQueueEntry:
        """PENDING -> REJECTED, with the delivering system's reason."""
        return await self._queue_action(
            "queue_reject",
            entry_id,
            error_code=error_code,
            error_description=error_description,
        )

    async def remove_queue_entry(self, entry_id: str) -> CcQueueEntry:
        """PENDING or COMPLETED -> COMPLETED_AND_REMOVED."""
        return await self._queue_action("queue_remove", entry_id)

    # ---- the queue as a QueueSource (trunkline/queues.py) --------------------------
    def configured_queues(self) -> Sequence[QueueRef]:
        """`[vendors.crmcom] queues` (the embedded default: the simulator's)."""
        return self._queues

    def _queues_option(self) -> list[QueueRef]:
        try:
            return queues_option(self.vendor, self.option("queues"))
        except (ValueError, TrunklineError) as exc:
            message = exc.message if isinstance(exc, TrunklineError) else str(exc)
            raise ConfigError(f"[vendors.{self.name}] queues: {message}") from None

    def check_entry_id(self, entry_id: str) -> str:
        if not _ENTRY_ID.fullmatch(entry_id):
            raise BadUserInput(f"{shown(entry_id)} is not a CRM.COM queue entry id.")
        return entry_id

    @staticmethod
    def _queue_params(queue: QueueRef) -> dict[str, Any]:
        if queue.kind == "media":
            return {"media": queue.value}
        return {
            "communication_queue_external_system_identifier": _ident(
                "name", queue.value
            )
        }

    async def _queue_page(
        self,
        endpoint: str,
        queue: QueueRef,
        offset: int,
        limit: int,
        **extra: Any,
    ) -> tuple[list[QueueEntry], bool]:
        # One more than asked tells whether more follow (the vendor has no `next`).
        asked = max(1, min(limit + 1, MAX_RESULTS))
        data = await self._get(
            endpoint,
            **self._queue_params(queue),
            **extra,
            offset=offset,
            number_of_results=asked,
            fields_set=QUEUE_FIELDS_SET,
        )
        entries = self._newest_first(
            endpoint, [self._entry(q) for q in self._list(data)]
        )
        more = len(entries) > limit or (len(entries) == asked == limit)
        return entries[:limit], more

    def _newest_first(
        self, endpoint: str, entries: list[QueueEntry]
    ) -> list[QueueEntry]:
        """CONTRACT.md's order, checked within each answer: an entry newer than the
        one before it is a VENDOR_PROTOCOL_ERROR, not a page in another order."""
        last: datetime | None = None
        for entry in entries:
            at = entry.created_at
            if at is None:
                continue
            if last is not None and at > last:
                raise VendorProtocolError(
                    self.name,
                    f"CRMCOM: {self.endpoints[endpoint].path} is not newest first: "
                    f"queue entry {entry.source.vendor_id} is newer than the one "
                    "before it",
                )
            last = at
        return entries

    async def queue_entries(
        self,
        queue: QueueRef,
        offset: int,
        limit: int,
        state: QueueEntryState | None = None,
    ) -> tuple[Sequence[QueueEntry], bool]:
        extra = {} if state is None else {"life_cycle_state": state.value}
        return await self._queue_page("queue_list", queue, offset, limit, **extra)

    async def pending_completed_entries(
        self, queue: QueueRef, offset: int, limit: int
    ) -> tuple[Sequence[QueueEntry], bool]:
        return await self._queue_page("queue_pending_completed", queue, offset, limit)

    async def latest_queue_entries(
        self, queue: QueueRef, count: int
    ) -> Sequence[QueueEntry]:
        data = await self._get(
            "queue_latest",
            **self._queue_params(queue),
            number=max(1, min(count, MAX_RESULTS)),
            fields_set=QUEUE_FIELDS_SET,
        )
        return self._newest_first(
            "queue_latest", [self._entry(q) for q in self._list(data)]
        )

    async def queue_entry(self, entry_id: str) -> QueueEntry | None:
        found = await self.get_queue_entry(self.check_entry_id(entry_id))
        return None if found is None else self._to_entry(found)

    async def act_on_queue_entry(
        self,
        entry_id: str,
        action: QueueAction,
        error_code: str | None = None,
        error_description: str | None = None,
    ) -> QueueEntry:
        entry_id = self.check_entry_id(entry_id)
        try:
            if action is QueueAction.PROCESS:
                done = await self.process_queue_entry(entry_id)
            elif action is QueueAction.REJECT:
                done = await self.reject_queue_entry(
                    entry_id, error_code or "", error_description or ""
                )
            else:
                done = await self.remove_queue_entry(entry_id)
        except QueueEntryStateConflict:
            raise
        except VendorConflict as exc:
            raise QueueEntryStateConflict(
                self.name, exc.message, status=exc.status
            ) from None
        return self._to_entry(done)

    def _entry(self, raw: Any) -> QueueEntry:
        return self._to_entry(self._queue_entry(raw))

    def _to_entry(self, q: CcQueueEntry) -> QueueEntry:
        try:
            state = QueueEntryState(q.life_cycle_state or "")
        except ValueError:
            raise VendorProtocolError(
                self.name,
                f"CRMCOM: queue entry {q.id} has state {q.life_cycle_state!r}",
            ) from None
        comm = q.communication
        person = comm.contact_information if comm else None
        log = q.log_information
        return QueueEntry(
            source=VendorRef(Vendor.CRMCOM, q.id),
            state=state,
            number=q.number,
            error_code=q.error_code,
            error_description=q.error_description,
            created_at=log.created_date if log else None,
            updated_at=log.updated_date if log else None,
            external_system=q.external_system.name if q.external_system else None,
            communication_id=comm.id if comm else None,
            contact=QueueContact(
                VendorRef(Vendor.CRMCOM, person.id),
                person.first_name,
                person.last_name,
            )
            if person is not None and person.id
            else None,
        )


CONNECTOR = CrmComConnector

__all__ = [
    "CONNECTOR",
    "CcCommunication",
    "CcQueueEntry",
    "CrmComConnector",
    "parse_date",
    "wire_fields",
]
