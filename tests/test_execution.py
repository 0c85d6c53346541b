"""The short path for leaf fields answers exactly what graphql-core's full path does:
data, error messages and error paths, field order included."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import strawberry
from strawberry import relay

from trunkline.engine.execution import Executor

ROOT = Path(__file__).resolve().parent.parent


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
class Box(relay.Node):
    key: relay.NodeID[str]
    item: Item
    maybe: Item | None
    must: Item
    many: list[Item]
    holes: list[Item | None]
    words: list[str | None]

    @strawberry.field
    async def slow_item(self) -> Item:
        return self.item


class NotAnItem:
    name = "impostor"


@strawberry.type
class Crate:
    label: str
    item: Item
    must: Item

    @strawberry.field
    async def sure(self) -> str:
        if self.label == "bad":
            raise ValueError("crate exploded")
        return self.label


@strawberry.type
class Shelf:
    label: str
    boxes: list[Box | None]
    crates: list[Crate] | None
    strict: list[Box]


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
    def boxes(self) -> list[Box | None]:
        items = Query.items(self)

        def box(key: str, it: Item, i: int = 0) -> Box:
            return Box(
                key=key,
                item=it,
                maybe=it if i % 2 else None,
                must=it,
                many=items[: i + 1],
                holes=[it, None],
                words=["a", None, it.name],
            )

        broken = box("b", items[0])
        broken.must = None  # type: ignore[assignment]
        wrong = box("w", items[0])
        wrong.item = NotAnItem()  # type: ignore[assignment]
        exploding = box("x", items[0])
        exploding.maybe = Broken()  # type: ignore[assignment]
        bad_list = box("l", items[0])
        bad_list.many = [items[0], None, Broken()]  # type: ignore[list-item]
        odd_list = box("o", items[0])
        odd_list.holes = [Broken(), None]  # type: ignore[list-item]
        odd_list.words = "not a list"  # type: ignore[assignment]
        return [box(f"k{i}", it, i) for i, it in enumerate(items)] + [
            broken,
            wrong,
            exploding,
            bad_list,
            odd_list,
        ]

    @strawberry.field
    def shelves(self) -> list[Shelf]:
        items = Query.items(self)
        boxes: list[Any] = Query.boxes(self)
        fine = [b for b in boxes if b is not None and b.key.startswith("k")]

        def crate(label: str, i: int) -> Crate:
            return Crate(label=label, item=items[i], must=items[-i])

        sunk = crate("sunk", 1)
        sunk.must = None  # type: ignore[assignment]
        return [
            Shelf(label="s0", boxes=boxes, crates=[crate("a", 0)], strict=fine),
            Shelf(label="s1", boxes=[None, *fine], crates=[], strict=fine[:1]),
            Shelf(label="s2", boxes=fine, crates=[crate("b", 2), sunk], strict=[]),
            Shelf(label="s3", boxes=[], crates=[crate("bad", 3)], strict=fine[1:]),
            Shelf(label="s4", boxes=[fine[0], items[0]], crates=None, strict=fine),  # type: ignore[list-item]
            Shelf(label="s5", boxes=fine, crates=[crate("c", 4)], strict=boxes),
        ]

    @strawberry.field
    def odd(self) -> list[Item]:
        """Values the built-in scalars convert, or refuse (an Int beyond 32 bits)."""
        items = Query.items(self)
        items[1].count = 2**40
        items[2].on = 1  # type: ignore[assignment]
        items[3].count = True  # type: ignore[assignment]
        items[4].name = 7  # type: ignore[assignment]
        return items

    @strawberry.field
    def nulled(self) -> Item | None:
        item = Query.items(self)[0]
        item.name = None  # type: ignore[assignment]
        return item


QUERIES = [
    "{ boxes { id item { name colour } maybe { name nick } must { count } } }",
    "{ boxes { id slowItem { name later } item { ...on Item { at } } } }",
    "{ boxes { maybe { name nick count } } }",
    "{ boxes { many { name count tags } holes { name nick } words } }",
    "{ boxes { many { name shout } holes { colour at } } }",
    "{ boxes { id many { ... on Item { ratio } name } } }",
    "{ items { name nick colour at count ratio on tags shout later __typename } }",
    "{ items { a: name b: name name ...F c: shout(times: 2) } } "
    "fragment F on Item { count @skip(if: true) ratio @include(if: true) }",
    "{ broken { name nick colour count ratio on } }",
    "{ broken { nick ratio } nulled { nick name count } }",
    "{ shelves { label boxes { id must { count } item { name } } } }",
    "{ shelves { label crates { label must { name } item { later } } } }",
    "{ shelves { boxes { slowItem { later } } crates { sure item { name } } } }",
    "{ shelves { label strict { id many { name } maybe { nick } } } }",
    "{ shelves { strict { id } crates { sure } boxes { many { name } } } }",
    "{ shelves { boxes { __typename ... on Box { id } } } }",
    "{ shelves { strict { id item { name } maybe { count } slowItem { later } } } }",
    "{ shelves { crates { label item { name tags at } must { ratio } } } }",
    "{ odd { name count on } }",
    "{ odd { on name } }",
    "{ boxes { many { count } } odd { count } }",
]


def _run(query: str, executor: Any) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=Query, types=[Box], execution_context_class=executor
    )
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
    errors = _run("{ broken { name nick colour count ratio on } }", Executor)["errors"]
    assert errors == [("name exploded", ("broken", 0, "name"))]
    [(message, path)] = _run("{ broken { count } }", Executor)["errors"]
    assert path == ("broken", 0, "count") and "many" in message


GATEWAY_QUERIES = [
    (ROOT / "bench/queries/q1_contact.graphql").read_text(),
    (ROOT / "bench/queries/q2_contacts_page.graphql").read_text(),
    (ROOT / "bench/queries/q3_contacts_interactions.graphql").read_text(),
    (ROOT / "src/trunkline/example.graphql").read_text(),
    """{ interactions(first: 30, filter: {contactId: "Q29udGFjdDoxMDAwMDA="}) {
         edges { cursor node { id occurredAt channel direction subject body
           source { vendor vendorId } contact { id displayName }
           detail { __typename ... on MoxiWorksActionLogDetail { agentAction
                      title address { city } }
                    ... on ProcuriosContactMomentDetail { typeTitle recipientIds } } } }
         pageInfo { hasNextPage endCursor } } }""",
    """{ contacts(first: 5, filter: {accountPrefix: "1000"}) { edges { node {
         id source { vendor vendorId } account firstName lastName displayName emails
         address1 address2 city state postalCode country dateOfBirth balance dueDate
         active createdAt modifiedAt customFields { field value label }
         phones { number ordinal block dnd smsConsent cellConsent }
         ... on Contact { c: city n: firstName } } } } }""",
]


@pytest.mark.fast_path
@pytest.mark.parametrize("query", GATEWAY_QUERIES)
async def test_the_gateway_answers_the_same_with_either_executor(
    gql: Any, query: str
) -> None:
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    from trunkline.schema import schema

    assert schema.execution_context_class is Executor
    short = (await gql.http.post("/graphql", json={"query": query})).json()
    schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    try:
        full = (await gql.http.post("/graphql", json={"query": query})).json()
    finally:
        schema.execution_context_class = Executor
    # cursors of merged histories carry MoxiWorks window bounds taken from the clock
    assert _uncursored(short) == _uncursored(full)
    assert "errors" not in short


def _uncursored(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            k: _uncursored(v)
            for k, v in data.items()
            if k not in ("cursor", "endCursor", "startCursor")
        }
    if isinstance(data, list):
        return [_uncursored(v) for v in data]
    return data


def test_an_execution_is_freed_without_waiting_for_the_cycle_collector() -> None:
    """Each request's objects (and the vendor batches they hold) go when it ends."""
    import gc
    import weakref

    seen: list[weakref.ref[Any]] = []

    class Watched(Executor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            seen.append(weakref.ref(self))

    schema = strawberry.Schema(
        query=Query, types=[Box], execution_context_class=Watched
    )
    gc.collect()
    gc.disable()
    try:
        result = asyncio.run(schema.execute("{ boxes { id slowItem { later } } }"))
        assert result.errors is None
        del result
        assert seen and all(r() is None for r in seen)
    finally:
        gc.enable()
