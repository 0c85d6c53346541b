"""Operation hooks: the one place every operation passes before it executes.

Both paths call `run_hooks`: Strawberry's own (through the `OperationHooks`
extension) and the engine's fast path (`FastPath.execute`). It runs after the
document is parsed and validated and the operation is picked, before the variables
are coerced and before any resolver runs.

A hook is a callable taking the `Operation`; it returns None (or an awaitable of
None) to let it run, or raises a `TrunklineError` to refuse it. Hooks run in the
order given; the first refusal stops the rest, and the answer is `data: null` with
that error's message and code, the operation not executed. Anything else a hook
raises is a bug: masked and logged as any other.

The hooks come from the request's context (`context.hooks`): the app's list, given
to `create_app(hooks=...)`. With none (the default) an operation costs one attribute
read here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from trunkline.errors import TrunklineError


@dataclass(frozen=True, slots=True)
class Operation:
    """What is about to run: the parsed (and valid) document, the operation it
    picks, the variables as sent (not yet coerced) and the request's context."""

    document: DocumentNode
    definition: OperationDefinitionNode
    variables: Mapping[str, Any]
    context: Any

    @property
    def name(self) -> str | None:
        return self.definition.name.value if self.definition.name else None

    @property
    def kind(self) -> OperationType:
        return OperationType(self.definition.operation.value)


Hook = Callable[[Operation], Awaitable[None] | None]


def hooks_of(context: object) -> Sequence[Hook]:
    hooks: Sequence[Hook] = getattr(context, "hooks", ())
    return hooks


async def run_hooks(hooks: Sequence[Hook], operation: Operation) -> GraphQLError | None:
    """Run `hooks` in order; the refusal as an error to answer, or None to execute."""
    for hook in hooks:
        try:
            outcome = hook(operation)
            if isawaitable(outcome):
                await outcome
        except TrunklineError as exc:
            return GraphQLError(exc.message, original_error=exc)
    return None


class OperationHooks(SchemaExtension):
    """`run_hooks` on Strawberry's own path: a refusal becomes the result, which
    Strawberry then answers without executing."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        hooks = hooks_of(context.context)
        document = context.graphql_document
        if hooks and document is not None:
            definition = get_operation_ast(document, context.operation_name)
            assert definition is not None  # Strawberry picked its type already
            refused = await run_hooks(
                hooks,
                Operation(
                    document, definition, context.variables or {}, context.context
                ),
            )
            if refused is not None:
                context.result = GraphQLExecutionResult(data=None, errors=[refused])
        yield


__all__ = ["Hook", "Operation", "OperationHooks", "hooks_of", "run_hooks"]
