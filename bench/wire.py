"""The wire floor: what any gateway pays on this machine before it does its own work.

A bare ASGI app (no framework) under the baseline's server, with the baseline's aiohttp
client and vendor calls. `POST /graphql` makes the query's calls, parses every answer
and answers `{"data": null}`: nothing is shaped. Its p50 over the critical path is the
least a gateway's ratio can be here (the hop in, the calls out, the answers' parse),
so a latency target below it cannot be met on this machine by any gateway.

Q1, Q2 and Q5: Q3's later calls depend on its answers, which is the baseline's logic.
Q5's one dependent call (the sub-campaigns from the oldest campaign's creation) reads
one field of the first answer; its windows split as the baseline's and the gateway's.

    python -m bench.wire --port 9001
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from bench import engage_soap as engage
from bench.baseline import (
    ENGAGE_SUBS_AHEAD_S,
    LIVEVOX_SORT,
    Vendors,
    make_client,
    reference_parser,
    serve,
    split_windows,
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def q1(vendors: Vendors, variables: Any) -> None:
    tree = {"field": "account", "criteria": "100005", "condition": "EQUALS"}
    body = {"search": tree, "sort": LIVEVOX_SORT}
    await vendors.livevox_post("/contact/contacts/search", body, offset=0, count=1)


async def q2(vendors: Vendors, variables: Any) -> None:
    await asyncio.gather(
        vendors.livevox_get("/contact/contacts", offset=0, count=50),
        vendors.livevox_get("/contact/contactGroups", offset=0, count=1000),
    )


def _seconds(value: str) -> int:
    return int(engage.moment(value).timestamp())


async def q5(vendors: Vendors, variables: Any) -> None:
    org = engage.org(vendors.engage_org)
    until, since = _seconds(variables["until"]), _seconds(variables["since"])

    async def campaigns_then_subs() -> None:
        rows = await vendors.engage("listCampaigns", org)
        oldest = min(
            _seconds(str(engage.fields(r, ("createdDate",))["createdDate"]))
            for r in rows
        )
        await split_windows(
            vendors,
            "listSubCampaignStates",
            lambda s, e: (
                org + "<e:sample><state>All</state></e:sample>" + engage.window(s, e)
            ),
            oldest,
            int(time.time()) + ENGAGE_SUBS_AHEAD_S,
            math.inf,
        )

    def attempts(s: int, e: int) -> str:
        return engage.attempts_args(vendors.engage_org, "100027", s, e)

    await asyncio.gather(
        campaigns_then_subs(),
        split_windows(
            vendors, "listContactBatchStates", engage.window, since, until, math.inf
        ),
        split_windows(
            vendors, "listContactAttempts", attempts, until - 86_400, until, 50
        ),
    )


CALLS: dict[bytes, Callable[[Vendors, Any], Awaitable[None]]] = {
    b"Q1": q1,
    b"Q2": q2,
    b"Q5": q5,
}


class WireFloor:
    def __init__(self) -> None:
        self.vendors: Vendors | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, answer = 200, b'{"status":"ready"}'
        if scope["path"] == "/graphql":
            request = orjson.loads(body)
            calls = CALLS.get(request.get("operationName", "").encode())
            if calls is None or self.vendors is None:
                status, answer = 400, b'{"errors":[{"message":"unknown operation"}]}'
            else:
                await calls(self.vendors, request.get("variables") or {})
                answer = b'{"data":null}'
        headers = [(b"content-type", b"application/json")]
        await send(
            {"type": "http.response.start", "status": status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": answer})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.vendors = Vendors(make_client("aiohttp"), os.environ)
                await self.vendors.login()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.vendors is not None:
                    await self.vendors.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def main(argv: list[str] | None = None) -> int:
    serve(
        WireFloor(),
        reference_parser("python -m bench.wire", __doc__, 9001).parse_args(argv),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
