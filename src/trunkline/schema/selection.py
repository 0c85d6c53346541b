"""What a query selects below a connection's nodes (for vendors that can trim fields)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


def _children(selections: Iterable[Any]) -> Iterable[SelectedField]:
    for s in selections:
        if isinstance(s, SelectedField):
            yield s
        elif isinstance(s, FragmentSpread | InlineFragment):
            yield from _children(s.selections)


def node_fields(info: Info) -> frozenset[str]:
    """Field names selected under `edges { node { ... } }` or `nodes { ... }`."""
    names: set[str] = set()
    for field in _children(info.selected_fields):
        for part in _children(field.selections):
            if part.name == "nodes":
                names.update(f.name for f in _children(part.selections))
            elif part.name == "edges":
                for edge_part in _children(part.selections):
                    if edge_part.name == "node":
                        names.update(f.name for f in _children(edge_part.selections))
    return frozenset(names)


__all__ = ["node_fields"]
