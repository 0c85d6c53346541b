"""The short path for leaf fields answers exactly what graphql-core's full path does:
data, error messages and error paths, field order included."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry

from trunkline.schema.execution import Executor


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    nick: str | None
    colour: Colour
    at: datetime
    count: int
    ratio: float
    on: bool
    tags: list[str]

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times

    @strawberry.field
    async def later(self) -> str:
        return self.name + "!"


class Broken:
    """An object whose fields misbehave the way a buggy mapping would."""

    nick = None
    colour = "not-a-colour"
    at = datetime(2026, 1, 1, tzinfo=UTC)
    count = "many"
    ratio = 0.5
    on = True
    tags: list[str] = []

    @property
    def name(self) -> str:
        raise ValueError("name exploded")


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [
            Item(
                name=f"n{i}",
                nick=None if i % 2 else f"k{i}",
                colour=Colour.RED if i % 2 else Colour.BLUE,
                at=datetime(2026, 11, i + 1, tzinfo=UTC),
                count=i,
                ratio=i / 3,
                on=bool(i % 2),
                tags=[f"t{i}"],
            )
            for i in range(5)
        ]

    @strawberry.field
    def broken(self) -> list[Item | None]:
        return [Broken(), None]  # type: ignore[list-item]

    @strawberry.field
    def nulled(self) -> Item | None:
        item = Query.items(self)[0]
        item.name = None  # type: ignore[assignment]
        return item


QUERIES = [
    "{ items { name nick colour at count ratio on tags shout later __typename } }",
    "{ items { a: name b: name name ...F c: shout(times: 2) } } "
    "fragment F on Item { count @skip(if: true) ratio @include(if: true) }",
    "{ broken { name nick colour count ratio on } }",
    "{ broken { nick ratio } nulled { nick name count } }",
]


def _run(query: str, executor: Any) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    result = asyncio.run(schema.execute(query))
    return {
        "data": result.data,
        "order": _order(result.data),
        "errors": sorted((e.message, tuple(e.path or ())) for e in result.errors or []),
    }


def _order(data: Any) -> Any:
    if isinstance(data, dict):
        return [(k, _order(v)) for k, v in data.items()]
    if isinstance(data, list):
        return [_order(v) for v in data]
    return None


@pytest.mark.parametrize("query", QUERIES)
def test_the_short_path_answers_like_graphql_core(query: str) -> None:
    assert _run(query, Executor) == _run(query, None)


def test_errors_keep_their_paths() -> None:
    errors = _run(QUERIES[2], Executor)["errors"]
    assert errors == [("name exploded", ("broken", 0, "name"))]
    [(message, path)] = _run("{ broken { count } }", Executor)["errors"]
    assert path == ("broken", 0, "count") and "many" in message
