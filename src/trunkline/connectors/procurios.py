"""Procurios contact moments: interaction history, types, tags and (soon) writes.

Static bearer token plus a versioned Accept header on every call. The list pages by
`page` (1-based, always 25, a short page is the last) in `dateTime`-descending order, and
`relationIds` reads many relations in one stream: reads that start together are served
by one combined stream and split per relation afterwards. Positions count the raw items
of each relation's own stream (`{"n": k}`), so a batch read from the combined stream can
be resumed by a plain single-relation read.

What the doc leaves open is checked or configured, never assumed silently:
- `dateTime` (and `since`) carry no zone: `[vendors.procurios] timezone` names it (an
  IANA name, default UTC, as CONTRACT.md says).
- The list order (newest first, CONTRACT.md) and the page size (25, the doc): a page
  out of order or longer than 25 is a VENDOR_PROTOCOL_ERROR, not a silent misread.
- Whether `since` includes its own second: it is asked one second earlier, and the
  filter is applied here anyway.
- A list item's body and reference: the doc's list example has neither, so they are
  read only if the vendor sends them (`contents`, `reference`), else null.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from trunkline.config import VendorSettings
from trunkline.connectors.base import (
    Connector,
    Endpoint,
    HistoryCost,
    HistoryRead,
    ReadScope,
    json_position,
)
from trunkline.connectors.procurios_stream import SharedStream, Slot, pages_seen
from trunkline.connectors.transport import Answer, VendorHTTP
from trunkline.details.procurios import ContactMomentDetail
from trunkline.domain import (
    Channel,
    Direction,
    Interaction,
    InteractionFilter,
    Vendor,
    VendorRef,
)
from trunkline.errors import ConfigError, VendorProtocolError
from trunkline.pagination.counted import count_of
from trunkline.pagination.merge import Batch
from trunkline.pagination.page import read_pages

log = logging.getLogger("trunkline.connectors.procurios")

BASE = "/l/contact_moment_api/contact_moment"
ACCEPT = "application/vnd.procurios.contact_moment+json; version=1"
PAGE_SIZE = 25
EMBEDDED_SENDER = 1516  # an employee of the embedded simulator
# Pages `get_interaction` reads at most (3,000 moments dated or edited after the
# one sought): an ID made up with an old dateTime would page through everything
# since (829 calls, measured); past this it is not found.
LOOKUP_PAGES = 120
WIRE_TIME = "%Y-%m-%dT%H:%M:%S"  # the vendor's dateTime and `since`: no zone written
ONE_SECOND = timedelta(seconds=1)
# How far the vendor's clock may trail ours when reading a moment back (the embedded
# simulator's runs from midnight UTC).
CLOCK_SLACK = timedelta(days=1, hours=1)
TYPES_TTL_S = 600.0  # type titles hardly ever change
MAX_RELATIONS_PER_CALL = 100  # keeps the combined call's query string modest
TITLE_FIELDS = frozenset({"detail"})  # selections that show `typeTitle`
PAGE_CACHE_S = 0.0  # default `page_cache_s`: seconds a list page is reused (0: never; no staleness)
PAGE_CACHE_PAGES = 512

CHANNELS = {
    "ContactMomentPhone": Channel.PHONE,
    "ContactMomentEmail": Channel.EMAIL,
    "ContactMomentVisit": Channel.VISIT,
    "ContactMomentLetter": Channel.LETTER,
    "ContactMomentSms": Channel.SMS,
}


def _int(value: Any) -> int | None:
    """An integer, or None (bools and garbage are not ids)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _utc(value: datetime, zone: tzinfo = UTC) -> datetime:
    """A zone-less value is in `zone` (the vendor's; UTC for the caller's)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
        return value if zone is UTC else value.astimezone(UTC)
    return value.astimezone(UTC)


def wire_time(value: datetime, zone: tzinfo = UTC) -> str:
    """A datetime as the vendor writes it in `zone`, floored to the second."""
    value = _utc(value)
    return (value if zone is UTC else value.astimezone(zone)).strftime(WIRE_TIME)


def vendor_zone(name: Any) -> tzinfo:
    """The zone of the vendor's zone-less times, from `[vendors.procurios] timezone`."""
    if name is None or name == "UTC":
        return UTC
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"[vendors.procurios] timezone: unknown time zone {name!r} "
            "(an IANA name such as Europe/Amsterdam)"
        ) from None


def _ambiguous(instant: datetime, zone: tzinfo) -> bool:
    """Whether the wall time of `instant` in `zone` occurs twice (a DST fall-back)."""
    wall = instant.astimezone(zone).replace(tzinfo=None)
    return bool(
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    )


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class PcMoment(_Lenient):
    """One contact moment as the list answers it."""

    id: int
    subject: str | None = None
    senderId: int | None = None
    sender: str | None = None
    type: str | None = None
    dateTime: datetime
    action: int | None = None
    tags: tuple[str, ...] = ()
    recipients: tuple[int, ...] = ()
    contents: str | None = None
    reference: str | None = None

    @field_validator("senderId", "action", mode="before")
    @classmethod
    def _optional_int(cls, v: Any) -> int | None:
        return _int(v)

    @field_validator("recipients", mode="before")
    @classmethod
    def _recipients(cls, v: Any) -> tuple[int, ...]:
        # The doc's own example holds a placeholder string: skip what is no integer.
        if not isinstance(v, list | tuple):
            return ()
        return tuple(r for r in v if isinstance(r, int) and not isinstance(r, bool))

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> tuple[str, ...]:
        # {"id": "name"}; PHP encodes an empty one as []; tolerate a list of names too.
        if isinstance(v, dict):
            return tuple(str(name) for name in v.values() if name is not None)
        if isinstance(v, list | tuple):
            names = (t.get("name") if isinstance(t, dict) else t for t in v)
            return tuple(str(n) for n in names if n is not None)
        return ()

    @field_validator("dateTime", mode="after")
    @classmethod
    def _zone(cls, v: datetime, info: ValidationInfo) -> datetime:
        # the vendor's zone comes in the validation context (`ProcuriosConnector`)
        zone = info.context.get("zone", UTC) if info.context else UTC
        return _utc(v, zone)

    def involves(self, relation: int) -> bool:
        """Whether `relationIds=relation` lists this moment."""
        return relation in self.relations

    @cached_property
    def relations(self) -> frozenset[int]:
        """Every relation whose `relationIds` lists this moment: sender, recipients."""
        if self.senderId is None:
            return frozenset(self.recipients)
        return frozenset((self.senderId, *self.recipients))


class PageCache:
    """List pages for `ttl` seconds, least recently used dropped past `size` pages.

    (`cachetools` is not installed; this is the small part of it needed here.)
    """

    def __init__(self, ttl: float, size: int = PAGE_CACHE_PAGES) -> None:
        self.ttl = ttl
        self.size = size
        self._pages: OrderedDict[Hashable, tuple[float, list[PcMoment]]] = OrderedDict()

    def get(self, key: Hashable) -> list[PcMoment] | None:
        found = self._pages.get(key)
        if found is None:
            return None
        if time.monotonic() >= found[0]:
            del self._pages[key]
            return None
        self._pages.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, page: list[PcMoment]) -> None:
        if self.ttl <= 0:
            return
        self._pages[key] = (time.monotonic() + self.ttl, page)
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()


class MomentType(_Lenient):
    """A contact moment type (`addable`: whether the API may create one)."""

    id: str
    title: str | None = None
    addable: bool = False


def moment_to_interaction(
    m: PcMoment,
    relation: int | None,
    titles: Mapping[str, str],
    account: str | None,
) -> Interaction:
    """A moment as seen from `relation` (None: no one's view, no direction)."""
    direction: Direction | None = None
    if relation is not None:
        if relation in m.recipients:
            direction = Direction.OUTBOUND
        elif m.senderId == relation:
            direction = Direction.INBOUND
    stamp = wire_time(m.dateTime)
    return Interaction(
        source=VendorRef(Vendor.PROCURIOS, str(m.id)),
        occurred_at=m.dateTime,
        channel=CHANNELS.get(m.type or "", Channel.OTHER),
        vendor_type=m.type,
        direction=direction,
        subject=m.subject,
        body=m.contents or None,
        tags=m.tags,
        detail=ContactMomentDetail(
            type_title=titles.get(m.type or ""),
            reference=m.reference,
            sender=m.sender,
            sender_id=m.senderId,
            recipient_ids=m.recipients,
            action_code=m.action,
        ),
        contact_account=account,
        node_key=f"{'' if relation is None else relation}|{stamp}|{m.id}",
    )


def _group_filter(f: InteractionFilter) -> InteractionFilter:
    """The filter without its LiveVox account: reads of different contacts that differ
    only there can share one combined stream (the account is only stamped on items)."""
    return dataclasses.replace(f, contact_account=None)


class ProcuriosConnector(Connector):
    vendor: ClassVar[Vendor] = Vendor.PROCURIOS
    # Client input's shapes (trunkline/shapes.py) and a history's cost (cost.py).
    id_shapes: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "contact": re.compile(r"\d{1,18}"),  # a relation id
        "interaction": re.compile(
            r"(\d{1,18})?\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\|\d{1,18}"
        ),
    }
    history_cost: ClassVar[HistoryCost] = HistoryCost(
        "page",
        PAGE_SIZE,
        needs_contact=False,
        lookup_calls=3,  # typical; capped
    )
    default_contact_key: ClassVar[str] = "link"
    # Pages follow one another, and a merge waits on the combined stream before
    # reading other vendors' older windows: it starts first.
    read_order: ClassVar[int] = 0
    batch_reads: ClassVar[bool] = True  # one relationIds stream for many contacts
    # In embedded mode LiveVox custom field COL5 holds the Procurios relation id.
    embedded_options: ClassVar[Mapping[str, Any]] = {"contact_key": "custom_field:COL5"}
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "list": Endpoint("GET", BASE, "page", PAGE_SIZE, batch_key="relationIds"),
        "types": Endpoint("GET", f"{BASE}/types"),
        "tags": Endpoint("GET", f"{BASE}/tags"),
        "schema": Endpoint("GET", f"{BASE}/type/{{type}}/schema"),
        "create": Endpoint("POST", f"{BASE}/type/{{type}}", idempotent=False),
    }

    def __init__(self, settings: VendorSettings, http: VendorHTTP) -> None:
        super().__init__(settings, http)
        self.zone = vendor_zone(self.option("timezone", "UTC"))
        self._context = {"zone": self.zone}
        self._types: tuple[float, list[MomentType]] | None = None  # (fetched at, types)
        self._types_lock = asyncio.Lock()
        self._pages = PageCache(float(self.option("page_cache_s", PAGE_CACHE_S)))

    # ---- auth ----------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        token = self.settings.secret("TOKEN") or (
            "embedded" if self.settings.embedded else ""
        )
        return {"Accept": ACCEPT, "Authorization": f"Bearer {token}"}

    def auth_expired(self, response: Answer) -> bool:
        # A static token: asking again cannot help, so a 401 is a plain rejection.
        return False

    # ---- payloads ----------------------------------------------------------------
    def _protocol(self, what: str) -> VendorProtocolError:
        return VendorProtocolError(self.name, f"PROCURIOS: {what}")

    def _moments(self, body: Any) -> list[PcMoment]:
        if not isinstance(body, list):
            raise self._protocol("the contact moment list was not a list")
        if len(body) > PAGE_SIZE:  # the doc: 25 a page; positions count on it
            raise self._protocol(
                f"a contact moment page held {len(body)} items, more than {PAGE_SIZE}"
            )
        try:
            context = self._context
            moments = [PcMoment.model_validate(m, context=context) for m in body]
        except ValidationError as exc:
            raise self._protocol(
                f"malformed contact moment: {exc.errors()[0]['msg']}"
            ) from None
        self._check_order(moments)
        return moments

    def _check_order(self, moments: Sequence[PcMoment]) -> None:
        """Newest first, as positions, floors and the merge need: a page out of that
        order is an error, not a misread history. (In a zone with DST, the repeated
        hour of a fall-back is read as its first occurrence; a step back within it is
        the vendor's order, not an error.)"""
        for newer, older in itertools.pairwise(moments):
            ahead = older.dateTime - newer.dateTime
            if ahead <= timedelta(0):
                continue
            if ahead <= timedelta(hours=2) and (
                _ambiguous(newer.dateTime, self.zone)
                or _ambiguous(older.dateTime, self.zone)
            ):
                continue
            raise self._protocol(
                "the contact moment list is not newest first (moment "
                f"{older.id} at {older.dateTime:%Y-%m-%dT%H:%M:%SZ} follows moment "
                f"{newer.id} at {newer.dateTime:%Y-%m-%dT%H:%M:%SZ})"
            )

    async def _page(
        self, page: int, relations: Sequence[int] | None, since: datetime | None
    ) -> list[PcMoment]:
        params: dict[str, Any] = {"page": page}
        if relations is not None:
            params["relationIds"] = ",".join(map(str, relations))
        if since is not None:
            # The vendor's `since` is "created or updated since": a superset, so the
            # filter is still applied locally. One second earlier: the doc does not
            # say whether its own second is included.
            params["since"] = wire_time(since - ONE_SECOND, self.zone)
        # Positions count items, and a merged page consumes only part of a batch, so
        # the next request resumes inside pages already read: reuse them for a while
        # (one snapshot per walk, too: no repeats if moments arrive meanwhile).
        key = tuple(sorted(params.items()))
        cached = self._pages.get(key)
        if cached is not None:
            return cached
        response = await self.call("list", params=params)
        moments = self._moments(self.parse(response))
        self._pages.put(key, moments)
        return moments

    # ---- types, tags, schemas ----------------------------------------------------
    async def list_types(self) -> list[MomentType]:
        """The moment types, cached for `TYPES_TTL_S` (titles feed every detail)."""
        async with self._types_lock:
            now = time.monotonic()
            if self._types is not None and now - self._types[0] < TYPES_TTL_S:
                return self._types[1]
            response = await self.call("types")
            body = self.parse(response)
            if not isinstance(body, list):
                raise self._protocol("the type list was not a list")
            try:
                types = [MomentType.model_validate(t) for t in body]
            except ValidationError as exc:
                raise self._protocol(
                    f"malformed type: {exc.errors()[0]['msg']}"
                ) from None
            self._types = (now, types)
            return types

    async def _titles(self, needed: bool) -> Mapping[str, str]:
        """Type titles when the selection shows them; a failure only loses titles."""
        if not needed:
            return {}
        try:
            types = await self.list_types()
        except Exception as exc:  # the moments themselves still answer
            log.warning("procurios: no type titles (%s)", type(exc).__name__)
            return {}
        return {t.id: t.title for t in types if t.title}

    async def list_tags(self) -> dict[str, str]:
        """Tag id -> name (an empty object may arrive as `[]`)."""
        body = self.parse(await self.call("tags"))
        if isinstance(body, dict):
            return {str(k): str(v) for k, v in body.items()}
        if isinstance(body, list):
            return {
                str(t["id"]): str(t.get("name", t["id"]))
                for t in body
                if isinstance(t, dict) and "id" in t
            }
        raise self._protocol("the tag list was not an object")

    async def type_schema(self, type: str) -> dict[str, Any]:
        """The type's JSON schema (draft-07); the vendor wraps it in a list."""
        response = await self.call("schema", path_params={"type": type})
        body = self.parse(response)
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if not isinstance(body, dict):
            raise self._protocol("the schema was not an object")
        return body

    async def create_moment(self, type: str, payload: Mapping[str, Any]) -> int:
        """Create a moment; answers its id. The vendor validates against the type's
        schema and answers 400 (VendorRejected, with its message) on a failure.
        (`jsonschema` is not installed, so no local validation before the call.)"""
        response = await self.call(
            "create", path_params={"type": type}, json=dict(payload)
        )
        self._pages.clear()  # the new moment must show in the next read
        body = self.parse(response)
        created = _int(body.get("contactMomentId")) if isinstance(body, dict) else None
        if created is None:
            raise self._protocol("create answered no contactMomentId")
        return created

    def moment_sender(self) -> int | None:
        """`[vendors.procurios] sender`: the relation id moments are logged as sent
        by; embedded, one of the simulator's employees."""
        raw = self.option("sender", EMBEDDED_SENDER if self.settings.embedded else None)
        return _int(raw)

    async def created_moment(
        self, type: str, payload: Mapping[str, Any], moment_id: int, relation: int
    ) -> Interaction:
        """A moment just created, as `relation`'s history shows it, from what was
        sent (the create answers only its id)."""
        m = PcMoment.model_validate(
            {**payload, "id": moment_id, "type": type, "tags": ()},
            context=self._context,
        )
        return moment_to_interaction(m, relation, await self._titles(True), None)

    # The doc: "contents" is a phone-specific field (its schema does not name it).
    contents_types: ClassVar[frozenset[str]] = frozenset({"ContactMomentPhone"})

    def moment_time(self, at: datetime) -> str:
        """A time as `dateTime` takes it: zone-less, in the vendor's zone."""
        return wire_time(at, self.zone)

    async def ready(self) -> None:
        await self.list_types()

    # ---- interaction history -----------------------------------------------------
    def history_applies(self, key: str | None, filter: InteractionFilter) -> bool:
        # Without a key the list covers every relation: right for the history of
        # everyone, wrong for one contact's history (someone without a Procurios id
        # would be shown everybody's moments).
        return key is not None or filter.contact_account is None

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> Sequence[Batch[Interaction] | BaseException]:
        """Start-of-stream reads sharing filter and fields go into one combined
        `relationIds` stream; reads of a relation a stream of this request (`scope`)
        follows are answered from it; other resumed reads and cross-relation reads go
        alone."""
        out: list[Batch[Interaction] | BaseException | None] = [None] * len(reads)
        groups: dict[tuple[InteractionFilter, frozenset[str]], list[Slot]] = {}
        jobs: list[tuple[list[int], Awaitable[list[Batch[Interaction]]]]] = []
        for index, read in enumerate(reads):
            relation = None if read.key is None else _int(read.key)
            live = (
                None
                if relation is None or scope is None
                else scope.get(_live_key(relation, read))
            )
            if read.key is not None and relation is None:
                # No relation has a non-integer id; asking would 400 the whole batch.
                log.warning("procurios: relation key is not an integer")
                out[index] = Batch([], None)
            elif live is not None and relation is not None:
                jobs.append(([index], self._resume(live, read, relation)))
            elif relation is None or count_of(json_position(read.position)) > 0:
                jobs.append(([index], self._alone(read, relation)))
            else:
                group = (_group_filter(read.filter), read.fields)
                groups.setdefault(group, []).append(Slot(index, read, relation))
        for slots in groups.values():
            for chunk in _chunks(slots):
                jobs.append(([s.index for s in chunk], self._combined(chunk, scope)))
        results = await asyncio.gather(
            *(job for _, job in jobs), return_exceptions=True
        )
        for (indexes, _), result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                for index in indexes:
                    out[index] = result
            else:
                for index, batch in zip(indexes, result, strict=True):
                    out[index] = batch
        return [
            r if r is not None else self._protocol("read not answered") for r in out
        ]

    async def _alone(
        self, read: HistoryRead, relation: int | None
    ) -> list[Batch[Interaction]]:
        """One read on its own (single relation or all of them) through the pages."""
        relations = None if relation is None else [relation]
        account = read.filter.contact_account

        async def fetch(page: int) -> list[Interaction]:
            moments, titles = await asyncio.gather(
                self._page(page, relations, read.filter.since),
                self._titles(bool(TITLE_FIELDS & read.fields)),
            )
            return [
                moment_to_interaction(m, relation, titles, account) for m in moments
            ]

        batch = await read_pages(
            fetch,
            json_position(read.position),
            page_size=PAGE_SIZE,
            limit=read.limit,
            keep=read.filter.matches,
        )
        return [batch]

    async def _combined(
        self, slots: list[Slot], scope: ReadScope | None
    ) -> list[Batch[Interaction]]:
        """Start-of-stream reads of several relations, one combined stream.

        Each relation's moments seen are a prefix of its own stream, so its batch
        counts positions in its own stream and resumes with a single-relation read.
        Within a request (`scope`), the stream keeps reading in the background and
        answers each read as soon as it can (see `procurios_stream`)."""
        read = slots[0].read  # filter (less the account) and fields are shared
        since = read.filter.since
        with_titles = bool(TITLE_FIELDS & read.fields)

        async def fetch(
            page: int, relations: list[int]
        ) -> tuple[list[PcMoment], Mapping[str, str]]:
            if not with_titles:  # no task hop: the first page is on the chain
                return await self._page(page, relations, since), {}
            moments, titles = await asyncio.gather(
                self._page(page, relations, since), self._titles(with_titles)
            )
            return moments, titles

        stream = SharedStream(slots, fetch, moment_to_interaction)
        await stream.step()  # the first page right away, errors to every slot
        if scope is None:
            while not stream.stopped:
                await stream.step()
            return [
                stream.batch(s, 0, s.read.limit, s.read.filter.matches) for s in slots
            ]
        for s in slots:
            scope.setdefault(_live_key(s.relation, s.read), (stream, s))
        if not stream.stopped:
            stream.task = scope.spawn(stream.run())
        answers = await asyncio.gather(
            *(stream.serve(s, 0, 0, s.read.limit, s.read.filter.matches) for s in slots)
        )
        out: list[Batch[Interaction]] = []
        for s, answer in zip(slots, answers, strict=True):
            if answer is None:  # the stream stopped short of it: read it alone
                (answer,) = await self._alone(s.read, s.relation)
            out.append(answer)
        return out

    async def _resume(
        self, live: tuple[SharedStream, Slot], read: HistoryRead, relation: int
    ) -> list[Batch[Interaction]]:
        """A read of a relation a shared stream of this request follows or followed."""
        stream, slot = live
        position = json_position(read.position)
        batch = await stream.serve(
            slot,
            count_of(position),
            pages_seen(position),
            read.limit,
            read.filter.matches,
        )
        if batch is None:
            return await self._alone(read, relation)
        return [batch]

    async def get_interaction(self, token: str) -> Interaction | None:
        """Read back `relation|dateTime|id`. With `since` = its dateTime the list
        holds the moment after those dated later (plus older ones edited since, which
        come after it): page until found or until the list order has passed it. An
        old moment of a busy relation costs a few pages; the vendor has no `until`."""
        parts = token.split("|")
        if len(parts) != 3:
            return None
        relation_text, stamp, id_text = parts
        relation = _int(relation_text) if relation_text else None
        moment_id = _int(id_text)
        try:
            at = datetime.strptime(stamp, WIRE_TIME).replace(tzinfo=UTC)
        except ValueError:
            return None
        if moment_id is None or (relation_text and relation is None):
            return None
        relations = None if relation is None else [relation]
        # `since` is on the vendor's clock ("created or updated since"), the dateTime
        # on whoever wrote it (the gateway stamps a new moment with its own): ask from
        # CLOCK_SLACK before it, or before now for a moment dated ahead. Moments in the
        # slack sort after this one, so it costs no more pages.
        since = min(at, datetime.now(UTC)) - CLOCK_SLACK
        page = 1
        while True:
            moments = await self._page(page, relations, since)
            for m in moments:
                if m.id == moment_id and (relation is None or m.involves(relation)):
                    titles = await self._titles(True)
                    item = moment_to_interaction(m, relation, titles, None)
                    # the relation the moment was checked to involve (none: no one's)
                    item.contact_key = relation_text or None
                    return item
                # past its second in list order (ties may come in any id order)
                if m.dateTime < at:
                    return None
            if len(moments) < PAGE_SIZE or page >= LOOKUP_PAGES:
                return None
            page += 1


def _live_key(
    relation: int, read: HistoryRead
) -> tuple[str, int, InteractionFilter, frozenset[str]]:
    return ("shared", relation, read.filter, read.fields)


def _chunks(slots: list[Slot]) -> Iterable[list[Slot]]:
    """Slots in groups of at most `MAX_RELATIONS_PER_CALL` distinct relations."""
    chunk: list[Slot] = []
    relations: set[int] = set()
    for slot in slots:
        if slot.relation not in relations and len(relations) == MAX_RELATIONS_PER_CALL:
            yield chunk
            chunk, relations = [], set()
        chunk.append(slot)
        relations.add(slot.relation)
    if chunk:
        yield chunk


CONNECTOR = ProcuriosConnector

__all__ = [
    "CONNECTOR",
    "MomentType",
    "PcMoment",
    "ProcuriosConnector",
    "moment_to_interaction",
    "wire_time",
]
