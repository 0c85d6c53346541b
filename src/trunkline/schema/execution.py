"""The executor: graphql-core's, with a short path for the plain fields of an object.

Most of a large answer is fields read straight off an object: a contact's name, a
phone's number, an edge's node, a node's Relay id. graphql-core runs each through its
full field machinery (a resolve-info object, resolver wrappers, awaitable checks, a
completion dispatch), which was most of the CPU a page of 50 contacts cost
(bench/NOTES.md). This executor reads such fields directly:

- a leaf: Strawberry's default resolver (an attribute), no arguments, a scalar or enum;
- an object: the same kind of field returning an object type, completed in place;
- a list of leaves, or of objects whose selected fields are all such leaves (built
  as rows), or of any objects (each completed in place, like an object field);
- a Relay `id`: `Node`'s own resolver with the default `resolve_id`/`resolve_typename`;
- an `attribute_field`: a resolver that reads an attribute path (`record.city`), read
  as one here (a type can render the record it wraps without copying it).

Each grouped field set's plans are looked up once per request (`_steps`), not per
object: a page's 50 edges share them.

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

import strawberry
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
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    serialize_boolean,
    serialize_id,
    serialize_int,
    serialize_string,
)
from strawberry import relay
from strawberry.relay import GlobalID
from strawberry.relay.utils import to_base64
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
# The built-in scalars answer a value of this exact type unchanged (an Int: within its
# 32 bits), so the short path takes it as is without calling the serializer.
_AS_IS: dict[Callable[[Any], Any], type] = {
    serialize_string: str,
    serialize_id: str,
    serialize_boolean: bool,
    serialize_int: int,
}


def _as_is(value: Any, exact: type | None) -> bool:
    kind = type(value)
    return kind is exact and (
        kind is not int or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
    )


# per Node class: the attribute holding its id when Strawberry's defaults apply, else ""
_ID_ATTRS: dict[type, str] = {}


def _id_attr(cls: type) -> str:
    try:
        return _ID_ATTRS[cls]
    except KeyError:
        pass
    default = (
        getattr(getattr(cls, "resolve_id", None), "__func__", None)
        is _DEFAULT_RESOLVE_ID
        and getattr(getattr(cls, "resolve_typename", None), "__func__", None)
        is _DEFAULT_TYPENAME
    )
    _ID_ATTRS[cls] = attr = cls.resolve_id_attr() if default else ""  # type: ignore[attr-defined]
    return attr


# attribute_field's resolvers, and the attribute path each reads
_ATTRIBUTE_FIELDS: dict[Callable[..., Any], str] = {}


def attribute_field(path: str, description: str | None = None) -> Any:
    """A field whose value is `source.<path>` (e.g. `record.city`): a resolver for
    Strawberry and graphql-core, a plain attribute read on the short path."""
    get = attrgetter(path)
    resolve = lambda root: get(root)  # noqa: E731 - no annotation: the field's type
    _ATTRIBUTE_FIELDS[resolve] = path
    return strawberry.field(resolver=resolve, description=description)


def _attribute_path(field: GraphQLField) -> str | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    path = _ATTRIBUTE_FIELDS.get(getattr(resolver, "wrapped_func", None))  # type: ignore[arg-type]
    return path if path is not None and not definition.extensions else None  # type: ignore[union-attr]


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
    path = _attribute_path(field)
    if path is None and not getattr(field.resolve, "_is_default", False):
        return None  # neither Strawberry's basic field nor an attribute_field
    read = attrgetter(path) if path is not None else _reader(field)
    if is_leaf_type(inner):
        return LEAF, read, inner.serialize, non_null
    if is_object_type(inner):
        return OBJECT, read, inner, non_null
    if is_list_type(inner):
        item_non_null = is_non_null_type(inner.of_type)
        item = inner.of_type.of_type if item_non_null else inner.of_type
        if is_leaf_type(item):
            return LIST, read, (LEAF, item.serialize, item_non_null), non_null
        if is_object_type(item):
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


class _Step:
    """One field of a grouped field set, as this request runs it: its plan, and what
    its sub-selection needs (collected once, not per object: a page's 50 edges share
    their steps)."""

    __slots__ = ("details", "exact", "how", "kind", "name", "non_null", "read", "sub")

    def __init__(self, name: str, plan: Plan, details: FieldDetailsList) -> None:
        self.name = name
        self.details = details
        kind, read, how, non_null = plan or (0, None, None, False)
        self.kind: int = kind
        self.read: Any = read
        self.how: Any = how
        self.non_null: bool = non_null
        self.exact: type | None = _AS_IS.get(how) if kind == LEAF and how else None
        self.sub: Any = None  # (grouped field set, field type, leaf rows) or False


# a row's fields: (response name, read, serialize, non-null, the type taken as is)
Leaves = list[tuple[str, Callable[..., Any], Any, bool, type | None]]


class Executor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers(self)
        plans = _PLANS.get(self.schema)
        if plans is None:
            plans = _PLANS[self.schema] = {}
        self._plans = plans
        # per grouped field set (kept alive by graphql-core's own memo, and here)
        self._steps: dict[int, tuple[GroupedFieldSet, list[_Step]]] = {}

    def _plan_of(self, parent_type: GraphQLObjectType, name: str) -> Plan:
        key = (parent_type.name, name)
        try:
            return self._plans[key]
        except KeyError:
            plan = self._plans[key] = _plan(parent_type, name)
            return plan

    def _steps_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[_Step]:
        found = self._steps.get(id(grouped_field_set))
        if found is not None and found[0] is grouped_field_set:
            return found[1]
        steps: list[_Step] = []
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            plan = (
                None if node.arguments else self._plan_of(parent_type, node.name.value)
            )
            steps.append(_Step(response_name, plan, details))
        self._steps[id(grouped_field_set)] = (grouped_field_set, steps)
        return steps

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
        results: dict[str, Any] = {}
        pending: list[str] = []
        try:
            for step in self._steps_of(parent_type, grouped_field_set):
                kind = step.kind
                if kind == LEAF:  # inline: most fields of a page are leaves
                    try:
                        value = step.read(source_value)
                        if type(value) is step.exact and (
                            step.exact is not int or _as_is(value, int)
                        ):
                            results[step.name] = value
                            continue
                        if value is None:
                            if not step.non_null:
                                results[step.name] = None
                                continue
                        else:
                            out = step.how(value)
                            if out is not None and out is not Undefined:
                                results[step.name] = out
                                continue
                    except Exception:
                        pass
                elif kind:
                    try:
                        value = self._short(step, parent_type, source_value, path)
                    except _Slow:
                        pass
                    else:
                        results[step.name] = value
                        # objects and lists: a dict, a list, None or an awaitable
                        if (
                            kind != NODE_ID
                            and value is not None
                            and type(value) is not dict
                            and type(value) is not list
                        ):
                            pending.append(step.name)
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    step.details,
                    Path(path, step.name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[step.name] = result
                    if self.is_awaitable(result):
                        pending.append(step.name)
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
        step: _Step,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
    ) -> Any:
        kind = step.kind
        try:
            if kind == NODE_ID:
                cls = type(source)
                attr = _ID_ATTRS.get(cls)
                if attr is None:
                    attr = _id_attr(cls)
                if not attr:
                    raise _Slow
                node_id = str(getattr(source, attr))
                if step.how is serialize_id:  # what str(GlobalID) gives, without one
                    return to_base64(parent_type.name, node_id)
                gid = GlobalID(type_name=parent_type.name, node_id=node_id)
                out = step.how(gid)
                if out is None or out is Undefined:
                    raise _Slow
                return out
            value = step.read(source)
        except Exception:
            raise _Slow from None
        if value is None:
            if step.non_null:
                raise _Slow
            return None
        if kind == LIST:
            return self._list(step, value, path, parent_type)
        return self._object(step, value, path, parent_type)

    def _sub(
        self,
        step: _Step,
        object_type: GraphQLObjectType,
        parent_type: GraphQLObjectType,
    ) -> tuple[GroupedFieldSet, Any, Leaves | None]:
        """The step's sub-selection: its grouped field set, the field's type and, when
        every selected field is a plain leaf, the leaf plans (rows); `_Slow` on @defer."""
        sub = step.sub
        if sub is None:
            grouped, defer_usages, _forbidden = self.collect_subfields(
                object_type, step.details
            )
            leaves: Leaves | None = [] if not defer_usages else None
            for name, fields in grouped.items():
                node = fields[0].node
                plan = self._plan_of(object_type, node.name.value)
                if leaves is None or node.arguments or plan is None or plan[0] != LEAF:
                    leaves = None
                    break
                leaves.append((name, plan[1], plan[2], plan[3], _AS_IS.get(plan[2])))
            field_type = parent_type.fields[step.details[0].node.name.value].type
            sub = step.sub = False if defer_usages else (grouped, field_type, leaves)
        if sub is False:
            raise _Slow
        return sub  # type: ignore[no-any-return]

    def _list(
        self, step: _Step, value: Any, path: Path | None, parent_type: GraphQLObjectType
    ) -> AwaitableOrValue[list[Any] | None]:
        """A list of leaves, or of objects whose selected fields are all plain leaves
        (a contact's phones): built directly, or `_Slow` on anything unusual. Other
        lists of objects (a page's edges) complete each item in place."""
        if type(value) is not list and type(value) is not tuple:
            raise _Slow
        item_kind, how, item_non_null = step.how
        if item_kind == LEAF:
            try:
                return [_leaf(how, v, item_non_null) for v in value]
            except _Slow:
                raise
            except Exception:
                raise _Slow from None
        grouped, field_type, leaves = self._sub(step, how, parent_type)
        if leaves is None or how.is_type_of is not None:
            return self._objects(
                how, item_non_null, value, path, step, parent_type, grouped, field_type
            )
        try:
            out: list[Any] = []
            for v in value:
                if v is None:
                    if item_non_null:
                        raise _Slow
                    out.append(None)
                    continue
                row: dict[str, Any] = {}
                for name, resolve, serialize, nn, exact in leaves:
                    x = resolve(v)
                    row[name] = x if _as_is(x, exact) else _leaf(serialize, x, nn)
                out.append(row)
            return out
        except _Slow:
            raise
        except Exception:
            raise _Slow from None

    def _objects(
        self,
        object_type: GraphQLObjectType,
        item_non_null: bool,
        value: list[Any] | tuple[Any, ...],
        path: Path | None,
        step: _Step,
        parent_type: GraphQLObjectType,
        grouped: GroupedFieldSet,
        field_type: Any,
    ) -> AwaitableOrValue[list[Any] | None]:
        """Each item completed in place, as graphql-core's list completion does;
        anything unusual about an item is found before any item runs."""
        is_type_of = object_type.is_type_of
        is_awaitable = self.is_awaitable
        try:
            for v in value:
                if v is None:
                    if item_non_null:
                        raise _Slow
                elif (
                    isinstance(v, Exception)
                    or is_awaitable(v)
                    or (is_type_of is not None and is_type_of(v, None) is not True)  # type: ignore[arg-type]
                ):
                    raise _Slow
        except Exception:
            raise _Slow from None
        details = step.details
        field_path = Path(path, step.name, parent_type.name)
        list_type = field_type.of_type if is_non_null_type(field_type) else field_type
        item_type: GraphQLOutputType = list_type.of_type
        # from here on errors are the items', then this field's, reported as
        # graphql-core's list completion and execute_field report them
        out: list[Any] = []
        waiting: list[int] = []
        try:
            for index, v in enumerate(value):
                if v is None:
                    out.append(None)
                    continue
                item_path = field_path.add_key(index, None)
                try:
                    sub = self.execute_fields(object_type, v, item_path, grouped, None)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    out.append(None)
                    continue
                if isinstance(sub, dict):
                    out.append(sub)
                else:
                    waiting.append(index)
                    out.append(self._settle(sub, item_type, details, item_path))
        except Exception as raw_error:
            if waiting:
                self.settle_in_background([out[i] for i in waiting])
            self.handle_field_error(raw_error, field_type, details, field_path)
            return None
        if not waiting:
            return out
        return self._settle_list(out, waiting, field_type, details, field_path)

    async def _settle_list(
        self,
        out: list[Any],
        waiting: list[int],
        field_type: GraphQLOutputType,
        details: FieldDetailsList,
        field_path: Path,
    ) -> list[Any] | None:
        try:
            awaited = await gather_with_cancel(*(out[i] for i in waiting))
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, field_path)
            return None
        for i, sub in zip(waiting, awaited, strict=True):
            out[i] = sub
        return out

    def _object(
        self, step: _Step, value: Any, path: Path | None, parent_type: GraphQLObjectType
    ) -> AwaitableOrValue[dict[str, Any] | None]:
        object_type: GraphQLObjectType = step.how
        if isinstance(value, Exception) or self.is_awaitable(value):
            raise _Slow
        if object_type.is_type_of is not None:
            try:
                fits = object_type.is_type_of(value, None)  # type: ignore[arg-type]
            except Exception:
                raise _Slow from None
            if fits is not True:
                raise _Slow
        grouped, field_type, _leaves = self._sub(step, object_type, parent_type)
        field_path = Path(path, step.name, parent_type.name)
        details = step.details
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


__all__ = ["Executor", "attribute_field"]
