"""SoundBite Engage: campaigns, sub-campaigns, contact batches and contact attempts.

Engage is a SOAP 1.1 service (the shared base speaks it: `Connector.soap`): every
operation is `POST /engage/api` with its `SOAPAction`, WS-Security credentials in the
header, and faults mapped by their code (`FAULT_CODES`). Lists are capped
(listContactAttempts 500, listSubCampaignStates 100, ...) and answer RESULT_TOO_LARGE
past the cap: timed lists are read in windows that split themselves
(`pagination.window.read_split_windows`). Every record belongs to one account, the
configured `org_id`.
"""

from __future__ import annotations

import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from trunkline.campaigns import (
    BatchOutcome,
    BatchState,
    Campaign,
    CampaignPass,
    ComplianceRule,
    ContactAttempt,
    ContactBatch,
    NewBatch,
    NewContact,
    OutreachStrategy,
    Ref,
    Script,
    SubCampaign,
    SubCampaignState,
)
from trunkline.config import VendorSettings
from trunkline.connectors.base import (
    Connector,
    Endpoint,
    HistoryRead,
    ReadScope,
    answer_each,
    json_position,
)
from trunkline.connectors.soap import as_list, flat, returns, to_value
from trunkline.connectors.transport import VendorHTTP
from trunkline.domain import (
    Channel,
    Direction,
    Interaction,
    InteractionFilter,
    Vendor,
    VendorRef,
)
from trunkline.errors import (
    ConfigError,
    ConnectorError,
    VendorConflict,
    VendorInvalidState,
    VendorNotFound,
    VendorProtocolError,
    VendorRejected,
    VendorResultTooLarge,
)
from trunkline.pagination.merge import Batch
from trunkline.pagination.window import read_split_windows

PATH = "/engage/api"
NAMESPACE = "urn:engage"
MAX_BATCH_CONTACTS = 100  # createContactBatch's cap per call
DAY_S = 86_400
# Sub-campaigns are listed from their campaign's creation to this far ahead (a
# sub-campaign may be scheduled to start later).
AHEAD = timedelta(days=366)

DEFAULT_HORIZON_DAYS = 1825
# An attempt's channel as a history's: calls are attempts, texts and mails as sent.
HISTORY_CHANNELS: Mapping[str, Channel] = {
    "Voice": Channel.CALL_ATTEMPT,
    "SMS": Channel.SMS,
    "Email": Channel.EMAIL,
}
HISTORY_CHANNEL_SET = frozenset({*HISTORY_CHANNELS.values(), Channel.OTHER})

T = TypeVar("T")


def _op(action: str, cap: int | None = None, *, idempotent: bool = True) -> Endpoint:
    return Endpoint(
        "POST",
        PATH,
        paging="date_window" if cap else "none",
        max_page_size=cap,
        idempotent=idempotent,
        soap_action=action,
    )


# The doc's fault codes; any other is a refusal (VendorRejected).
FAULT_CODES: Mapping[str, type[ConnectorError]] = {
    "OBJECT_NOT_EXISTS": VendorNotFound,
    "OBJECT_EXISTS": VendorConflict,
    "INVALID_STATE": VendorInvalidState,
    "RESULT_TOO_LARGE": VendorResultTooLarge,
    # a limit on what exists (active campaigns, scripts), not a rate: not retried
    "SYSTEM_LIMIT_EXCEEDED": VendorRejected,
    "NO_SESSION": VendorRejected,
}

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,99}")


def valid_id(value: str) -> bool:
    """An Engage id or externalId as the gateway passes it on (bounded, plain)."""
    return _ID.fullmatch(value) is not None


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _int(v: Any) -> int | None:
    try:
        return int(v) if isinstance(v, str) else None
    except ValueError:
        return None


def _time(v: Any) -> datetime | None:
    if not isinstance(v, str):
        return None
    try:
        moment = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    # the doc: dateTime values are UTC
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ref(v: Any) -> Ref | None:
    if not isinstance(v, dict):
        return None
    return Ref(_text(v.get("internalId")), _text(v.get("externalId")))


def _dict(v: Any, what: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise VendorProtocolError("engage", f"ENGAGE: malformed {what} in the answer")
    return v


def _required(v: Mapping[str, Any], key: str, what: str) -> str:
    value = _text(v.get(key))
    if value is None:
        raise VendorProtocolError("engage", f"ENGAGE: {what} without {key}")
    return value


def _campaign(v: Any) -> Campaign:
    d = _dict(v, "Campaign")
    return Campaign(
        id=_required(d, "internalId", "Campaign"),
        external_id=_text(d.get("externalId")),
        name=_text(d.get("name")),
        description=_text(d.get("description")),
        created_at=_time(d.get("createdDate")),
        outreach_strategy=_ref(d.get("outreachStrategy")),
        default_agent_group=_ref(d.get("defaultAgentGroup")),
    )


def _state(v: Any) -> SubCampaignState:
    try:
        return SubCampaignState(v)
    except ValueError:
        return SubCampaignState.UNKNOWN


def _sub_campaign(v: Any) -> SubCampaign:
    d = _dict(v, "SubCampaignState")
    sub = _dict(d.get("subCampaign"), "SubCampaign")
    campaign = _ref(sub.get("campaign"))
    if campaign is None or campaign.id is None:
        raise VendorProtocolError("engage", "ENGAGE: SubCampaign without its campaign")
    passes = tuple(
        CampaignPass(
            name=_text(p.get("name")),
            channel=_text(p.get("channel")),
            pacing=_text(p.get("pacing")),
            contacts_per_minute=_int(p.get("contactsPerMinute")),
        )
        for p in as_list(sub.get("pass"))
        if isinstance(p, dict)
    )
    return SubCampaign(
        id=_required(sub, "internalId", "SubCampaign"),
        external_id=_text(sub.get("externalId")),
        name=_text(sub.get("name")),
        campaign_id=campaign.id,
        state=_state(d.get("state")),
        vendor_state=_text(d.get("state")),
        starts_at=_time(d.get("fromDate") or sub.get("fromDate")),
        agent_group=_ref(sub.get("agentGroup")),
        passes=passes,
    )


def _batch_state(v: Any) -> BatchState:
    try:
        return BatchState(v)
    except ValueError:
        return BatchState.UNKNOWN


def _contact_batch(v: Any) -> ContactBatch:
    d = _dict(v, "ContactBatchState")
    batch = d.get("contactBatch") if isinstance(d.get("contactBatch"), dict) else d
    assert isinstance(batch, dict)
    campaign = _ref(batch.get("campaign"))
    return ContactBatch(
        id=_text(batch.get("internalId")),
        external_id=_required(batch, "externalId", "ContactBatch"),
        campaign_id=campaign.id if campaign is not None else None,
        state=_batch_state(d.get("state") or batch.get("state")),
        created_at=_time(batch.get("createdDate")),
        contact_count=_int(d.get("contactCount")),
        attempted_count=_int(d.get("attemptedCount")),
        completed_count=_int(d.get("completedCount")),
    )


def _attempt(f: Mapping[str, str | None]) -> ContactAttempt:
    """An attempt from its `<return>`'s leaves (`soap.flat`): a busy window answers
    hundreds, read field by field."""
    started = _time(f.get("startTime"))
    if started is None:
        raise VendorProtocolError("engage", "ENGAGE: ContactAttempt without startTime")
    return ContactAttempt(
        id=_required(f, "internalId", "ContactAttempt"),
        contact_key=f.get("contact.externalId"),
        device=f.get("contact.device.externalId"),
        channel=f.get("channel"),
        result=f.get("result"),
        started_at=started,
        duration_s=_int(f.get("duration")),
        campaign_id=f.get("campaign.internalId"),
        sub_campaign_id=f.get("subCampaign.internalId"),
        contact_batch_id=f.get("contactBatch.internalId"),
    )


@dataclass(slots=True)
class _Row:
    """A listed attempt: its order key now, its fields when shown (a busy window
    answers hundreds and a page shows a few)."""

    key: list[Any]
    element: ET.Element

    def attempt(self) -> ContactAttempt:
        return _attempt(flat(self.element))


def _row(element: ET.Element) -> _Row:
    # the two leaves every row needs, found by the C lookup for unqualified children;
    # namespace-qualified ones (the doc shows neither form) take the general reader
    started, ident = element.findtext("startTime"), element.findtext("internalId")
    if started is None or ident is None:
        f = flat(element)
        started, ident = f.get("startTime"), f.get("internalId")
    moment = _time(started.strip() if started else None)
    if moment is None:
        raise VendorProtocolError("engage", "ENGAGE: ContactAttempt without startTime")
    ident = (ident or "").strip()
    if not ident:
        raise VendorProtocolError("engage", "ENGAGE: ContactAttempt without internalId")
    return _Row(
        [_seconds(moment), int(ident) if ident.isdigit() else 0, ident], element
    )


def _row_key(row: _Row) -> list[Any]:
    return row.key


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


class EngageConnector(Connector):
    vendor: ClassVar[Vendor] = Vendor.ENGAGE
    soap_namespace: ClassVar[str] = NAMESPACE
    fault_codes: ClassVar[Mapping[str, type[ConnectorError]]] = FAULT_CODES
    embedded_options: ClassVar[Mapping[str, Any]] = {"org_id": "1001"}
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "listCampaigns": _op("listCampaigns", 1000),
        "listSubCampaignStates": _op("listSubCampaignStates", 100),
        "showSubCampaignState": _op("showSubCampaignState"),
        "changeSubCampaignState": _op("changeSubCampaignState", idempotent=False),
        "listContactBatchStates": _op("listContactBatchStates", 1000),
        "showContactBatchState": _op("showContactBatchState"),
        "changeContactBatchState": _op("changeContactBatchState", idempotent=False),
        "createContactBatch": _op("createContactBatch", idempotent=False),
        "listComplianceRules": _op("listComplianceRules", 1000),
        "listScripts": _op("listScripts", 1000),
        "listOutreachStrategy": _op("listOutreachStrategy", 100),
        "listContactAttempts": _op("listContactAttempts", 500),
        "showContactAttempts": _op("showContactAttempts"),
    }
    # As an interaction source: a contact's attempts, by its externalId at Engage
    # (the LiveVox account by default), one listContactAttempts per contact (the
    # sample names one contact: no batch form), split only past the cap.
    default_contact_key: ClassVar[str] = "account"
    read_order: ClassVar[int] = 2
    batch_reads: ClassVar[bool] = False

    def __init__(self, settings: VendorSettings, http: VendorHTTP) -> None:
        super().__init__(settings, http)
        org = self.option("org_id")
        if not org or not valid_id(str(org)):
            raise ConfigError(
                f"[vendors.engage] org_id = {org!r}: expected the internalId of the "
                "Engage account"
            )

    def soap_credentials(self) -> tuple[str, str]:
        return (
            self.credential("USERNAME", "trunkline"),
            self.credential("PASSWORD", "embedded"),
        )

    @property
    def org(self) -> dict[str, str]:
        return {"internalId": str(self.option("org_id", ""))}

    async def ready(self) -> None:
        await self.soap("listOutreachStrategy", {"org": self.org})

    async def _list(self, endpoint: str, args: Mapping[str, Any]) -> list[Any]:
        return [to_value(r) for r in returns(await self.soap(endpoint, args))]

    async def _attempt_list(
        self, endpoint: str, args: Mapping[str, Any]
    ) -> list[ContactAttempt]:
        return [_attempt(flat(r)) for r in returns(await self.soap(endpoint, args))]

    async def _windows(
        self,
        fetch: Callable[[int, int], Awaitable[Sequence[T]]],
        key_of: Callable[[T], Sequence[Any]],
        since: datetime,
        until: datetime,
    ) -> list[T]:
        """Everything in [since, until), in windows that split on RESULT_TOO_LARGE."""
        got = await read_split_windows(
            fetch,
            None,
            until=_seconds(until),
            since=_seconds(since),
            step=max(1, _seconds(until) - _seconds(since)),
            limit=10**9,
            key_of=key_of,
            too_large=VendorResultTooLarge,
        )
        return [item for item, _ in got.items]

    # ---- campaigns ---------------------------------------------------------------------
    async def list_campaigns(self) -> list[Campaign]:
        # null dates: every campaign (the doc); past 1,000 the list is refused
        rows = await self._list("listCampaigns", {"org": self.org})
        return [_campaign(r) for r in rows]

    async def sub_campaigns(
        self, campaigns: Sequence[Campaign]
    ) -> dict[str, list[SubCampaign]]:
        """The sub-campaigns (with state and passes) of these campaigns: one
        listSubCampaignStates over the account, split while it is too large."""
        wanted = {c.id for c in campaigns}
        out: dict[str, list[SubCampaign]] = {c: [] for c in wanted}
        if not wanted:
            return out
        created = [c.created_at for c in campaigns if c.created_at is not None]
        since = min(created) if created else datetime(2000, 1, 1, tzinfo=UTC)
        until = datetime.now(UTC) + AHEAD

        async def fetch(start: int, end: int) -> list[SubCampaign]:
            rows = await self._list(
                "listSubCampaignStates",
                {
                    "org": self.org,
                    "sample": {"state": "All"},
                    "fromTime": _iso(start),
                    "toTime": _iso(end),
                },
            )
            subs = [_sub_campaign(r) for r in rows]
            # bounds are the caller's: keep [start, end) whatever the vendor includes
            return sorted(
                (
                    s
                    for s in subs
                    if s.starts_at is None or start <= _seconds(s.starts_at) < end
                ),
                key=_sub_key,
                reverse=True,
            )

        seen: set[str] = set()
        for sub in await self._windows(fetch, _sub_key, since, until):
            if sub.campaign_id in out and sub.id not in seen:
                seen.add(sub.id)
                out[sub.campaign_id].append(sub)
        for subs in out.values():
            subs.sort(key=lambda s: (s.starts_at or since, s.name or "", s.id))
        return out

    async def get_sub_campaign(self, sub_campaign_id: str) -> SubCampaign | None:
        try:
            rows = await self._list(
                "showSubCampaignState",
                {"subCampaign": {"internalId": sub_campaign_id}},
            )
        except VendorNotFound:
            return None
        return _sub_campaign(rows[0]) if rows else None

    async def change_sub_campaign_state(
        self, sub_campaign_id: str, state: SubCampaignState
    ) -> SubCampaign:
        rows = await self._list(
            "changeSubCampaignState",
            {
                "subCampaignState": {
                    "subCampaign": {"internalId": sub_campaign_id},
                    "state": state.value,
                }
            },
        )
        if not rows:
            raise VendorProtocolError("engage", "ENGAGE: empty changeSubCampaignState")
        return _sub_campaign(rows[0])

    # ---- contact batches ---------------------------------------------------------------
    async def contact_batches(
        self, since: datetime, until: datetime
    ) -> list[ContactBatch]:
        async def fetch(start: int, end: int) -> list[ContactBatch]:
            rows = await self._list(
                "listContactBatchStates",
                {"fromTime": _iso(start), "toTime": _iso(end)},
            )
            batches = [_contact_batch(r) for r in rows]
            return sorted(
                (
                    b
                    for b in batches
                    if b.created_at is None or start <= _seconds(b.created_at) < end
                ),
                key=_batch_key,
                reverse=True,
            )

        return await self._windows(fetch, _batch_key, since, until)

    async def get_contact_batch(self, external_id: str) -> ContactBatch | None:
        try:
            rows = await self._list(
                "showContactBatchState", {"contactBatch": {"externalId": external_id}}
            )
        except VendorNotFound:
            return None
        return _contact_batch(rows[0]) if rows else None

    async def cancel_contact_batch(self, external_id: str) -> ContactBatch:
        rows = await self._list(
            "changeContactBatchState",
            {
                "contactBatchState": {
                    "contactBatch": {"externalId": external_id},
                    "state": "Cancelled",
                }
            },
        )
        if not rows:
            raise VendorProtocolError("engage", "ENGAGE: empty changeContactBatchState")
        return _contact_batch(rows[0])

    async def create_contact_batch(
        self, batch: NewBatch, contacts: Sequence[NewContact]
    ) -> BatchOutcome:
        """Contacts in chunks of 100 (the doc's cap). The first chunk that lands
        defines the batch; later chunks name it by its internalId. A chunk that
        fails is reported for each of its contacts; the others are kept."""
        outcome = BatchOutcome(batch=None, errors=[None] * len(contacts))
        defined: str | None = None
        for at in range(0, len(contacts), MAX_BATCH_CONTACTS):
            chunk = contacts[at : at + MAX_BATCH_CONTACTS]
            if defined is None:
                spec: dict[str, Any] = {
                    "externalId": batch.external_id,
                    "campaign": {"internalId": batch.campaign_id}
                    if batch.campaign_id
                    else None,
                    "owner": self.org,
                    "outreachStrategy": _id_ref(batch.outreach_strategy_id),
                    "script": _id_ref(batch.script_id),
                    "agentGroup": _id_ref(batch.agent_group_id),
                    "maxDuration": batch.max_duration_minutes,
                }
            else:
                spec = {"internalId": defined}
            outcome.calls += 1
            try:
                rows = await self._list(
                    "createContactBatch",
                    {
                        "contactBatch": spec,
                        "contacts": [_contact(c) for c in chunk],
                    },
                )
            except ConnectorError as exc:
                refused = isinstance(exc, VendorRejected | VendorProtocolError)
                if defined is None and not refused:
                    raise  # nothing landed: the vendor's failure is the answer
                # after a chunk landed, any failure is only its own chunk's: the
                # contacts that landed are reported, not hidden behind one error
                if defined is None and isinstance(exc, VendorConflict):
                    # the batch exists already (its externalId is taken): the other
                    # chunks would be refused alike, so they are not sent
                    outcome.errors = [exc] * len(contacts)
                    break
                for n in range(at, at + len(chunk)):
                    outcome.errors[n] = exc
                continue
            if rows:
                made = _contact_batch(rows[0])
                defined = made.id or defined
                outcome.batch = made
        if outcome.batch is not None:
            # createContactBatch answers the ContactBatch, not its counts: what was
            # accepted here is what the batch holds now
            accepted = sum(1 for e in outcome.errors if e is None)
            b = outcome.batch
            outcome.batch = ContactBatch(
                b.id, b.external_id, b.campaign_id, b.state, b.created_at,
                accepted, None, None,
            )  # fmt: skip
        return outcome

    # ---- account lists -----------------------------------------------------------------
    async def compliance_rules(self) -> list[ComplianceRule]:
        rows = await self._list("listComplianceRules", {"org": self.org})
        return [
            ComplianceRule(
                id=_required(
                    _dict(r, "ComplianceRule"), "internalId", "ComplianceRule"
                ),
                type=_text(r.get("type")),
                name=_text(r.get("name")),
                description=_text(r.get("description")),
            )
            for r in rows
        ]

    async def scripts(self) -> list[Script]:
        rows = await self._list("listScripts", {"org": self.org})
        return [
            Script(
                id=_required(_dict(r, "Script"), "internalId", "Script"),
                external_id=_text(r.get("externalId")),
                name=_text(r.get("name")),
                type=_text(r.get("type")),
            )
            for r in rows
        ]

    async def outreach_strategies(self) -> list[OutreachStrategy]:
        rows = await self._list("listOutreachStrategy", {"org": self.org})
        return [
            OutreachStrategy(
                id=_required(
                    _dict(r, "OutreachStrategy"), "internalId", "OutreachStrategy"
                ),
                external_id=_text(r.get("externalId")),
                name=_text(r.get("name")),
                channel=_text(r.get("channel")),
            )
            for r in rows
        ]

    # ---- the interaction history --------------------------------------------------------
    def history_applies(self, key: str | None, filter: InteractionFilter) -> bool:
        if key is None or not valid_id(key):
            return False  # attempts are listed per contact
        if filter.direction is Direction.INBOUND:
            return False  # every attempt is outbound
        return not filter.channels or bool(filter.channels & HISTORY_CHANNEL_SET)

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> Sequence[Batch[Interaction] | BaseException]:
        return await answer_each(reads, self._read_history)

    async def _read_history(self, read: HistoryRead) -> Batch[Interaction]:
        assert read.key is not None
        f = read.filter
        now = time.time()
        until = (
            datetime.fromtimestamp(math.ceil(f.until.timestamp()), UTC)
            if f.until
            else datetime.fromtimestamp(math.floor(now) + 1, UTC)
        )
        if f.since:
            since = datetime.fromtimestamp(math.ceil(f.since.timestamp()), UTC)
        else:
            days = float(self.option("history_horizon_days", DEFAULT_HORIZON_DAYS))
            since = datetime.fromtimestamp(math.ceil(now - days * DAY_S), UTC)
        if since >= until:
            return Batch([], None)
        got = await self.contact_attempts(
            read.key, since, until, json_position(read.position), read.limit
        )
        items = [(_history_item(a), after) for a, after in got.items]
        return Batch([(i, p) for i, p in items if f.matches(i)], got.next)

    async def get_interaction(self, token: str) -> Interaction | None:
        if not valid_id(token):
            return None
        try:
            rows = await self._attempt_list(
                "showContactAttempts", {"contactAttempts": [{"internalId": token}]}
            )
        except VendorNotFound:
            return None
        if not rows:
            return None
        attempt = rows[0]
        item = _history_item(attempt)
        item.contact_key = attempt.contact_key  # the contact's externalId
        return item

    # ---- contact attempts --------------------------------------------------------------
    async def attempts_window(
        self, contact_key: str, start: int, end: int
    ) -> list[ContactAttempt]:
        """One listContactAttempts window, [start, end), newest first (the doc states
        no order and no bound inclusivity: both are settled here)."""
        return [r.attempt() for r in await self._rows(contact_key, start, end)]

    async def _rows(self, contact_key: str, start: int, end: int) -> list[_Row]:
        response = await self.soap(
            "listContactAttempts",
            {
                "org": self.org,
                "sample": {"contact": {"externalId": contact_key}},
                "fromTime": _iso(start),
                "toTime": _iso(end),
            },
        )
        rows = [_row(r) for r in returns(response)]
        kept = [r for r in rows if start <= r.key[0] < end]
        kept.sort(key=_row_key, reverse=True)
        return kept

    async def contact_attempts(
        self,
        contact_key: str,
        since: datetime,
        until: datetime,
        position: object,
        limit: int,
        *,
        trim: bool = False,
        step_s: int | None = None,
        on_split: Callable[[int, int], None] | None = None,
    ) -> Batch[ContactAttempt]:
        """A contact's attempts, newest first, from `position` (None: `until`). A
        window is read whole; `trim` keeps only `limit` of it (a page that will not
        ask again), and only those are read field by field."""
        lo, hi = _seconds(since), _seconds(until)

        async def fetch(start: int, end: int) -> list[_Row]:
            return await self._rows(contact_key, start, end)

        got = await read_split_windows(
            fetch,
            position,
            until=hi,
            since=lo,
            step=step_s or max(1, hi - lo),
            limit=limit,
            key_of=_row_key,
            too_large=VendorResultTooLarge,
            on_split=on_split,
        )
        items, after = got.items, got.next
        if trim and len(items) > limit > 0:
            items, after = items[:limit], items[limit - 1][1]
        return Batch([(row.attempt(), p) for row, p in items], after)


def _history_item(a: ContactAttempt) -> Interaction:
    return Interaction(
        source=VendorRef(Vendor.ENGAGE, a.id),
        occurred_at=a.started_at,
        channel=HISTORY_CHANNELS.get(a.channel or "", Channel.OTHER),
        vendor_type=a.channel,
        direction=Direction.OUTBOUND,
        subject=f"{a.channel or 'Contact'} attempt",
        status=a.result,
        node_key=a.id,
    )


def _sub_key(s: SubCampaign) -> list[Any]:
    return [_seconds(s.starts_at) if s.starts_at else 0, s.id]


def _batch_key(b: ContactBatch) -> list[Any]:
    return [_seconds(b.created_at) if b.created_at else 0, b.id or "", b.external_id]


def _id_ref(value: str | None) -> dict[str, str] | None:
    return {"internalId": value} if value else None


def _contact(c: NewContact) -> dict[str, Any]:
    devices = [
        {"externalId": d, "type": kind}
        for d, kind in ((c.phone, "Phone"), (c.email, "Email"))
        if d
    ]
    return {
        "externalId": c.external_id,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "device": devices or None,
    }


CONNECTOR = EngageConnector

__all__ = ["CONNECTOR", "FAULT_CODES", "EngageConnector", "valid_id"]
