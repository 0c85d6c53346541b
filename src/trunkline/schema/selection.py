"""What a query selects below a connection's nodes (for vendors that can trim fields)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
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
    subtree (arguments included) on every call, which costs more than the answer.
    Kept per request by field node: a page's 20 contacts ask for the same field."""
    raw = info._raw_info
    memo: dict[tuple[int, ...], frozenset[str]] | None = getattr(
        info.context, "selections", None
    )
    if memo is None:
        return _node_fields(raw.field_nodes, raw.fragments)
    key = tuple(map(id, raw.field_nodes))  # the nodes live as long as the request
    found = memo.get(key)
    if found is None:
        found = memo[key] = _node_fields(raw.field_nodes, raw.fragments)
    return found


def _node_fields(
    field_nodes: Iterable[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> frozenset[str]:
    top = [p for node in field_nodes for p in _fields(node.selection_set, fragments)]
    names = {f.name.value for f in _under(top, "nodes", fragments)}
    edges = list(_under(top, "edges", fragments))
    names.update(f.name.value for f in _under(edges, "node", fragments))
    return frozenset(names)


def _kept(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: VariableValues | None,
) -> Iterator[FieldNode]:
    """Like `_fields`, but without what @skip / @include leave out."""
    if selection_set is None:
        return
    for s in selection_set.selections:
        skip = get_directive_values(GraphQLSkipDirective, s, variables)
        include = get_directive_values(GraphQLIncludeDirective, s, variables)
        if (skip and skip["if"]) or (include and not include["if"]):
            continue
        if isinstance(s, FieldNode):
            yield s
        elif isinstance(s, InlineFragmentNode):
            yield from _kept(s.selection_set, fragments, variables)
        elif isinstance(s, FragmentSpreadNode) and s.name.value in fragments:
            yield from _kept(
                fragments[s.name.value].selection_set, fragments, variables
            )


def node_field_arguments(
    info: Info, node_type: str, field: str
) -> list[dict[str, Any]]:
    """The arguments of each `field` that will run under the connection's nodes
    (`edges { node }` or `nodes`), as the field's resolver gets them (GraphQL names),
    so that a list resolver can start what its nodes' field will ask for. Fields left
    out by @skip / @include are not listed."""
    raw = info._raw_info
    kind = raw.schema.get_type(node_type)
    assert isinstance(kind, GraphQLObjectType)
    definition = kind.fields[field]
    fragments = raw.fragments
    variables: Any = raw.variable_values
    if not isinstance(variables, VariableValues):  # a plain dict, from our executor
        variables = VariableValues({}, dict(variables or {}))

    def under(nodes: Iterable[FieldNode], name: str) -> list[FieldNode]:
        return [
            f
            for n in nodes
            if n.name.value == name
            for f in _kept(n.selection_set, fragments, variables)
        ]

    top = [
        f for n in raw.field_nodes for f in _kept(n.selection_set, fragments, variables)
    ]
    nodes = under(top, "nodes") + under(under(top, "edges"), "node")
    return [
        get_argument_values(definition, f, variables)
        for f in nodes
        if f.name.value == field
    ]


__all__ = ["node_field_arguments", "node_fields"]
