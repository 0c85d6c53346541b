"""Relay Cursor Connections (relay.dev/graphql/connections.htm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import strawberry

from trunkline.pagination.types import Page

N = TypeVar("N")
D = TypeVar("D")


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="An item of a list, with the cursor that points at it.")
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="One page of a list, per the Relay connection spec.")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        default=None, description="How many items the whole list has, where known."
    )

    @strawberry.field(description="The page's nodes, without their cursors.")
    def nodes(self) -> list[N]:
        return [e.node for e in self.edges]


class _Edge:
    """What the executor reads of an `Edge` (a type with no interface is not checked
    by class): the cursor is made only if the query asks for it."""

    __slots__ = ("_at", "_n", "node")

    def __init__(self, node: Any, at: Callable[[int], str], n: int) -> None:
        self.node = node
        self._at = at
        self._n = n

    @property
    def cursor(self) -> str:
        return self._at(self._n)


class _PageInfo:
    """What the executor reads of a `PageInfo`, its cursors made when read."""

    __slots__ = ("_page", "has_next_page", "has_previous_page")

    def __init__(self, page: Page[Any]) -> None:
        self.has_next_page = page.has_next
        self.has_previous_page = page.has_previous
        self._page = page

    @property
    def start_cursor(self) -> str | None:
        return self._page.cursor_at(0) if self._page.items else None

    @property
    def end_cursor(self) -> str | None:
        items = self._page.items
        return self._page.cursor_at(len(items) - 1) if items else None


def to_connection(page: Page[D], render: Callable[[D], N]) -> Connection[N]:
    at = page.cursor_at
    edges = [_Edge(render(item), at, n) for n, item in enumerate(page.items)]
    return Connection(
        edges=cast(list[Edge[N]], edges),
        page_info=cast(PageInfo, _PageInfo(page)),
        total_count=page.total_count,
    )


__all__ = ["Connection", "Edge", "PageInfo", "to_connection"]
