"""The fast path's entry: `FastPath.execute`, a Strawberry schema's `execute` that
runs a document it has seen before straight on graphql-core."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from inspect import isawaitable
from typing import Any, cast

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from graphql import execute as graphql_execute
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from trunkline.engine.documents import Documents
from trunkline.engine.hooks import Operation, hooks_of, run_hooks

ErrorMapper = Callable[[list[GraphQLError] | None, object], list[GraphQLError] | None]

_QUERY_AND_MUTATION = frozenset({OperationType.QUERY, OperationType.MUTATION})


class FastPath(strawberry.Schema):
    """Mixed in before the app's schema class. `documents` is the cache its
    `DocumentCache` extension fills; `map_errors` maps a result's errors as the
    schema's own error extension does on Strawberry's path."""

    def __init__(
        self, *args: Any, documents: Documents, map_errors: ErrorMapper, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.documents = documents
        self.map_errors = map_errors

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
        (`map_errors`), and it passes the same operation hooks (hooks.py). Anything
        else (a first send, a validation error, an operation the document does not
        pick without doubt, one the method does not allow, operation extensions)
        takes Strawberry's path, which raises or answers as it always did."""
        allowed = (
            _QUERY_AND_MUTATION
            if allowed_operation_types is None
            else frozenset(allowed_operation_types)
        )
        entry = (
            self.documents.valid(query) if query and not operation_extensions else None
        )
        picked = entry.picked(operation_name) if entry is not None else None
        if (
            entry is None
            or picked is None
            or picked[1] not in allowed & _QUERY_AND_MUTATION
        ):
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed if allowed_operation_types is not None else None,
                operation_extensions,
            )
        hooks = hooks_of(context_value)
        if hooks:
            operation = Operation(
                entry.document, picked[0], variable_values or {}, context_value
            )
            refused = await run_hooks(hooks, operation)
            if refused is not None:
                return ExecutionResult(
                    data=None, errors=self.map_errors([refused], context_value)
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
            data=result.data, errors=self.map_errors(result.errors, context_value)
        )


__all__ = ["ErrorMapper", "FastPath"]
