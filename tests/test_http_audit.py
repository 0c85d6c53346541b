"""GraphQL-over-HTTP conformance: the graphql-http audit suite against real uvicorn.

Run: ``pytest -m audit tests/test_http_audit.py`` (or ``scripts/check-http-audit``).
Needs node + npm; installs tests/audit/node_modules with ``npm ci`` if missing.
To audit the real gateway, swap :func:`make_app` for the app factory.
"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route

from node_checks import run_audit, serve
from trunkline.http import GRAPHIQL_STATIC_PATH, GraphQLEndpoint, graphiql_static_app

pytestmark = pytest.mark.audit


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self) -> int:
        return 1


async def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def make_app() -> Starlette:
    endpoint = GraphQLEndpoint(
        strawberry.Schema(Query, Mutation), context_getter=_context
    )
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Mount(GRAPHIQL_STATIC_PATH, graphiql_static_app()),
        ]
    )


def test_graphql_http_audit() -> None:
    with serve(make_app()) as base_url:
        summary = run_audit(f"{base_url}/graphql", strict=True)
    assert summary["error"] == 0
    assert summary["warn"] == 0
    assert summary["notice"] == 0
    assert summary["ok"] == summary["total"] > 50
    assert summary["returncode"] == 0
