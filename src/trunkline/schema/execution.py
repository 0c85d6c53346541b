"""The executor: graphql-core's, with a short path for the plain fields of an object.

Most of a large answer is fields read straight off an object: a contact's name, a
phone's number, an edge's node, a node's Relay id. graphql-core runs each through its
full field machinery (a resolve-info object, resolver wrappers, awaitable checks, a
completion dispatch), which was most of the CPU a page of 50 contacts cost
(bench/NOTES.md). This executor reads such fields directly:

- a leaf: Strawberry's default resolver (an attribute), no arguments, a scalar or enum;
- an object: the same kind of field returning an object type, completed in place;
- a list of leaves, or of objects whose selected fields are all such leaves;
- a Relay `id`: `Node`'s own resolver with the default `resolve_id`/`resolve_typename`.

Anything unusual (None on a non-null leaf, an error, an awaitable, a value a scalar
refuses, a failed type check, `@defer`) goes back through graphql-core's own path, which
re-reads the attribute (plain reads: no side effects) and reports exactly as before.
Tests compare both executors answer for answer (tests/test_execution.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry import relay
from strawberry.relay import GlobalID
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

LEAF, OBJECT, NODE_ID, LIST = 1, 2, 3, 4
# (kind, read, serialize | object type | list item plan, non_null); None: full path
Plan = tuple[int, Callable[..., Any], Any, bool] | None
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = (
    WeakKeyDictionary()
)
_NODE_ID_FUNC = relay.Node.__dict__["_id"].__func__
_DEFAULT_RESOLVE_ID = relay.Node.__dict__["resolve_id"].__func__
_DEFAULT_TYPENAME = relay.Node.__dict__["resolve_typename"].__func__


def _is_node_id(field: GraphQLField) -> bool:
    definition = (field.extensions or {}).get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    func = getattr(getattr(resolver, "wrapped_func", None), "__func__", None)
    return func is _NODE_ID_FUNC and not definition.extensions  # type: ignore[union-attr]


def _reader(field: GraphQLField) -> Callable[[Any], Any]:
    """The basic field's read of a source: `attrgetter` of its Python name when
    Strawberry's default resolver is plain `getattr` (its own chain is three calls)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    name = getattr(definition, "python_name", None)
    if isinstance(name, str) and getattr(definition, "default_resolver", 0) is getattr:
        return attrgetter(name)
    resolve = field.resolve
    assert resolve is not None
    return lambda source: resolve(source, None)


def _plan(parent_type: GraphQLObjectType, name: str) -> Plan:
    field = parent_type.fields.get(name)
    if field is None or field.args or field.resolve is None:
        return None
    non_null = is_non_null_type(field.type)
    inner = field.type.of_type if non_null else field.type
    if _is_node_id(field) and is_leaf_type(inner):
        return NODE_ID, field.resolve, inner.serialize, non_null
    if not getattr(field.resolve, "_is_default", False):  # Strawberry's basic field
        return None
    read = _reader(field)
    if is_leaf_type(inner):
        return LEAF, read, inner.serialize, non_null
    if is_object_type(inner):
        return OBJECT, read, inner, non_null
    if is_list_type(inner):
        item_non_null = is_non_null_type(inner.of_type)
        item = inner.of_type.of_type if item_non_null else inner.of_type
        if is_leaf_type(item):
            return LIST, read, (LEAF, item.serialize, item_non_null), non_null
        if is_object_type(item) and item.is_type_of is None:
            return LIST, read, (OBJECT, item, item_non_null), non_null
    return None


class _Slow(Exception):
    """This field takes graphql-core's full path."""


def _leaf(serialize: Callable[[Any], Any], value: Any, non_null: bool) -> Any:
    if value is None:
        if non_null:
            raise _Slow
        return None
    out = serialize(value)
    if out is None or out is Undefined:
        raise _Slow
    return out


def _helpers(executor: Executor) -> GraphQLResolveInfoHelpers:
    """graphql-core's resolver helpers without the cycle its own make: it builds them
    from bound methods of the executor, so every request's objects (and the vendor
    batches its loaders hold) waited for a full garbage collection."""
    ref = weakref.ref(executor)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return _alive(ref).gather_async_work(values)

    def track(values: Sequence[Any]) -> None:
        _alive(ref).track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def _alive(ref: weakref.ref[Executor]) -> Executor:
    executor = ref()
    if executor is None:  # pragma: no cover - helpers only run during execution
        raise RuntimeError("the execution has finished")
    return executor


class Executor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers(self)
        plans = _PLANS.get(self.schema)
        if plans is None:
            plans = _PLANS[self.schema] = {}
        self._plans = plans
        # per grouped field set (kept alive by graphql-core's own memo): its fields'
        # leaf plans, or None when one of them is not a plain leaf
        self._leaves: dict[int, list[tuple[str, Callable[..., Any], Any, bool]] | None]
        self._leaves = {}

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
        plans = self._plans
        type_name = parent_type.name
        results: dict[str, Any] = {}
        pending: list[str] = []
        try:
            for response_name, details in grouped_field_set.items():
                node = details[0].node
                key = (type_name, node.name.value)
                try:
                    plan = plans[key]
                except KeyError:
                    plan = plans[key] = _plan(parent_type, node.name.value)
                if plan is not None and not node.arguments:
                    try:
                        results[response_name] = self._short(
                            plan,
                            parent_type,
                            source_value,
                            path,
                            response_name,
                            details,
                        )
                    except _Slow:
                        pass
                    else:
                        if plan[0] == OBJECT and not isinstance(
                            results[response_name], dict | None
                        ):
                            pending.append(response_name)
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    details,
                    Path(path, response_name, type_name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        pending.append(response_name)
        except Exception:
            if pending:  # settle what other fields started: they may fail too
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[name] for name in pending))
            results.update(zip(pending, awaited, strict=True))
            return results

        return get_results()

    def _short(
        self,
        plan: tuple[int, Callable[..., Any], Any, bool],
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        response_name: str,
        details: FieldDetailsList,
    ) -> Any:
        kind, resolve, how, non_null = plan
        try:
            if kind == NODE_ID:
                cls = type(source)
                if (
                    getattr(cls.resolve_id, "__func__", None) is not _DEFAULT_RESOLVE_ID
                    or getattr(cls.resolve_typename, "__func__", None)
                    is not _DEFAULT_TYPENAME
                ):
                    raise _Slow
                node_id = getattr(source, cls.resolve_id_attr())
                value: Any = GlobalID(type_name=parent_type.name, node_id=str(node_id))
            else:
                value = resolve(source)
        except Exception:
            raise _Slow from None
        if value is None:
            if non_null:
                raise _Slow
            return None
        if kind == LIST:
            return self._list(how, value, details)
        if kind != OBJECT:
            try:
                out = how(value)
            except Exception:
                raise _Slow from None
            if out is None or out is Undefined:
                raise _Slow
            return out
        return self._object(how, value, path, response_name, parent_type, details)

    def _list(self, item: Any, value: Any, details: FieldDetailsList) -> list[Any]:
        """A list of leaves, or of objects whose selected fields are all plain leaves
        (a contact's phones): built directly, or `_Slow` on anything unusual."""
        if type(value) is not list and type(value) is not tuple:
            raise _Slow
        item_kind, how, item_non_null = item
        try:
            if item_kind == LEAF:
                return [_leaf(how, v, item_non_null) for v in value]
            leaves = self._leaf_fields(how, details)
            out: list[Any] = []
            for v in value:
                if v is None:
                    if item_non_null:
                        raise _Slow
                    out.append(None)
                    continue
                out.append(
                    {
                        name: _leaf(serialize, resolve(v), nn)
                        for name, resolve, serialize, nn in leaves
                    }
                )
            return out
        except _Slow:
            raise
        except Exception:
            raise _Slow from None

    def _leaf_fields(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> list[tuple[str, Callable[..., Any], Any, bool]]:
        grouped, defer_usages, _forbidden = self.collect_subfields(object_type, details)
        key = id(grouped)
        if key not in self._leaves:
            leaves: list[tuple[str, Callable[..., Any], Any, bool]] | None = []
            for name, sub in grouped.items():
                node = sub[0].node
                plan_key = (object_type.name, node.name.value)
                if plan_key not in self._plans:
                    self._plans[plan_key] = _plan(object_type, node.name.value)
                plan = self._plans[plan_key]
                if defer_usages or node.arguments or plan is None or plan[0] != LEAF:
                    leaves = None
                    break
                assert leaves is not None
                leaves.append((name, plan[1], plan[2], plan[3]))
            self._leaves[key] = leaves
        found = self._leaves[key]
        if found is None:
            raise _Slow
        return found

    def _object(
        self,
        object_type: GraphQLObjectType,
        value: Any,
        path: Path | None,
        response_name: str,
        parent_type: GraphQLObjectType,
        details: FieldDetailsList,
    ) -> AwaitableOrValue[dict[str, Any] | None]:
        if isinstance(value, Exception) or self.is_awaitable(value):
            raise _Slow
        if object_type.is_type_of is not None:
            try:
                fits = object_type.is_type_of(value, None)  # type: ignore[arg-type]
            except Exception:
                raise _Slow from None
            if fits is not True:
                raise _Slow
        grouped, defer_usages, _forbidden = self.collect_subfields(object_type, details)
        if defer_usages:
            raise _Slow
        field_path = Path(path, response_name, parent_type.name)
        field_type: GraphQLOutputType = parent_type.fields[
            details[0].node.name.value
        ].type
        # from here on errors are this field's, reported as graphql-core's execute_field
        # reports them (null here, or propagated when the field is non-null)
        try:
            sub = self.execute_fields(object_type, value, field_path, grouped, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, field_path)
            return None
        if isinstance(sub, dict):
            return sub
        return self._settle(sub, field_type, details, field_path)

    async def _settle(
        self,
        sub: Awaitable[dict[str, Any]],
        field_type: GraphQLOutputType,
        details: FieldDetailsList,
        field_path: Path,
    ) -> dict[str, Any] | None:
        try:
            return await sub
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, field_path)
            return None


__all__ = ["Executor"]
