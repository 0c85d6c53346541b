"""`node_fields`: what a query selects under a connection's nodes, however spelled
(it decides what the gateway fetches beside a page, e.g. the group list)."""

from __future__ import annotations

import pytest
import strawberry
from strawberry.types import Info

from trunkline.schema.selection import node_fields

seen: list[frozenset[str]] = []


@strawberry.type
class Thing:
    name: str
    size: int
    colour: str


@strawberry.type
class ThingEdge:
    node: Thing
    cursor: str


@strawberry.type
class ThingConnection:
    edges: list[ThingEdge]
    nodes: list[Thing]


@strawberry.type
class Query:
    @strawberry.field
    def things(self, info: Info) -> ThingConnection:
        seen.append(node_fields(info))
        return ThingConnection(edges=[], nodes=[])


schema = strawberry.Schema(query=Query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ things { edges { node { name size } } } }", {"name", "size"}),
        ("{ things { nodes { colour } edges { cursor } } }", {"colour"}),
        (
            "{ things { ...C } } fragment C on ThingConnection "
            "{ edges { node { ...T } } } fragment T on Thing { size }",
            {"size"},
        ),
        (
            "{ things { edges { ... on ThingEdge { node { ... on Thing { name } } } } } }",
            {"name"},
        ),
        ("{ things { edges { cursor } } }", set()),
    ],
)
def test_node_fields(query: str, expected: set[str]) -> None:
    seen.clear()
    result = schema.execute_sync(query)
    assert result.errors is None
    [one] = seen
    assert one == frozenset(expected)


class Memo:
    def __init__(self) -> None:
        self.selections: dict[tuple[int, ...], frozenset[str]] = {}


def test_kept_per_request_by_field_and_never_shared_between_spellings() -> None:
    # the same field under every item of a page is read once a request; aliases,
    # and a fragment's field merged with more, are each their own selection
    seen.clear()
    memo = Memo()
    query = (
        "{ a: things { edges { node { name } } } b: things { nodes { size } } "
        "c: things { ...F } d: things { ...F edges { node { size } } } } "
        "fragment F on ThingConnection { edges { node { colour } } }"
    )
    result = schema.execute_sync(query, context_value=memo)
    assert result.errors is None
    assert seen == [
        frozenset({"name"}),
        frozenset({"size"}),
        frozenset({"colour"}),
        frozenset({"colour", "size"}),
    ]
    assert len(memo.selections) == 4
