"""`node_fields`: what a query selects under a connection's nodes, however spelled
(it decides what the gateway fetches beside a page, e.g. the group list)."""

from __future__ import annotations

import pytest
import strawberry
from strawberry.types import Info

from trunkline.schema.selection import node_fields

SEEN: list[frozenset[str]] = []


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
        SEEN.append(node_fields(info))
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
    SEEN.clear()
    result = schema.execute_sync(query)
    assert result.errors is None
    [seen] = SEEN
    assert seen == frozenset(expected)
