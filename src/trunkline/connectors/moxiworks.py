"""MoxiWorks Platform ActionLog: an agent's log of a contact, as interaction history.

Auth is HTTP Basic on every call plus the versioned `Accept` header; the platform's
session cookie is kept here and sent back (the shared clients keep no cookie jar). Every call names the
agent (exactly one naming, from configuration) and the contact by `partner_contact_id`
(our LiveVox account). The index answers one window of at most 90 days, whole, so a
history is walked window by window (`pagination.window`).

The doc makes `date_min` exclusive ("later than"), CONTRACT.md inclusive; `date_max` is
exclusive in both. Each call asks from one second before its window and keeps only the
window's own entries, so it is exact under either reading (and under an inclusive
`date_max` too). The vendor caps a call at 90 days from `date_min`, so a window spans
90 days less that second. Entries are sorted here, whatever order they come in.
"""

from __future__ import annotations

import base64
import math
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Required

from pydantic import BeforeValidator, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from trunkline.config import VendorSettings
from trunkline.connectors.base import (
    Connector,
    Endpoint,
    HistoryCost,
    HistoryRead,
    ReadScope,
    answer_each,
    json_position,
)
from trunkline.connectors.transport import Answer, VendorHTTP
from trunkline.connectors.wire import clean_text
from trunkline.details.moxiworks import ActionLogDetail
from trunkline.domain import (
    Address,
    Channel,
    Interaction,
    InteractionFilter,
    Vendor,
    VendorRef,
)
from trunkline.errors import (
    BadUserInput,
    ConfigError,
    VendorNotFound,
    VendorProtocolError,
    VendorRejected,
)
from trunkline.pagination.merge import Batch
from trunkline.pagination.window import read_windows

DAY_S = 86_400
WINDOW_S = 90 * DAY_S  # the platform's cap on one index call
# A window of the walk: the call asks from one second earlier, within the cap.
STEP_S = WINDOW_S - 1
MAX_TEXT = 4999
ACCEPT = "application/vnd.moxi-platform+json;version=1"
DEFAULT_HORIZON_DAYS = 1825

AGENT_KEYS = ("agent_uuid", "moxi_works_agent_id", "source_agent_id")
COMPANY_KEYS = ("moxi_works_company_id", "parent_company_id")

CHANNELS: Mapping[str, Channel] = {
    "call": Channel.PHONE,
    "email": Channel.EMAIL,
    "text": Channel.SMS,
    "mail": Channel.LETTER,
    "meeting": Channel.FACE_TO_FACE,
    "inperson": Channel.FACE_TO_FACE,
}


def _seconds_up(moment: datetime) -> int:
    """A datetime as whole Unix seconds, rounded up: `ts >= moment` iff `ts >= result`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the domain's times are UTC
    return math.ceil(moment.timestamp())


# The wire shapes are TypedDicts, validated straight from the answer's bytes: a window
# holds up to a few hundred entries, and models with a text validator per field cost
# about 10 µs an entry (1.5 ms for a 148-entry window against 0.2 ms). Text is cleaned
# in `to_interaction`, which reads every field declared here.
def _log_id(v: Any) -> str:
    if v is None or v == "" or isinstance(v, dict | list):
        raise ValueError("missing moxi_works_action_log_id")
    return str(v)


class MoxiLogData(TypedDict, total=False):
    agent_action: Any  # any scalar, read as text; objects and lists as nothing
    agent_action_address: Any
    agent_action_address2: Any
    agent_action_city: Any
    agent_action_state: Any
    agent_action_zip: Any
    title: Any
    body: Any


class MoxiAction(TypedDict, total=False):
    moxi_works_action_log_id: Required[Annotated[Any, BeforeValidator(_log_id)]]
    type: str | None
    timestamp: Required[int]
    log_data: MoxiLogData | None


class MoxiIndex(TypedDict, total=False):
    partner_contact_id: Any
    moxi_works_contact_id: Any
    actions: list[MoxiAction] | None
    status: Any


class MoxiCreated(MoxiAction, total=False):
    partner_contact_id: Any
    moxi_works_contact_id: Any


_INDEX: TypeAdapter[MoxiIndex] = TypeAdapter(MoxiIndex)
_CREATED: TypeAdapter[MoxiCreated] = TypeAdapter(MoxiCreated)
_LOG_DATA: TypeAdapter[MoxiLogData] = TypeAdapter(MoxiLogData)
_NO_DATA: MoxiLogData = {}


def _address(data: MoxiLogData) -> Address | None:
    parts = (
        clean_text(data.get("agent_action_address")),
        clean_text(data.get("agent_action_address2")),
        clean_text(data.get("agent_action_city")),
        clean_text(data.get("agent_action_state")),
        clean_text(data.get("agent_action_zip")),
    )
    if parts == _NO_PLACE:  # most entries name no place: no Address built
        return None
    return Address(*parts)


_NO_PLACE = (None, None, None, None, None)


def to_interaction(
    action: MoxiAction,
    partner_contact_id: str,
    moxi_works_contact_id: str | None,
    account: str | None = None,
) -> Interaction:
    data = action.get("log_data") or _NO_DATA
    kind = action.get("type")
    ts, log_id = action["timestamp"], action["moxi_works_action_log_id"]
    agent_action = clean_text(data.get("agent_action"))
    title = clean_text(data.get("title"))
    # Positional: a window holds a few hundred entries, and keywords cost.
    return Interaction(
        VendorRef(Vendor.MOXIWORKS, log_id),
        datetime.fromtimestamp(ts, UTC),
        CHANNELS.get(kind.lower(), Channel.ACTION_LOG) if kind else Channel.ACTION_LOG,
        kind,
        None,  # direction
        title or agent_action,  # subject
        clean_text(data.get("body")),
        None,  # status
        (),  # tags
        ActionLogDetail(
            agent_action,
            _address(data),
            title,
            partner_contact_id,
            moxi_works_contact_id,
        ),
        account or partner_contact_id,
        f"{partner_contact_id}|{ts}|{log_id}",
    )


def _newest_first(a: MoxiAction) -> tuple[int, str]:
    return -a["timestamp"], a["moxi_works_action_log_id"]


class MoxiWorksConnector(Connector):
    vendor: ClassVar[Vendor] = Vendor.MOXIWORKS
    # Client input's shapes (trunkline/shapes.py) and a history's cost (cost.py).
    id_shapes: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "contact": re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+:-]{0,127}"),
        "interaction": re.compile(
            r"[A-Za-z0-9][A-Za-z0-9_.@+:-]{0,127}\|\d{1,12}\|[A-Za-z0-9_-]{1,64}"
        ),
    }
    history_cost: ClassVar[HistoryCost] = HistoryCost("date_window", window_s=WINDOW_S)
    # partner_contact_id is "your system's unique ID for the contact": the account
    default_contact_key: ClassVar[str] = "account"
    read_order: ClassVar[int] = 1  # windows follow one another
    embedded_options: ClassVar[Mapping[str, Any]] = {
        # the embedded simulator's agent (a literal: the simulator is not imported)
        "agent_uuid": "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10",
    }
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "index": Endpoint("GET", "/api/action_logs", "date_window"),
        "create": Endpoint("POST", "/api/action_logs", idempotent=False),
        "delete": Endpoint(
            "DELETE",
            "/api/action_logs/{moxi_works_action_log_id}",
            idempotent=False,
        ),
    }

    _agent: dict[str, str] | None = None
    _authorization: str | None = None

    def __init__(self, settings: VendorSettings, http: VendorHTTP) -> None:
        super().__init__(settings, http)
        self._cookies: dict[str, str] = {}  # the platform's session cookie

    # ---- auth and identity -------------------------------------------------------
    def _credential(self, key: str, embedded_default: str) -> str:
        # Basic auth is sent with every call: a missing secret is a config error now,
        # not a 401 later.
        value = self.credential(key, embedded_default)
        if value:
            return value
        raise ConfigError(
            f"[vendors.moxiworks]: set TRUNKLINE_MOXIWORKS_{key} "
            "(the partner's platform identifier and secret)"
        )

    def auth_headers(self) -> dict[str, str]:
        if self._authorization is None:
            user = self._credential("USERNAME", "trunkline")
            password = self._credential("PASSWORD", "embedded")
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self._authorization = f"Basic {token}"
        headers = {"Authorization": self._authorization, "Accept": ACCEPT}
        if self._cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self._cookies.items())
        return headers

    def on_response(self, response: Answer) -> None:
        for raw in response.headers.get_list("set-cookie"):
            pair = raw.split(";", 1)[0]
            name, sep, value = pair.partition("=")
            if sep and name.strip():
                self._cookies[name.strip()] = value.strip()

    def forget_auth(self) -> None:
        # Basic credentials are static; a 401 may mean the platform dropped our session
        self._cookies.clear()

    def _setting(self, key: str) -> str | None:
        """A non-secret identity option from the config table or the environment."""
        value = self.settings.options.get(key)
        if value is None or value == "":
            value = self.settings.secret(key.upper())
        return clean_text(value)

    def agent_params(self) -> dict[str, str]:
        """The agent naming every call carries: exactly one of AGENT_KEYS."""
        if self._agent is None:
            named = {k: v for k in AGENT_KEYS if (v := self._setting(k))}
            if not named:  # nothing configured: the embedded simulator's agent
                named = {k: str(v) for k in AGENT_KEYS if (v := self.option(k))}
            if len(named) != 1:
                raise ConfigError(
                    "[vendors.moxiworks]: name the agent by exactly one of "
                    + ", ".join(AGENT_KEYS)
                    + (f" (found {', '.join(sorted(named))})" if named else "")
                    + "; TRUNKLINE_MOXIWORKS_AGENT_UUID also works"
                )
            if "source_agent_id" in named:
                company = {k: v for k in COMPANY_KEYS if (v := self._setting(k))}
                if not company:
                    raise ConfigError(
                        "[vendors.moxiworks]: source_agent_id needs "
                        "moxi_works_company_id or parent_company_id"
                    )
                named.update(company)
            self._agent = named
        return dict(self._agent)

    # ---- errors ------------------------------------------------------------------
    def check(self, response: Answer) -> None:
        status = response.status_code
        if status == 401:
            raise VendorRejected(
                self.name,
                "MOXIWORKS: credentials rejected "
                "(check TRUNKLINE_MOXIWORKS_USERNAME / _PASSWORD)",
                status=status,
            )
        if status == 404 and self._agent_unknown(response):
            # a configuration problem, not a missing record
            raise VendorRejected(
                self.name,
                "MOXIWORKS: the configured agent is unknown to the platform "
                f"({self.error_message(response)}); check the agent options in "
                "[vendors.moxiworks]",
                status=status,
            )
        super().check(response)

    def _agent_unknown(self, response: Answer) -> bool:
        # CONTRACT.md: the index answers an unknown contact with an empty list, so its
        # 404 is the agent, unless the message names only the contact (a platform that
        # answers 404 for an unknown contact: then an empty history, see fetch_window).
        message = self.error_message(response).lower()
        if "agent" in message:
            return True
        try:
            if response.request.method == "GET":
                return "contact" not in message
        except RuntimeError:  # a response built without a request
            pass
        return False

    def _body(self, response: Answer) -> dict[str, Any]:
        body = self.parse(response)
        if not isinstance(body, dict):
            raise VendorProtocolError(self.name, "MOXIWORKS: answer was not an object")
        if body.get("status") in ("error", "fail"):  # an error body under a 2xx
            raise VendorRejected(
                self.name, f"MOXIWORKS: {self.error_message(response)}"
            )
        return body

    def _protocol_error(self, exc: ValidationError) -> VendorProtocolError:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return VendorProtocolError(
            self.name, f"MOXIWORKS: malformed answer at {where}: {first['msg']}"
        )

    # ---- the index -----------------------------------------------------------------
    async def fetch_window(
        self, partner_contact_id: str, start: int, end: int, account: str | None = None
    ) -> list[Interaction]:
        """One window `[start, end)` of a contact's log, newest first (ties: id).

        At most `STEP_S` seconds: the call asks from `start - 1` (the doc's exclusive
        `date_min`) and the platform stops 90 days after that."""
        if end - start > STEP_S:
            raise ValueError(f"a MoxiWorks window spans at most {STEP_S} s")
        params = {
            **self.agent_params(),
            "partner_contact_id": partner_contact_id,
            "date_min": start - 1,
            "date_max": end,
        }
        try:
            response = await self.call("index", params=params)
        except VendorNotFound:  # an unknown contact (see _agent_unknown): no entries
            return []
        try:
            page = _INDEX.validate_json(response.content)
        except ValidationError as exc:
            self._body(response)  # an error body or no JSON object: that error
            raise self._protocol_error(exc) from None
        if page.get("status") in ("error", "fail"):
            self._body(response)
        moxi_id = clean_text(page.get("moxi_works_contact_id"))
        # Keep exactly [start, end), whichever way the platform reads its bounds.
        actions = [
            a for a in page.get("actions") or () if start <= a["timestamp"] < end
        ]
        # CONTRACT.md says newest last; sorted here whatever comes
        # (`Interaction.sort_key`'s order).
        actions.sort(key=_newest_first)
        return [
            to_interaction(a, partner_contact_id, moxi_id, account) for a in actions
        ]

    def history_applies(self, key: str | None, filter: InteractionFilter) -> bool:
        return key is not None  # the index needs a contact

    def _bounds(self, f: InteractionFilter) -> tuple[int, int]:
        now = time.time()
        until = _seconds_up(f.until) if f.until else math.floor(now) + 1
        if f.since:
            since = _seconds_up(f.since)
        else:
            days = float(self.option("history_horizon_days", DEFAULT_HORIZON_DAYS))
            since = math.ceil(now - days * DAY_S)
        return until, since

    async def _read(self, read: HistoryRead) -> Batch[Interaction]:
        key = read.key
        if key is None:
            raise VendorRejected(self.name, "MOXIWORKS: the index needs a contact")
        until, since = self._bounds(read.filter)
        account = read.filter.contact_account

        async def fetch(start: int, end: int) -> list[Interaction]:
            return await self.fetch_window(key, start, end, account)

        return await read_windows(
            fetch,
            json_position(read.position),
            until=until,
            since=since,
            step=STEP_S,
            limit=read.limit,
            keep=read.filter.matches,
            floor_of=Interaction.floor_key,
        )

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> Sequence[Batch[Interaction] | BaseException]:
        """Each read walks its own windows; a failure stays in that read's slot."""
        return await answer_each(reads, self._read)

    async def get_interaction(self, token: str) -> Interaction | None:
        """By node key `partner|timestamp|id`: read the one second that holds it."""
        partner, sep, rest = token.rpartition("|")
        partner, sep2, raw_ts = partner.rpartition("|")
        log_id = rest
        if not (sep and sep2 and partner and log_id):
            return None
        try:
            ts = int(raw_ts)
        except ValueError:
            return None
        for item in await self.fetch_window(partner, ts, ts + 1):
            if item.source.vendor_id == log_id:
                item.contact_key = partner  # the window is the partner's own
                return item
        return None

    # ---- writes --------------------------------------------------------------------
    @staticmethod
    def _checkclean_text(name: str, value: str) -> None:
        if not 1 <= len(value) <= MAX_TEXT:
            raise BadUserInput(
                f"ActionLog {name} must be 1 to {MAX_TEXT} characters long "
                f"(got {len(value)})."
            )

    async def create_action_log(
        self,
        partner_contact_id: str,
        title: str,
        body: str,
        agent_action: str | None = None,
        address: Address | None = None,
    ) -> Interaction:
        self._checkclean_text("title", title)
        self._checkclean_text("body", body)
        payload: dict[str, Any] = {
            **self.agent_params(),
            "partner_contact_id": partner_contact_id,
            "title": title,
            "body": body,
        }
        if agent_action:
            payload["agent_action"] = agent_action
        if address is not None:
            fields = {
                "agent_action_address": address.line1,
                "agent_action_address2": address.line2,
                "agent_action_city": address.city,
                "agent_action_state": address.state,
                "agent_action_zip": address.postal_code,
            }
            payload.update({k: v for k, v in fields.items() if v})
        response = await self.call("create", json=payload)
        raw = self._body(response)
        try:
            created = _CREATED.validate_python(raw)
            if created.get("log_data") is None:  # fields may come flat, as sent
                created["log_data"] = _LOG_DATA.validate_python(raw)
            if not created.get("type"):  # the index's type is the agent_action
                created["type"] = agent_action or "manual"
        except ValidationError as exc:
            raise self._protocol_error(exc) from None
        return to_interaction(
            created,
            clean_text(created.get("partner_contact_id")) or partner_contact_id,
            clean_text(created.get("moxi_works_contact_id")),
        )

    async def delete_action_log(self, partner_contact_id: str, log_id: str) -> bool:
        """True when the platform deleted it; False when it knows no such entry."""
        params = {**self.agent_params(), "partner_contact_id": partner_contact_id}
        try:
            response = await self.call(
                "delete",
                path_params={"moxi_works_action_log_id": log_id},  # escaped by call
                params=params,
            )
        except VendorNotFound:
            return False
        return bool(self._body(response).get("deleted"))

    async def ready(self) -> None:
        """One authenticated index call for a dummy contact over one second."""
        now = math.floor(time.time())
        await self.fetch_window("trunkline-readiness", now - 1, now)


CONNECTOR = MoxiWorksConnector

__all__ = ["CONNECTOR", "MoxiWorksConnector", "to_interaction"]
