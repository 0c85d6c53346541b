"""Operation hooks (engine/hooks.py): every operation passes them before it executes,
on Strawberry's path (a first send, or the fast path off) and on the fast path (a
document sent before) alike; a TrunklineError refuses the operation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from strawberry.types.graphql import OperationType

from support import GraphQLClient
from trunkline.app import create_app
from trunkline.domain import Vendor
from trunkline.engine import Hook, Operation
from trunkline.errors import TrunklineError


class Refused(TrunklineError):
    code = "FORBIDDEN"


Start = Callable[[Sequence[Hook]], AbstractAsyncContextManager[GraphQLClient]]


@pytest.fixture(params=[True, False], ids=["fast path", "strawberry path"])
def start(request: pytest.FixtureRequest, settings: Any) -> Start:
    """Starts the gateway with the given hooks, on either path."""

    @asynccontextmanager
    async def started(hooks: Sequence[Hook]) -> AsyncIterator[GraphQLClient]:
        app = create_app(
            replace(settings, fast_path=request.param),
            hooks=hooks,
            lazy_simulators=True,
        )
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gateway"
            ) as http:
                yield GraphQLClient(http, app)

    return started


PAGE = "query Page($n: Int) { contacts(first: $n) { edges { node { account } } } }"


async def test_every_send_passes_the_hooks_with_its_operation(start: Start) -> None:
    seen: list[Operation] = []
    async with start([seen.append]) as gql:
        first = await gql.data(PAGE, {"n": 2})
        second = await gql.data(PAGE, {"n": 2})  # the fast path's, when it is on
    assert first == second and len(first["contacts"]["edges"]) == 2
    assert len(seen) == 2
    for op in seen:
        assert (op.name, op.kind, dict(op.variables)) == (
            "Page",
            OperationType.QUERY,
            {"n": 2},
        )
        assert op.definition in op.document.definitions
        assert op.context.gateway is gql.app.state.gateway


async def test_a_refusal_answers_its_error_and_runs_nothing(start: Start) -> None:
    order: list[str] = []

    async def first(op: Operation) -> None:
        order.append("first")

    def refuse(op: Operation) -> None:
        order.append("refuse")
        if op.kind is OperationType.QUERY and op.name == "Page":
            raise Refused("Not for you.", reason="test")

    async with start([first, refuse, lambda op: order.append("never")]) as gql:
        await gql.data("{ __typename }")  # log in; passes every hook
        assert order == ["first", "refuse", "never"]
        order.clear()
        gql.reset_calls()
        answers = [
            await gql.http.post("/graphql", json={"query": PAGE, "variables": {"n": 2}})
            for _ in range(2)
        ]
        assert gql.calls(Vendor.LIVEVOX) == []  # nothing executed
    for r in answers:  # a request error, as http.py answers one: no data
        assert r.status_code == 200
        assert r.json() == {
            "errors": [
                {
                    "message": "Not for you.",
                    "extensions": {"code": "FORBIDDEN", "reason": "test"},
                }
            ],
        }
    assert order == ["first", "refuse"] * 2


async def test_a_hook_that_breaks_is_masked(
    start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(op: Operation) -> None:
        raise RuntimeError("secret detail")

    answers = []
    async with start([broken]) as gql:
        for _ in range(2):
            answers.append(await gql.http.post("/graphql", json={"query": PAGE}))
    for r in answers:
        assert r.json() == {
            "data": None,
            "errors": [
                {
                    "message": "Unexpected error.",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ],
        }
        assert "secret detail" not in r.text
    assert "secret detail" in caplog.text
