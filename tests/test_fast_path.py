"""A document sent again runs straight on graphql-core (the engine's fast path): its
answer must be the one Strawberry's own path gave the first time, errors and all.
With the fast path off (TRUNKLINE_FAST_PATH=false) every send takes Strawberry's."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import strawberry

from support import FAST_PATH, GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.seed import people


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


# No cursor: a history cursor holds MoxiWorks windows, which follow the clock.
HISTORY = """query H($id: ID!) { contact(id: $id) {
  interactions(first: 5) { edges { node { id channel } } } } }"""
TWO_OPS = "query A { contacts(first: 1) { edges { node { account } } } } query B { __typename }"

CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "variables",
        {
            "query": "query P($n: Int) { contacts(first: $n) { edges { cursor node { id account phones { number } } } pageInfo { hasNextPage endCursor } } }",
            "variables": {"n": 3},
        },
    ),
    ("not found", {"query": '{ contact(account: "nope") { account } }'}),
    (
        "bad cursor",
        {"query": '{ contacts(first: 2, after: "garbage") { edges { cursor } } }'},
    ),
    (
        "bad variable",
        {
            "query": "query V($n: Int) { contacts(first: $n) { edges { cursor } } }",
            "variables": {"n": "x"},
        },
    ),
    ("bad global id", {"query": '{ node(id: "!!") { id } }'}),
    ("named of two", {"query": TWO_OPS, "operationName": "A"}),
    ("unnamed of two", {"query": TWO_OPS}),
    ("unknown name", {"query": TWO_OPS, "operationName": "C"}),
    (
        "mutation",
        {
            "query": 'mutation { unlinkContact(input: { contactId: "!!", vendor: MOXIWORKS }) { changed userErrors { field code } } }'
        },
    ),
]


@pytest.mark.parametrize("body", [c[1] for c in CASES], ids=[c[0] for c in CASES])
async def test_second_send_answers_as_the_first(
    gql: GraphQLClient, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    await gql.data("{ __typename }")  # log in first: both sends see the same vendors
    first = await gql.http.post("/graphql", json=body)
    strawberry_paths = 0
    real = strawberry.Schema.execute

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal strawberry_paths
        strawberry_paths += 1
        return await real(*args, **kwargs)

    monkeypatch.setattr(strawberry.Schema, "execute", counting)
    second = await gql.http.post("/graphql", json=body)
    assert (second.status_code, second.json()) == (first.status_code, first.json())
    # An operation the document picks without doubt runs on the fast path.
    picked = body.get("operationName") in ("A", None) and (
        "operationName" in body or body["query"].count("query ") < 2
    )
    # The guard refuses an operation the document does not pick before either path.
    refused = body["query"] == TWO_OPS and body.get("operationName") not in ("A", "B")
    assert strawberry_paths == (0 if refused or (picked and FAST_PATH) else 1)


async def test_vendor_failure_is_reported_alike(gql: GraphQLClient) -> None:
    gql.sim(Vendor.CRMCOM).state.faults.down = True
    body = {"query": HISTORY, "variables": {"id": gid("Contact", people()[0].account)}}
    first = (await gql.http.post("/graphql", json=body)).json()
    second = (await gql.http.post("/graphql", json=body)).json()
    assert first == second
    [error] = second["errors"]
    assert (error["extensions"]["code"], error["path"]) == (
        "VENDOR_UNAVAILABLE",
        ["contact", "interactions"],
    )


async def test_mutation_over_get_is_refused_on_every_send(gql: GraphQLClient) -> None:
    query = 'mutation { unlinkContact(input: { contactId: "x", vendor: MOXIWORKS }) { changed } }'
    await gql.http.post("/graphql", json={"query": query})  # cached and validated
    for _ in range(2):
        r = await gql.http.get("/graphql", params={"query": query})
        assert r.status_code == 405


def test_a_fast_path_execution_is_freed_without_the_cycle_collector() -> None:
    """As on Strawberry's path (tests/test_execution.py): a request's objects go when
    it ends, not at the next full collection."""
    import asyncio
    import gc
    import weakref

    from trunkline.engine.execution import Executor
    from trunkline.schema import build_schema

    seen: list[weakref.ref[Any]] = []

    class Watched(Executor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            seen.append(weakref.ref(self))

    schema = build_schema()
    schema.execution_context_class = Watched
    query = "query T { __typename }"
    gc.collect()
    gc.disable()
    try:
        for _ in range(2):  # the second runs on the fast path
            result = asyncio.run(schema.execute(query))
            assert result.errors is None and result.data == {"__typename": "Query"}
            del result
        assert schema.documents.valid(query) is not None
        assert len(seen) == 2 and all(r() is None for r in seen)
    finally:
        gc.enable()
