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

Each grouped field set's plans (plans.py) are looked up once per request (`_steps`),
not per object: a page's 50 edges share them. A list of objects is first tried field
by field over all its items (`_columns`: one dispatch per field, not per object); if
anything is unusual it is done item by item instead (plain reads, so nothing is lost).

Anything unusual (None on a non-null leaf, an error, an awaitable, a value a scalar
refuses, a failed type check, `@defer`) goes back through graphql-core's own path, which
re-reads the attribute (plain reads: no side effects) and reports exactly as before.
Tests compare both executors answer for answer (tests/test_execution.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Iterable, Sequence
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from trunkline.engine.plans import (
    AS_IS,
    LEAF,
    LIST,
    NODE_ID,
    OBJECT,
    PLANS,
    Leaves,
    Plan,
    Slow,
    Step,
    as_is,
    leaf_value,
    node_id_of,
    node_ids_of,
    plan_for,
    rows_of,
)


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


_PLAIN_CLASSES: dict[type, bool] = {}


def _plain_class(cls: type) -> bool:
    """Whether no instance of `cls` is an error or awaitable: a page's 50 contacts are
    of one class, checked once rather than each. (`await` looks up `__await__` on the
    class; graphql-core's check would also see one set on an instance, which nothing
    here does.)"""
    plain = _PLAIN_CLASSES.get(cls)
    if plain is None:
        plain = _PLAIN_CLASSES[cls] = not (
            issubclass(cls, Exception | CoroutineType | GeneratorType)
            or hasattr(cls, "__await__")
        )
    return plain


async def _one_result(results: dict[str, Any], name: str) -> dict[str, Any]:
    """The one awaited field of a selection (a query's single root field, say), awaited
    in the caller's task: a gather would wrap it in a task of its own, which costs a
    loop turn before the resolver starts and two after it ends."""
    results[name] = await results[name]
    return results


def _alive(ref: weakref.ref[Executor]) -> Executor:
    executor = ref()
    if executor is None:  # pragma: no cover - helpers only run during execution
        raise RuntimeError("the execution has finished")
    return executor


class Executor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers(self)
        plans = PLANS.get(self.schema)
        if plans is None:
            plans = PLANS[self.schema] = {}
        self._plans = plans
        # per grouped field set (kept alive by graphql-core's own memo, and here)
        self._steps: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}

    def _plan_of(self, parent_type: GraphQLObjectType, name: str) -> Plan:
        key = (parent_type.name, name)
        try:
            return self._plans[key]
        except KeyError:
            plan = self._plans[key] = plan_for(parent_type, name)
            return plan

    def _steps_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[Step]:
        found = self._steps.get(id(grouped_field_set))
        if found is not None and found[0] is grouped_field_set:
            return found[1]
        steps: list[Step] = []
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            plan = (
                None if node.arguments else self._plan_of(parent_type, node.name.value)
            )
            steps.append(Step(response_name, plan, details))
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
                            step.exact is not int or as_is(value, int)
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
                    except Slow:
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

        if len(pending) == 1:
            return _one_result(results, pending[0])

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[name] for name in pending))
            results.update(zip(pending, awaited, strict=True))
            return results

        return get_results()

    def _short(
        self,
        step: Step,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
    ) -> Any:
        kind = step.kind
        try:
            if kind == NODE_ID:
                return node_id_of(step, parent_type.name, source)
            value = step.read(source)
        except Exception:
            raise Slow from None
        if value is None:
            if step.non_null:
                raise Slow
            return None
        if kind == LIST:
            return self._list(step, value, path, parent_type)
        return self._object(step, value, path, parent_type)

    def _sub(
        self,
        step: Step,
        object_type: GraphQLObjectType,
        parent_type: GraphQLObjectType,
    ) -> tuple[GroupedFieldSet, Any, Leaves | None]:
        """The step's sub-selection: its grouped field set, the field's type and, when
        every selected field is a plain leaf, the leaf plans (rows); `Slow` on @defer."""
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
                leaves.append((name, plan[1], plan[2], plan[3], AS_IS.get(plan[2])))
            field_type = parent_type.fields[step.details[0].node.name.value].type
            sub = step.sub = False if defer_usages else (grouped, field_type, leaves)
        if sub is False:
            raise Slow
        return sub  # type: ignore[no-any-return]

    def _list(
        self, step: Step, value: Any, path: Path | None, parent_type: GraphQLObjectType
    ) -> AwaitableOrValue[list[Any] | None]:
        """A list of leaves, or of objects whose selected fields are all plain leaves
        (a contact's phones): built directly, or `Slow` on anything unusual. Other
        lists of objects (a page's edges) complete each item in place."""
        if type(value) is not list and type(value) is not tuple:
            raise Slow
        item_kind, how, item_non_null = step.how
        if item_kind == LEAF:
            try:
                return [leaf_value(how, v, item_non_null) for v in value]
            except Slow:
                raise
            except Exception:
                raise Slow from None
        grouped, field_type, leaves = self._sub(step, how, parent_type)
        if leaves is None or how.is_type_of is not None:
            return self._objects(
                how, item_non_null, value, path, step, parent_type, grouped, field_type
            )
        try:
            return rows_of(leaves, value, item_non_null)
        except Slow:
            raise
        except Exception:
            raise Slow from None

    def _objects(
        self,
        object_type: GraphQLObjectType,
        item_non_null: bool,
        value: list[Any] | tuple[Any, ...],
        path: Path | None,
        step: Step,
        parent_type: GraphQLObjectType,
        grouped: GroupedFieldSet,
        field_type: Any,
    ) -> AwaitableOrValue[list[Any] | None]:
        """Each item completed in place, as graphql-core's list completion does;
        anything unusual about an item is found before any item runs."""
        try:
            present = self._plain(object_type, value, item_non_null)
        except Exception:
            raise Slow from None
        try:
            done = iter(self._columns(object_type, grouped, present))
            return [None if v is None else next(done) for v in value]
        except Slow:
            pass  # nothing was run: each item takes the path below
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

    def _columns(
        self, object_type: GraphQLObjectType, grouped: GroupedFieldSet, items: list[Any]
    ) -> list[dict[str, Any]]:
        """The items' selected fields, field by field rather than item by item: one
        plan dispatch per field, not per object, and no paths. Only plain reads and
        built-in serializers run, so `Slow` on anything unusual leaves nothing behind
        and the caller completes item by item instead. Items are already type-checked.
        """
        rows: list[dict[str, Any]] = [{} for _ in items]
        try:
            for step in self._steps_of(object_type, grouped):
                kind, name, read = step.kind, step.name, step.read
                if kind == LEAF:
                    how, exact, nn = step.how, step.exact, step.non_null
                    for row, item in zip(rows, items, strict=True):
                        v = read(item)
                        t = type(v)
                        if t is exact and (t is not int or as_is(v, int)):
                            row[name] = v
                        else:
                            row[name] = leaf_value(how, v, nn)
                elif kind == NODE_ID:
                    ids = node_ids_of(step, object_type.name, items)
                    for row, node_id in zip(rows, ids, strict=True):
                        row[name] = node_id
                elif kind == OBJECT:
                    values = [read(item) for item in items]
                    subs = self._column_objects(
                        step, step.how, values, step.non_null, object_type
                    )
                    for row, sub in zip(rows, subs, strict=True):
                        row[name] = sub
                elif kind == LIST:
                    lists = [read(item) for item in items]
                    outs = self._column_lists(step, lists, object_type)
                    for row, out in zip(rows, outs, strict=True):
                        row[name] = out
                else:
                    raise Slow
        except Slow:
            raise
        except Exception:
            raise Slow from None
        return rows

    def _plain(
        self, object_type: GraphQLObjectType, values: Iterable[Any], non_null: bool
    ) -> list[Any]:
        """The values other than None, when each is a plain `object_type` object: no
        error, awaitable or failed type check, and no None where none may be (else
        Slow: the caller takes the item-by-item path)."""
        is_type_of = object_type.is_type_of
        is_awaitable = self.is_awaitable
        present: list[Any] = []
        for v in values:
            if v is None:
                if non_null:
                    raise Slow
            elif (
                (
                    not _plain_class(type(v))
                    and (isinstance(v, Exception) or is_awaitable(v))
                )
                or (is_type_of is not None and is_type_of(v, None) is not True)  # type: ignore[arg-type]
            ):
                raise Slow
            else:
                present.append(v)
        return present

    def _column_objects(
        self,
        step: Step,
        object_type: GraphQLObjectType,
        values: Sequence[Any],
        non_null: bool,
        parent_type: GraphQLObjectType,
    ) -> list[Any]:
        present = self._plain(object_type, values, non_null)
        grouped, _field_type, _leaves = self._sub(step, object_type, parent_type)
        done = iter(self._columns(object_type, grouped, present))
        return [None if v is None else next(done) for v in values]

    def _column_lists(
        self, step: Step, values: list[Any], parent_type: GraphQLObjectType
    ) -> list[Any]:
        """One list field's value for every item (a page's phones, say)."""
        for value in values:
            if value is None:
                if step.non_null:
                    raise Slow
            elif type(value) is not list and type(value) is not tuple:
                raise Slow
        item_kind, how, item_non_null = step.how
        if item_kind == LEAF:
            return [
                None
                if value is None
                else [leaf_value(how, v, item_non_null) for v in value]
                for value in values
            ]
        _grouped, _field_type, leaves = self._sub(step, how, parent_type)
        if leaves is not None and how.is_type_of is None:
            return [
                None if value is None else rows_of(leaves, value, item_non_null)
                for value in values
            ]
        return [
            None
            if value is None
            else self._column_objects(step, how, value, item_non_null, parent_type)
            for value in values
        ]

    async def _settle_list(
        self,
        out: list[Any],
        waiting: list[int],
        field_type: GraphQLOutputType,
        details: FieldDetailsList,
        field_path: Path,
    ) -> list[Any] | None:
        try:
            if len(waiting) == 1:
                awaited = [await out[waiting[0]]]
            else:
                awaited = await gather_with_cancel(*(out[i] for i in waiting))
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, field_path)
            return None
        for i, sub in zip(waiting, awaited, strict=True):
            out[i] = sub
        return out

    def _object(
        self, step: Step, value: Any, path: Path | None, parent_type: GraphQLObjectType
    ) -> AwaitableOrValue[dict[str, Any] | None]:
        object_type: GraphQLObjectType = step.how
        if isinstance(value, Exception) or self.is_awaitable(value):
            raise Slow
        if object_type.is_type_of is not None:
            try:
                fits = object_type.is_type_of(value, None)  # type: ignore[arg-type]
            except Exception:
                raise Slow from None
            if fits is not True:
                raise Slow
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


__all__ = ["Executor"]
