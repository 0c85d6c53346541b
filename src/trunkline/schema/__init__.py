"""The Strawberry schema: types, inputs, enums; no I/O of its own."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules
from strawberry.schema.config import StrawberryConfig

from trunkline.engine import (
    DocumentCache,
    Documents,
    Executor,
    FastPath,
    OperationHooks,
)
from trunkline.schema.errors import ErrorMapping, mapped_errors
from trunkline.schema.mutation import Mutation
from trunkline.schema.query import Query
from trunkline.schema.subscription import Subscription

# Extra validation rules, as classes built once (a rule class built per request would
# defeat the document cache). Depth, aliases and the other size limits are checked
# before validation, with the configured values (security/limits.py).
LIMITS: list[type[ASTValidationRule]] = []


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """ErrorMapping logs what deserves it; expected errors are not log noise."""


class FastSchema(FastPath, Schema):
    """The schema with the engine's fast path (engine/fast_path.py)."""


def build_schema(*, fast_path: bool = True) -> Schema:
    """The schema; `fast_path=False`: every request on Strawberry's own path."""
    common: dict[str, Any] = {
        "query": Query,
        "mutation": Mutation,
        "subscription": Subscription,
        "config": StrawberryConfig(relay_max_results=1000),
    }
    if not fast_path:
        return Schema(
            **common,
            extensions=[
                ErrorMapping,
                OperationHooks,
                lambda: AddValidationRules(LIMITS),
            ],
        )
    # Clients send the same documents again and again: parse and validate once.
    documents = Documents(LIMITS)
    return FastSchema(
        **common,
        execution_context_class=Executor,
        extensions=[
            ErrorMapping,
            OperationHooks,
            lambda: DocumentCache(documents),
        ],
        documents=documents,
        map_errors=mapped_errors,
    )


_SHARED: dict[bool, Schema] = {}


def shared_schema(fast_path: bool) -> Schema:
    """One schema per process and path, shared by every app built in it."""
    found = _SHARED.get(fast_path)
    if found is None:
        found = _SHARED[fast_path] = build_schema(fast_path=fast_path)
    return found


schema = shared_schema(True)

__all__ = ["LIMITS", "FastSchema", "Schema", "build_schema", "schema", "shared_schema"]
