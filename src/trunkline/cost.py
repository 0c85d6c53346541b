"""What an operation may cost in vendor calls, known before any call is made.

`CostModel.check` walks the operation's parsed document with its variables (no I/O)
and adds up the calls each field can cause:

- a connection's items multiply what is selected below them (`first`/`last`, else
  the default page size);
- a contact's history costs, per vendor that holds one, the calls its paging implies
  for `first` items (`HistoryCost`: a call per page of `page_size`, or per window of
  `window_s` between `since` and `until`, clamped to the horizon and to now);
- `node`/`nodes` cost each distinct ID's lookup (an interaction's at its vendor);
- contact lists, contact loads, groups and notes a call each.

Over `[limits] max_vendor_calls`, the operation is refused unrun (`QueryTooCostly`,
naming the estimate and the limit). The estimate leans high but is not a proof: the
same budget is counted while the request runs (trunkline/budget.py).
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
)

from trunkline.connectors.base import HistoryCost
from trunkline.errors import BadUserInput, QueryTooCostly

DAY_S = 86_400
DEFAULT_PAGE = 50  # pagination/args.py's default page size
BACKWARD_ITEMS = 200  # `last` walks forward in chunks of this (resolvers/interactions)
CONTACT_BATCH = 1000  # contacts one LiveVox search returns
LAST_PROBES = 20  # `last` without `before` finds the end by one-item probes


@dataclass(frozen=True, slots=True)
class CostModel:
    schema: GraphQLSchema
    histories: Mapping[str, HistoryCost]  # by vendor name (lower case)
    max_calls: int
    max_nodes_ids: int
    max_page_size: int
    horizon_days: int
    # Estimates by (text, operation, variables, day): clients send the same few
    # operations again and again, and a walk costs about 30 us (a hit: 2 us).
    _known: dict[tuple[str, str | None, bytes, int], int] = field(
        default_factory=dict, compare=False, repr=False
    )

    # ---- entry points ------------------------------------------------------------
    def check(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        now: float | None = None,
        text: str | None = None,
    ) -> int:
        """The estimate; raises QueryTooCostly when it is over the budget. With
        `text` (the document's), estimates are remembered for the day."""
        key = None
        if text is not None and now is None:
            try:
                values = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
            except TypeError:
                values = None
            if values is not None and len(text) + len(values) <= 20_000:
                key = (text, operation_name, values, int(time.time() // DAY_S))
        estimate = self._known.get(key) if key is not None else None
        if estimate is None:
            estimate = self.estimate(document, variables, operation_name, now)
            if key is not None:
                if len(self._known) >= 1024:
                    self._known.clear()
                self._known[key] = estimate
        if estimate > self.max_calls:
            raise QueryTooCostly(
                f"This operation could make about {estimate} vendor calls; the limit "
                f"is {self.max_calls} ([limits] max_vendor_calls). Ask for fewer "
                "items, fewer contacts' histories or a shorter date range.",
                estimate=estimate,
                limit=self.max_calls,
            )
        return estimate

    def estimate(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        now: float | None = None,
    ) -> int:
        ops = [
            d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
            and (operation_name is None or (d.name and d.name.value == operation_name))
        ]
        if len(ops) != 1:
            return 0  # execution refuses it
        op = ops[0]
        values = dict(variables or {})
        for definition in op.variable_definitions or ():
            name = definition.variable.name.value
            if name not in values and definition.default_value is not None:
                values[name] = _literal(definition.default_value, {})
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        root = self.schema.get_root_type(op.operation)
        if root is None:
            return 0
        walk = _Walk(self, values, fragments, time.time() if now is None else now)
        return walk.selections(op.selection_set, root, 1, 1, 0)


class _Walk:
    def __init__(
        self,
        model: CostModel,
        variables: Mapping[str, Any],
        fragments: Mapping[str, FragmentDefinitionNode],
        now: float,
    ) -> None:
        self.model = model
        self.variables = variables
        self.fragments = fragments
        self.now = now

    def selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: Any,
        mult: int,
        lists: int,
        depth: int,
    ) -> int:
        """Calls below `selection_set` on `mult` objects of `parent`, which came in
        `lists` separate lists (a batched load costs at most one call a list)."""
        if selection_set is None or depth > 64:
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self.field(sel, parent, mult, lists, depth)
            elif isinstance(sel, InlineFragmentNode):
                narrowed = parent
                if sel.type_condition is not None:
                    narrowed = self.model.schema.get_type(sel.type_condition.name.value)
                total += self.selections(
                    sel.selection_set, narrowed, mult, lists, depth + 1
                )
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments.get(sel.name.value)
                if fragment is not None:
                    narrowed = self.model.schema.get_type(
                        fragment.type_condition.name.value
                    )
                    total += self.selections(
                        fragment.selection_set, narrowed, mult, lists, depth + 1
                    )
        return total

    def field(
        self, node: FieldNode, parent: Any, mult: int, lists: int, depth: int
    ) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        child = get_named_type(definition.type)
        args = {
            a.name.value: _literal(a.value, self.variables)
            for a in node.arguments or ()
        }
        where = f"{parent.name}.{name}"
        below = node.selection_set

        def inner(m: int, n_lists: int) -> int:
            return self.selections(below, child, m, n_lists, depth + 1)

        if where == "Query.contacts":
            n = self._size(args)
            probes = LAST_PROBES if args.get("last") is not None else 0
            return mult * (1 + probes) + self.connection(below, child, mult, n, depth)
        if where in ("Query.interactions", "Contact.interactions"):
            n = self._size(args)
            f = args.get("filter") if isinstance(args.get("filter"), dict) else {}
            assert isinstance(f, dict)
            of_contact = where == "Contact.interactions" or bool(f.get("contactId"))
            backward = args.get("last") is not None
            own = mult * self.history(n, f, of_contact, backward)
            if where == "Query.interactions" and f.get("contactId"):
                own += mult  # the contact itself
            return own + self.connection(below, child, mult, n, depth)
        if where == "Query.node":
            return self.lookups([args.get("id")]) + inner(1, 1)
        if where == "Query.nodes":
            ids = args.get("ids")
            distinct = list(dict.fromkeys(ids)) if isinstance(ids, list) else []
            if len(distinct) > self.model.max_nodes_ids:
                raise BadUserInput(
                    f"nodes(ids:) takes at most {self.model.max_nodes_ids} IDs "
                    f"([limits] max_nodes_ids); got {len(distinct)}.",
                    limit=self.model.max_nodes_ids,
                )
            return self.lookups(distinct) + inner(len(distinct), 1)
        if where in ("Query.contact", "Mutation.linkContact", "Mutation.unlinkContact"):
            return mult + inner(mult, lists)
        if where in ("Interaction.contact", "Interaction.participants"):
            return min(mult, lists) + inner(mult, lists)
        if where in ("Contact.notes",):
            return mult
        if where in ("Contact.groups", "CustomField.label"):
            return 1
        return inner(mult, lists)

    def connection(
        self,
        selection_set: SelectionSetNode | None,
        conn: Any,
        mult: int,
        n: int,
        depth: int,
    ) -> int:
        """A connection's `edges { node }` and `nodes`: `mult` lists of `n` items."""
        if selection_set is None or not isinstance(conn, GraphQLObjectType):
            return 0
        total = 0
        for sel in _fields(selection_set, self.fragments):
            definition = conn.fields.get(sel.name.value)
            if definition is None:
                continue
            item = get_named_type(definition.type)
            if sel.name.value == "nodes":
                total += self.selections(sel.selection_set, item, mult * n, mult, depth)
            elif sel.name.value == "edges" and isinstance(item, GraphQLObjectType):
                for edge_field in _fields(sel.selection_set, self.fragments):
                    if edge_field.name.value == "node":
                        node_type = get_named_type(item.fields["node"].type)
                        total += self.selections(
                            edge_field.selection_set, node_type, mult * n, mult, depth
                        )
        return total

    def _size(self, args: Mapping[str, Any]) -> int:
        for key in ("first", "last"):
            value = args.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(0, min(value, self.model.max_page_size))
        return DEFAULT_PAGE

    def history(
        self, n: int, f: Mapping[str, Any], of_contact: bool, backward: bool
    ) -> int:
        """Calls to read `n` items of one history (one contact's, or everyone's)."""
        vendors = f.get("vendors")
        wanted = (
            {str(v).lower() for v in vendors} if isinstance(vendors, list) else None
        )
        items = (max(n, BACKWARD_ITEMS) if backward else n) + 1
        local = bool(f.get("text") or f.get("channels") or f.get("direction"))
        since, until = self.bounds(f)
        total = 0
        for vendor, cost in self.model.histories.items():
            if wanted is not None and vendor not in wanted:
                continue
            if not of_contact and cost.needs_contact:
                continue
            if cost.paging == "date_window" and cost.window_s > 0:
                total += max(0, math.ceil((until - since) / cost.window_s))
            elif cost.paging in ("page", "offset") and cost.page_size > 0:
                total += math.ceil(items / cost.page_size) + int(local)
            else:
                total += 1
            total += cost.item_calls * items
        return total

    def bounds(self, f: Mapping[str, Any]) -> tuple[float, float]:
        """`since`/`until` as the history reads them: clamped to the horizon and now."""
        horizon = horizon_start(self.now, self.model.horizon_days)
        until = min(_timestamp(f.get("until")) or math.inf, self.now + 1)
        since = max(_timestamp(f.get("since")) or horizon, horizon)
        return since, until

    def lookups(self, ids: Sequence[Any]) -> int:
        """Calls to find each of `ids` (global IDs): contacts in batched searches,
        interactions one lookup each at their vendor (and their contact's search)."""
        contacts = 0
        total = 0
        for raw in ids:
            kind, key = _global_id(raw)
            if kind == "Contact":
                contacts += 1
            elif kind == "Interaction":
                # `vendor:token`, or `vendor@account:token`: the account's contact
                # is read to check that the item is its own
                vendor, at, _ = key.partition(":")[0].partition("@")
                cost = self.model.histories.get(vendor)
                total += cost.lookup_calls if cost is not None else 0
                contacts += bool(at)
        return total + math.ceil(contacts / CONTACT_BATCH)


def horizon_start(now: float, horizon_days: int) -> float:
    """The oldest moment a history reaches: midnight UTC `horizon_days` ago (a whole
    day, so reads within one day share vendor pages and loader keys)."""
    start = now - horizon_days * DAY_S
    return float(math.floor(start / DAY_S) * DAY_S)


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    depth: int = 0,
) -> list[FieldNode]:
    """The fields of a selection set, fragments spread (one type: no narrowing)."""
    if selection_set is None or depth > 16:
        return []
    out: list[FieldNode] = []
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            out += _fields(sel.selection_set, fragments, depth + 1)
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                out += _fields(fragment.selection_set, fragments, depth + 1)
    return out


def _literal(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    """An argument's value as JSON would carry it; what cannot be read is None."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, FloatValueNode):
        return float(node.value)
    if isinstance(node, StringValueNode | EnumValueNode):
        return node.value
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, ListValueNode):
        return [_literal(v, variables) for v in node.values]
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _literal(f.value, variables) for f in node.fields}
    return None


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _global_id(raw: Any) -> tuple[str, str]:
    if not isinstance(raw, str):
        return "", ""
    try:
        text = base64.b64decode(raw, validate=False).decode("utf-8")
    except (binascii.Error, ValueError):
        return "", ""
    kind, _, key = text.partition(":")
    return kind, key


__all__ = ["CostModel", "horizon_start"]
