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
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Json = Any
CLIENTS = ("aiohttp", "httpx", "httpx-aiohttp")
POOL = 100  # connections per vendor, as the gateway's default `max_connections`
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
        self.http = httpx.AsyncClient(transport=transport, timeout=30)

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

    async def aclose(self) -> None:
        await self.http.aclose()


class AiohttpClient:
    """Plain aiohttp, one pooled session for every vendor."""

    def __init__(self) -> None:
        import aiohttp

        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, limit_per_host=POOL),
            timeout=aiohttp.ClientTimeout(total=30),
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
            for v in ("livevox", "moxiworks", "procurios", "crmcom")
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
        out.append(entry(moment, "livevox", key, key, "NOTE", None))
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
    others = asyncio.gather(
        notes(vendors, account),
        communications(vendors, custom_field(contact, "COL6")),
    )
    now = time.time()
    until, since = math.floor(now) + 1, math.ceil(now - HORIZON_S)
    moxi: list[Entry] = []
    end = until
    while end > since:
        start = max(end - WINDOW_S, since)
        moxi += await action_logs(vendors, account, start, end)
        lv, crm = await others
        if relation is not None:
            await moments.wait_down_to(relation, start)
        proc = moments.found.get(relation, []) if relation is not None else []
        known = lv + crm + proc + moxi
        if sum(1 for key, _ in known if -key[0] >= start) >= LATEST:
            break
        end = start
    lv, crm = await others
    if relation is not None:
        await moments.done[relation].wait()
    proc = moments.found.get(relation, []) if relation is not None else []
    known = lv + crm + proc + moxi
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


Handler = Callable[[Vendors, Json], Awaitable[Json]]
HANDLERS: dict[str, Handler] = {"Q1": q1, "Q2": q2, "Q3": q3}


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
