"""The Strawberry schema: types, inputs, enums; no I/O of its own."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from trunkline.schema.errors import ErrorMapping
from trunkline.schema.mutation import Mutation
from trunkline.schema.query import Query


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """ErrorMapping logs what deserves it; expected errors are not log noise."""


def build_schema() -> Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(relay_max_results=1000),
        extensions=[
            ErrorMapping,
            lambda: QueryDepthLimiter(max_depth=12),
            lambda: MaxAliasesLimiter(max_alias_count=30),
        ],
    )


schema = build_schema()

__all__ = ["Schema", "build_schema", "schema"]
