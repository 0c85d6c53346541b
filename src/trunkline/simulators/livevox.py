"""LiveVox Contact API simulator (vendor-docs/livevox-contact-api.txt + CONTRACT.md).

Data: one contact per `seed.people()` person (account `100000 + i`, custom field COL5 =
Procurios `relation_id`, COL6 = CRM.COM `crmcom_id`), about 12 contact groups, notes
(person 0 has 40, person 1 has 200), custom field definitions and linked accounts.

Routes (all need the configured `LV-Access` token, all but login a live `LV-Session`,
else 401; login takes only the configured clientName/userName/password):

- `POST /session/login`
- `GET|POST /contact/contacts[/]` (list / create), `POST /contact/contacts/search`,
  `POST|PUT /contact/contacts/bulk` (CSV export or bulk create / bulk update),
  `POST /contact/contacts/dnd`, `GET|PUT /contact/contacts/customFields[/{field}]`
- `GET|PUT|DELETE /contact/contacts/{account}`, `PUT /contact/contacts/{account}/dnd`,
  `GET /contact/contacts/{account}/notes[/]`, `GET .../{account}/notes/{id}`
- `GET /contact/contacts/{contactId}/accounts`
- `GET|POST /contact/contactGroups[/]`, `GET|PUT /contact/contactGroups/{id}` (the doc
  has no group delete)
- control: `PUT /_sim/expire-sessions`, `GET|PUT /_sim/knobs` (LiveVoxKnobs), plus the
  base `/_sim/faults` and `/_sim/calls`

Each endpoint answers the keys of the doc's example for it, no more (LIST_KEYS,
READ_KEYS, SEARCH_KEYS; tests/test_conformance_livevox.py holds them to the doc): list
items carry `createDate`/`modifyDate` and phones `{phone, ordinal, phoneBlock}`; read
items `createdDate`/`modifiedDate` and no `customFields`; search items `id`, leave out
null fields and pad `phone` to 10 slots of consent and dnd flags, no `phoneBlock`. The
notes list carries `id` and `note` only; a note's dates come from reading it.

Search: a node is a rule `{"rule": "AND"|"OR", "left", "right"}` or a condition
`{"field", "criteria", "condition"}` with text criteria. Only the documented field and
condition pairs (account, postalcode, paymentbalance with EQUALS, STARTS_WITH, GREATER)
and those the README lists to verify (SEARCHABLE) are accepted, else 400; `sort` takes
`account`. Text compares ignore case except `account`, which LiveVox treats as a
case-sensitive identifier. OR-chains of `account EQUALS` collapse into one set lookup,
so batch reads are cheap.
"""

from __future__ import annotations

import bisect
import copy
import csv
import functools
import gzip
import io
import operator
import os
import random
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.simulators.base import CONTROL_PREFIX, Faults, anchor_now, simulator_app
from trunkline.simulators.seed import ACCOUNT_BASE, HEAVY, HUGE, Person, people

Json = dict[str, Any]
Handler = Callable[[Request], Awaitable[Response]]
Coerce = Callable[[Any], Any]

MAX_COUNT = 1000
LIST_ORDERS = ("account", "account_desc", "shuffled")
NOTE_IDS = ("rising", "falling", "shuffled")
NOTES_LIST_ORDERS = ("id_desc", "id_asc", "shuffled")
# "Read Contact Note"'s keys (its table and example)
NOTE_KEYS = ("id", "note", "sessionId", "transactionId", "createDate", "modifiedDate")
PHONE_SLOTS = 10  # search answers always list ten phone slots
SECOND_MS = 1000
DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS
CONTACT_ID_BASE = 1_278_000_000
NOTE_ID_BASE = 1_489_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BORN_1961, BORN_1961_MS = 3, -278_208_000_000  # person 3: born 1961-03-09


class ApiError(Exception):
    """An answer in LiveVox's error shape `{"code", "message"}`."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = status if code is None else code


@dataclass
class LiveVoxKnobs:
    """What the doc leaves open and the connector might lean on (`PUT /_sim/knobs`).

    - `list_order`: List Contact's order. CONTRACT.md: `account` ascending; or
      `account_desc`, or `shuffled` (a fixed order that is neither).
    - `note_ids`: how note ids relate to their `createDate`: `rising` (newer notes
      have higher ids, as LiveVox's sequence gives them), `falling`, or `shuffled`.
    - `notes_list_order`: List Contact Notes' order: `id_desc` (the doc's example),
      `id_asc` or `shuffled`.
    - `unknown_account_notes`: the notes list of an account LiveVox does not know:
      `404` (CONTRACT.md's "404 for an unknown account") or `empty` (an empty list).
    - `fail_bulk_call`: a fault, not a doc gap: the Nth bulk create or bulk update
      call from now (1-based; 0: none) answers 500 and writes nothing.
    """

    list_order: str = "account"
    note_ids: str = "rising"
    notes_list_order: str = "id_desc"
    unknown_account_notes: str = "404"
    fail_bulk_call: int = 0


@dataclass(frozen=True)
class Credentials:
    """What login and every call must carry: only these pass."""

    client_name: str = "trunkline"
    user_name: str = "trunkline"
    password: str = "embedded"
    access_token: str = "embedded-access"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials:
        """The gateway's own variables (`TRUNKLINE_LIVEVOX_...`), else the embedded
        stand-ins the connector sends when none are set."""
        base = cls()
        return cls(
            env.get("TRUNKLINE_LIVEVOX_CLIENT_NAME") or base.client_name,
            env.get("TRUNKLINE_LIVEVOX_USERNAME") or base.user_name,
            env.get("TRUNKLINE_LIVEVOX_PASSWORD") or base.password,
            env.get("TRUNKLINE_LIVEVOX_ACCESS_TOKEN") or base.access_token,
        )


def _knob(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ApiError(500, f"simulator knob {name}={value!r}: one of {allowed}")
    return value


def _json(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(data), status, headers, media_type="application/json")


def _to_ms(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def _ms_date(ms: int) -> str:
    return (EPOCH + timedelta(milliseconds=ms)).strftime("%m/%d/%Y")


# ---- coercion of request values (the doc's own examples send "true", "1", "100.0") --


def _bad(what: str) -> ApiError:
    return ApiError(400, f"invalid value for {what}")


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _bad("text field")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad("boolean field")


def _int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _bad("integer field")


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _group_id(value: Any) -> int:
    return 0 if value in (None, "") else _int(value)


def _number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            pass
    raise _bad("numeric field")


# ---- DND blocks: actions switch daily/permanent flags on or off -------------------

BLOCKS = {"NONE": (False, False), "DAILY": (False, True), "PERMANENT": (True, False)}
BLOCKS["BOTH"] = (True, True)
BLOCK_NAMES = {flags: name for name, flags in BLOCKS.items()}


def _block(current: str, action: Any) -> str:
    """The block after applying an action (NONE, DAILY, PERMANENT, BOTH, *_OFF)."""
    permanent, daily = BLOCKS.get(current, (False, False))
    match action:
        case "NONE":
            permanent, daily = False, False
        case "DAILY" | "DAILY_ON":
            daily = True
        case "PERMANENT" | "PERMANENT_ON":
            permanent = True
        case "BOTH":
            permanent, daily = True, True
        case "DAILY_OFF":
            daily = False
        case "PERMANENT_OFF":
            permanent = False
        case _:
            raise _bad("phoneBlock/accountBlock")
    return BLOCK_NAMES[(permanent, daily)]


def _set_phone_block(phone: Json, action: Any) -> None:
    phone["phoneBlock"] = _block(phone["phoneBlock"], action)
    phone["dnd"], phone["dndDaily"] = BLOCKS[phone["phoneBlock"]]


# ---- contact records and their per-endpoint views ----------------------------------


def _blank_record(account: str, contact_id: int, now_ms: int) -> Json:
    """A contact with every field at its default; also fixes the key order."""
    return {
        "id": contact_id,
        "person": dict.fromkeys(PERSON_FIELDS),
        "guarantor": {"firstName": None, "lastName": None},
        "phone": [],
        "customFields": None,
        "account": account,
        "active": True,
        "balance": 0,
        "accountBlock": "NONE",
        "accountToSpeak": account,
        "originalAccountNumber": None,
        "address1": None,
        "address2": None,
        "city": None,
        "state": None,
        "country": None,
        "postalCode": None,
        "amountToSpeak": 0,
        "dueDate": 0,
        "groupId": 0,
        "agentId": 0,
        "primaryEmailConsent": False,
        "initialLoad": now_ms,
        "lastLoad": None,
        "createdDate": now_ms,
        "modifiedDate": now_ms,
        "callAttemptsToday": 0,
        "callAttemptsLifetime": 0,
        "happinessIndex": 0,
    }


def _phone(number: str, position: int) -> Json:
    return {
        "phone": number,
        "ordinal": position,
        "position": position,
        "phoneBlock": "NONE",
        "smsConsent": False,
        "cellConsent": False,
        "dnd": False,
        "dndDaily": False,
        "callAttemptsTotal": 0,
        "callAttemptsToday": 0,
    }


def _empty_slot(position: int) -> Json:
    return {
        "smsConsent": False,
        "cellConsent": False,
        "ordinal": position,
        "position": position,
        "dnd": False,
        "dndDaily": False,
        "callAttemptsTotal": 0,
        "callAttemptsToday": 0,
    }


# fmt: off
# Each endpoint's keys, as the doc's example for it shows them (the tables' sub-field
# lists did not survive). tests/test_conformance_livevox.py holds the answers to them.
LIST_KEYS = (  # "List Contact": `createDate`/`modifyDate`, no `id`, no `postalCode`
    "person", "guarantor", "phone", "customFields", "account", "active", "balance",
    "accountBlock", "accountToSpeak", "originalAccountNumber", "address1", "address2",
    "city", "state", "country", "amountToSpeak", "dueDate", "groupId",
    "callAttemptsToday", "callAttemptsTotal", "initialLoad", "lastLoad",
    "createDate", "modifyDate",
)
READ_KEYS = (  # "Read Contact": `createdDate`/`modifiedDate`, no `customFields`
    "person", "guarantor", "phone", "active", "balance", "accountBlock",
    "accountToSpeak", "originalAccountNumber", "address1", "address2", "city", "state",
    "country", "amountToSpeak", "dueDate", "groupId", "account", "callAttemptsToday",
    "callAttemptsTotal", "initialLoad", "lastLoad", "createdDate", "modifiedDate",
)
# "Find Matching Contact": the search examples' keys; those examples drop null fields,
# so the contact fields the List/Read examples show and the connector maps (email,
# dateOfBirth, address, state, dueDate, customFields) appear too when they have values.
SEARCH_KEYS = (
    "id", "person", "phone", "customFields", "account", "active", "balance",
    "accountBlock", "address1", "address2", "city", "state", "country", "postalCode",
    "amountToSpeak", "dueDate", "groupId", "primaryEmailConsent", "agentId",
    "happinessIndex", "createdDate", "modifiedDate", "lastLoad", "initialLoad",
    "callAttemptsToday", "callAttemptsLifetime",
)
PERSON_KEYS = ("firstName", "lastName", "dateOfBirth", "email", "ssn", "zipCode")
SEARCH_PERSON_KEYS = ("firstName", "lastName", "dateOfBirth", "email", "zipCode")
LIST_PHONE_KEYS = ("phone", "ordinal", "phoneBlock")  # List and Read examples
SEARCH_PHONE_KEYS = (  # search examples: consent and dnd flags, no phoneBlock
    "phone", "smsConsent", "cellConsent", "ordinal", "position", "dnd", "dndDaily",
    "callAttemptsTotal", "callAttemptsToday",
)
RENAMED = {  # record key -> the key an endpoint names it by
    "list": {"createDate": "createdDate", "modifyDate": "modifiedDate",
             "callAttemptsTotal": "callAttemptsLifetime"},
    "read": {"callAttemptsTotal": "callAttemptsLifetime"},
}
# fmt: on


def _pick(rec: Json, keys: Sequence[str], renamed: Mapping[str, str]) -> Json:
    return {k: rec.get(renamed.get(k, k)) for k in keys}


def _list_view(rec: Json, keys: Sequence[str] = LIST_KEYS, kind: str = "list") -> Json:
    out = _pick(rec, keys, RENAMED[kind])
    out["person"] = _pick(rec["person"], PERSON_KEYS, {})
    out["guarantor"] = dict(rec["guarantor"])
    out["phone"] = [_pick(p, LIST_PHONE_KEYS, {}) for p in rec["phone"]]
    return out


def _read_view(rec: Json) -> Json:
    return _list_view(rec, READ_KEYS, "read")


def _search_view(rec: Json) -> Json:
    """Nulls dropped and phones padded to ten slots, like the doc's search examples."""
    out: Json = {}
    for key in SEARCH_KEYS:
        value = rec.get(key)
        if key == "person":
            person: Json = rec["person"]
            kept = {
                k: person[k] for k in SEARCH_PERSON_KEYS if person.get(k) is not None
            }
            value = kept or None
        if value is not None:
            out[key] = value
    phones = [_pick(p, SEARCH_PHONE_KEYS, {}) for p in rec["phone"]]
    phones += [_empty_slot(i) for i in range(len(phones) + 1, PHONE_SLOTS + 1)]
    out["phone"] = phones
    return out


VIEWS: dict[str, Callable[[Json], Json]] = {
    "read": _read_view,
    "list": _list_view,
    "search": _search_view,
}


@dataclass(slots=True)
class Contact:
    """One contact: its canonical record plus cached endpoint views."""

    record: Json
    views: dict[str, Json] = field(default_factory=dict)

    @property
    def account(self) -> str:
        account: str = self.record["account"]
        return account

    @property
    def id(self) -> int:
        contact_id: int = self.record["id"]
        return contact_id

    def view(self, kind: str) -> Json:
        cached = self.views.get(kind)
        if cached is None:
            cached = self.views[kind] = VIEWS[kind](self.record)
        return cached

    def replace(self, record: Json, now_ms: int) -> None:
        record["modifiedDate"] = now_ms
        self.record = record
        self.views.clear()


# ---- applying create/update details --------------------------------------------------

PERSON_FIELDS: dict[str, Coerce] = {
    "firstName": _str,
    "lastName": _str,
    "dateOfBirth": _opt_int,
    "email": _str,
    "ssn": _str,
    "zipCode": _str,
}
GUARANTOR_FIELDS: dict[str, Coerce] = {"firstName": _str, "lastName": _str}
SCALAR_FIELDS: dict[str, Coerce] = {
    "active": _bool,
    "balance": _number,
    "accountToSpeak": _str,
    "originalAccountNumber": _str,
    "address1": _str,
    "address2": _str,
    "city": _str,
    "state": _str,
    "country": _str,
    "postalCode": _str,
    "amountToSpeak": _number,
    "dueDate": _opt_int,
    "groupId": _group_id,
    "agentId": _int,
    "primaryEmailConsent": _bool,
    "department": _str,
    "salutation": _str,
    "title": _str,
}


def _obj(value: Any, what: str) -> Json:
    if not isinstance(value, dict):
        raise ApiError(400, f"{what} must be an object")
    return value


def _arr(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ApiError(400, f"{what} must be an array")
    return value


def _merge(target: Json, given: Json, fields: dict[str, Coerce]) -> None:
    for key, coerce in fields.items():
        if key in given:
            target[key] = coerce(given[key])


def _phone_in(raw: Any, position: int) -> Json:
    item = _obj(raw, "phone")
    number = _str(item.get("phone"))
    if not number:
        raise ApiError(400, "phone.phone is required")
    phone = _phone(number, position)
    phone["ordinal"] = _int(item.get("ordinal", position))
    phone["smsConsent"] = _bool(item.get("smsConsent", False))
    phone["cellConsent"] = _bool(item.get("cellConsent", False))
    _set_phone_block(phone, item.get("phoneBlock", "NONE"))
    return phone


def _merge_custom(rec: Json, raw: Any) -> None:
    values = {f["field"]: f for f in rec["customFields"] or []}
    for item in _arr(raw, "customFields"):
        name = _obj(item, "customFields item").get("field")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "customFields.field is required")
        values[name] = {"field": name, "value": item.get("value")}
    rec["customFields"] = list(values.values())


def _apply_details(rec: Json, details: Json) -> None:
    """Merge create/update details into a record (account and id never change)."""
    if "person" in details:
        _merge(rec["person"], _obj(details["person"], "person"), PERSON_FIELDS)
    if "guarantor" in details:
        given = _obj(details["guarantor"], "guarantor")
        _merge(rec["guarantor"], given, GUARANTOR_FIELDS)
    if "phone" in details:
        phones = _arr(details["phone"], "phone")
        rec["phone"] = [_phone_in(p, i) for i, p in enumerate(phones, 1)]
    if "customFields" in details and details["customFields"] is not None:
        _merge_custom(rec, details["customFields"])
    if "accountBlock" in details:
        rec["accountBlock"] = _block(rec["accountBlock"], details["accountBlock"])
    _merge(rec, details, SCALAR_FIELDS)


# ---- search ----------------------------------------------------------------------

Getter = Callable[[Json], tuple[Any, ...]]


def _opt(value: Any) -> tuple[Any, ...]:
    return () if value is None else (value,)


def _person(key: str) -> Getter:
    return lambda rec: _opt(rec["person"].get(key))


def _top(key: str) -> Getter:
    return lambda rec: _opt(rec.get(key))


def _full_name(rec: Json) -> tuple[Any, ...]:
    p = rec["person"]
    name = " ".join(part for part in (p.get("firstName"), p.get("lastName")) if part)
    return (name,) if name else ()


TEXT_FIELDS: dict[str, Getter] = {
    "account": _top("account"),
    "name": _full_name,
    "phone": lambda rec: tuple(p["phone"] for p in rec["phone"] if p.get("phone")),
    "email": _person("email"),
    "postalcode": _top("postalCode"),
}
NUMERIC_FIELDS: dict[str, Getter] = {
    "paymentbalance": _top("balance"),
    "modifieddate": _top("modifiedDate"),
}
ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "EQUALS": operator.eq,
    "GREATER": operator.gt,
    "GREATER_OR_EQUALS": operator.ge,
    "LESS_OR_EQUALS": operator.le,
}
TEXT_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "EQUALS": operator.eq,
    "STARTS_WITH": lambda value, c: value.startswith(c),
    "CONTAINS": lambda value, c: c in value,
}
# What search accepts: the doc's fields (account, postalcode, paymentbalance) with its
# conditions (STARTS_WITH, GREATER; EQUALS from CONTRACT.md), plus the pairs the
# connector sends that neither names, each listed in the README ("LiveVox search
# conditions to verify"). Anything else answers 400.
DOCUMENTED = {
    (field_name, condition)
    for field_name in ("account", "postalcode", "paymentbalance")
    for condition in ("EQUALS", "STARTS_WITH", "GREATER")
    if not (field_name == "paymentbalance" and condition == "STARTS_WITH")
}
TO_VERIFY = {
    ("name", "CONTAINS"),
    ("phone", "EQUALS"),
    ("email", "EQUALS"),
    ("paymentbalance", "GREATER_OR_EQUALS"),
    ("paymentbalance", "LESS_OR_EQUALS"),
    ("modifieddate", "GREATER_OR_EQUALS"),
}
SEARCHABLE = DOCUMENTED | TO_VERIFY
SORTABLE = ("account",)  # the doc's sort example


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled search node; `accounts` bounds the matches when known."""

    test: Callable[[Json], bool]
    accounts: frozenset[str] | None = None
    exact: bool = False  # test is exactly "account in accounts"


def _values(field_name: str) -> tuple[Getter, Callable[[Any], Any]]:
    """The getter for a search field and how to normalise its values."""
    if field_name in NUMERIC_FIELDS:
        return NUMERIC_FIELDS[field_name], float
    if field_name == "account":
        return TEXT_FIELDS[field_name], str
    return TEXT_FIELDS[field_name], lambda v: str(v).lower()


def _condition(node: Json) -> Plan:
    name, condition, criteria = (
        node.get(k) for k in ("field", "condition", "criteria")
    )
    if not isinstance(name, str) or not isinstance(condition, str):
        raise ApiError(400, "a condition needs field and condition")
    if not isinstance(criteria, str):
        raise ApiError(400, "criteria must be a string")
    name, condition = name.lower(), condition.upper()
    if (name, condition) not in SEARCHABLE:
        raise ApiError(400, f"unsupported search condition: {name} {condition}")
    getter, norm = _values(name)
    ops = ORDER_OPS if name in NUMERIC_FIELDS else TEXT_OPS
    try:
        c = norm(criteria)
    except ValueError:
        raise ApiError(400, f"criteria for {name} must be a number") from None
    op = ops[condition]
    if name == "account" and condition == "EQUALS":
        return Plan(lambda rec: rec["account"] == c, frozenset((c,)), exact=True)
    return Plan(lambda rec: any(op(norm(v), c) for v in getter(rec)))


def _rule(node: Json) -> str:
    rule = str(node["rule"]).upper()
    if rule not in ("AND", "OR"):
        raise ApiError(400, f"unknown search rule: {rule}")
    return rule


def _operands(node: Json, rule: str) -> list[Any]:
    """Operands of a chain of same-rule nodes, without recursion (trees get deep)."""
    out: list[Any] = []
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict) and "rule" in item and _rule(item) == rule:
            if "left" not in item or "right" not in item:
                raise ApiError(400, "a rule needs left and right")
            stack += [item["right"], item["left"]]
        else:
            out.append(item)
    return out


def _any(plans: list[Plan]) -> Plan:
    exact = frozenset[str]().union(*(p.accounts or () for p in plans if p.exact))
    rest = [p for p in plans if not p.exact]
    bounded = all(p.accounts is not None for p in rest)
    accounts = exact.union(*(p.accounts or () for p in rest)) if bounded else None
    if not rest:
        return Plan(lambda rec: rec["account"] in exact, accounts, exact=True)
    tests = [p.test for p in rest]
    return Plan(
        lambda rec: rec["account"] in exact or any(t(rec) for t in tests), accounts
    )


def _all(plans: list[Plan]) -> Plan:
    bounds = [p.accounts for p in plans if p.accounts is not None]
    accounts = bounds[0].intersection(*bounds[1:]) if bounds else None
    tests = [p.test for p in plans]
    return Plan(lambda rec: all(t(rec) for t in tests), accounts)


def compile_search(node: Any) -> Plan:
    """Compile a search tree into a predicate (400 on anything malformed)."""
    node = _obj(node, "search node")
    if "rule" not in node:
        return _condition(node)
    rule = _rule(node)
    plans = [compile_search(item) for item in _operands(node, rule)]
    return _any(plans) if rule == "OR" else _all(plans)


def _sort_by(
    contacts: list[Contact], getter: Getter, norm: Callable[[Any], Any], desc: bool
) -> list[Contact]:
    present = [c for c in contacts if getter(c.record)]
    present.sort(key=lambda c: norm(getter(c.record)[0]), reverse=desc)  # stable
    return present + [c for c in contacts if not getter(c.record)]


def _sort(contacts: list[Contact], spec: Any) -> list[Contact]:
    """Multi-key sort (one stable pass per key, last key first); nulls last."""
    for item in reversed(_arr(spec or [], "sort")):
        name = str(_obj(item, "sort item").get("field", "")).lower()
        order = str(item.get("order", "ASC")).upper()
        if name not in SORTABLE:
            raise ApiError(400, f"unsupported sort field: {name}")
        if order not in ("ASC", "DESC"):
            raise ApiError(400, f"unknown sort order: {order}")
        getter, norm = _values(name)
        contacts = _sort_by(contacts, getter, norm, order == "DESC")
    return contacts


# ---- seeded data -------------------------------------------------------------------

GROUPS = (
    (1120, "Old Group"),
    (2000, "Olg Group-1"),
    (2200, "Client BOA"),
    (2201, "Client BOA"),
    (2202, "BOA Group Agents"),
    (3105, "Collections East"),
    (3106, "Collections West"),
    (4410, "Early Stage"),
    (5120, "Late Stage"),
    (6460, "VIP"),
    (7001, "Spanish Queue"),
    (8319, "Do Not Contact Review"),
)
GROUP_USERS = (
    "LiveVox\\Park, Peter",
    "Product Management\\Shaw, Anindita",
    "Product Management\\Tokugawa, Arlan",
)
CUSTOM_FIELDS: tuple[Json, ...] = (
    {"field": "COL1", "label": "Customer Tier", "dataType": "LIST"},
    {"field": "COL2", "label": "Score", "dataType": "NUMBER"},
    {"field": "COL3", "label": "Preferred Language", "dataType": "STRING"},
    {"field": "COL4", "label": "Last Agent Routing", "dataType": "STRING"},
    {"field": "COL5", "label": "Procurios relation", "dataType": "NUMBER"},
    {"field": "COL6", "label": "CRM.COM contact", "dataType": "STRING"},
    {"field": "COL7", "label": "Promise To Pay Date", "dataType": "DATE"},
    {"field": "COL9", "label": "Company", "dataType": "STRING"},
)
TIERS = ["bronze", "silver", "gold"]
STREETS = ("Main St", "Oak Ave", "Market St", "2nd St", "Cedar Rd", "Lakeview Dr")
NOTE_TEXTS = (
    "LV_SH1: Contact was hostile",
    "Do not accept check payments from this account.",
    "Promised to pay {amount} by end of month",
    "Left voicemail",
    "Customer requested a callback after 5pm",
    "Disputes the balance; escalated to supervisor",
    "Wrong number reported for one phone",
    "Payment plan agreed: {n} instalments",
    "Asked to be contacted by email only",
    "Spoke with spouse; customer not available",
)


def _custom_values(p: Person, rng: random.Random) -> list[Json]:
    """COL5/COL6 always; the others with mixed types and nulls, as real data has."""
    score = rng.choice((None, rng.randint(0, 900), round(rng.uniform(0, 9), 2), "15"))
    values: list[Json] = [
        {"field": "COL1", "value": rng.choice([*TIERS, None])},
        {"field": "COL2", "value": score},
        {"field": "COL3", "value": rng.choice(("en", "es", "nl", None))},
        {"field": "COL5", "value": p.relation_id},
        {"field": "COL6", "value": p.crmcom_id},
    ]
    if rng.random() < 0.2:
        values.append({"field": "COL9", "value": f"{p.last_name} & Co"})
    return values


def _balance(rng: random.Random) -> int | float:
    kind = rng.random()
    if kind < 0.3:
        return 0
    if kind < 0.4:
        return 125.5
    if kind < 0.7:
        return rng.randint(1, 5000)
    return round(rng.uniform(1, 5000), 2)


def _seed_contact(
    p: Person, rng: random.Random, now_ms: int, group_ids: Sequence[int]
) -> Json:
    created = (now_ms - 3 * YEAR_MS - rng.randrange(2 * YEAR_MS)) // SECOND_MS * 1000
    modified = rng.randrange(created, now_ms) // SECOND_MS * 1000
    rec = _blank_record(p.account, CONTACT_ID_BASE + 13 * p.index, created)
    dob = None if rng.random() < 0.2 else rng.randint(-30 * 365, 34 * 365) * DAY_MS
    ssn = None if rng.random() < 0.3 else f"{rng.randint(0, 9999):04d}"
    rec["person"] = {
        "firstName": p.first_name,
        "lastName": p.last_name,
        "dateOfBirth": dob,  # before 1970 means negative epoch ms
        "email": p.email,
        "ssn": ssn,
        "zipCode": p.postal_code,
    }
    if p.index == BORN_1961:  # always one date of birth before 1970 (negative ms)
        rec["person"]["dateOfBirth"] = BORN_1961_MS
    rec["phone"] = [_phone(n, i) for i, n in enumerate(p.phones, 1)]
    for phone in rec["phone"]:
        phone["smsConsent"] = phone["cellConsent"] = rng.random() < 0.5
        _set_phone_block(phone, rng.choice(("NONE",) * 8 + ("DAILY", "PERMANENT")))
        phone["callAttemptsTotal"] = rng.randint(0, 30)
    balance = _balance(rng)
    rec.update(
        customFields=_custom_values(p, rng),
        active=rng.random() > 0.05,
        balance=balance,
        accountBlock=rng.choice(("NONE",) * 18 + ("DAILY", "PERMANENT")),
        originalAccountNumber=None if rng.random() < 0.5 else f"OAN{p.index:05d}",
        address1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        address2=None if rng.random() < 0.8 else f"Apt {rng.randint(1, 40)}",
        city=p.city,
        state=p.state,
        country=rng.choice(("UNITED_STATES_OF_AMERICA",) * 8 + ("", None)),
        postalCode=p.postal_code,
        amountToSpeak=balance,
        dueDate=rng.choice((None, 0, 0, (now_ms + rng.randint(-60, 60) * DAY_MS))),
        groupId=0 if rng.random() < 0.4 else rng.choice(group_ids),
        agentId=0 if rng.random() < 0.5 else rng.randint(595000, 725000),
        primaryEmailConsent=p.email is not None and rng.random() < 0.6,
        lastLoad=None if rng.random() < 0.5 else modified,
        modifiedDate=modified,
        callAttemptsLifetime=rng.randint(0, 40),
    )
    return rec


def _note_count(index: int, rng: random.Random) -> int:
    if index == HEAVY:
        return 40
    if index == HUGE:
        return 200
    return rng.choice((0, 0, 1, 1, 2, 3, 4, 5, 6))


def _seed_notes(
    count: int, rng: random.Random, now_ms: int, first_id: int
) -> list[Json]:
    """Notes over the last three years; some share a second, so ids break ties."""
    times: list[int] = []
    for _ in range(count):
        if times and rng.random() < 0.08:
            times.append(times[-1])
        else:
            times.append((now_ms - rng.randrange(3 * YEAR_MS)) // SECOND_MS * 1000)
    notes = [
        _note(first_id + k, created, rng, now_ms)
        for k, created in enumerate(sorted(times))
    ]
    return _newest_first(notes)


def _note(note_id: int, created: int, rng: random.Random, now_ms: int) -> Json:
    text = rng.choice(NOTE_TEXTS).format(
        amount=f"${rng.randint(20, 900)}", n=rng.randint(2, 12)
    )
    host = rng.randint(1, 254)
    edited = rng.random() < 0.2
    return {
        "id": note_id,
        "note": text,
        "sessionId": f"U{rng.getrandbits(44):011X}@10.201.17.{host}",
        "transactionId": rng.randint(5_000_000_000, 5_999_999_999),
        "createDate": created,
        "modifiedDate": min(now_ms, created + rng.randrange(DAY_MS))
        if edited
        else created,
    }


def _newest_first(notes: list[Json]) -> list[Json]:
    return sorted(notes, key=lambda n: (n["createDate"], n["id"]), reverse=True)


def _seed_groups(rng: random.Random, now_ms: int) -> dict[int, Json]:
    groups: dict[int, Json] = {}
    for group_id, name in GROUPS:
        created = (now_ms - rng.randint(3, 9) * YEAR_MS) // SECOND_MS * 1000
        modified = created + rng.randrange(YEAR_MS) // SECOND_MS * 1000
        groups[group_id] = {
            "id": group_id,
            "name": name,
            "createdBy": rng.choice(GROUP_USERS),
            "modifiedBy": rng.choice(GROUP_USERS),
            "createdAt": created,
            "modifiedAt": modified,
        }
    return groups


def _address(rng: random.Random, city: str | None, state: str | None) -> Json:
    return {
        "street": f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
        "city": city,
        "state": state,
        "postalCode": f"{rng.randint(10000, 99999)}",
        "country": "UNITED_STATES_OF_AMERICA",
    }


def _linked_account(contact: Contact, k: int, rng: random.Random, now_ms: int) -> Json:
    rec = contact.record
    created = (now_ms - rng.randrange(4 * YEAR_MS)) // SECOND_MS * 1000
    name = f"{rec['person'].get('lastName') or 'Account'} {rng.choice(('LLC', 'Inc'))}"
    return {
        "name": name,
        "description": None if rng.random() < 0.5 else f"Linked account {k}",
        "industry": rng.choice(("Telecom", "Retail", "Healthcare", None)),
        "annualRevenue": rng.choice((0, 100, 5000, 125000.5)),
        "phoneFax": None,
        "billingAddress": _address(rng, rec.get("city"), rec.get("state")),
        "rating": rng.choice(("Hot", "Warm", "Cold")),
        "phoneOffice": f"{rng.randint(200, 989)}555{rng.randint(0, 9999):04d}",
        "phoneAlternate": None,
        "website": None,
        "ownershipType": rng.choice(("Private", "Public")),
        "numOfEmployees": rng.randint(1, 5000),
        "tickerSymbol": None,
        "shippingAddress": _address(rng, rec.get("city"), rec.get("state")),
        "campaignId": rng.randint(28_000_000, 29_000_000),
        "accountNumber": f"{contact.account}-{k}",
        "originalAccountNumber": None,
        "agentId": rec.get("agentId") or 0,
        "agentTeamId": 16001,
        "location": rec.get("city"),
        "accountSource": "Advertisement",
        "sicCode": None,
        "sicDesc": None,
        "classificationId": 172,
        "typeId": 48,
        "customFields": [],
        "id": contact.id * 10 + k,
        "createdDate": created,
        "createdBy": "apiSysAdmin",
        "modifiedDate": created,
        "modifiedBy": "apiSysAdmin",
        "classificationName": "Gold",
        "typeName": "Hospital",
        "agentTeamName": "apitest",
    }


# ---- the store -------------------------------------------------------------------


class LiveVoxStore:
    """All simulator data, indexed by account (dict + sorted list) and contact id."""

    def __init__(self, *, seed: int, now: datetime) -> None:
        self.seed = seed
        self.anchor_ms = _to_ms(now)
        self._started = time.monotonic()
        self.contacts: dict[str, Contact] = {}
        self.accounts: list[str] = []  # sorted ascending
        self.by_id: dict[int, str] = {}
        self.notes: dict[str, list[Json]] = {}  # newest first
        self.custom_fields: dict[str, Json] = {
            f["field"]: dict(f) for f in CUSTOM_FIELDS
        }
        self.custom_fields["COL1"]["listValues"] = list(TIERS)
        self.linked: dict[int, list[Json]] = {}
        self._seed_all(random.Random(seed))

    def _seed_all(self, rng: random.Random) -> None:
        self.groups = _seed_groups(rng, self.anchor_ms)
        group_ids = sorted(self.groups)
        note_id = NOTE_ID_BASE
        for p in people():
            self._add(Contact(_seed_contact(p, rng, self.anchor_ms, group_ids)))
            count = _note_count(p.index, rng)
            if count:
                self.notes[p.account] = _seed_notes(count, rng, self.anchor_ms, note_id)
                note_id += count
        self.accounts.sort()
        self.next_contact_id = CONTACT_ID_BASE + 13 * len(people())
        self.next_group_id = max(self.groups) + 1

    def own(self) -> LiveVoxStore:
        """A store of its own over this one's seeded data, for one app: its own
        containers, groups and custom fields, sharing the contact records and notes,
        which are never changed in place (an edit replaces a contact's record with a
        changed deep copy; notes are only read). A tenth of unpickling a whole copy."""
        store = copy.copy(self)
        store.contacts = {a: Contact(c.record) for a, c in self.contacts.items()}
        store.accounts = list(self.accounts)
        store.by_id = dict(self.by_id)
        store.notes = {a: list(listed) for a, listed in self.notes.items()}
        store.custom_fields = copy.deepcopy(self.custom_fields)
        store.groups = copy.deepcopy(self.groups)
        store.linked = copy.deepcopy(self.linked)
        return store

    def now_ms(self) -> int:
        """The anchor plus real time elapsed, so edits are newer than the seed."""
        return self.anchor_ms + int((time.monotonic() - self._started) * 1000)

    def _add(self, contact: Contact) -> None:
        self.contacts[contact.account] = contact
        self.by_id[contact.id] = contact.account
        self.accounts.append(contact.account)

    def get(self, account: str) -> Contact:
        contact = self.contacts.get(account)
        if contact is None:
            raise ApiError(404, f"Contact with account {account} not found")
        return contact

    def create(self, details: Json) -> Contact:
        account = _str(details.get("account"))
        if not account:
            raise ApiError(400, "account is required")
        if account in self.contacts:
            raise ApiError(202, "Contact already exists!")
        rec = _blank_record(account, self.next_contact_id, self.now_ms())
        _apply_details(rec, details)
        self.next_contact_id += 1
        contact = Contact(rec)
        self.contacts[account] = contact
        self.by_id[contact.id] = account
        bisect.insort(self.accounts, account)
        return contact

    def update(self, account: str, details: Json) -> None:
        contact = self.get(account)
        rec = copy.deepcopy(contact.record)  # a 400 halfway must change nothing
        _apply_details(rec, details)
        contact.replace(rec, self.now_ms())

    def delete(self, account: str) -> None:
        contact = self.get(account)
        del self.contacts[account]
        del self.by_id[contact.id]
        self.accounts.pop(bisect.bisect_left(self.accounts, account))
        self.notes.pop(account, None)
        self.linked.pop(contact.id, None)

    def set_dnd(self, account: str, phones: Any, account_block: Any) -> None:
        contact = self.get(account)
        rec = copy.deepcopy(contact.record)
        by_number = {p["phone"]: p for p in rec["phone"]}
        for item in _arr(phones or [], "updateContactDND"):
            phone = by_number.get(_obj(item, "updateContactDND item").get("phone"))
            if phone is not None:  # numbers the contact does not have are ignored
                _set_phone_block(phone, item.get("phoneBlock", "NONE"))
        if account_block is not None:
            rec["accountBlock"] = _block(rec["accountBlock"], account_block)
        contact.replace(rec, self.now_ms())

    def search(self, plan: Plan) -> list[Contact]:
        """Matches in account order; a bounded plan looks only at its accounts."""
        if plan.accounts is not None:
            accounts = sorted(a for a in plan.accounts if a in self.contacts)
        else:
            accounts = self.accounts
        contacts = (self.contacts[a] for a in accounts)
        return [c for c in contacts if plan.test(c.record)]

    def linked_accounts(self, contact_id: int) -> list[Json]:
        account = self.by_id.get(contact_id)
        if account is None:
            raise ApiError(404, f"Contact with id {contact_id} not found")
        if contact_id not in self.linked:
            contact = self.contacts[account]
            rng = random.Random(self.seed * 7919 + contact_id)
            count = (
                5 if account == str(ACCOUNT_BASE + HEAVY) else rng.choice((0, 1, 2, 3))
            )
            items = [
                _linked_account(contact, k, rng, self.anchor_ms) for k in range(count)
            ]
            self.linked[contact_id] = items
        return self.linked[contact_id]

    def group(self, group_id: str) -> Json:
        try:
            return self.groups[int(group_id)]
        except (ValueError, KeyError):
            raise ApiError(
                404, f"Contact group with {group_id} not found", 203
            ) from None


# ---- sessions --------------------------------------------------------------------


class Sessions:
    """Session ids issued by login; `clear()` expires them all (for tests)."""

    def __init__(
        self, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self.issued: dict[str, float] = {}

    def issue(self) -> str:
        session_id = (
            f"U{secrets.token_hex(6).upper()}@10.201.17.{secrets.randbelow(254) + 1}"
        )
        self.issued[session_id] = self.clock()
        return session_id

    def valid(self, session_id: str) -> bool:
        issued = self.issued.get(session_id)
        if issued is None:
            return False
        if self.clock() - issued > self.ttl_s:
            del self.issued[session_id]
            return False
        return True

    def clear(self) -> None:
        self.issued.clear()

    def __len__(self) -> int:
        return len(self.issued)


# ---- request helpers -------------------------------------------------------------


def _store(request: Request) -> LiveVoxStore:
    store: LiveVoxStore = request.app.state.store
    return store


async def _body(request: Request) -> Json:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise ApiError(400, "request body must be JSON") from None
    return _obj(body, "request body")


async def _details(request: Request, key: str) -> Json:
    return _obj((await _body(request)).get(key), key)


def _int_param(request: Request, name: str) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        raise ApiError(400, f"{name} is required")
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, f"{name} must be a non-negative integer")
    return int(raw)


def _paging(request: Request) -> tuple[int, int]:
    offset, count = _int_param(request, "offset"), _int_param(request, "count")
    if not 1 <= count <= MAX_COUNT:
        raise ApiError(400, f"count must be between 1 and {MAX_COUNT}")
    return offset, count


def _page(items: Sequence[Any], offset: int, count: int, key: str, path: str) -> Json:
    """One page; `next` only while more items follow."""
    body: Json = {key: list(items[offset : offset + count])}
    if offset + count < len(items):
        body["next"] = f"{path}?offset={offset + count}&count={count}"
    return body


def _authorize(request: Request) -> None:
    state = request.app.state
    access = request.headers.get("LV-Access", "")
    creds: Credentials = state.credentials
    if not secrets.compare_digest(access.encode(), creds.access_token.encode()):
        raise ApiError(401, "Invalid or missing LV-Access token")
    sessions: Sessions = state.sessions
    if not sessions.valid(request.headers.get("LV-Session", "")):
        raise ApiError(401, "Session is invalid or has expired")


def _guarded(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        _authorize(request)
        return await handler(request)

    return guarded


# ---- handlers: session + contacts ------------------------------------------------


async def login(request: Request) -> Response:
    body = await _body(request)
    given = [body.get(k) for k in ("clientName", "userName", "password")]
    if not all(isinstance(v, str) and v for v in given):
        raise ApiError(400, "clientName, userName and password are required")
    client, user = str(given[0]), str(given[1])
    creds: Credentials = request.app.state.credentials
    expected = (creds.client_name, creds.user_name, creds.password)
    if not all(
        secrets.compare_digest(str(g).encode(), e.encode())
        for g, e in zip(given, expected, strict=True)
    ):
        raise ApiError(401, "Invalid client name, user name or password")
    if not secrets.compare_digest(
        request.headers.get("LV-Access", "").encode(), creds.access_token.encode()
    ):
        raise ApiError(401, "Invalid or missing LV-Access token")
    sessions: Sessions = request.app.state.sessions
    return _json(
        {
            "sessionId": sessions.issue(),
            "clientId": 1000 + zlib.crc32(client.encode()) % 9000,
            "userId": 500000 + zlib.crc32(f"{client}/{user}".encode()) % 500000,
        }
    )


def _listed(request: Request) -> list[str]:
    """The accounts in List Contact's order (the `list_order` knob)."""
    store = _store(request)
    knobs: LiveVoxKnobs = request.app.state.knobs
    order = _knob(knobs.list_order, LIST_ORDERS, "list_order")
    if order == "account":
        return store.accounts
    if order == "account_desc":
        return store.accounts[::-1]
    return sorted(store.accounts, key=lambda a: zlib.crc32(a.encode()))


async def list_contacts(request: Request) -> Response:
    store = _store(request)
    offset, count = _paging(request)
    key = "listContactDetails"
    page = _page(_listed(request), offset, count, key, "contact/contacts")
    page[key] = [store.contacts[a].view("list") for a in page[key]]
    return _json(page)


async def create_contact(request: Request) -> Response:
    details = await _details(request, "createContactDetails")
    contact = _store(request).create(details)
    return _json({"id": str(contact.id)}, 201)  # the doc answers the id as a string


async def search_contacts(request: Request) -> Response:
    store = _store(request)
    offset, count = _paging(request)
    body = await _body(request)
    if "search" not in body:
        raise ApiError(400, "search is required")
    found = _sort(store.search(compile_search(body["search"])), body.get("sort"))
    key, path = "findMatchingContactsDetails", "/contact/contacts/search"
    page = _page(found, offset, count, key, path)
    page[key] = [c.view("search") for c in page[key]]
    return _json(page)


async def read_contact(request: Request) -> Response:
    contact = _store(request).get(request.path_params["account"])
    return _json({"readContactDetails": contact.view("read")})


async def update_contact(request: Request) -> Response:
    details = await _details(request, "updateContactDetails")
    _store(request).update(request.path_params["account"], details)
    return Response(status_code=204)


async def delete_contact(request: Request) -> Response:
    _store(request).delete(request.path_params["account"])
    return Response(status_code=204)


async def contact_dnd(request: Request) -> Response:
    store = _store(request)
    account = request.path_params["account"]
    if account not in store.contacts:
        raise ApiError(404, "No Record Found", 203)
    body = await _body(request)
    store.set_dnd(account, body.get("updateContactDND"), body.get("accountBlock"))
    return Response(status_code=204)


async def bulk_dnd(request: Request) -> Response:
    store = _store(request)
    updated = 0
    for item in _arr((await _body(request)).get("contactDnd"), "contactDnd"):
        entry = _obj(item, "contactDnd item")
        account = entry.get("account")
        if isinstance(account, str) and account in store.contacts:
            store.set_dnd(
                account, entry.get("updateContactDND"), entry.get("accountBlock")
            )
            updated += 1
    return _json({"updated": updated})


async def linked_accounts(request: Request) -> Response:
    raw = request.path_params["contact_id"]
    try:
        contact_id = int(raw)
    except ValueError:
        raise ApiError(404, f"Contact with id {raw} not found") from None
    items = _store(request).linked_accounts(contact_id)
    offset, count = _paging(request)
    path = f"contact/contacts/{contact_id}/accounts"
    return _json(_page(items, offset, count, "listAccount", path))


# ---- handlers: bulk ---------------------------------------------------------------

EXPORT_COLUMNS: dict[str, tuple[str, Callable[[Json], Any]]] = {
    "account": ("Account", lambda r: r["account"]),
    "firstname": ("First Name", lambda r: r["person"].get("firstName")),
    "lastname": ("Last Name", lambda r: r["person"].get("lastName")),
    "email": ("Email", lambda r: r["person"].get("email")),
    "phone": ("Phone 1", lambda r: r["phone"][0]["phone"] if r["phone"] else None),
    "balance": ("Balance", lambda r: r["balance"]),
    "active": ("Active", lambda r: r["active"]),
    "city": ("City", lambda r: r["city"]),
    "state": ("State", lambda r: r["state"]),
    "postalcode": ("Postal Code", lambda r: r["postalCode"]),
    "groupid": ("Group", lambda r: r["groupId"]),
    "duedate": (
        "Account Due Date",
        lambda r: _ms_date(r["dueDate"]) if r["dueDate"] else None,
    ),
    "modifydate": ("Modify Date", lambda r: _ms_date(r["modifiedDate"])),
}


def _export_column(store: LiveVoxStore, name: Any) -> tuple[str, Callable[[Json], Any]]:
    if isinstance(name, str) and name.lower() in EXPORT_COLUMNS:
        return EXPORT_COLUMNS[name.lower()]
    definition = store.custom_fields.get(str(name).upper())
    if definition is None:
        raise ApiError(400, f"unknown exportable field: {name}")
    field_name = definition["field"]

    def custom(rec: Json) -> Any:
        values = {f["field"]: f["value"] for f in rec["customFields"] or []}
        return values.get(field_name)

    return definition["label"], custom


def _date_bound(value: Any, *, end: bool) -> int | None:
    """`CCYY-MM-DD` (whole day) or epoch ms, as the doc allows."""
    if value is None:
        return None
    if isinstance(value, str) and "-" in value:
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise _bad("startDate/endDate") from None
        return _to_ms(day) + (DAY_MS - 1 if end else 0)
    return _int(value)


def _export(request: Request, store: LiveVoxStore, body: Json) -> Response:
    columns = [
        _export_column(store, n)
        for n in _arr(body["exportableFields"], "exportableFields")
    ]
    start = _date_bound(body.get("startDate"), end=False)
    end = _date_bound(body.get("endDate"), end=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([label for label, _ in columns])
    for account in store.accounts:
        rec = store.contacts[account].record
        if (start is not None and rec["modifiedDate"] < start) or (
            end is not None and rec["modifiedDate"] > end
        ):
            continue
        writer.writerow(["" if (v := get(rec)) is None else v for _, get in columns])
    data = out.getvalue().encode()
    headers: dict[str, str] = {}
    if "gzip" in request.headers.get("accept-encoding", ""):
        data, headers = gzip.compress(data), {"Content-Encoding": "gzip"}
    return Response(data, 200, headers, media_type="text/csv")


def _bulk_fault(request: Request) -> None:
    """The `fail_bulk_call` knob: count bulk writes down to the one that fails."""
    knobs: LiveVoxKnobs = request.app.state.knobs
    if knobs.fail_bulk_call > 0:
        knobs.fail_bulk_call -= 1
        if knobs.fail_bulk_call == 0:
            raise ApiError(500, "Internal error: the bulk request was not processed")


async def bulk_post(request: Request) -> Response:
    """The doc gives this path two meanings: CSV export, or bulk create."""
    store = _store(request)
    body = await _body(request)
    if "exportableFields" in body:
        return _export(request, store, body)
    if "createContactDetails" not in body:
        raise ApiError(400, "exportableFields or createContactDetails is required")
    _bulk_fault(request)
    created = 0
    for item in _arr(body["createContactDetails"], "createContactDetails"):
        try:
            store.create(_obj(item, "createContactDetails item"))
        except ApiError:
            continue  # the answer counts the contacts actually created
        created += 1
    return _json({"message": f"Successfully updated contacts {created}"})


async def bulk_put(request: Request) -> Response:
    store = _store(request)
    _bulk_fault(request)
    for item in _arr(
        (await _body(request)).get("updateContactDetails"), "updateContactDetails"
    ):
        details = _obj(item, "updateContactDetails item")
        account = details.get("account")
        if isinstance(account, str) and account in store.contacts:
            store.update(account, details)
    return Response(status_code=204)


# ---- handlers: notes, custom fields, groups ---------------------------------------


def presented_notes(
    store: LiveVoxStore, account: str, knobs: LiveVoxKnobs
) -> list[Json]:
    """An account's notes as the API shows them, newest first: the `note_ids` knob
    hands the account's ids out rising, falling or shuffled over the notes' dates."""
    notes = store.notes.get(account, [])
    how = _knob(knobs.note_ids, NOTE_IDS, "note_ids")
    if how == "rising" or not notes:
        return notes
    ids = sorted(n["id"] for n in notes)  # given oldest note first when rising
    if how == "falling":
        ids.reverse()
    else:
        random.Random(f"{store.seed}/{account}").shuffle(ids)
    oldest_first = notes[::-1]
    return [{**n, "id": i} for n, i in zip(oldest_first, ids, strict=True)][::-1]


def _notes(request: Request) -> list[Json]:
    store = _store(request)
    account = store.get(request.path_params["account"]).account
    return presented_notes(store, account, request.app.state.knobs)


async def list_notes(request: Request) -> Response:
    knobs: LiveVoxKnobs = request.app.state.knobs
    unknown = _knob(knobs.unknown_account_notes, ("404", "empty"), "unknown_account")
    account = request.path_params["account"]
    if unknown == "empty" and account not in _store(request).contacts:
        return _json({"listContactNotes": []})
    notes = _notes(request)
    order = _knob(knobs.notes_list_order, NOTES_LIST_ORDERS, "notes_list_order")
    listed = sorted(notes, key=lambda n: n["id"], reverse=order == "id_desc")
    if order == "shuffled":
        listed.sort(key=lambda n: zlib.crc32(str(n["id"]).encode()))
    # "List Contact Notes" shows `id` and `note` only: dates come from reading a note.
    return _json(
        {"listContactNotes": [{"id": n["id"], "note": n["note"]} for n in listed]}
    )


async def read_note(request: Request) -> Response:
    raw = request.path_params["note_id"]
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, "note id must be an integer")
    for note in _notes(request):
        if note["id"] == int(raw):
            return _json({k: note[k] for k in NOTE_KEYS})
    raise ApiError(404, f"Contact note {raw} not found")


async def list_custom_fields(request: Request) -> Response:
    fields = _store(request).custom_fields.values()
    return _json(
        {
            "customFields": [
                {k: f[k] for k in ("field", "label", "dataType")} for f in fields
            ]
        }
    )


async def read_custom_field(request: Request) -> Response:
    name = request.path_params["field"]
    definition = _store(request).custom_fields.get(name.upper())
    if definition is None:
        raise ApiError(404, f"Custom field {name} not found")
    return _json(definition)


async def update_custom_fields(request: Request) -> Response:
    store = _store(request)
    for item in _arr((await _body(request)).get("customFields"), "customFields"):
        entry = _obj(item, "customFields item")
        definition = store.custom_fields.get(str(entry.get("field", "")).upper())
        if definition is None:
            raise ApiError(400, f"unknown custom field: {entry.get('field')}")
        if isinstance(entry.get("label"), str):
            definition["label"] = entry["label"]
    return Response(status_code=204)


async def list_groups(request: Request) -> Response:
    store = _store(request)
    offset, count = _paging(request)
    groups = [store.groups[k] for k in sorted(store.groups)]
    return _json(_page(groups, offset, count, "contactGroup", "contact/contactGroups/"))


def _group_name(body: Json) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "name is required")
    return name


async def create_group(request: Request) -> Response:
    store = _store(request)
    name = _group_name(await _body(request))
    group_id, now = store.next_group_id, store.now_ms()
    store.next_group_id += 1
    store.groups[group_id] = {
        "id": group_id,
        "name": name,
        "createdBy": "API\\Trunkline",
        "modifiedBy": "API\\Trunkline",
        "createdAt": now,
        "modifiedAt": now,
    }
    return _json({"id": group_id}, 201)


async def read_group(request: Request) -> Response:
    return _json(_store(request).group(request.path_params["group_id"]))


async def update_group(request: Request) -> Response:
    store = _store(request)
    group = store.group(request.path_params["group_id"])
    group.update(name=_group_name(await _body(request)), modifiedAt=store.now_ms())
    return Response(status_code=204)


async def expire_sessions(request: Request) -> Response:
    sessions: Sessions = request.app.state.sessions
    sessions.clear()
    return Response(status_code=204)


# ---- app ------------------------------------------------------------------------


def _routes() -> list[BaseRoute]:
    c = "/contact/contacts"
    g = "/contact/contactGroups"
    table: list[tuple[str, Handler, str]] = [
        (c, list_contacts, "GET"),
        (c + "/", list_contacts, "GET"),
        (c, create_contact, "POST"),
        (c + "/", create_contact, "POST"),
        (c + "/search", search_contacts, "POST"),
        (c + "/bulk", bulk_post, "POST"),
        (c + "/bulk", bulk_put, "PUT"),
        (c + "/dnd", bulk_dnd, "POST"),
        (c + "/customFields", list_custom_fields, "GET"),
        (c + "/customFields/", list_custom_fields, "GET"),
        (c + "/customFields", update_custom_fields, "PUT"),
        (c + "/customFields/{field}", read_custom_field, "GET"),
        (c + "/{account}", read_contact, "GET"),
        (c + "/{account}", update_contact, "PUT"),
        (c + "/{account}", delete_contact, "DELETE"),
        (c + "/{account}/dnd", contact_dnd, "PUT"),
        (c + "/{contact_id}/accounts", linked_accounts, "GET"),
        (c + "/{account}/notes", list_notes, "GET"),
        (c + "/{account}/notes/", list_notes, "GET"),
        (c + "/{account}/notes/{note_id}", read_note, "GET"),
        (g, list_groups, "GET"),
        (g + "/", list_groups, "GET"),
        (g, create_group, "POST"),
        (g + "/", create_group, "POST"),
        (g + "/{group_id}", read_group, "GET"),
        (g + "/{group_id}", update_group, "PUT"),
    ]
    routes: list[BaseRoute] = [Route("/session/login", login, methods=["POST"])]
    routes += [Route(path, _guarded(h), methods=[m]) for path, h, m in table]
    routes.append(
        Route(f"{CONTROL_PREFIX}/expire-sessions", expire_sessions, methods=["PUT"])
    )
    return routes


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _json({"code": exc.code, "message": exc.message}, exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Routing errors (unknown path, wrong method) in LiveVox's error shape too."""
    assert isinstance(exc, HTTPException)
    return _json(
        {"code": exc.status_code, "message": exc.detail}, exc.status_code, exc.headers
    )


@functools.lru_cache(maxsize=8)
def _seeded(seed: int, now: datetime) -> LiveVoxStore:
    """The seeding of a seed and anchor day, once per process; apps get its `own`."""
    return LiveVoxStore(seed=seed, now=now)


def create_app(
    *,
    faults: Faults | None = None,
    seed: int = 7,
    session_ttl_s: float = 3600.0,
    now: datetime | None = None,
    credentials: Credentials | None = None,
    knobs: LiveVoxKnobs | None = None,
) -> Starlette:
    """The LiveVox simulator; `app.state.store` has its data, `.sessions` its logins,
    `.credentials` what it accepts (default: `TRUNKLINE_LIVEVOX_*` from the
    environment, else the connector's embedded stand-ins), `.knobs` its LiveVoxKnobs."""
    app = simulator_app(
        "livevox", _routes(), faults=faults, knobs=knobs or LiveVoxKnobs(), seed=seed
    )
    store = _seeded(seed, now or anchor_now()).own()
    store._started = time.monotonic()  # its clock starts with the app
    app.state.store = store
    app.state.sessions = Sessions(session_ttl_s)
    app.state.credentials = credentials or Credentials.from_env(os.environ)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    return app


__all__ = [
    "ApiError",
    "Credentials",
    "LiveVoxKnobs",
    "LiveVoxStore",
    "Sessions",
    "compile_search",
    "create_app",
    "presented_notes",
]
