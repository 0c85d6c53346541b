"""Plans for the executor's short path (execution.py): what each field of a type
is, how to read it, and the steps of a grouped field set as one request runs them."""

from __future__ import annotations

from binascii import b2a_base64
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Undefined
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

LEAF, OBJECT, NODE_ID, LIST = 1, 2, 3, 4
# (kind, read, serialize | object type | list item plan, non_null); None: full path
Plan = tuple[int, Callable[..., Any], Any, bool] | None
PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = (
    WeakKeyDictionary()
)
_NODE_ID_FUNC = relay.Node.__dict__["_id"].__func__
_DEFAULT_RESOLVE_ID = relay.Node.__dict__["resolve_id"].__func__
_DEFAULT_TYPENAME = relay.Node.__dict__["resolve_typename"].__func__
# The built-in scalars answer a value of this exact type unchanged (an Int: within its
# 32 bits), so the short path takes it as is without calling the serializer.
AS_IS: dict[Callable[[Any], Any], type] = {
    serialize_string: str,
    serialize_id: str,
    serialize_boolean: bool,
    serialize_int: int,
}


def as_is(value: Any, exact: type | None) -> bool:
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


def _attribute_path(field: GraphQLField) -> str | None:
    """The path a resolver marked `reads_path` reads (schema/fields.py's
    `attribute_field`: it returns `source.<path>` and nothing else)."""
    definition = (field.extensions or {}).get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    path = getattr(getattr(resolver, "wrapped_func", None), "reads_path", None)
    if not isinstance(path, str) or definition.extensions:  # type: ignore[union-attr]
        return None
    return path


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


def plan_for(parent_type: GraphQLObjectType, name: str) -> Plan:
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


class Slow(Exception):
    """This field takes graphql-core's full path."""


def node_id_of(step: Step, type_name: str, source: Any) -> Any:
    cls = type(source)
    attr = _ID_ATTRS.get(cls)
    if attr is None:
        attr = _id_attr(cls)
    if not attr:
        raise Slow
    node_id = str(getattr(source, attr))
    if step.how is serialize_id:  # what str(GlobalID) gives, without one
        return to_base64(type_name, node_id)
    out = step.how(GlobalID(type_name=type_name, node_id=node_id))
    if out is None or out is Undefined:
        raise Slow
    return out


def node_ids_of(step: Step, type_name: str, sources: Sequence[Any]) -> list[Any]:
    """`node_id_of` for a column of objects of one class (a page's contacts): the
    global ids encoded as `to_base64` does, without a call per object."""
    classes = {type(s) for s in sources}
    if len(classes) != 1 or step.how is not serialize_id:
        return [node_id_of(step, type_name, s) for s in sources]
    attr = _id_attr(classes.pop())
    if not attr:
        raise Slow
    get = attrgetter(attr)
    prefix = f"{type_name}:"
    return [
        b2a_base64(f"{prefix}{get(s)}".encode(), newline=False).decode()
        for s in sources
    ]


def rows_of(leaves: Leaves, value: Sequence[Any], item_non_null: bool) -> list[Any]:
    """Objects whose selected fields are all plain leaves, as dicts."""
    out: list[Any] = []
    for v in value:
        if v is None:
            if item_non_null:
                raise Slow
            out.append(None)
            continue
        row: dict[str, Any] = {}
        for name, resolve, serialize, nn, exact in leaves:
            x = resolve(v)
            t = type(x)
            if t is exact and (t is not int or as_is(x, int)):
                row[name] = x
            else:
                row[name] = leaf_value(serialize, x, nn)
        out.append(row)
    return out


def leaf_value(serialize: Callable[[Any], Any], value: Any, non_null: bool) -> Any:
    if value is None:
        if non_null:
            raise Slow
        return None
    out = serialize(value)
    if out is None or out is Undefined:
        raise Slow
    return out


class Step:
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
        self.exact: type | None = AS_IS.get(how) if kind == LEAF and how else None
        self.sub: Any = None  # (grouped field set, field type, leaf rows) or False


# a row's fields: (response name, read, serialize, non-null, the type taken as is)
Leaves = list[tuple[str, Callable[..., Any], Any, bool, type | None]]


__all__ = [
    "AS_IS",
    "LEAF",
    "LIST",
    "NODE_ID",
    "OBJECT",
    "PLANS",
    "Leaves",
    "Plan",
    "Slow",
    "Step",
    "as_is",
    "leaf_value",
    "node_id_of",
    "node_ids_of",
    "plan_for",
    "rows_of",
]
