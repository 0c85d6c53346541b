"""SoundBite Engage simulator: the campaign methods over SOAP 1.1, strictly.

Every call is `POST /engage/api` with `SOAPAction: "<method>"` naming the Body's element,
a WS-Security `UsernameToken` with the configured credentials, and the doc's arguments.
Answers are `<methodResponse>` with one `<return>` per item, or a `soap:Fault` (HTTP
500) whose `faultcode` is the doc's error code. Lists answer `RESULT_TOO_LARGE` past
their caps; time windows follow the doc's fromTime/toTime tables (24 hours by default).

What the doc leaves open is a knob (`PUT /_sim/knobs`): the order of listed attempts
(`attempt_order`: "asc" or "desc") and whether a window's `toTime` is included
(`to_inclusive`). The doc lists no fault for a changeSubCampaignState its state does
not allow; this simulator answers `INVALID_STATE` (CONTRACT.md's list), and the gateway
checks the state before it asks. Bad credentials answer `wsse:FailedAuthentication`,
the WS-Security fault code.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trunkline.safe_xml import parse_xml
from trunkline.simulators.base import Faults, anchor_now, simulator_app
from trunkline.simulators.engage_data import (
    ACCOUNT_ID,
    STATES,
    SYNTHETIC,
    EngageData,
    generate,
    iso,
    ref,
)
from trunkline.simulators.seeded import fresh

PATH = "/engage/api"
NS = "urn:engage"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
DEFAULT_USERNAME = "trunkline"
DEFAULT_PASSWORD = "embedded"
DAY = timedelta(hours=24)
MAX_CONTACTS = 100

# The doc's caps per list method.
CAPS = {
    "listCampaigns": 1000,
    "listSubCampaignStates": 100,
    "listContactBatchStates": 1000,
    "listContactAttempts": 500,
    "listScripts": 1000,
    "listComplianceRules": 1000,
    "listOutreachStrategy": 100,
}
# changeSubCampaignState: the states it may set, and from which states.
TRANSITIONS = {
    "Paused": {"Running"},
    "Running": {"Paused", "Pending"},
    "Done": {"Loading", "Running", "Paused", "Pending"},
    "Stopping": {"Loading", "Running", "Paused", "Pending"},
}


@dataclass
class EngageKnobs:
    attempt_order: str = "desc"  # the doc states no order for listContactAttempts
    to_inclusive: bool = False  # nor whether toTime is in the window


class Fault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return text or None
    out: dict[str, Any] = {}
    for child in children:
        name, value = _local(child.tag), _value(child)
        if name in out:
            held = out[name]
            out[name] = _Many(
                [*held, value] if isinstance(held, _Many) else [held, value]
            )
        else:
            out[name] = value
    return out


class _Many(list[Any]):
    pass


def _many(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _xml(out: list[str], name: str, value: Any) -> None:
    """`value` as elements named `name` (mappings nest, lists repeat, None is absent),
    written as text: a busy window answers thousands of elements."""
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _xml(out, name, item)
    elif isinstance(value, Mapping):
        out.append(f"<{name}>")
        for k, v in value.items():
            _xml(out, k, v)
        out.append(f"</{name}>")
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        out.append(f"<{name}>{escape(text)}</{name}>")


def _envelope(body: list[str]) -> bytes:
    return "".join(
        [
            "<?xml version='1.0' encoding='utf-8'?>",
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>',
            *body,
            "</soap:Body></soap:Envelope>",
        ]
    ).encode()


def soap_fault(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body: list[str] = ["<soap:Fault>"]
    _xml(body, "faultcode", code)
    _xml(body, "faultstring", message)
    body.append("</soap:Fault>")
    return Response(
        _envelope(body), status, headers=headers, media_type="text/xml; charset=utf-8"
    )


def _knob_fault(status: int, message: str, headers: dict[str, str]) -> Response:
    # the fault knobs, as Engage would answer them: refused credentials as the
    # WS-Security fault, another 4xx as the caller's fault, the rest as the server's
    if status == 401:
        code = "wsse:FailedAuthentication"
    elif 400 <= status < 500:
        code = "soap:Client"
    else:
        code = "soap:Server"
    return soap_fault(status, code, message, headers)


def _answer(method: str, items: list[Any] | Any) -> Response:
    body = [f'<e:{method}Response xmlns:e="{NS}">']
    for item in items if isinstance(items, list) else [items]:
        _xml(body, "return", item)
    body.append(f"</e:{method}Response>")
    return Response(_envelope(body), 200, media_type="text/xml; charset=utf-8")


def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Fault("ARG_INVALID_TYPE", f"Argument is of invalid type '{name}'")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Fault(
            "ARG_INVALID_TYPE", f"Argument is of invalid type '{name}'"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _window(args: dict[str, Any], now: datetime) -> tuple[datetime, datetime]:
    """The doc's fromTime/toTime table (24 hours by default)."""
    start, end = (
        _time(args.get("fromTime"), "fromTime"),
        _time(args.get("toTime"), "toTime"),
    )
    if start is None and end is None:
        return now - DAY, now
    if end is None:
        assert start is not None
        return start, start + DAY
    if start is None:
        return end - DAY, end
    if start >= end:
        raise Fault("ARG_INVALID_TYPE", "Argument is of invalid type 'fromTime'")
    return start, end


class Engine:
    def __init__(
        self, data: EngageData, knobs: EngageKnobs, clock: Callable[[], datetime]
    ) -> None:
        self.d = data
        self.knobs = knobs
        self.clock = clock

    # ---- references ----------------------------------------------------------------
    def org(self, args: dict[str, Any]) -> dict[str, Any]:
        given = args.get("org")
        if not isinstance(given, dict):
            raise Fault("ARG_NULL", "Invalid Data, argument 'org' must be non-null")
        if given.get("internalId"):
            found = self.d.orgs.get(given["internalId"])
        else:
            found = next(
                (
                    o
                    for o in self.d.orgs.values()
                    if o["externalId"] == given.get("externalId")
                    and o["type"] == given.get("type")
                ),
                None,
            )
        if found is None:
            raise Fault("OBJECT_NOT_EXISTS", "Referenced object 'org' does not exist")
        return found

    def _by_id(
        self, table: Mapping[str, dict[str, Any]], given: Any, name: str
    ) -> dict[str, Any]:
        if not isinstance(given, dict) or not (
            given.get("internalId") or given.get("externalId")
        ):
            raise Fault("ARG_NULL", f"Invalid Data, argument '{name}' must be non-null")
        if given.get("internalId"):
            found = table.get(given["internalId"])
        else:
            found = next(
                (
                    r
                    for r in table.values()
                    if r.get("externalId") == given["externalId"]
                ),
                None,
            )
        if found is None:
            raise Fault(
                "OBJECT_NOT_EXISTS", f"Referenced object '{name}' does not exist"
            )
        return found

    @staticmethod
    def _capped(method: str, items: list[Any]) -> list[Any]:
        if len(items) > CAPS[method]:
            raise Fault("RESULT_TOO_LARGE", "Result returned would be too large")
        return items

    # ---- campaigns ---------------------------------------------------------------------
    def listCampaigns(self, a: dict[str, Any]) -> list[Any]:
        self.org(a)
        lo = _date(a.get("fromDate"), "fromDate")
        hi = _date(a.get("toDate"), "toDate")
        out = [
            c
            for c in self.d.campaigns.values()
            if (lo is None or c["createdDate"][:10] >= lo)
            and (hi is None or c["createdDate"][:10] <= hi)
        ]
        return self._capped("listCampaigns", out)

    def showCampaign(self, a: dict[str, Any]) -> Any:
        return self._by_id(self.d.campaigns, a.get("campaign"), "campaign")

    def _state_of(self, sub: dict[str, Any]) -> dict[str, Any]:
        return {
            "subCampaign": sub,
            "state": self.d.states[sub["internalId"]],
            "fromDate": sub["fromDate"],
        }

    def listSubCampaignStates(self, a: dict[str, Any]) -> list[Any]:
        self.org(a)
        sample = a.get("sample") if isinstance(a.get("sample"), dict) else {}
        assert isinstance(sample, dict)
        state = sample.get("state")
        if state is not None and state not in SYNTHETIC:
            raise Fault("ARG_INVALID_TYPE", "Argument is of invalid type 'state'")
        wide = state in (None, "Done", "All")
        now = self.clock()
        start = _time(a.get("fromTime"), "fromTime")
        end = _time(a.get("toTime"), "toTime")
        if start is None and wide:
            start = now - DAY
        if end is None and wide:
            end = now + DAY
        keep = SYNTHETIC[state or "All"]
        embedded = (
            sample.get("subCampaign")
            if isinstance(sample.get("subCampaign"), dict)
            else {}
        )
        assert isinstance(embedded, dict)
        campaign = (
            embedded.get("campaign")
            if isinstance(embedded.get("campaign"), dict)
            else {}
        )
        assert isinstance(campaign, dict)
        out = []
        for sub in self.d.sub_campaigns.values():
            at = _time(sub["fromDate"], "fromDate")
            assert at is not None
            if self.d.states[sub["internalId"]] not in keep:
                continue
            if (start is not None and at < start) or (end is not None and at > end):
                continue
            if (
                campaign.get("internalId")
                and sub["campaign"]["internalId"] != campaign["internalId"]
            ):
                continue
            out.append(sub)
        out.sort(
            key=lambda s: (
                s["fromDate"],
                self.d.campaigns[s["campaign"]["internalId"]]["name"],
                s["name"],
            )
        )
        return self._capped("listSubCampaignStates", [self._state_of(s) for s in out])

    def showSubCampaignState(self, a: dict[str, Any]) -> Any:
        sub = self._by_id(self.d.sub_campaigns, a.get("subCampaign"), "subCampaign")
        return self._state_of(sub)

    def changeSubCampaignState(self, a: dict[str, Any]) -> Any:
        given = a.get("subCampaignState")
        if not isinstance(given, dict):
            raise Fault(
                "ARG_NULL", "Invalid Data, argument 'subCampaignState' must be non-null"
            )
        sub = self._by_id(self.d.sub_campaigns, given.get("subCampaign"), "subCampaign")
        target = given.get("state")
        if target is None:
            raise Fault("ARG_NULL", "Invalid Data, argument 'state' must be non-null")
        if target not in TRANSITIONS:
            raise Fault("ARG_INVALID_TYPE", f"Argument is of invalid type '{target}'")
        current = self.d.states[sub["internalId"]]
        if current not in TRANSITIONS[target]:
            raise Fault(
                "INVALID_STATE",
                f"SubCampaign in state {current} cannot change to {target}",
            )
        self.d.states[sub["internalId"]] = "Done" if target == "Stopping" else target
        return self._state_of(sub)

    # ---- contact batches ---------------------------------------------------------------
    def _batch_state(self, b: dict[str, Any]) -> dict[str, Any]:
        return {
            "contactBatch": {k: v for k, v in b.items() if k not in _COUNTS},
            "state": b["state"],
            **{k: b[k] for k in _COUNTS if k in b},
        }

    def listContactBatchStates(self, a: dict[str, Any]) -> list[Any]:
        start, end = _window(a, self.clock())
        sample = a.get("sample") if isinstance(a.get("sample"), dict) else {}
        assert isinstance(sample, dict)
        campaign = (
            sample.get("campaign") if isinstance(sample.get("campaign"), dict) else {}
        )
        assert isinstance(campaign, dict)
        out = []
        for b in self.d.batches.values():
            at = _time(b["createdDate"], "createdDate")
            assert at is not None
            if not (start <= at < end or (self.knobs.to_inclusive and at == end)):
                continue
            if (
                campaign.get("internalId")
                and b["campaign"]["internalId"] != campaign["internalId"]
            ):
                continue
            out.append(self._batch_state(b))
        return self._capped("listContactBatchStates", out)

    def showContactBatchState(self, a: dict[str, Any]) -> Any:
        return self._batch_state(
            self._by_id(self.d.batches, a.get("contactBatch"), "contactBatch")
        )

    def changeContactBatchState(self, a: dict[str, Any]) -> Any:
        given = a.get("contactBatchState")
        if not isinstance(given, dict):
            raise Fault(
                "ARG_NULL",
                "Invalid Data, argument 'contactBatchState' must be non-null",
            )
        batch = self._by_id(self.d.batches, given.get("contactBatch"), "contactBatch")
        if given.get("state") != "Cancelled":
            raise Fault(
                "ARG_INVALID_TYPE",
                f"Argument is of invalid type '{given.get('state')}'",
            )
        if batch["state"] in ("Done", "Cancelled"):
            raise Fault(
                "INVALID_STATE",
                f"ContactBatch in state {batch['state']} cannot be cancelled",
            )
        batch["state"] = "Cancelled"
        return self._batch_state(batch)

    def createContactBatch(self, a: dict[str, Any]) -> Any:
        given = a.get("contactBatch")
        if not isinstance(given, dict):
            raise Fault(
                "ARG_NULL", "Invalid Data, argument 'contactBatch' must be non-null"
            )
        if a.get("override") is not None:
            raise Fault("ARG_INVALID_TYPE", "Argument is of invalid type 'override'")
        contacts = _many(a.get("contacts"))
        if not contacts:
            raise Fault(
                "ARG_NULL", "Invalid Data, argument 'contacts' must be non-null"
            )
        if len(contacts) > MAX_CONTACTS:
            raise Fault(
                "ARG_TOO_LARGE",
                "Invalid Data, argument 'contacts' exceeds allowed size",
            )
        for contact in contacts:
            if not isinstance(contact, dict) or not contact.get("externalId"):
                raise Fault(
                    "ARG_NULL",
                    "Invalid Data, argument 'contact.externalId' must be non-null",
                )
            for device in _many(contact.get("device")):
                number = device.get("externalId") if isinstance(device, dict) else None
                phone = isinstance(device, dict) and device.get("type") == "Phone"
                if phone and not (number or "").isdigit():
                    raise Fault(
                        "ARG_INVALID_TYPE", "Argument is of invalid type 'device'"
                    )
        if given.get("internalId"):  # a later use of a defined batch: add contacts
            batch = self._by_id(self.d.batches, given, "contactBatch")
            for key in ("outreachStrategy", "script", "agentGroup"):
                if given.get(key) is not None and given.get(key) != batch.get(key):
                    raise Fault(
                        "ARG_INVALID_TYPE", f"Argument is of invalid type '{key}'"
                    )
            batch["contactCount"] += len(contacts)
            return self._batch_public(batch)
        owner = given.get("owner")
        if not isinstance(owner, dict) or owner.get("internalId") != ACCOUNT_ID:
            raise Fault("ARG_NULL", "Invalid Data, argument 'owner' must be non-null")
        if given.get("maxDuration") is None:
            raise Fault(
                "ARG_NULL", "Invalid Data, argument 'maxDuration' must be non-null"
            )
        campaign = given.get("campaign")
        if campaign is not None:
            campaign = self._by_id(self.d.campaigns, campaign, "campaign")
        else:
            campaign = next(iter(self.d.campaigns.values()))
        external = given.get("externalId")
        if external and any(
            b.get("externalId") == external
            and b["campaign"]["internalId"] == campaign["internalId"]
            for b in self.d.batches.values()
        ):
            raise Fault("OBJECT_EXISTS", f"Object '{external}' already exists")
        self.d.next_id += 1
        bid = str(self.d.next_id)
        batch = {
            "internalId": bid,
            "externalId": external,
            "campaign": ref(campaign["internalId"], campaign["externalId"]),
            "owner": ref(ACCOUNT_ID),
            "outreachStrategy": given.get("outreachStrategy"),
            "script": given.get("script"),
            "agentGroup": given.get("agentGroup"),
            "state": "Pending",
            "createdDate": iso(self.clock()),
            "contactCount": len(contacts),
            "attemptedCount": 0,
            "completedCount": 0,
        }
        self.d.batches[bid] = batch
        return self._batch_public(batch)

    @staticmethod
    def _batch_public(batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if k not in _COUNTS}

    # ---- org lists ---------------------------------------------------------------------
    def listScripts(self, a: dict[str, Any]) -> list[Any]:
        self.org(a)
        return self._capped("listScripts", self.d.scripts)

    def listComplianceRules(self, a: dict[str, Any]) -> list[Any]:
        self.org(a)
        return self._capped("listComplianceRules", self.d.rules)

    def listOutreachStrategy(self, a: dict[str, Any]) -> list[Any]:
        self.org(a)
        sample = a.get("sample")
        out = [
            s
            for s in self.d.strategies
            if not isinstance(sample, dict)
            or all(s.get(k) == v for k, v in sample.items())
        ]
        return self._capped("listOutreachStrategy", out)

    # ---- attempts ----------------------------------------------------------------------
    def showContactAttempts(self, a: dict[str, Any]) -> list[Any]:
        given = _many(a.get("contactAttempts"))
        if not given:
            raise Fault(
                "ARG_NULL", "Invalid Data, argument 'contactAttempts' must be non-null"
            )
        if len(given) > 100:
            raise Fault(
                "ARG_TOO_LARGE",
                "Invalid Data, argument 'contactAttempts' exceeds allowed size",
            )
        out = []
        for item in given:
            key = item.get("internalId") if isinstance(item, dict) else None
            if not key:
                raise Fault(
                    "ARG_NULL", "Invalid Data, argument 'internalId' must be non-null"
                )
            found = self.d.by_id.get(key)
            if found is None:
                raise Fault(
                    "OBJECT_NOT_EXISTS", f"Referenced object '{key}' does not exist"
                )
            out.append(found)
        return out

    def listContactAttempts(self, a: dict[str, Any]) -> list[Any]:
        self.org(a)
        sample = a.get("sample")
        contact = sample.get("contact") if isinstance(sample, dict) else None
        if not isinstance(contact, dict):
            raise Fault("ARG_NULL", "Invalid Data, argument 'sample' must be non-null")
        key = contact.get("externalId")
        if key is None and isinstance(contact.get("device"), dict):
            key = self.d.devices.get(contact["device"].get("externalId") or "", "")
        if key is None:
            raise Fault("ARG_NULL", "Invalid Data, argument 'sample' must be non-null")
        start, end = _window(a, self.clock())
        out = [
            attempt
            for at, attempt in self.d.attempts.get(key, ())
            if start <= at < end or (self.knobs.to_inclusive and at == end)
        ]
        if self.knobs.attempt_order == "asc":
            out.reverse()
        return self._capped("listContactAttempts", out)


_COUNTS = ("contactCount", "attemptedCount", "completedCount")
OPERATIONS = frozenset(
    {
        "listCampaigns",
        "showCampaign",
        "listSubCampaignStates",
        "showSubCampaignState",
        "changeSubCampaignState",
        "listContactBatchStates",
        "showContactBatchState",
        "changeContactBatchState",
        "createContactBatch",
        "listScripts",
        "listComplianceRules",
        "listOutreachStrategy",
        "listContactAttempts",
        "showContactAttempts",
    }
)


def _date(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) < 10:
        raise Fault("ARG_INVALID_TYPE", f"Argument is of invalid type '{name}'")
    return value[:10]


def _security_ok(header: ET.Element | None, credentials: tuple[str, str]) -> bool:
    if header is None:
        return False
    for security in header:
        if _local(security.tag) != "Security":
            continue
        for token in security:
            if _local(token.tag) != "UsernameToken":
                continue
            values = {_local(c.tag): (c.text or "") for c in token}
            return (values.get("Username"), values.get("Password")) == credentials
    return False


def _routes(
    engine_of: Callable[[Request], Engine], credentials: tuple[str, str]
) -> list[Route]:
    async def api(request: Request) -> Response:
        action = request.headers.get("soapaction", "").strip().strip('"')
        try:
            root = parse_xml(await request.body())
        except ValueError:
            return soap_fault(500, "soap:Client", "malformed SOAP envelope")
        if _local(root.tag) != "Envelope":
            return soap_fault(500, "soap:Client", "not a SOAP envelope")
        parts = {_local(p.tag): p for p in root}
        if not _security_ok(parts.get("Header"), credentials):
            return soap_fault(500, "wsse:FailedAuthentication", "authentication failed")
        body = parts.get("Body")
        call = next(iter(body), None) if body is not None else None
        if call is None or _local(call.tag) != action or not action:
            return soap_fault(
                500, "soap:Client", "SOAPAction does not name the Body's method"
            )
        if not call.tag.startswith(f"{{{NS}}}"):
            return soap_fault(500, "soap:Client", f"method not in namespace {NS}")
        if action not in OPERATIONS:
            return soap_fault(500, "soap:Client", f"unknown method {action}")
        method = getattr(engine_of(request), action)
        args = _value(call)
        try:
            result = method(args if isinstance(args, dict) else {})
        except Fault as fault:
            return soap_fault(500, fault.code, fault.message)
        return _answer(action, result)

    return [Route(PATH, api, methods=["POST"])]


def create_app(
    *,
    faults: Faults | None = None,
    seed: int = 7,
    now: datetime | None = None,
    knobs: EngageKnobs | None = None,
    credentials: tuple[str, str] | None = None,
) -> Starlette:
    """The Engage simulator app, seeded from `seed` around `now` (default: today)."""
    anchor = now or anchor_now()
    if credentials is None:
        credentials = (
            os.environ.get("TRUNKLINE_ENGAGE_USERNAME") or DEFAULT_USERNAME,
            os.environ.get("TRUNKLINE_ENGAGE_PASSWORD") or DEFAULT_PASSWORD,
        )
    knobs = knobs or EngageKnobs()
    engine = Engine(fresh(generate, seed, anchor), knobs, lambda: anchor)
    app = simulator_app(
        "engage",
        _routes(lambda request: engine, credentials),
        faults=faults,
        knobs=knobs,
        seed=seed,
        fault_response=_knob_fault,
    )
    app.state.engine = engine
    app.state.data = engine.d
    return app


def operations(app: Starlette) -> list[str]:
    """The SOAP operations the simulator answered, in order (from its call log)."""
    return [
        query.removeprefix("SOAPAction=")
        for _method, _path, query in app.state.calls.entries
        if query.startswith("SOAPAction=")
    ]


__all__ = ["STATES", "EngageKnobs", "Fault", "create_app", "operations", "soap_fault"]
