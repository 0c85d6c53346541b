"""The shape of a parsed document, measured once, and the limits checked against it.

Validation and execution cost grow with what a document expands to, not with its
text: a fragment spread ten times counts ten times, and graphql-core's overlapping-
fields rule compares every pair of same-named fields in a selection set. So the walk
follows fragments (each fragment's figures computed once, then reused, so a document
that doubles at each level is measured in linear time) and reports, for the whole
document: its operations (with their root fields), aliases, depth, directives (in
total and the most on one location), the most fields of one response name in one
selection set, the largest list or input object literal (its items and fields, nested
ones included: a validation error prints the whole value, once per wrong field), and
whether it asks for the schema (`__schema`, `__type`).
A fragment cycle counts as nothing here; validation refuses it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
)

from trunkline.errors import QueryTooComplex
from trunkline.security_settings import Limits

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class Operation:
    name: str | None
    kind: str  # "query", "mutation", "subscription"
    root_fields: frozenset[str]  # field names (not aliases), fragments followed


@dataclass(slots=True, eq=False)
class Shape:
    operations: tuple[Operation, ...]
    aliases: int
    depth: int
    directives: int
    directives_per_location: int
    duplicate_fields: int
    input_values: int
    introspection: bool
    passed: Limits | None = None  # the limits last checked without a refusal

    def operation(self, name: str | None) -> Operation | None:
        """The operation `name` picks; with no name, the only one (else None)."""
        if name is None:
            return self.operations[0] if len(self.operations) == 1 else None
        for op in self.operations:
            if op.name == name:
                return op
        return None


@dataclass(slots=True)
class _Figures:
    """A selection set's figures, fragments expanded."""

    aliases: int = 0
    depth: int = 0
    directives: int = 0
    per_location: int = 0
    duplicates: int = 0
    values: int = 0
    introspection: bool = False

    def add(self, other: _Figures, depth_offset: int = 0) -> None:
        self.aliases += other.aliases
        self.depth = max(self.depth, other.depth + depth_offset)
        self.directives += other.directives
        self.per_location = max(self.per_location, other.per_location)
        self.duplicates = max(self.duplicates, other.duplicates)
        self.values = max(self.values, other.values)
        self.introspection = self.introspection or other.introspection


class _Walker:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self._figures: dict[str, _Figures] = {}
        self._keys: dict[str, Counter[str]] = {}
        self._roots: dict[str, frozenset[str]] = {}
        self._active: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None) -> _Figures:
        out = _Figures()
        if node is None:
            return out
        self._walk(node, out)
        keys = self.keys(node)
        out.duplicates = max(out.duplicates, max(keys.values(), default=0))
        return out

    def _walk(self, node: SelectionSetNode, out: _Figures) -> None:
        """Adds the figures of `node`'s selections; inline fragments stay flat."""
        for selection in node.selections:
            _directives(selection.directives, out)
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    out.values = max(out.values, _values(argument.value)[1])
                if selection.alias is not None:
                    out.aliases += 1
                if selection.name.value in INTROSPECTION_FIELDS:
                    out.introspection = True
                out.add(self.selection_set(selection.selection_set), 1)
                out.depth = max(out.depth, 1)
            elif isinstance(selection, InlineFragmentNode):
                inner = _Figures()
                self._walk(selection.selection_set, inner)
                out.add(inner)
            elif isinstance(selection, FragmentSpreadNode):
                out.add(self.fragment(selection.name.value))

    def fragment(self, name: str) -> _Figures:
        found = self._figures.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self._active:
            return _Figures()  # unknown or cyclic: validation's to report
        self._active.add(name)
        try:
            inner = _Figures()
            _directives(definition.directives, inner)
            self._walk(definition.selection_set, inner)
        finally:
            self._active.discard(name)
        self._figures[name] = inner
        return inner

    def unused(self) -> list[str]:
        """Fragments no operation spread (validation walks them all the same)."""
        return [name for name in self.fragments if name not in self._figures]

    def keys(self, node: SelectionSetNode) -> Counter[str]:
        """How often each response name occurs in `node`, fragments flattened."""
        counts: Counter[str] = Counter()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                name = selection.alias or selection.name
                counts[name.value] += 1
            elif isinstance(selection, InlineFragmentNode):
                counts.update(self.keys(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                counts.update(self._fragment_keys(selection.name.value))
        return counts

    def _fragment_keys(self, name: str) -> Counter[str]:
        found = self._keys.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self._active:
            return Counter()
        self._active.add(name)
        try:
            counts = self.keys(definition.selection_set)
        finally:
            self._active.discard(name)
        self._keys[name] = counts
        return counts

    def root_fields(self, node: SelectionSetNode) -> frozenset[str]:
        names: set[str] = set()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                names |= self.root_fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                names |= self._fragment_roots(selection.name.value)
        return frozenset(names)

    def _fragment_roots(self, name: str) -> frozenset[str]:
        found = self._roots.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self._active:
            return frozenset()
        self._active.add(name)
        try:
            names = self.root_fields(definition.selection_set)
        finally:
            self._active.discard(name)
        self._roots[name] = names
        return names


def _values(node: ValueNode) -> tuple[int, int]:
    """(values under `node`, the most under one list or object literal in it)."""
    if isinstance(node, ObjectValueNode):
        size, most = len(node.fields), 0
        for field in node.fields:
            inner, inner_most = _values(field.value)
            size, most = size + inner, max(most, inner_most)
        return size, max(most, size)
    if isinstance(node, ListValueNode):
        size, most = len(node.values), 0
        for value in node.values:
            inner, inner_most = _values(value)
            size, most = size + inner, max(most, inner_most)
        return size, max(most, size)
    return 0, 0


def _directives(directives: Sequence[DirectiveNode] | None, out: _Figures) -> None:
    count = len(directives or ())
    out.directives += count
    out.per_location = max(out.per_location, count)
    for directive in directives or ():
        for argument in directive.arguments or ():
            out.values = max(out.values, _values(argument.value)[1])


def measure(document: DocumentNode) -> Shape:
    walker = _Walker(document)
    total = _Figures()
    operations: list[Operation] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        _directives(definition.directives, total)
        for variable in definition.variable_definitions or ():
            _directives(variable.directives, total)
            if variable.default_value is not None:
                total.values = max(total.values, _values(variable.default_value)[1])
        total.add(walker.selection_set(definition.selection_set))
        operations.append(
            Operation(
                definition.name.value if definition.name else None,
                definition.operation.value,
                walker.root_fields(definition.selection_set),
            )
        )
    for name in walker.unused():  # never spread: validated all the same
        total.add(walker.fragment(name))
    return Shape(
        operations=tuple(operations),
        aliases=total.aliases,
        depth=total.depth,
        directives=total.directives,
        directives_per_location=total.per_location,
        duplicate_fields=total.duplicates,
        input_values=total.values,
        introspection=total.introspection,
    )


def check(shape: Shape, limits: Limits) -> None:
    """Raise QueryTooComplex naming the first limit the document is over."""
    for limit, value, what in (
        ("max_operations", len(shape.operations), "operations"),
        ("max_aliases", shape.aliases, "aliases"),
        ("max_depth", shape.depth, "levels of nested fields"),
        ("max_directives", shape.directives, "directives"),
        (
            "max_directives_per_location",
            shape.directives_per_location,
            "directives on one field or fragment",
        ),
        (
            "max_duplicate_fields",
            shape.duplicate_fields,
            "fields of one response name in one selection set",
        ),
        (
            "max_input_values",
            shape.input_values,
            "values in one list or input object",
        ),
    ):
        maximum: int = getattr(limits, limit)
        if value > maximum:
            raise QueryTooComplex(limit, value, maximum, what)
    shape.passed = limits


__all__ = ["INTROSPECTION_FIELDS", "Operation", "Shape", "check", "measure"]
