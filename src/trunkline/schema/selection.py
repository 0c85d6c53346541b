"""What a query selects below a connection's nodes (for vendors that can trim fields)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments flattened (directives ignored: a
    superset of the selection only fetches a little more)."""
    if selection_set is None:
        return
    for s in selection_set.selections:
        if isinstance(s, FieldNode):
            yield s
        elif isinstance(s, InlineFragmentNode):
            yield from _fields(s.selection_set, fragments)
        elif isinstance(s, FragmentSpreadNode) and s.name.value in fragments:
            yield from _fields(fragments[s.name.value].selection_set, fragments)


def _under(
    fields: Iterable[FieldNode],
    name: str,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    for f in fields:
        if f.name.value == name:
            yield from _fields(f.selection_set, fragments)


def node_fields(info: Info) -> frozenset[str]:
    """Field names selected under `edges { node { ... } }` or `nodes { ... }`.

    Read from the document itself: Strawberry's `selected_fields` converts the whole
    subtree (arguments included) on every call, which costs more than the answer."""
    raw = info._raw_info
    fragments = raw.fragments
    top = [
        p for node in raw.field_nodes for p in _fields(node.selection_set, fragments)
    ]
    names = {f.name.value for f in _under(top, "nodes", fragments)}
    edges = list(_under(top, "edges", fragments))
    names.update(f.name.value for f in _under(edges, "node", fragments))
    return frozenset(names)


__all__ = ["node_fields"]
