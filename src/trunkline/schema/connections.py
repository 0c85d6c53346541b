"""Relay Cursor Connections (relay.dev/graphql/connections.htm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from trunkline.resolvers.pages import Page

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


def to_connection(page: Page[D], render: Callable[[D], N]) -> Connection[N]:
    edges = [Edge(cursor=c, node=render(item)) for c, item in page.edges]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count,
    )


__all__ = ["Connection", "Edge", "PageInfo", "to_connection"]
