"""LiveVox Contact API: contacts, groups, custom fields and notes.

Auth is a session (`POST /session/login`) plus a static access token; a 401 logs in again
once. Lists page by offset/count (count capped at 1000) and say `next` while more exist.
Many contacts are read in one search call with an OR tree of `account EQUALS` conditions.
Answers differ by endpoint as the doc's examples do: list and read phones carry the block
state (`phoneBlock`), search phones the `dnd`/`dndDaily` flags and consent; the notes
list has no dates, so each note's date is a read of that note.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import pairwise
from typing import Any, ClassVar, NotRequired, Required

import orjson
from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict

from trunkline.connectors.base import (
    Endpoint,
    HistoryCost,
    HistoryRead,
    ReadScope,
    answer_each,
    json_position,
)
from trunkline.connectors.livevox_writes import WRITE_ENDPOINTS, LiveVoxWrites
from trunkline.connectors.transport import Answer
from trunkline.connectors.wire import clean_text
from trunkline.details.livevox import NoteDetail
from trunkline.domain import (
    Address,
    Channel,
    Contact,
    ContactDetails,
    ContactFilter,
    ContactGroup,
    CustomField,
    Interaction,
    InteractionFilter,
    Phone,
    Vendor,
    VendorRef,
)
from trunkline.errors import (
    ConnectorError,
    VendorConflict,
    VendorNotFound,
    VendorProtocolError,
    VendorRejected,
)
from trunkline.lazy import Converted
from trunkline.pagination.merge import Batch

MAX_COUNT = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ms(value: Any) -> datetime | None:
    """Epoch milliseconds (int or numeric string) to UTC; 0 (LiveVox's "no date"),
    None and garbage to None. Before 1970 is negative, and a real date."""
    if value is None:  # the common case, without an exception
        return None
    try:
        ms = value if type(value) is int else int(value)
    except (TypeError, ValueError):
        return None
    if ms == 0:
        return None
    try:
        return EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        return None


def _day(value: Any) -> date | None:
    moment = _ms(value)
    return moment.date() if moment else None


# Contact payloads are TypedDicts: pydantic validates them in one pass at half the cost
# of models (no instance per contact, phone slot and custom field), and only the fields
# the mapping reads are declared. A page is validated in two steps: what every answer
# reads (account, names, phones, group) at once, the rest (`LvContact`) per contact
# when its details are first read; most pages never read them.
class LvPhone(TypedDict, total=False):
    # Ten slots a contact, most empty: cleaned in `to_domain` for the filled ones.
    phone: Any
    ordinal: int
    phoneBlock: str | None  # List/Read answers: the block state, no flags
    dnd: bool | None  # Search answers: the flags, no block state
    dndDaily: bool | None
    smsConsent: bool | None
    cellConsent: bool | None


# Search answers carry `dnd` (permanent) and `dndDaily`; List and Read carry the
# block state `phoneBlock` (NONE, DAILY, PERMANENT, BOTH) instead.
BLOCK_OF_FLAGS = {
    (False, False): "NONE",
    (False, True): "DAILY",
    (True, False): "PERMANENT",
    (True, True): "BOTH",
}
DIALABLE = frozenset({None, "NONE", "DAILY"})  # block states that are not do-not-call


class LvName(TypedDict, total=False):
    firstName: str | None
    lastName: str | None


class LvCore(TypedDict, total=False):
    account: Required[Any]  # any scalar, read as text
    person: LvName | None
    phone: list[LvPhone] | None
    groupId: int | str | None


class LvPerson(LvName, total=False):
    dateOfBirth: Any
    email: str | None
    zipCode: str | None


class LvCustomField(TypedDict):
    field: str
    value: NotRequired[Any]


class LvContact(LvCore, total=False):
    person: LvPerson | None  # type: ignore[misc]  # the same key, more fields
    customFields: list[LvCustomField] | None
    active: bool | None
    balance: Any  # a number or numeric text; anything else reads as unknown
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    country: str | None
    postalCode: str | None
    dueDate: Any
    createdDate: Any
    created: Any
    createDate: Any
    modifiedDate: Any
    modified: Any
    modifyDate: Any


class LvCoreList(TypedDict, total=False):
    # One shape for list, search and read answers.
    listContactDetails: list[LvCore] | None
    findMatchingContactsDetails: list[LvCore] | None
    contacts: list[LvCore] | None
    next: str | None


LIST_KEYS = ("listContactDetails", "findMatchingContactsDetails", "contacts")
_CORE_LIST: TypeAdapter[LvCoreList] = TypeAdapter(LvCoreList)
_CONTACT: TypeAdapter[LvContact] = TypeAdapter(LvContact)
_CUSTOM: TypeAdapter[list[LvCustomField] | None] = TypeAdapter(
    list[LvCustomField] | None
)
_NO_PERSON: LvPerson = {}


def contacts_of(
    body: bytes | Mapping[str, Any], labels: Mapping[str, str] | None = None
) -> tuple[list[Contact], bool]:
    """A list, search or read answer's contacts, and whether more pages follow.

    Raises pydantic's ValidationError when what every answer reads is malformed; a
    malformed detail fails that contact's details when they are read."""
    if isinstance(body, bytes):
        page = _CORE_LIST.validate_json(body)
    else:
        page = _CORE_LIST.validate_python(body)
    more = bool(page.get("next"))
    for key in LIST_KEYS:
        if key in page:
            cores = page[key] or []  # type: ignore[literal-required]
            details = _PageDetails(body, key, labels)
            return [
                to_domain(c, partial(details, n), partial(details.custom, n))
                for n, c in enumerate(cores)
            ], more
    return [], more


class _PageDetails:
    """A page's contact details, each validated and mapped when first read."""

    __slots__ = ("_body", "_key", "_labels", "_raw")

    def __init__(
        self,
        body: bytes | Mapping[str, Any],
        key: str,
        labels: Mapping[str, str] | None,
    ) -> None:
        self._body: bytes | Mapping[str, Any] | None = body
        self._key = key
        self._labels = labels
        self._raw: list[Any] | None = None

    def __call__(self, index: int) -> ContactDetails:
        try:
            c = _CONTACT.validate_python(self._rows()[index])
        except ValidationError as exc:
            raise _malformed(exc) from None
        return _details(c, self._labels)

    def custom(self, index: int) -> Sequence[CustomField]:
        """One contact's custom fields, without validating the rest of its details."""
        try:
            fields = _CUSTOM.validate_python(self._rows()[index].get("customFields"))
        except ValidationError as exc:
            raise _malformed(exc, "customFields") from None
        return _custom_fields(fields, self._labels)

    def _rows(self) -> list[Any]:
        raw = self._raw
        if raw is None:
            body = self._body
            try:  # parsed before: the core validation read the same text
                page = orjson.loads(body) if isinstance(body, bytes) else body
            except orjson.JSONDecodeError:  # pragma: no cover - jiter took it
                msg = "LIVEVOX: answer was not JSON"
                raise VendorProtocolError(Vendor.LIVEVOX.value, msg) from None
            raw = self._raw = list((page or {}).get(self._key) or ())
            self._body = None
        return raw


def _malformed(exc: ValidationError, *under: str) -> VendorProtocolError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in (*under, *first["loc"]))
    return VendorProtocolError(
        Vendor.LIVEVOX.value,
        f"LIVEVOX: malformed contact details ({where}): {first['msg']}",
    )


def _custom_fields(
    fields: list[LvCustomField] | None, labels: Mapping[str, str] | None
) -> Sequence[CustomField]:
    return Converted(fields, partial(_custom_field, labels or {})) if fields else ()


def _balance(v: Any) -> float | None:
    try:
        return float(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


def _custom_field(labels: Mapping[str, str], f: LvCustomField) -> CustomField:
    value = f.get("value")
    return CustomField(
        f["field"], labels.get(f["field"]), None if value is None else str(value)
    )


def to_domain(
    c: LvCore,
    details: Callable[[], ContactDetails],
    custom: Callable[[], Sequence[CustomField]] | None = None,
) -> Contact:
    # Runs per contact on every page: positional constructors, text cleaned inline when
    # it is text (the common case), and the details (address, dates, custom fields...)
    # mapped only when read.
    person = c.get("person") or _NO_PERSON
    account = c["account"]
    if type(account) is not str:
        account = str(account)
    phones = []
    for p in c.get("phone") or ():
        number = p.get("phone")
        number = number.strip() if type(number) is str else clean_text(number)
        if number:
            block = p.get("phoneBlock")
            dnd = p.get("dnd")
            if block is None and dnd is not None:  # a search answer's flags
                block = BLOCK_OF_FLAGS[(dnd, bool(p.get("dndDaily")))]
            phones.append(
                Phone(
                    number,
                    p.get("ordinal", 0),
                    block,
                    # A compliance flag: set by the flag or by any block state but
                    # the dialable ones (an unknown state counts as blocked).
                    bool(dnd) or block not in DIALABLE,
                    p.get("smsConsent"),
                    p.get("cellConsent"),
                )
            )
    first, last = person.get("firstName"), person.get("lastName")
    group_id = c.get("groupId")
    return Contact(
        VendorRef(Vendor.LIVEVOX, account),
        account,
        (first.strip() or None) if type(first) is str else clean_text(first),
        (last.strip() or None) if type(last) is str else clean_text(last),
        tuple(phones),
        (str(group_id),) if group_id not in (None, 0, "0", "") else (),
        details,
        custom,
    )


def _details(c: LvContact, labels: Mapping[str, str] | None) -> ContactDetails:
    person = c.get("person") or _NO_PERSON
    email = clean_text(person.get("email"))
    return ContactDetails(
        (email,) if email else (),
        Address(
            clean_text(c.get("address1")),
            clean_text(c.get("address2")),
            clean_text(c.get("city")),
            clean_text(c.get("state")),
            clean_text(c.get("postalCode")) or clean_text(person.get("zipCode")),
            clean_text(c.get("country")),
        ),
        _day(person.get("dateOfBirth")),
        _balance(c.get("balance")),
        _day(c.get("dueDate")),
        c.get("active"),
        _custom_fields(c.get("customFields"), labels),
        _ms(c.get("createdDate", c.get("created"))) or _ms(c.get("createDate")),
        _ms(c.get("modifiedDate", c.get("modified"))) or _ms(c.get("modifyDate")),
    )


class LvGroup(TypedDict):
    id: int | str
    name: str


class LvGroupList(TypedDict, total=False):
    contactGroup: list[LvGroup] | None
    next: str | None


_GROUP_LIST: TypeAdapter[LvGroupList] = TypeAdapter(LvGroupList)


class LvNoteRef(TypedDict):
    """An item of "List Contact Notes": `id` and `note`, no dates."""

    id: int
    note: NotRequired[str | None]


class LvNoteList(TypedDict):
    listContactNotes: list[LvNoteRef] | None


class LvNote(TypedDict):
    """ "Read Contact Note": the note with its dates (`createDate` is mandatory)."""

    id: int
    note: NotRequired[str | None]
    createDate: int
    modifiedDate: NotRequired[Any]
    sessionId: NotRequired[Any]
    transactionId: NotRequired[Any]


_NOTE_LIST: TypeAdapter[LvNoteList] = TypeAdapter(LvNoteList)
_NOTE: TypeAdapter[LvNote] = TypeAdapter(LvNote)
NOTE_READS_AT_ONCE = 16  # concurrent note reads per account


def _note_key(account: str, n: LvNote) -> tuple[int, str]:
    """The order of `Interaction.sort_key` among one vendor's notes, in integers."""
    return (-n["createDate"], f"{account}/{n['id']}")


def _int_position(position: Any, key: str) -> int | None:
    value = position.get(key) if isinstance(position, dict) else None
    return value if type(value) is int else None


# A position also carries the dates of up to CARRY notes after it that were read
# already: the next page reads only notes it has no date for (each note of a walk is
# read once), and the note's text comes from the list.
CARRY = 64


def _carried(
    position: Any, todo: list[LvNoteRef], known: dict[int, LvNote | None]
) -> None:
    pairs = position.get("d") if isinstance(position, dict) else None
    if not isinstance(pairs, list):
        return
    refs = {r["id"]: r for r in todo[: len(pairs)]}
    for pair in pairs:
        if isinstance(pair, list) and len(pair) == 2:
            note_id, ms = pair
            ref = refs.get(note_id)
            if ref is not None and type(ms) is int and note_id not in known:
                known[note_id] = {
                    "id": note_id,
                    "note": ref.get("note"),
                    "createDate": ms,
                }


def _id_batch(
    kept: list[tuple[Interaction, int]],
    todo: list[LvNoteRef],
    known: dict[int, LvNote | None],
    stamps: list[int | None],
    *,
    done_all: bool,
) -> Batch[Interaction]:
    """A batch in id order; each position names its note, its date and the dates
    known for the notes after it."""
    pairs: list[list[int]] = []  # [id, date] of `todo` from its start, while known
    for ref in todo:
        note = known.get(ref["id"])
        if note is None:
            break
        pairs.append([ref["id"], note["createDate"]])

    def after(index: int) -> dict[str, Any]:
        position: dict[str, Any] = {"id": todo[index]["id"], "t": stamps[index]}
        carry = pairs[index + 1 : index + 1 + CARRY]
        if carry:
            position["d"] = carry
        return position

    items = [(item, after(index)) for item, index in kept]
    return Batch(items, None if done_all else after(len(stamps) - 1))


def _condition(field: str, condition: str, criteria: Any) -> dict[str, Any]:
    return {"field": field, "criteria": str(criteria), "condition": condition}


def rule_tree(conditions: Sequence[dict[str, Any]], rule: str) -> dict[str, Any]:
    """Join conditions with AND/OR as a balanced tree (shallow even for 1000 leaves)."""
    if len(conditions) == 1:
        return conditions[0]
    mid = len(conditions) // 2
    return {
        "rule": rule,
        "left": rule_tree(conditions[:mid], rule),
        "right": rule_tree(conditions[mid:], rule),
    }


def filter_tree(f: ContactFilter) -> dict[str, Any] | None:
    """A ContactFilter as LiveVox's search tree (None when there is nothing to filter)."""
    conds: list[dict[str, Any]] = []
    if f.account is not None:
        conds.append(_condition("account", "EQUALS", f.account))
    if f.account_prefix is not None:
        conds.append(_condition("account", "STARTS_WITH", f.account_prefix))
    if f.name is not None:
        conds.append(_condition("name", "CONTAINS", f.name))
    if f.phone is not None:
        conds.append(_condition("phone", "EQUALS", f.phone))
    if f.email is not None:
        conds.append(_condition("email", "EQUALS", f.email))
    if f.postal_code is not None:
        conds.append(_condition("postalcode", "EQUALS", f.postal_code))
    if f.balance_min is not None:
        conds.append(_condition("paymentbalance", "GREATER_OR_EQUALS", f.balance_min))
    if f.balance_max is not None:
        conds.append(_condition("paymentbalance", "LESS_OR_EQUALS", f.balance_max))
    if f.modified_since is not None:
        ms = int(f.modified_since.timestamp() * 1000)
        conds.append(_condition("modifieddate", "GREATER_OR_EQUALS", ms))
    return rule_tree(conds, "AND") if conds else None


SORT = [{"field": "account", "order": "ASC"}]


class LiveVoxConnector(LiveVoxWrites):
    vendor: ClassVar[Vendor] = Vendor.LIVEVOX
    # Client input's shapes (trunkline/shapes.py) and a history's cost (cost.py).
    id_shapes: ClassVar[Mapping[str, re.Pattern[str]]] = {
        "contact": re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}"),  # an account
        "interaction": re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}/\d{1,19}"),
    }
    # One list, then one read per note a page shows (the list has no dates).
    history_cost: ClassVar[HistoryCost] = HistoryCost("none", item_calls=1)
    default_contact_key: ClassVar[str] = "account"
    endpoints: ClassVar[Mapping[str, Endpoint]] = {
        "login": Endpoint("POST", "/session/login", idempotent=False),
        "list": Endpoint(
            "GET", "/contact/contacts", "offset", MAX_COUNT, size_param="count"
        ),
        "search": Endpoint(
            "POST",
            "/contact/contacts/search",
            "offset",
            MAX_COUNT,
            size_param="count",
            batch_key="search",
        ),
        "read": Endpoint("GET", "/contact/contacts/{account}"),
        "groups": Endpoint(
            "GET", "/contact/contactGroups", "offset", MAX_COUNT, size_param="count"
        ),
        "custom_fields": Endpoint("GET", "/contact/contacts/customFields"),
        "notes": Endpoint("GET", "/contact/contacts/{account}/notes/"),
        "note": Endpoint("GET", "/contact/contacts/{account}/notes/{id}"),
        **WRITE_ENDPOINTS,
    }
    # A duplicate create answers HTTP 202 with code 202: a conflict, not a success.
    refused_statuses: ClassVar[Mapping[int, type[VendorRejected]]] = {
        202: VendorConflict
    }

    _session: str | None = None

    # ---- auth ----------------------------------------------------------------
    def authenticated(self) -> bool:
        return self._session is not None

    def forget_auth(self) -> None:
        self._session = None

    async def authenticate(self) -> None:
        body = {
            "clientName": self.credential("CLIENT_NAME", "trunkline"),
            "userName": self.credential("USERNAME", "trunkline"),
            "password": self.credential("PASSWORD", "embedded"),
        }
        response = await self.call(
            "login", json=body, headers=self._access_header(), login=True
        )
        session = self.parse(response).get("sessionId")
        if not session:
            raise VendorProtocolError(self.name, "LIVEVOX: login answered no sessionId")
        self._session = str(session)

    def _access_header(self) -> dict[str, str]:
        return {"LV-Access": self.credential("ACCESS_TOKEN", "embedded-access")}

    def auth_headers(self) -> dict[str, str]:
        return {**self._access_header(), "LV-Session": self._session or ""}

    # ---- contacts ------------------------------------------------------------
    def _contacts(self, response: Answer) -> tuple[list[Contact], bool]:
        try:
            return contacts_of(response.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise VendorProtocolError(
                self.name, f"LIVEVOX: malformed contact list: {first['msg']}"
            ) from None

    async def list_contacts(
        self, filter: ContactFilter, offset: int, limit: int
    ) -> tuple[Sequence[Contact], bool]:
        """One page in account order; `True` when LiveVox says more pages follow."""
        limit = min(limit, MAX_COUNT)
        tree = filter_tree(filter)
        if tree is not None:  # search sorts as asked: the doc's `sort`
            params = {"offset": offset, "count": limit}
            response = await self.call(
                "search", params=params, json={"search": tree, "sort": SORT}
            )
            return self._contacts(response)
        # List Contact has no `sort`: its account order is CONTRACT.md's word alone
        # (the doc's own example is not in account order). The page is checked, and
        # from one item before it (same call) so that the check spans pages.
        overlap = 1 if offset > 0 and limit < MAX_COUNT else 0
        params = {"offset": offset - overlap, "count": limit + overlap}
        items, more = self._contacts(await self.call("list", params=params))
        self._check_account_order(items)
        return items[overlap:], more

    def _check_account_order(self, items: Sequence[Contact]) -> None:
        for before, after in pairwise(items):
            if not before.account < after.account:
                raise VendorProtocolError(
                    self.name,
                    "LIVEVOX: the contact list is not in account order (account "
                    f"{after.account!r} follows {before.account!r}); contacts are "
                    "paged in account order, so the page cannot be trusted",
                )

    async def get_contacts(self, accounts: Sequence[str]) -> Mapping[str, Contact]:
        """Many contacts in one search call, matched back by account."""
        wanted = list(dict.fromkeys(accounts))
        found: dict[str, Contact] = {}
        for start in range(0, len(wanted), MAX_COUNT):
            chunk = wanted[start : start + MAX_COUNT]
            tree = rule_tree([_condition("account", "EQUALS", a) for a in chunk], "OR")
            response = await self.call(
                "search",
                params={"offset": 0, "count": len(chunk)},
                json={"search": tree, "sort": SORT},
            )
            items, _more = self._contacts(response)
            for contact in items:
                if contact.account in chunk:
                    found.setdefault(contact.account, contact)
        return found

    async def list_groups(self) -> Sequence[ContactGroup]:
        groups: list[ContactGroup] = []
        offset = 0
        while True:
            response = await self.call(
                "groups", params={"offset": offset, "count": MAX_COUNT}
            )
            try:
                body = _GROUP_LIST.validate_json(response.content)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise VendorProtocolError(
                    self.name, f"LIVEVOX: malformed group list: {first['msg']}"
                ) from None
            items = body.get("contactGroup") or []
            groups.extend(ContactGroup(str(g["id"]), g["name"]) for g in items)
            if not body.get("next") or not items:
                return groups
            offset += len(items)

    async def custom_field_labels(self) -> Mapping[str, str]:
        response = await self.call("custom_fields")
        body = self.parse(response)
        labels: dict[str, str] = {}
        for item in body.get("customFields") or []:
            if isinstance(item, dict) and item.get("field"):
                labels[str(item["field"])] = str(item.get("label") or item["field"])
        return labels

    # ---- notes ---------------------------------------------------------------------
    # "List Contact Notes" gives each note's `id` and `note` only; its date comes from
    # "Read Contact Note", one call per note. The history reads notes newest first by
    # id (LiveVox's ids rise as notes are made), reading only the dates a page needs,
    # and checks that assumption on every date it reads: dates must not rise as ids
    # fall. Positions carry the last note's id and date, so the check spans pages, and
    # the dates read ahead, so no note is read twice in a walk. When the check fails at
    # the start of a walk, the walk orders by date instead (reading every note's date,
    # each page); when it fails later, the pages already shown may be out of order, so
    # the read fails loudly (VENDOR_PROTOCOL_ERROR).

    def _path(self, account: str) -> str:
        return account  # escaped, once, by Connector.call (segment)

    async def _note_list(self, account: str) -> list[LvNoteRef]:
        """The account's notes by id, highest first (whatever order the list has). An
        account LiveVox does not know has none: a 404 (CONTRACT.md) and an empty list
        (the doc says nothing) read alike."""
        try:
            response = await self.call(
                "notes", path_params={"account": self._path(account)}
            )
        except VendorNotFound:
            return []
        try:
            refs = _NOTE_LIST.validate_json(response.content)["listContactNotes"] or []
        except ValidationError as exc:
            first = exc.errors()[0]
            raise VendorProtocolError(
                self.name, f"LIVEVOX: malformed note list: {first['msg']}"
            ) from None
        unique = {r["id"]: r for r in reversed(refs)}  # the first of a repeated id
        return sorted(unique.values(), key=lambda r: r["id"], reverse=True)

    async def _read_note(self, account: str, note_id: int) -> LvNote | None:
        """One note with its dates; None if it is gone (deleted since the list)."""
        try:
            response = await self.call(
                "note", path_params={"account": self._path(account), "id": str(note_id)}
            )
        except VendorNotFound:
            return None
        try:
            note = _NOTE.validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise VendorProtocolError(
                self.name,
                f"LIVEVOX: malformed note {note_id} ({where}): {first['msg']}",
            ) from None
        if note["id"] != note_id:
            raise VendorProtocolError(
                self.name, f"LIVEVOX: asked for note {note_id}, got note {note['id']}"
            )
        return note

    async def _read_notes(
        self, account: str, ids: Sequence[int], known: dict[int, LvNote | None]
    ) -> None:
        """Read the notes of `ids` not yet in `known`, a few at a time, into it."""
        wanted = [i for i in dict.fromkeys(ids) if i not in known]
        if not wanted:
            return
        gate = asyncio.Semaphore(NOTE_READS_AT_ONCE)

        async def one(note_id: int) -> LvNote | None:
            async with gate:
                return await self._read_note(account, note_id)

        found = await asyncio.gather(*(one(i) for i in wanted))
        known.update(zip(wanted, found, strict=True))

    async def _dated_notes(self, account: str) -> list[LvNote]:
        """Every note of the account with its dates, in `Interaction.sort_key` order."""
        refs = await self._note_list(account)
        known: dict[int, LvNote | None] = {}
        await self._read_notes(account, [r["id"] for r in refs], known)
        notes = [n for r in refs if (n := known[r["id"]]) is not None]
        return sorted(notes, key=lambda n: _note_key(account, n))

    async def contact_notes(self, account: str) -> Sequence[Interaction]:
        """The account's notes as interactions, newest first: one list and one read per
        note (the list has no dates)."""
        notes = await self._dated_notes(account)
        return Converted(notes, lambda n: self._note(account, n))

    def _note(self, account: str, n: LvNote) -> Interaction:
        occurred = _ms(n["createDate"])
        if occurred is None:
            raise VendorProtocolError(
                self.name, f"LIVEVOX: note {n['id']} has no createDate"
            )
        return Interaction(
            source=VendorRef(Vendor.LIVEVOX, f"{account}/{n['id']}"),
            occurred_at=occurred,
            channel=Channel.NOTE,
            vendor_type="note",
            body=n.get("note"),
            detail=NoteDetail(note_id=str(n["id"]), account=account),
            contact_account=account,
            node_key=f"{account}/{n['id']}",
        )

    # ---- notes as interaction history ---------------------------------------------
    def history_applies(self, key: str | None, filter: InteractionFilter) -> bool:
        if filter.channels and Channel.NOTE not in filter.channels:
            return False  # notes are all a LiveVox history holds
        return key is not None and filter.direction is None  # notes have none

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> Sequence[Batch[Interaction] | BaseException]:
        """One notes list per account; reads of one account share it and its dates."""
        accounts = list(dict.fromkeys(r.key for r in reads if r.key))

        async def answer(account: str) -> list[Batch[Interaction] | Exception]:
            refs = await self._note_list(account)
            known: dict[int, LvNote | None] = {}
            out: list[Batch[Interaction] | Exception] = []
            for r in reads:
                if r.key == account:
                    try:
                        out.append(await self._note_batch(account, refs, known, r))
                    except ConnectorError as exc:
                        out.append(exc)
            return out

        fetched = dict(zip(accounts, await answer_each(accounts, answer), strict=True))
        taken: dict[str, int] = {}
        out: list[Batch[Interaction] | BaseException] = []
        for r in reads:
            got = fetched.get(r.key or "")
            if got is None:
                out.append(VendorProtocolError(self.name, "LIVEVOX: no account"))
            elif isinstance(got, Exception):
                out.append(got)
            else:  # this account's answers, in the order of its reads
                n = taken[r.key or ""] = taken.get(r.key or "", -1) + 1
                out.append(got[n])
        return out

    async def _note_batch(
        self,
        account: str,
        refs: list[LvNoteRef],
        known: dict[int, LvNote | None],
        read: HistoryRead,
    ) -> Batch[Interaction]:
        position = json_position(read.position)
        if isinstance(position, dict) and "k" in position:
            return await self._by_date(account, refs, known, read, position["k"])
        after_id = _int_position(position, "id")
        last_ms = _int_position(position, "t")
        todo = refs if after_id is None else [r for r in refs if r["id"] < after_id]
        _carried(position, todo, known)
        start = after_id is None
        if start and len(todo) <= read.limit:  # every date is read anyway
            await self._read_notes(account, [r["id"] for r in todo], known)
            dates = [n["createDate"] for r in todo if (n := known[r["id"]])]
            if dates != sorted(dates, reverse=True):  # ids do not follow the dates
                return await self._by_date(account, refs, known, read, None)
        f = read.filter
        kept: list[tuple[Interaction, int]] = []  # each item and its index in `todo`
        stamps: list[int | None] = []  # the last date seen at each index examined
        while len(stamps) < len(todo) and len(kept) < read.limit:
            done = len(stamps)
            chunk = todo[done : done + read.limit - len(kept)]
            await self._read_notes(account, [r["id"] for r in chunk], known)
            for ref in chunk:
                note = known[ref["id"]]
                if note is not None:
                    ms = note["createDate"]
                    if last_ms is not None and ms > last_ms:
                        if start:  # nothing shown yet: order by date instead
                            return await self._by_date(account, refs, known, read, None)
                        raise self._out_of_order(account, ref["id"], ms, last_ms)
                    last_ms = ms
                stamps.append(last_ms)
                if note is None:
                    continue
                item = self._note(account, note)
                if f.since is not None and item.occurred_at < f.since:
                    return _id_batch(kept, todo, known, stamps, done_all=True)
                if f.matches(item):
                    kept.append((item, len(stamps) - 1))
                    if len(kept) == read.limit:
                        break
        return _id_batch(kept, todo, known, stamps, done_all=len(stamps) >= len(todo))

    def _out_of_order(
        self, account: str, note_id: int, ms: int, newer_than: int
    ) -> VendorProtocolError:
        when = _ms(ms)
        return VendorProtocolError(
            self.name,
            f"LIVEVOX: notes of account {account} do not grow older as their ids fall "
            f"(note {note_id} is dated {when.isoformat() if when else ms}, after a note "
            "with a higher id): the pages already read may be out of order; read the "
            "history again from the start",
        )

    async def _by_date(
        self,
        account: str,
        refs: list[LvNoteRef],
        known: dict[int, LvNote | None],
        read: HistoryRead,
        after: Any,
    ) -> Batch[Interaction]:
        """A batch in date order, from every note's date; positions name the last key."""
        await self._read_notes(account, [r["id"] for r in refs], known)
        notes = sorted(
            (n for r in refs if (n := known[r["id"]]) is not None),
            key=lambda n: _note_key(account, n),
        )
        keys = [_note_key(account, n) for n in notes]
        start = 0
        if isinstance(after, list) and len(after) == 2:
            ms, note_id = after
            if type(ms) is int and type(note_id) is int:
                start = bisect.bisect_right(keys, (-ms, f"{account}/{note_id}"))
        f = read.filter
        items: list[tuple[Interaction, Any]] = []
        index = start
        while index < len(notes) and len(items) < read.limit:
            note = notes[index]
            index += 1
            item = self._note(account, note)
            if f.since is not None and item.occurred_at < f.since:
                return Batch(items, None)
            if f.matches(item):
                items.append((item, {"k": [note["createDate"], note["id"]]}))
        if index >= len(notes):
            return Batch(items, None)
        last = notes[index - 1]
        return Batch(items, {"k": [last["createDate"], last["id"]]})

    async def get_interaction(self, token: str) -> Interaction | None:
        account, _, note_id = token.partition("/")
        if not account or not note_id.isascii() or not note_id.isdigit():
            return None
        note = await self._read_note(account, int(note_id))
        if note is None:
            return None
        item = self._note(account, note)
        item.contact_key = account  # read under the account's own path
        return item

    async def ready(self) -> None:
        await self.authenticate()


CONNECTOR = LiveVoxConnector

__all__ = ["CONNECTOR", "LiveVoxConnector", "filter_tree", "rule_tree"]
