"""The baseline: a minimal hand-written Starlette service that makes the optimal vendor
calls for each benchmark query and answers the same JSON as trunkline.

No GraphQL, no models, no loaders: `POST /graphql` dispatches on `operationName` to one
function per query, which calls the simulators directly and builds the answer dict by
hand. The ratio trunkline / baseline is what the gateway's layers cost.

    python -m bench.baseline --port 9000 --client aiohttp|httpx|httpx-aiohttp

Vendor URLs come from `TRUNKLINE_<VENDOR>_URL`, as for the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote
from xml.etree import ElementTree as ET

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import engage_soap as engage

Json = Any
CLIENTS = ("aiohttp", "httpx", "httpx-aiohttp")
POOL = 100  # connections per vendor, as the gateway's default `max_connections`
# a vendor call's bound, as the bench sets the gateway's (`timeout_s`, bench/run.py)
TIMEOUT_S = 60
LIVEVOX_SORT = [{"field": "account", "order": "ASC"}]
CRM_API = "/crmapi/rest/v2/"
MOXI_ACCEPT = "application/vnd.moxi-platform+json;version=1"
PROC_ACCEPT = "application/vnd.procurios.contact_moment+json; version=1"
PROC_PATH = "/l/contact_moment_api/contact_moment"
PROC_PAGE = 25
# MoxiWorks: asked from a second before the window (the doc's date_min is exclusive),
# within the 90 days one call covers
WINDOW_S = 90 * 86_400 - 1
HORIZON_S = 1825 * 86_400


# ---- vendor HTTP clients ------------------------------------------------------------


class Client(Protocol):
    async def get(
        self, url: str, params: Mapping[str, Any], headers: Mapping[str, str]
    ) -> Json: ...

    async def post(
        self,
        url: str,
        params: Mapping[str, Any],
        body: Json,
        headers: Mapping[str, str],
    ) -> Json: ...

    async def post_raw(
        self, url: str, content: bytes, headers: Mapping[str, str]
    ) -> bytes: ...

    async def aclose(self) -> None: ...


class HttpxClient:
    """httpx's API; `transport` picks httpx's own transport or httpx-aiohttp's."""

    def __init__(self, aiohttp_transport: bool) -> None:
        import httpx

        limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL)
        transport: httpx.AsyncBaseTransport
        if aiohttp_transport:
            from httpx_aiohttp import AiohttpTransport

            transport = AiohttpTransport(limits=limits)
        else:
            transport = httpx.AsyncHTTPTransport(limits=limits)
        self.http = httpx.AsyncClient(transport=transport, timeout=TIMEOUT_S)

    async def get(
        self, url: str, params: Mapping[str, Any], headers: Mapping[str, str]
    ) -> Json:
        response = await self.http.get(url, params=dict(params), headers=headers)
        response.raise_for_status()
        return orjson.loads(response.content)

    async def post(
        self,
        url: str,
        params: Mapping[str, Any],
        body: Json,
        headers: Mapping[str, str],
    ) -> Json:
        response = await self.http.post(
            url,
            params=dict(params),
            content=orjson.dumps(body),
            headers={**headers, "Content-Type": "application/json"},
        )
        response.raise_for_status()
        return orjson.loads(response.content)

    async def post_raw(
        self, url: str, content: bytes, headers: Mapping[str, str]
    ) -> bytes:
        """A body as given, the answer's bytes whatever its status (SOAP faults
        come as 500s with a body)."""
        response = await self.http.post(url, content=content, headers=headers)
        return response.content

    async def aclose(self) -> None:
        await self.http.aclose()


class AiohttpClient:
    """Plain aiohttp, one pooled session for every vendor."""

    def __init__(self) -> None:
        import aiohttp

        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, limit_per_host=POOL),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
        )

    async def get(
        self, url: str, params: Mapping[str, Any], headers: Mapping[str, str]
    ) -> Json:
        query = {k: str(v) for k, v in params.items()}
        async with self.session.get(url, params=query, headers=headers) as response:
            response.raise_for_status()
            return orjson.loads(await response.read())

    async def post(
        self,
        url: str,
        params: Mapping[str, Any],
        body: Json,
        headers: Mapping[str, str],
    ) -> Json:
        query = {k: str(v) for k, v in params.items()}
        async with self.session.post(
            url,
            params=query,
            data=orjson.dumps(body),
            headers={**headers, "Content-Type": "application/json"},
        ) as response:
            response.raise_for_status()
            return orjson.loads(await response.read())

    async def post_raw(
        self, url: str, content: bytes, headers: Mapping[str, str]
    ) -> bytes:
        async with self.session.post(url, data=content, headers=headers) as response:
            return await response.read()

    async def aclose(self) -> None:
        await self.session.close()


def make_client(kind: str) -> Client:
    if kind == "aiohttp":
        return AiohttpClient()
    if kind in ("httpx", "httpx-aiohttp"):
        return HttpxClient(aiohttp_transport=kind == "httpx-aiohttp")
    raise ValueError(f"unknown client {kind!r}; one of {CLIENTS}")


# ---- vendors --------------------------------------------------------------------------


class Vendors:
    """Base URLs, credentials and the LiveVox session, shared by every handler."""

    def __init__(self, client: Client, env: Mapping[str, str]) -> None:
        self.client = client
        self.urls = {
            v: env.get(f"TRUNKLINE_{v.upper()}_URL", "").rstrip("/")
            for v in ("livevox", "moxiworks", "procurios", "crmcom", "engage")
        }
        self.env = env
        self.lv_headers: dict[str, str] = {}
        self.crm_token = ""
        basic = base64.b64encode(
            f"{env.get('TRUNKLINE_MOXIWORKS_USERNAME', 'bench')}:"
            f"{env.get('TRUNKLINE_MOXIWORKS_PASSWORD', 'bench')}".encode()
        ).decode()
        self.moxi_headers = {"Accept": MOXI_ACCEPT, "Authorization": f"Basic {basic}"}
        self.moxi_agent = env.get("TRUNKLINE_MOXIWORKS_AGENT_UUID", "")
        token = env.get("TRUNKLINE_PROCURIOS_TOKEN", "bench")
        self.proc_headers = {"Accept": PROC_ACCEPT, "Authorization": f"Bearer {token}"}
        self.engage_security = engage.security(
            env.get("TRUNKLINE_ENGAGE_USERNAME", "bench"),
            env.get("TRUNKLINE_ENGAGE_PASSWORD", "bench"),
        )
        self.engage_org = env.get("BENCH_ENGAGE_ORG", "1001")

    async def engage(self, operation: str, args: str) -> list[ET.Element]:
        """One Engage SOAP call: `args` is the method's inner XML; the `<return>`
        items, or EngageFault."""
        body = engage.envelope(self.engage_security, operation, args)
        answer = await self.client.post_raw(
            self.urls["engage"] + engage.PATH,
            body,
            {"SOAPAction": f'"{operation}"', "Content-Type": engage.CONTENT_TYPE},
        )
        return engage.returns(answer)

    async def login(self) -> None:
        body = {
            "clientName": self.env.get("TRUNKLINE_LIVEVOX_CLIENT_NAME", "bench"),
            "userName": self.env.get("TRUNKLINE_LIVEVOX_USERNAME", "bench"),
            "password": self.env.get("TRUNKLINE_LIVEVOX_PASSWORD", "bench"),
        }
        access = {"LV-Access": self.env.get("TRUNKLINE_LIVEVOX_ACCESS_TOKEN", "bench")}
        answer = await self.client.post(
            self.urls["livevox"] + "/session/login", {}, body, access
        )
        self.lv_headers = {**access, "LV-Session": str(answer["sessionId"])}
        if self.urls["crmcom"]:
            login = await self.client.post(
                self.urls["crmcom"] + CRM_API + "authentication/login",
                {},
                {
                    "username": self.env.get("TRUNKLINE_CRMCOM_USERNAME", "bench"),
                    "password": self.env.get("TRUNKLINE_CRMCOM_PASSWORD", "bench"),
                },
                {},
            )
            self.crm_token = str(login["data"]["token"])

    async def livevox_get(self, path: str, **params: Any) -> Json:
        return await self.client.get(
            self.urls["livevox"] + path, params, self.lv_headers
        )

    async def livevox_post(self, path: str, body: Json, **params: Any) -> Json:
        return await self.client.post(
            self.urls["livevox"] + path, params, body, self.lv_headers
        )


# ---- shaping, as trunkline renders it ----------------------------------------------------


def global_id(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def text(value: Any) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def phones(raw: Json, fields: tuple[str, ...]) -> list[Json]:
    out = []
    for p in raw.get("phone") or []:
        number = text(p.get("phone"))
        if number:
            full = {
                "number": number,
                "ordinal": p.get("ordinal", 0),
                # as trunkline: the flag (search) or the block state (list, read)
                "dnd": bool(p.get("dnd"))
                or p.get("phoneBlock") not in (None, "NONE", "DAILY"),
                "smsConsent": p.get("smsConsent"),  # None where the answer has none
            }
            out.append({f: full[f] for f in fields})
    return out


def group_id(raw: Json) -> str | None:
    gid = raw.get("groupId")
    return None if gid in (None, 0, "0", "") else str(gid)


# ---- the queries ------------------------------------------------------------------------


async def q1(vendors: Vendors, variables: Json) -> Json:
    """One LiveVox search for the account (the same call trunkline's loader makes)."""
    account = "100005"
    tree = {"field": "account", "criteria": account, "condition": "EQUALS"}
    answer = await vendors.livevox_post(
        "/contact/contacts/search",
        {"search": tree, "sort": LIVEVOX_SORT},
        offset=0,
        count=1,
    )
    found = answer.get("findMatchingContactsDetails") or []
    c = found[0]
    person = c.get("person") or {}
    first, last = text(person.get("firstName")), text(person.get("lastName"))
    email = text(person.get("email"))
    return {
        "contact": {
            "id": global_id("Contact", c["account"]),
            "account": c["account"],
            "firstName": first,
            "lastName": last,
            "displayName": " ".join(p for p in (first, last) if p) or c["account"],
            "emails": [email] if email else [],
            "phones": phones(c, ("number", "ordinal", "dnd", "smsConsent")),
        }
    }


async def q2(vendors: Vendors, variables: Json) -> Json:
    """The contact list page and the group list, concurrently: neither needs the other."""
    page, groups = await asyncio.gather(
        vendors.livevox_get("/contact/contacts", offset=0, count=50),
        vendors.livevox_get("/contact/contactGroups", offset=0, count=1000),
    )
    names = {str(g["id"]): g["name"] for g in groups.get("contactGroup") or []}
    edges = []
    for c in page.get("listContactDetails") or []:
        person = c.get("person") or {}
        gid = group_id(c)
        edges.append(
            {
                "node": {
                    "id": global_id("Contact", c["account"]),
                    "account": c["account"],
                    "firstName": text(person.get("firstName")),
                    "lastName": text(person.get("lastName")),
                    "phones": phones(c, ("number", "ordinal")),
                    "groups": [{"id": gid, "name": names[gid]}] if gid in names else [],
                }
            }
        )
    return {
        "contacts": {
            "edges": edges,
            "pageInfo": {"hasNextPage": bool(page.get("next"))},
        }
    }


# ---- Q3: 20 contacts, each with its 10 latest interactions ------------------------------

LATEST = 10
CRM_CHANNEL = {m: m for m in ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")}
MOXI_CHANNEL = {
    "call": "PHONE",
    "email": "EMAIL",
    "text": "SMS",
    "mail": "LETTER",
    "meeting": "FACE_TO_FACE",
    "inperson": "FACE_TO_FACE",
}
PROC_CHANNEL = {
    "ContactMomentPhone": "PHONE",
    "ContactMomentEmail": "EMAIL",
    "ContactMomentVisit": "VISIT",
    "ContactMomentLetter": "LETTER",
    "ContactMomentSms": "SMS",
}

# (sort key, node): newest first, ties by vendor then vendor id, as trunkline merges
Entry = tuple[tuple[float, str, str], dict[str, Any]]


def entry(
    moment: datetime,
    vendor: str,
    vendor_id: str,
    token: str,
    channel: str,
    subject: Any,
) -> Entry:
    node = {
        "id": (vendor, token),  # made into the global ID once the contact is known
        "occurredAt": moment.isoformat(),
        "channel": channel,
        "subject": text(subject),
    }
    return (-moment.timestamp(), vendor, vendor_id), node


def custom_field(contact: Json, name: str) -> str | None:
    for f in contact.get("customFields") or []:
        if str(f.get("field", "")).upper() == name:
            return text(f.get("value"))
    return None


async def notes(vendors: Vendors, account: str, wanted: int = 11) -> list[Entry]:
    """The newest `wanted` notes: the list has ids only, so the highest ids (LiveVox's
    rise with time) are read for their dates, as trunkline reads first + 1."""
    path = f"/contact/contacts/{account}/notes/"
    answer = await vendors.livevox_get(path)
    ids = sorted((n["id"] for n in answer.get("listContactNotes") or []), reverse=True)
    read = await asyncio.gather(
        *(vendors.livevox_get(f"{path}{i}") for i in ids[:wanted])
    )
    out = []
    for n in read:
        key = f"{account}/{n['id']}"
        moment = datetime.fromtimestamp(int(n["createDate"]) / 1000, UTC)
        # notes of one millisecond: highest id first, as trunkline answers them (its
        # LiveVox stream comes highest id first and the merge keeps a stream's order)
        tie = f"{10**15 - int(n['id']):016d}"
        out.append(entry(moment, "livevox", tie, key, "NOTE", None))
    return out


async def communications(vendors: Vendors, crm_id: str | None) -> list[Entry]:
    if not crm_id:
        return []
    answer = await vendors.client.get(
        vendors.urls["crmcom"] + CRM_API + "communications/list",
        {
            "token": vendors.crm_token,
            "contact_information_identifier": orjson.dumps({"id": crm_id}).decode(),
            "offset": 0,
            "number_of_results": LATEST,
            "fields_set": "id,log_information,media,subject",
        },
        {},
    )
    out = []
    for c in answer.get("data") or []:
        created = datetime.fromisoformat(c["log_information"]["created_date"])
        channel = CRM_CHANNEL.get(str(c.get("media") or "").upper(), "OTHER")
        moment = created.replace(tzinfo=UTC)
        out.append(entry(moment, "crmcom", c["id"], c["id"], channel, c.get("subject")))
    return out


async def action_logs(
    vendors: Vendors, account: str, start: int, end: int
) -> list[Entry]:
    answer = await vendors.client.get(
        vendors.urls["moxiworks"] + "/api/action_logs",
        {
            "agent_uuid": vendors.moxi_agent,
            "partner_contact_id": account,
            "date_min": start - 1,
            "date_max": end,
        },
        vendors.moxi_headers,
    )
    out = []
    for a in answer.get("actions") or []:
        ts = int(a["timestamp"])
        if not start <= ts < end:
            continue
        data = a.get("log_data") or {}
        log_id = str(a["moxi_works_action_log_id"])
        channel = MOXI_CHANNEL.get(str(a.get("type") or "").lower(), "ACTION_LOG")
        subject = text(data.get("title")) or text(data.get("agent_action"))
        moment = datetime.fromtimestamp(ts, UTC)
        token = f"{account}|{ts}|{log_id}"
        out.append(entry(moment, "moxiworks", log_id, token, channel, subject))
    return out


ENGAGE_CHANNEL = {"Voice": "CALL_ATTEMPT", "SMS": "SMS", "Email": "EMAIL"}


async def attempts(vendors: Vendors, account: str, start: int, end: int) -> list[Entry]:
    """A contact's Engage attempts in [start, end): one listContactAttempts (the
    horizon holds fewer than the cap of 500 for these contacts)."""
    found = await vendors.engage(
        "listContactAttempts",
        engage.attempts_args(vendors.engage_org, account, start, end),
    )
    out = []
    for a in found:
        row = engage.fields(a, ("internalId", "startTime", "channel"))
        moment = engage.moment(row["startTime"])
        if not start <= moment.timestamp() < end:
            continue
        channel, attempt = row["channel"], str(row["internalId"])
        out.append(
            entry(
                moment,
                "engage",
                attempt,
                attempt,
                ENGAGE_CHANNEL.get(channel or "", "OTHER"),
                f"{channel or 'Contact'} attempt",
            )
        )
    return out


def _moment_time(m: Json) -> datetime:
    return datetime.fromisoformat(m["dateTime"]).replace(tzinfo=UTC)


def _moment_ts(m: Json) -> float:
    return _moment_time(m).timestamp()


def involves(moment: Json, relation: int) -> bool:
    return moment.get("senderId") == relation or relation in (
        moment.get("recipients") or []
    )


class Moments:
    """The page's Procurios moments from one relationIds stream, newest first, as the
    floor plans it (bench/floor.py): a relation that has 11 of its own (a merged page
    of 10 reads 11, to know what follows) leaves the stream once the satisfied ones
    crowd a page (four fifths of it), and the narrower stream resumes after the moments
    already seen. `floor`: no moment of a followed relation still unseen is newer."""

    def __init__(self, vendors: Vendors, relations: list[int]) -> None:
        self.vendors = vendors
        self.relations = relations
        self.found: dict[int, list[Entry]] = {r: [] for r in relations}
        self.done = {r: asyncio.Event() for r in relations}
        self.floor = math.inf
        self.ended = False
        self._progress = asyncio.Event()

    async def run(self) -> None:
        try:
            await self._walk()
        finally:
            self.ended = True
            for event in self.done.values():
                event.set()
            self._progress.set()

    def known_down_to(self, relation: int, ts: float) -> bool:
        """Whether every moment of `relation` newer than `ts` has been seen."""
        return self.ended or self.done[relation].is_set() or self.floor < ts

    async def wait_down_to(self, relation: int, ts: float) -> None:
        while not self.known_down_to(relation, ts):
            await self._progress.wait()

    async def _walk(self) -> None:
        active = list(self.relations)
        seen: list[Json] = []
        seen_ids: set[int] = set()
        offset = 0
        while active:
            start = offset - offset % PROC_PAGE
            page = await self.vendors.client.get(
                self.vendors.urls["procurios"] + PROC_PATH,
                {
                    "page": start // PROC_PAGE + 1,
                    "relationIds": ",".join(map(str, active)),
                },
                self.vendors.proc_headers,
            )
            fresh = page[offset - start :]
            for m in fresh:
                if m["id"] in seen_ids:
                    continue
                seen_ids.add(m["id"])
                seen.append(m)
                for r in active:
                    if involves(m, r):
                        self.found[r].append(self._entry(m, r))
            offset = start + len(page)
            if len(page) < PROC_PAGE:
                return
            self.floor = _moment_ts(page[-1])
            wanting = [r for r in active if len(self.found[r]) < LATEST + 1]
            for r in active:
                if r not in wanting:
                    self.done[r].set()
            self._progress.set()
            self._progress = asyncio.Event()
            if not wanting:
                return
            idle = sum(1 for m in fresh if not any(involves(m, r) for r in wanting))
            if len(wanting) < len(active) and idle * 5 >= len(fresh) * 4:
                active = wanting
                offset = sum(1 for m in seen if any(involves(m, r) for r in active))

    @staticmethod
    def _entry(m: Json, relation: int) -> Entry:
        moment = _moment_time(m)
        token = f"{relation}|{moment.strftime('%Y-%m-%dT%H:%M:%S')}|{m['id']}"
        channel = PROC_CHANNEL.get(str(m.get("type") or ""), "OTHER")
        return entry(
            moment, "procurios", str(m["id"]), token, channel, m.get("subject")
        )


async def history(
    vendors: Vendors, contact: Json, moments: Moments, relation: int | None
) -> list[Json]:
    """One contact's 10 latest. A MoxiWorks window after the first goes out only once
    every vendor is known down to where the window before it began, and only while
    fewer than 10 known interactions (any vendor) are newer than that."""
    account = contact["account"]
    now = time.time()
    until, since = math.floor(now) + 1, math.ceil(now - HORIZON_S)
    others = asyncio.gather(
        notes(vendors, account),
        communications(vendors, custom_field(contact, "COL6")),
        attempts(vendors, account, since, until),
    )
    moxi: list[Entry] = []
    end = until
    while end > since:
        start = max(end - WINDOW_S, since)
        moxi += await action_logs(vendors, account, start, end)
        lv, crm, eng = await others
        if relation is not None:
            await moments.wait_down_to(relation, start)
        proc = moments.found.get(relation, []) if relation is not None else []
        known = lv + crm + eng + proc + moxi
        if sum(1 for key, _ in known if -key[0] >= start) >= LATEST:
            break
        end = start
    lv, crm, eng = await others
    if relation is not None:
        await moments.done[relation].wait()
    proc = moments.found.get(relation, []) if relation is not None else []
    known = lv + crm + eng + proc + moxi
    known.sort(key=lambda e: e[0])
    return [{"node": _for_contact(node, account)} for _, node in known[:LATEST]]


def _for_contact(node: dict[str, Any], account: str) -> dict[str, Any]:
    """An interaction read as `account`'s history names it in its ID, as trunkline's
    do (`<vendor>@<account>:<token>`)."""
    vendor, token = node["id"]
    interaction = f"{vendor}@{quote(account, safe='')}:{token}"
    return {**node, "id": global_id("Interaction", interaction)}


async def q3(vendors: Vendors, variables: Json) -> Json:
    page = await vendors.livevox_get("/contact/contacts", offset=0, count=20)
    contacts = page.get("listContactDetails") or []
    relations: list[int | None] = []
    for c in contacts:
        raw = custom_field(c, "COL5")
        relations.append(int(raw) if raw and raw.isdigit() else None)
    moments = Moments(vendors, list(dict.fromkeys(r for r in relations if r)))
    stream = asyncio.ensure_future(moments.run())
    histories = await asyncio.gather(
        *(
            history(vendors, c, moments, r)
            for c, r in zip(contacts, relations, strict=True)
        )
    )
    await stream
    edges = [
        {
            "node": {
                "id": global_id("Contact", c["account"]),
                "account": c["account"],
                "interactions": {"edges": h},
            }
        }
        for c, h in zip(contacts, histories, strict=True)
    ]
    return {"contacts": {"edges": edges}}


# ---- Q5: the supervisor dashboard (Engage, SOAP) ------------------------------------

ENGAGE_ACTIVE = frozenset({"Loading", "Running", "Paused", "Pending", "Stopping"})
ENGAGE_SUB_STATES = frozenset(
    {*ENGAGE_ACTIVE, "Awaiting", "Cancelled", "Completing", "Done"}
)
ENGAGE_BATCH_STATES = frozenset({"Pending", "Running", "Done", "Cancelled"})
ENGAGE_ATTEMPTS_CAP = 500
ENGAGE_SUBS_AHEAD_S = 366 * 86_400


def _seconds(value: str | None) -> int:
    return int(engage.moment(value).timestamp())


def _dt(value: str | None) -> str | None:
    return engage.moment(value).isoformat() if value else None


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


async def split_windows(
    vendors: Vendors, operation: str, args: Callable[[int, int], str],
    since: int, until: int, limit: float,
) -> tuple[list[ET.Element], bool]:  # fmt: skip
    """`[since, until)` newest first until `limit` items are in; a window Engage
    refuses (RESULT_TOO_LARGE) is halved, the newer half asked first; after an
    answer the next window is at most twice as wide (the gateway's rule). And
    whether anything older is left unread."""
    step = until - since
    end, width = until, step
    out: list[ET.Element] = []
    while end > since:
        span = min(width, end - since)
        start = end - span
        try:
            found = await vendors.engage(operation, args(start, end))
        except engage.EngageFault as fault:
            if fault.code != "RESULT_TOO_LARGE" or span <= 1:
                raise
            width = span // 2
            continue
        out += found
        end, width = start, min(step, span * 2)
        if len(out) >= limit:
            break
    return out, end > since


async def sub_campaigns(
    vendors: Vendors, campaigns: list[dict[str, Any]]
) -> dict[str, list[Json]]:
    """Every sub-campaign of these campaigns with its state: listSubCampaignStates
    from the oldest campaign's creation to a year ahead (one call here)."""
    since = min(c["created"] for c in campaigns)
    until = int(time.time()) + ENGAGE_SUBS_AHEAD_S
    org = engage.org(vendors.engage_org)
    rows, _ = await split_windows(
        vendors,
        "listSubCampaignStates",
        lambda s, e: (
            org + "<e:sample><state>All</state></e:sample>" + engage.window(s, e)
        ),
        since,
        until,
        math.inf,
    )
    out: dict[str, list[Json]] = {c["id"]: [] for c in campaigns}
    for row in rows:
        sub = engage.child(row, "subCampaign")
        assert sub is not None
        top = engage.fields(row, ("state", "fromDate"))
        own = engage.fields(sub, ("internalId", "name", "fromDate"))
        campaign = engage.child(sub, "campaign")
        owner = engage.fields(campaign, ("internalId",)) if campaign is not None else {}
        starts = top["fromDate"] or own["fromDate"]
        if owner.get("internalId") not in out:
            continue
        if starts is not None and not since <= _seconds(starts) < until:
            continue
        state = top["state"]
        passes = []
        for p in sub:
            if p.tag.rsplit("}", 1)[-1] == "pass":
                f = engage.fields(p, ("channel", "contactsPerMinute"))
                passes.append(
                    {
                        "channel": f["channel"],
                        "contactsPerMinute": _int(f["contactsPerMinute"]),
                    }
                )
        out[str(owner["internalId"])].append(
            {
                "_order": (_seconds(starts) if starts else since, own["name"] or "",
                           own["internalId"]),
                "id": global_id("SubCampaign", str(own["internalId"])),
                "name": own["name"],
                "state": state.upper()
                if state in ENGAGE_SUB_STATES
                else "UNKNOWN",
                "passes": passes,
            }
        )  # fmt: skip
    for subs in out.values():
        subs.sort(key=lambda s: s.pop("_order"))
    return out


async def batches(vendors: Vendors, since: int, until: int) -> list[tuple[str, Json]]:
    """The account's contact batches created in [since, until), newest first:
    (campaign id, node)."""
    rows, _ = await split_windows(
        vendors, "listContactBatchStates", engage.window, since, until, math.inf
    )
    out = []
    for row in rows:
        inner = engage.child(row, "contactBatch")
        batch = inner if inner is not None else row
        b = engage.fields(batch, ("internalId", "externalId", "state", "createdDate"))
        counts = engage.fields(
            row, ("state", "contactCount", "attemptedCount", "completedCount")
        )
        campaign = engage.child(batch, "campaign")
        owner = engage.fields(campaign, ("internalId",)) if campaign is not None else {}
        created = _seconds(b["createdDate"]) if b["createdDate"] else None
        if created is not None and not since <= created < until:
            continue
        state = counts["state"] or b["state"]
        external = str(b["externalId"])
        out.append(
            (
                (created or 0, b["internalId"] or "", external),
                str(owner.get("internalId")),
                {
                    "id": global_id("ContactBatch", external),
                    "externalId": external,
                    "state": state.upper()
                    if state in ENGAGE_BATCH_STATES
                    else "UNKNOWN",
                    "contactCount": _int(counts["contactCount"]),
                    "attemptedCount": _int(counts["attemptedCount"]),
                    "completedCount": _int(counts["completedCount"]),
                },
            )
        )
    out.sort(key=lambda b: b[0], reverse=True)
    return [(campaign, node) for _, campaign, node in out]


async def last_attempts(vendors: Vendors, contact: str, until: int, first: int) -> Json:
    """A contact's `first` newest attempts over the 24 hours up to `until`."""

    def args(start: int, end: int) -> str:
        return engage.attempts_args(vendors.engage_org, contact, start, end)

    rows, more = await split_windows(
        vendors, "listContactAttempts", args, until - 86_400, until, first
    )
    found = []
    for row in rows:
        a = engage.fields(row, ("internalId", "startTime", "channel", "result"))
        found.append(
            (
                (_seconds(a["startTime"]), _int(a["internalId"]) or 0, a["internalId"]),
                {
                    "id": a["internalId"],
                    "startedAt": _dt(a["startTime"]),
                    "channel": a["channel"],
                    "result": a["result"],
                },
            )
        )
    found.sort(key=lambda f: f[0], reverse=True)
    return {
        "edges": [{"node": node} for _, node in found[:first]],
        "pageInfo": {"hasNextPage": len(found) > first or more},
    }


async def q5(vendors: Vendors, variables: Json) -> Json:
    """The campaign list, then its sub-campaigns; the week's batches and the busy
    contact's attempts at once, beside them."""
    until = _seconds(variables["until"])
    since = _seconds(variables["since"])

    async def campaign_side() -> tuple[list[dict[str, Any]], dict[str, list[Json]]]:
        rows = await vendors.engage("listCampaigns", engage.org(vendors.engage_org))
        campaigns = []
        for row in rows:
            c = engage.fields(row, ("internalId", "name", "createdDate"))
            campaigns.append(
                {
                    "id": str(c["internalId"]),
                    "name": c["name"],
                    "createdAt": _dt(c["createdDate"]),
                    "created": _seconds(c["createdDate"]),
                }
            )
        return campaigns, await sub_campaigns(vendors, campaigns)

    (campaigns, subs), week, attempts = await asyncio.gather(
        campaign_side(),
        batches(vendors, since, until),
        last_attempts(vendors, "100027", until, 50),
    )
    active = [
        c
        for c in campaigns
        if any(s["state"].capitalize() in ENGAGE_ACTIVE for s in subs[c["id"]])
    ]
    active.sort(key=lambda c: (c["created"], c["id"]), reverse=True)
    shown = active[:10]
    edges = [
        {
            "node": {
                "id": global_id("Campaign", c["id"]),
                "name": c["name"],
                "createdAt": c["createdAt"],
                "subCampaigns": subs[c["id"]],
                "contactBatches": [b for owner, b in week if owner == c["id"]],
            }
        }
        for c in shown
    ]
    return {
        "campaigns": {
            "totalCount": len(active),
            "edges": edges,
            "pageInfo": {"hasNextPage": len(active) > len(shown)},
        },
        "contactAttempts": attempts,
    }


# ---- Q6: a bulk create of 2,500 contacts (LiveVox) ---------------------------------

BULK_CHUNK = 500  # contacts per Bulk Create Contact, as the gateway sends them
ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,49}")
PHONE_PUNCT = re.compile(r"[\s().-]")


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status of a client's error (aiohttp's or httpx's), if it has one."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


async def livevox_write(vendors: Vendors, path: str, body: Json, **params: Any) -> Json:
    """A LiveVox POST that logs in again on a 401 (the bench restarts the LiveVox
    simulator between runs of Q6, which ends every session) and tries once more."""
    try:
        return await vendors.livevox_post(path, body, **params)
    except Exception as exc:
        if _status_of(exc) != 401:
            raise
    await vendors.login()
    return await vendors.livevox_post(path, body, **params)


def _or_tree(accounts: list[str]) -> Json:
    """`account EQUALS` conditions joined by OR, as a balanced tree."""
    if len(accounts) == 1:
        return {"field": "account", "criteria": accounts[0], "condition": "EQUALS"}
    mid = len(accounts) // 2
    return {
        "rule": "OR",
        "left": _or_tree(accounts[:mid]),
        "right": _or_tree(accounts[mid:]),
    }


async def existing(vendors: Vendors, accounts: list[str]) -> set[str]:
    """Which of these accounts LiveVox holds: one search (at most 1,000)."""
    if not accounts:
        return set()
    answer = await livevox_write(
        vendors,
        "/contact/contacts/search",
        {"search": _or_tree(accounts), "sort": LIVEVOX_SORT},
        offset=0,
        count=len(accounts),
    )
    wanted = set(accounts)
    found = answer.get("findMatchingContactsDetails") or []
    return {c["account"] for c in found if c.get("account") in wanted}


def _details(item: Json) -> Json | None:
    """A ContactInput as createContactDetails, or None when it is not valid."""
    account = item.get("account")
    if not isinstance(account, str) or not ACCOUNT.fullmatch(account):
        return None
    person = {
        k: item[k]
        for k in ("firstName", "lastName", "email")
        if item.get(k) is not None
    }
    out: Json = {"account": account}
    if person:
        out["person"] = person
    phones = []
    for n, p in enumerate(item.get("phones") or [], 1):
        digits = PHONE_PUNCT.sub("", str(p.get("number") or "")).removeprefix("+")
        if not digits.isdigit() or not 10 <= len(digits) <= 15:
            return None
        phones.append({"phone": digits, "ordinal": n})
    if phones:
        out["phone"] = phones
    return out


async def q6(vendors: Vendors, variables: Json) -> Json:
    """The gateway's chunked calls: a search for the first chunk's accounts, then
    per chunk its Bulk Create Contact and one search that reads it back and checks
    the next chunk's accounts. Each item CREATED only when read back."""
    items = variables["input"]["contacts"]
    details = [_details(i) for i in items]
    accounts = [
        d["account"] if d else i.get("account")
        for d, i in zip(details, items, strict=True)
    ]
    status = ["INVALID" if d is None else "NOT_ATTEMPTED" for d in details]
    todo = [n for n, d in enumerate(details) if d is not None]
    chunks = [todo[i : i + BULK_CHUNK] for i in range(0, len(todo), BULK_CHUNK)]
    known = (
        await existing(vendors, [accounts[n] for n in chunks[0]]) if chunks else set()
    )
    for k, chunk in enumerate(chunks):
        send = []
        for n in chunk:
            if accounts[n] in known:
                status[n] = "ALREADY_EXISTS"
            else:
                send.append(n)
        if send:
            await livevox_write(
                vendors,
                "/contact/contacts/bulk",
                {"createContactDetails": [details[n] for n in send]},
            )
        following = chunks[k + 1] if k + 1 < len(chunks) else []
        known = await existing(vendors, [accounts[n] for n in send + following])
        for n in send:
            status[n] = "CREATED" if accounts[n] in known else "FAILED"
    results = [
        {"index": n, "account": a, "status": st}
        for n, (a, st) in enumerate(zip(accounts, status, strict=True))
    ]
    return {
        "bulkCreateContacts": {
            "created": sum(st == "CREATED" for st in status),
            "complete": all(st not in ("FAILED", "NOT_ATTEMPTED") for st in status),
            "results": results,
            "userErrors": [],
        }
    }


Handler = Callable[[Vendors, Json], Awaitable[Json]]
HANDLERS: dict[str, Handler] = {"Q1": q1, "Q2": q2, "Q3": q3, "Q5": q5, "Q6": q6}


# ---- the app ----------------------------------------------------------------------------


def create_app(client_kind: str, env: Mapping[str, str] | None = None) -> Starlette:
    state: dict[str, Vendors] = {}

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        handler = HANDLERS.get(body.get("operationName") or "")
        if handler is None:
            return Response(
                orjson.dumps({"errors": [{"message": "unknown operation"}]}),
                400,
                media_type="application/json",
            )
        data = await handler(state["vendors"], body.get("variables") or {})
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    async def ready(request: Request) -> Response:
        return Response(b'{"status":"ready"}', media_type="application/json")

    async def relogin(request: Request) -> Response:
        """The bench restarted a simulator (Q6): log in again."""
        await state["vendors"].login()
        return Response(b'{"status":"ok"}', media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        vendors = Vendors(make_client(client_kind), env or os.environ)
        await vendors.login()
        state["vendors"] = vendors
        try:
            yield
        finally:
            await vendors.client.aclose()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/readyz", ready),
            Route("/_bench/login", relogin, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def reference_parser(prog: str, doc: str | None, port: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=doc)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=port)
    return p


def serve(app: Any, args: argparse.Namespace) -> None:
    """The benchmark's reference server, for the baseline and the floors alike."""
    import uvicorn

    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


def main(argv: list[str] | None = None) -> int:
    p = reference_parser("python -m bench.baseline", __doc__, 9000)
    p.add_argument("--client", choices=CLIENTS, default="aiohttp")
    args = p.parse_args(argv)
    serve(create_app(args.client), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
