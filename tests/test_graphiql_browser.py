"""Offline GraphiQL in a real browser: Debian's headless Chromium, network
limited to 127.0.0.1, runs the example query and checks the result pane.

Run: ``pytest -m browser tests/test_graphiql_browser.py`` (or
``scripts/check-graphiql``). Needs node + npm and /usr/bin/chromium
(``apt-get install -y chromium``); installs tests/browser/node_modules with
``npm ci`` if missing. The screenshot lands in /tmp/trunkline-graphiql.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route

from node_checks import run_graphiql, serve
from trunkline.http import GRAPHIQL_STATIC_PATH, GraphQLEndpoint, graphiql_static_app

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/trunkline-graphiql.png")


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str = "GraphiQL") -> str:
        return f"hello {name}"


async def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def make_app() -> Starlette:
    endpoint = GraphQLEndpoint(
        strawberry.Schema(Query),
        context_getter=_context,
        example_query='query Example {\n  greeting(name: "offline")\n}\n',
    )
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Mount(GRAPHIQL_STATIC_PATH, graphiql_static_app()),
        ]
    )


def test_graphiql_runs_example_query_offline() -> None:
    with serve(make_app()) as base_url:
        summary = run_graphiql(
            f"{base_url}/graphql", '"greeting": "hello offline"', SCREENSHOT
        )
    assert summary["blocked"] == [], "page tried to reach beyond 127.0.0.1"
    assert summary["failures"] == []
    assert summary["ok"] is True
    assert summary["returncode"] == 0
    assert SCREENSHOT.stat().st_size > 10_000
