"""The Strawberry schema: types, inputs, enums; no I/O of its own."""

from __future__ import annotations

from collections.abc import Iterable
from inspect import isawaitable
from typing import Any, cast

import strawberry
from graphql import ASTValidationRule, GraphQLError
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import execute as graphql_execute
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from trunkline.schema.documents import DocumentCache, Documents
from trunkline.schema.errors import ErrorMapping, mapped_errors
from trunkline.schema.execution import Executor
from trunkline.schema.mutation import Mutation
from trunkline.schema.query import Query
from trunkline.schema.subscription import Subscription

# Extra validation rules, as classes built once (a rule class built per request would
# defeat the document cache). Depth, aliases and the other size limits are checked
# before validation, with the configured values (security/limits.py).
LIMITS: list[type[ASTValidationRule]] = []


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, documents: Documents, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = documents

    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """ErrorMapping logs what deserves it; expected errors are not log noise."""

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """A document already parsed and validated without error runs straight on
        graphql-core, as Strawberry's own path would run it, without what that path
        adds per request (an execution context, our extensions' instances and their
        hooks): 6 % of a Q2 request's instructions. Its errors are mapped the same way
        (`mapped_errors`). Anything else (a first send, a validation error, an
        operation the document does not pick without doubt, one the method does not
        allow, operation extensions) takes Strawberry's path, which raises or answers
        as it always did."""
        allowed = (
            _QUERY_AND_MUTATION
            if allowed_operation_types is None
            else frozenset(allowed_operation_types)
        )
        entry = (
            self.documents.valid(query) if query and not operation_extensions else None
        )
        kind = entry.operation_type(operation_name) if entry is not None else None
        if entry is None or kind is None or kind not in allowed & _QUERY_AND_MUTATION:
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed if allowed_operation_types is not None else None,
                operation_extensions,
            )
        result = graphql_execute(
            self._schema,
            entry.document,
            root_value=root_value,
            context_value=context_value,
            variable_values=variable_values,
            operation_name=operation_name,
            executor_class=self.execution_context_class,
            is_awaitable=cast(Any, optimized_is_awaitable),
        )
        if isawaitable(result):
            result = await result
        assert isinstance(result, GraphQLExecutionResult)  # no @defer/@stream here
        return ExecutionResult(
            data=result.data, errors=mapped_errors(result.errors, context_value)
        )


_QUERY_AND_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})


def build_schema() -> Schema:
    # Clients send the same documents again and again: parse and validate once.
    documents = Documents(LIMITS)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(relay_max_results=1000),
        execution_context_class=Executor,
        extensions=[
            ErrorMapping,
            lambda: DocumentCache(documents),
        ],
        documents=documents,
    )


schema = build_schema()

__all__ = ["Schema", "build_schema", "schema"]
