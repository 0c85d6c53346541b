"""Parsed and validated documents, cached by their text.

Clients send the same few documents again and again. Strawberry's ParserCache,
ValidationCache and AddValidationRules do this as three extensions, and the validation
cache keys on the parsed document, whose hash walks the whole tree on every request.
This one keys both steps on the text (a str caches its hash) in one extension.

The cache is bounded in bytes (an estimate of each parsed tree's size), not entries:
documents differ in size by orders of magnitude. A text is parsed at most once per
token limit (`get(text, max_tokens)`), so the lexer stops early on a huge document.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    specified_rules,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.graphql import OperationType

from trunkline.lru import ByteLRU

# A parsed document with its locations holds about 110 bytes per character of its
# text (measured on graphql-core 3.3: 13.6 MB for a 127 kB document).
BYTES_PER_CHAR = 120
DEFAULT_CACHE_BYTES = 64 << 20
# Validation stops after this many errors: an error can print a whole input value, so
# graphql-core's default of 100 made one 5 kB document take over a second.
MAX_VALIDATION_ERRORS = 10


class _Entry:
    __slots__ = ("_operations", "document", "errors", "shape", "within")

    def __init__(self, document: DocumentNode, within: int | None = None) -> None:
        self.document = document
        self.within = within  # the token limit it was parsed under (None: none)
        self.shape: Any = None  # what the request guard measured (security/limits.py)
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

    def __init__(
        self,
        rules: Sequence[type[ASTValidationRule]],
        max_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self.rules = tuple(rules)
        self.entries: ByteLRU[str, _Entry] = ByteLRU(max_bytes)

    def valid(self, text: str) -> _Entry | None:
        """The entry of a text already parsed and validated without error, else None."""
        entry = self.entries.peek(text)
        return entry if entry is not None and entry.errors == [] else None

    def get(self, text: str, max_tokens: int | None = None) -> _Entry:
        """The text's entry, parsed if need be; with `max_tokens`, a text over that many
        tokens (or comments) raises a syntax error before the lexer reads further."""
        entry = self.entries.get(text)
        if entry is not None and (
            max_tokens is None
            or (entry.within is not None and entry.within <= max_tokens)
        ):
            return entry
        # a syntax error raises: nothing is cached
        document = (
            parse(text)
            if max_tokens is None
            else parse(text, max_lexical_tokens=max_tokens, max_comments=max_tokens)
        )
        if entry is not None:  # parsed before under no (or a larger) limit
            entry.within = max_tokens
            return entry
        entry = _Entry(document, max_tokens)
        self.entries.put(text, entry, BYTES_PER_CHAR * len(text) + 1024)
        return entry

    def validate(
        self,
        entry: _Entry,
        schema: GraphQLSchema,
        rules: Sequence[type[ASTValidationRule]] = specified_rules,
    ) -> list[GraphQLError]:
        """Validate once (Strawberry's validate_document, with an error cap)."""
        if entry.errors is None:
            entry.errors = validate(
                schema,
                entry.document,
                (
                    *rules,
                    *self.rules,
                    MaybeNullValidationRule,
                    OneOfInputValidationRule,
                ),
                max_errors=MAX_VALIDATION_ERRORS,
            )
        return entry.errors


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
            context.pre_execution_errors = self.documents.validate(
                entry, context.schema._schema, context.validation_rules
            )
        yield


__all__ = ["DocumentCache", "Documents"]
