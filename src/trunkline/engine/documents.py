"""Parsed and validated documents, cached by their text.

Clients send the same few documents again and again. Strawberry's ParserCache,
ValidationCache and AddValidationRules do this as three extensions, and the validation
cache keys on the parsed document, whose hash walks the whole tree on every request.
This one keys both steps on the text (a str caches its hash) in one extension.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType


class _Entry:
    __slots__ = ("_operations", "document", "errors")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.errors: list[GraphQLError] | None = None  # None: not validated yet
        # per operation name: the operation it picks and its kind (None: not one)
        self._operations: dict[
            str | None, tuple[OperationDefinitionNode, OperationType] | None
        ] = {}

    def picked(
        self, name: str | None
    ) -> tuple[OperationDefinitionNode, OperationType] | None:
        """The operation `name` picks, and its kind; None unless exactly one does."""
        try:
            return self._operations[name]
        except KeyError:
            ops = [
                d
                for d in self.document.definitions
                if isinstance(d, OperationDefinitionNode)
                and (name is None or (d.name is not None and d.name.value == name))
            ]
            found = self._operations[name] = (
                (ops[0], OperationType(ops[0].operation.value))
                if len(ops) == 1
                else None
            )
            return found

    def operation_type(self, name: str | None) -> OperationType | None:
        """The kind of the operation `name` picks; None unless exactly one does."""
        found = self.picked(name)
        return found[1] if found is not None else None


class Documents:
    """The LRU cache behind DocumentCache, shared by every request of a schema."""

    def __init__(self, rules: Sequence[type[ASTValidationRule]], maxsize: int) -> None:
        self.rules = tuple(rules)
        self.maxsize = maxsize
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def valid(self, text: str) -> _Entry | None:
        """The entry of a text already parsed and validated without error, else None."""
        entry = self._entries.get(text)
        return entry if entry is not None and entry.errors == [] else None

    def get(self, text: str) -> _Entry:
        entry = self._entries.get(text)
        if entry is None:
            entry = _Entry(parse(text))  # a syntax error raises: nothing is cached
            self._entries[text] = entry
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(text)
        return entry


class DocumentCache(SchemaExtension):
    """Parse and validate a document once (with `Documents.rules` added to the
    schema's), then reuse both for the same text."""

    def __init__(self, documents: Documents) -> None:
        super().__init__()
        self.documents = documents
        self._entry: _Entry | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            self._entry = self.documents.get(context.query)
            context.graphql_document = self._entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if entry is not None and context.graphql_document is entry.document:
            if entry.errors is None:
                entry.errors = validate_document(
                    context.schema._schema,
                    entry.document,
                    (*context.validation_rules, *self.documents.rules),
                )
            context.pre_execution_errors = entry.errors
        yield


__all__ = ["DocumentCache", "Documents"]
