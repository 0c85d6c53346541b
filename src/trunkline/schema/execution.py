"""The executor: graphql-core's, with a short path for plain leaf fields.

Most of a large answer is leaf fields read straight off an object (a contact's name, a
phone's number, an interaction's time). graphql-core runs each through the full field
machinery: a `Path`, a resolve-info object, awaitable checks, and a completion dispatch,
which is most of the CPU a page of 50 contacts costs (bench/NOTES.md). For a field that
has Strawberry's default resolver, no arguments, no middleware and a scalar or enum
type, this executor reads the attribute and serializes it directly. Anything unusual
(None on a non-null field, an error, an awaitable, a value the scalar refuses) goes
back through graphql-core's own path, so errors and their paths are exactly the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (resolve, serialize, non_null) per type and field name; None: take the full path
Plan = tuple[Callable[..., Any], Callable[[Any], Any], bool] | None
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = (
    WeakKeyDictionary()
)


def _plan(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> Plan:
    field = parent_type.fields.get(name)
    if field is None or field.args or field.resolve is None:
        return None
    if not getattr(field.resolve, "_is_default", False):  # Strawberry's basic field
        return None
    non_null = is_non_null_type(field.type)
    inner = field.type.of_type if non_null else field.type
    if not is_leaf_type(inner):
        return None
    return field.resolve, inner.serialize, non_null


class Executor(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plans = _PLANS.get(self.schema)
        if plans is None:
            plans = _PLANS[self.schema] = {}
        type_name = parent_type.name
        results: dict[str, Any] = {}
        slow: dict[str, Any] = {}
        for response_name, details in grouped_field_set.items():
            name = details[0].node.name.value
            key = (type_name, name)
            try:
                plan = plans[key]
            except KeyError:
                plan = plans[key] = _plan(self.schema, parent_type, name)
            if plan is not None and not details[0].node.arguments:
                resolve, serialize, non_null = plan
                try:
                    value = resolve(source_value, None)
                    if value is None:
                        if not non_null:
                            results[response_name] = None
                            continue
                    elif not isinstance(value, Exception):
                        out = serialize(value)
                        if out is not None and out is not Undefined:
                            results[response_name] = out
                            continue
                except Exception:  # the full path below reports it properly
                    pass
            slow[response_name] = details
            results[response_name] = None  # keeps the response's field order
        if not slow:
            return results
        rest = super().execute_fields(
            parent_type, source_value, path, slow, position_context
        )
        if isinstance(rest, dict):
            return _merge(results, rest, slow)

        async def merged() -> dict[str, Any]:
            return _merge(results, await rest, slow)

        return merged()


def _merge(
    results: dict[str, Any], rest: dict[str, Any], slow: dict[str, Any]
) -> dict[str, Any]:
    results.update(rest)
    for name in slow.keys() - rest.keys():  # a field the schema does not know
        del results[name]
    return results


__all__ = ["Executor"]
