"""The wire floor: what any gateway pays on this machine before it does its own work.

A bare ASGI app (no framework) under the baseline's server, with the baseline's aiohttp
client and vendor calls. `POST /graphql` makes the query's calls, parses every answer
and answers `{"data": null}`: nothing is shaped. Its p50 over the critical path is the
least a gateway's ratio can be here (the hop in, the calls out, the answers' parse),
so a latency target below it cannot be met on this machine by any gateway.

Q1 and Q2 only: Q3's later calls depend on its answers, which is the baseline's logic.

    python -m bench.wire --port 9001
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from bench.baseline import LIVEVOX_SORT, Vendors, make_client, reference_parser, serve

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def q1(vendors: Vendors) -> None:
    tree = {"field": "account", "criteria": "100005", "condition": "EQUALS"}
    body = {"search": tree, "sort": LIVEVOX_SORT}
    await vendors.livevox_post("/contact/contacts/search", body, offset=0, count=1)


async def q2(vendors: Vendors) -> None:
    await asyncio.gather(
        vendors.livevox_get("/contact/contacts", offset=0, count=50),
        vendors.livevox_get("/contact/contactGroups", offset=0, count=1000),
    )


CALLS: dict[bytes, Callable[[Vendors], Awaitable[None]]] = {b"Q1": q1, b"Q2": q2}


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
            name = orjson.loads(body).get("operationName", "").encode()
            calls = CALLS.get(name)
            if calls is None or self.vendors is None:
                status, answer = 400, b'{"errors":[{"message":"unknown operation"}]}'
            else:
                await calls(self.vendors)
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
