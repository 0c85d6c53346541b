"""The Strawberry floor: Q2 through a plain Strawberry service, as its docs build one.

The baseline's Q2 calls and shaping (bench/baseline.py), answered through a minimal
Strawberry schema: dataclass types with the default resolvers, `strawberry.asgi.GraphQL`
as the app, the parser and validation caches on. It answers the same JSON as trunkline.
Its p50 over the critical path is what the GraphQL library alone costs on this
machine for a 50-contact page, next to the wire floor (bench/wire.py), which shapes
nothing. A latency reference only, like the wire floor.

    python -m bench.strawberry_floor --port 9002
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from bench.baseline import (
    Vendors,
    global_id,
    group_id,
    make_client,
    phones,
    reference_parser,
    serve,
    text,
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
STATE: dict[str, Vendors] = {}


@strawberry.type
class Phone:
    number: str
    ordinal: int


@strawberry.type
class Group:
    id: str
    name: str | None


@strawberry.type
class Contact:
    id: str
    account: str
    first_name: str | None
    last_name: str | None
    phones: list[Phone]
    groups: list[Group]


@strawberry.type
class ContactEdge:
    node: Contact


@strawberry.type
class PageInfo:
    has_next_page: bool


@strawberry.type
class ContactConnection:
    edges: list[ContactEdge]
    page_info: PageInfo


@strawberry.type
class Query:
    @strawberry.field
    async def contacts(self, first: int = 50) -> ContactConnection:
        page, groups = await asyncio.gather(
            STATE["vendors"].livevox_get("/contact/contacts", offset=0, count=first),
            STATE["vendors"].livevox_get(
                "/contact/contactGroups", offset=0, count=1000
            ),
        )
        names = {str(g["id"]): g["name"] for g in groups.get("contactGroup") or []}
        edges = []
        for c in page.get("listContactDetails") or []:
            person = c.get("person") or {}
            gid = group_id(c)
            contact = Contact(
                id=global_id("Contact", c["account"]),
                account=c["account"],
                first_name=text(person.get("firstName")),
                last_name=text(person.get("lastName")),
                phones=[Phone(**p) for p in phones(c, ("number", "ordinal"))],
                groups=[Group(id=gid, name=names[gid])] if gid in names else [],
            )
            edges.append(ContactEdge(node=contact))
        more = bool(page.get("next"))
        return ContactConnection(edges=edges, page_info=PageInfo(has_next_page=more))


# factories, as Strawberry's current API asks: the caches live at module level
SCHEMA = strawberry.Schema(
    Query,
    extensions=[lambda: ParserCache(maxsize=100), lambda: ValidationCache(maxsize=100)],
)
GRAPHQL = GraphQL[None, None](SCHEMA, graphql_ide=None)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http" and scope["path"] == "/readyz":
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status":"ready"}'})
    else:
        await GRAPHQL(scope, receive, send)  # type: ignore[arg-type]


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            STATE["vendors"] = Vendors(make_client("aiohttp"), os.environ)
            await STATE["vendors"].login()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if "vendors" in STATE:
                await STATE["vendors"].client.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return


def main(argv: list[str] | None = None) -> int:
    serve(
        app,
        reference_parser("python -m bench.strawberry_floor", __doc__, 9002).parse_args(
            argv
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
