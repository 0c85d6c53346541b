"""The Strawberry schema: types, inputs, enums; no I/O of its own."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig

from trunkline.schema.documents import DocumentCache, Documents
from trunkline.schema.errors import ErrorMapping
from trunkline.schema.execution import Executor
from trunkline.schema.mutation import Mutation
from trunkline.schema.query import Query

# Depth and alias limits as rule classes built once: Strawberry's limiter extensions
# build a new rule class per request, which would defeat the document cache.
LIMITS: list[type[ASTValidationRule]] = [
    depth_rule(max_depth=12, should_ignore=None),
    alias_rule(max_alias_count=30),
]


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """ErrorMapping logs what deserves it; expected errors are not log noise."""


def build_schema() -> Schema:
    # Clients send the same documents again and again: parse and validate once.
    documents = Documents(LIMITS, maxsize=512)
    return Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(relay_max_results=1000),
        execution_context_class=Executor,
        extensions=[
            ErrorMapping,
            lambda: DocumentCache(documents),
        ],
    )


schema = build_schema()

__all__ = ["Schema", "build_schema", "schema"]
