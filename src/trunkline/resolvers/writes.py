"""Contact writes at the contact source (LiveVox): checked, exactly once, confirmed.

Every input is checked before anything is sent; a problem is a `Problem` (the input
field's path, a message, a stable code) that the schema returns as a user error. Bulk
writes report one outcome per item: the vendor's bulk answers carry a count at most, so
what landed is confirmed by reading the accounts back (one OR-search per 1,000), never
assumed. Outcomes are plain JSON, recorded under the idempotency key.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from trunkline.context import Context
from trunkline.domain import Contact
from trunkline.errors import (
    ConfigError,
    ConnectorError,
    InputFieldError,
    NotFound,
    TrunklineError,
    VendorConflict,
    VendorNotFound,
    VendorRejected,
    shown,
)
from trunkline.loaders import ALL
from trunkline.resolvers.writes_once import Run, check_key, once
from trunkline.writes import ContactSpec, ContactWriter, DndSpec, PhoneSpec

log = logging.getLogger("trunkline.writes")

MAX_BULK = 10_000
MAX_TEXT = 200
MAX_NAME = 100
MAX_PHONES = 10
READ_BATCH = 1000  # accounts per read-back search (LiveVox's count cap)
ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,49}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_PUNCT = re.compile(r"[\s().-]")
FIELD = re.compile(r"COL\d{1,3}", re.IGNORECASE)
BLOCKS = ("NONE", "DAILY", "PERMANENT", "BOTH", "DAILY_OFF", "PERMANENT_OFF")

# Per-item outcomes of a bulk write.
CREATED = "CREATED"
UPDATED = "UPDATED"
ALREADY_EXISTS = "ALREADY_EXISTS"
INVALID = "INVALID"
FAILED = "FAILED"
NOT_ATTEMPTED = "NOT_ATTEMPTED"
SENDING = "SENDING"  # recorded while a chunk is out: a crash then means "read back"
FINAL = frozenset({CREATED, UPDATED, ALREADY_EXISTS, INVALID})

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    field: tuple[str, ...] | None
    message: str
    code: str

    @classmethod
    def of(cls, exc: TrunklineError, field: Path | None) -> Problem:
        return cls(
            tuple(str(f) for f in field) if field is not None else None,
            exc.message,
            exc.code,
        )

    def json(self) -> list[Any]:
        return [
            list(self.field) if self.field is not None else None,
            self.message,
            self.code,
        ]

    @classmethod
    def from_json(cls, raw: list[Any]) -> Problem:
        return cls(tuple(raw[0]) if raw[0] is not None else None, raw[1], raw[2])


class Invalid(Exception):
    """Problems found in an input: nothing was sent."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def writer(ctx: Context) -> ContactWriter:
    source = ctx.gateway.contact_source()
    if not isinstance(source, ContactWriter):
        raise ConfigError("the contact source takes no writes")
    return source


def _bad(
    problems: list[Problem], at: Path, message: str, code: str = "BAD_USER_INPUT"
) -> None:
    problems.append(Problem(tuple(str(p) for p in at), message, code))


# ---- checking input ---------------------------------------------------------------


def _text(
    problems: list[Problem],
    raw: Mapping[str, Any],
    name: str,
    at: Path,
    limit: int = MAX_TEXT,
) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        _bad(
            problems,
            (*at, _camel(name)),
            f"{_camel(name)} must not be empty; leave it out instead.",
        )
        return None
    if len(value) > limit:
        _bad(
            problems,
            (*at, _camel(name)),
            f"{_camel(name)} is longer than {limit} characters.",
        )
        return None
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def check_account(problems: list[Problem], value: Any, at: Path) -> str | None:
    if not isinstance(value, str) or not ACCOUNT.fullmatch(value):
        _bad(
            problems,
            at,
            "account must be 1 to 50 letters, digits or . _ @ - (starting with a "
            "letter or digit).",
        )
        return None
    return value


def phone_number(problems: list[Problem], value: Any, at: Path) -> str | None:
    digits = PHONE_PUNCT.sub("", str(value or "")).removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or not 10 <= len(digits) <= 15:
        _bad(problems, at, f"{shown(value)} is not a phone number (10 to 15 digits).")
        return None
    return digits


def contact_spec(
    raw: Mapping[str, Any], at: Path, *, account: str | None = None
) -> tuple[ContactSpec | None, list[Problem]]:
    """A checked spec from a ContactInput (or update input) as a dict."""
    problems: list[Problem] = []
    if account is None:
        account = check_account(problems, raw.get("account"), (*at, "account"))

    def t(name: str, limit: int = MAX_TEXT) -> str | None:
        return _text(problems, raw, name, at, limit)

    first, last = t("first_name", MAX_NAME), t("last_name", MAX_NAME)
    email = t("email", 254)
    if email is not None and not EMAIL.fullmatch(email):
        _bad(problems, (*at, "email"), f"{shown(email)} is not an e-mail address.")
    phones: tuple[PhoneSpec, ...] | None = None
    if raw.get("phones") is not None:
        items = list(raw["phones"])
        if len(items) > MAX_PHONES:
            _bad(problems, (*at, "phones"), f"at most {MAX_PHONES} phones.")
        out: list[PhoneSpec] = []
        seen: set[str] = set()
        for n, p in enumerate(items):
            number = phone_number(
                problems, p.get("number"), (*at, "phones", n, "number")
            )
            if number is None:
                continue
            if number in seen:
                _bad(
                    problems, (*at, "phones", n, "number"), f"{number} is listed twice."
                )
            seen.add(number)
            out.append(PhoneSpec(number, p.get("sms_consent"), p.get("cell_consent")))
        phones = tuple(out)
    group = raw.get("group_id")
    if group is not None and not (str(group).isascii() and str(group).isdigit()):
        _bad(problems, (*at, "groupId"), f"{shown(group)} is not a contact group id.")
    balance = raw.get("balance")
    if balance is not None and (not math.isfinite(balance) or abs(balance) > 1e12):
        _bad(problems, (*at, "balance"), "balance must be a finite amount.")
    born = raw.get("date_of_birth")
    if isinstance(born, date) and born > datetime.now(UTC).date():
        _bad(problems, (*at, "dateOfBirth"), "dateOfBirth is in the future.")
    fields: tuple[tuple[str, str | None], ...] | None = None
    if raw.get("custom_fields") is not None:
        pairs = []
        for n, f in enumerate(raw["custom_fields"]):
            name = str(f.get("field") or "")
            if not FIELD.fullmatch(name):
                _bad(
                    problems,
                    (*at, "customFields", n, "field"),
                    f"{shown(name)} is not a custom field name (COL1, COL2, ...).",
                )
            value = f.get("value")
            if value is not None and len(str(value)) > 1000:
                _bad(
                    problems,
                    (*at, "customFields", n, "value"),
                    "value is longer than 1000 characters.",
                )
            pairs.append((name.upper(), value))
        fields = tuple(pairs)
    spec = ContactSpec(
        account=account or "",
        first_name=first,
        last_name=last,
        email=email,
        phones=phones,
        group_id=str(group) if group is not None else None,
        address1=t("address1"),
        address2=t("address2"),
        city=t("city"),
        state=t("state", 50),
        postal_code=t("postal_code", 20),
        country=t("country", 100),
        balance=balance,
        due_date=raw.get("due_date"),
        date_of_birth=born,
        active=raw.get("active"),
        custom_fields=fields,
    )
    return (None if problems else spec), problems


async def check_known(
    ctx: Context, specs: Sequence[tuple[Path, ContactSpec]]
) -> dict[int, list[Problem]]:
    """Groups and custom fields the vendor must know (one read each, if asked)."""
    out: dict[int, list[Problem]] = {}
    if any(s.group_id for _, s in specs):
        groups = await ctx.loaders.groups.load(ALL)
        for n, (at, s) in enumerate(specs):
            if s.group_id and s.group_id not in groups:
                out.setdefault(n, []).append(
                    Problem(
                        tuple(map(str, (*at, "groupId"))),
                        f"No contact group {s.group_id}.",
                        "NOT_FOUND",
                    )
                )
    if any(s.custom_fields for _, s in specs):
        labels = await ctx.loaders.field_labels.load(ALL)
        known = {k.upper() for k in labels}
        for n, (at, s) in enumerate(specs):
            for k, (name, _v) in enumerate(s.custom_fields or ()):
                if name not in known:
                    out.setdefault(n, []).append(
                        Problem(
                            tuple(map(str, (*at, "customFields", k, "field"))),
                            f"No custom field {name}.",
                            "NOT_FOUND",
                        )
                    )
    return out


# ---- reading back -------------------------------------------------------------------


async def read_back(ctx: Context, accounts: Sequence[str]) -> dict[str, Contact]:
    """The accounts that exist now (one search per 1,000), fresh in the loader."""
    source = ctx.gateway.contact_source()
    found: dict[str, Contact] = {}
    wanted = list(dict.fromkeys(accounts))
    for start in range(0, len(wanted), READ_BATCH):
        found.update(await source.get_contacts(wanted[start : start + READ_BATCH]))
    refresh(ctx, wanted, found)
    return found


def refresh(
    ctx: Context, accounts: Sequence[str], found: Mapping[str, Contact]
) -> None:
    """A write changed these accounts: the request's later reads see it."""
    loader = ctx.loaders.contact
    for a in accounts:
        loader.clear(a)
        if a in found:
            loader.remember(a, found[a])


# ---- createContact -------------------------------------------------------------------


async def create_contact(
    ctx: Context, raw: Mapping[str, Any], key: str | None
) -> dict[str, Any]:
    """Outcome: {"account", "problems": [...]}; the account is set when it exists."""
    key = check_key(key)
    spec, problems = contact_spec(raw, ("contact",))
    if spec is not None:
        problems += (await check_known(ctx, [(("contact",), spec)])).get(0, [])
    if problems or spec is None:
        raise Invalid(problems)
    w = writer(ctx)

    async def work(run: Run) -> tuple[dict[str, Any], bool]:
        if run.recover and (await read_back(ctx, [spec.account])):
            return {"account": spec.account, "problems": []}, True  # it landed
        try:
            await w.create_contact(spec)
        except VendorConflict:
            msg = f"A contact with account {shown(spec.account)} already exists at LiveVox."
            problem = Problem(("contact", "account"), msg, "CONFLICT")
            return {"account": None, "problems": [problem.json()]}, True
        except VendorRejected as exc:  # the vendor refused the input
            problem = Problem.of(exc, ("contact",))
            return {"account": None, "problems": [problem.json()]}, True
        refresh(ctx, [spec.account], {})
        return {"account": spec.account, "problems": []}, True

    outcome: dict[str, Any] = await once(
        ctx.gateway.idempotency, "createContact", key, _hashable(raw), work
    )
    return outcome


def _hashable(raw: Any) -> Any:
    return raw


# ---- bulkCreateContacts ------------------------------------------------------------


async def bulk_create(
    ctx: Context, items: Sequence[Mapping[str, Any]], key: str | None
) -> dict[str, Any]:
    """Outcome: {"items": [{"account", "status", "problem"}], "complete"}."""
    key = check_key(key)
    if not items:
        raise InputFieldError(("contacts",), "contacts must list at least one contact.")
    if len(items) > MAX_BULK:
        raise InputFieldError(
            ("contacts",), f"contacts may list at most {MAX_BULK:,} contacts."
        )
    w = writer(ctx)
    specs: list[ContactSpec | None] = []
    problems: dict[int, list[Problem]] = {}
    seen: dict[str, int] = {}
    for n, raw in enumerate(items):
        spec, found = contact_spec(raw, ("contacts", n))
        if spec is not None and spec.account in seen:
            msg = f"account {shown(spec.account)} is also item {seen[spec.account]} of this bulk."
            found = [Problem(("contacts", str(n), "account"), msg, "CONFLICT")]
            spec = None
        if spec is not None:
            seen[spec.account] = n
        specs.append(spec)
        if found:
            problems[n] = found
    valid = [(n, s) for n, s in enumerate(specs) if s is not None]
    known = await check_known(ctx, [(("contacts", n), s) for n, s in valid])
    for k, found in known.items():
        n = valid[k][0]
        problems[n] = found
        specs[n] = None

    async def work(run: Run) -> tuple[dict[str, Any], bool]:
        state: list[dict[str, Any]] = (
            run.prior["items"]
            if run.prior
            else [
                {
                    "account": (s.account if s else _account_of(items[n])),
                    "status": INVALID if s is None else NOT_ATTEMPTED,
                    "problem": problems[n][0].json() if n in problems else None,
                }
                for n, s in enumerate(specs)
            ]
        )
        if run.recover:  # an earlier try may have sent these: what landed is done
            maybe = [n for n, i in enumerate(state) if i["status"] in (SENDING, FAILED)]
            found = await read_back(ctx, [state[n]["account"] for n in maybe])
            for n in maybe:
                if state[n]["account"] in found:
                    state[n].update(status=CREATED, problem=None)
        todo = [n for n, i in enumerate(state) if i["status"] not in FINAL and specs[n]]
        return await _create_chunks(ctx, w, run, state, specs, todo)

    outcome: dict[str, Any] = await once(
        ctx.gateway.idempotency, "bulkCreateContacts", key, list(items), work
    )
    return outcome


async def _create_chunks(
    ctx: Context,
    w: ContactWriter,
    run: Run,
    state: list[dict[str, Any]],
    specs: Sequence[ContactSpec | None],
    todo: list[int],
) -> tuple[dict[str, Any], bool]:
    """Send the items in chunks, one after another, each checked before it is sent
    (an account that exists is ALREADY_EXISTS) and read back after (what landed).

    Every search is filled: the read-backs of the chunks sent so far, then the next
    chunks' pre-checks, up to 1,000 accounts (2,500 items: 5 searches for 5,000
    lookups, not 6). A chunk is sent beside the search that reads back the one
    before (their accounts are distinct), never before its own pre-check is in; a
    read-back that would fill no search waits for the next chunk's."""
    chunks = _chunks(todo, w.bulk_chunk)
    order = [state[n]["account"] for chunk in chunks for n in chunk]
    ends = list(itertools.accumulate(map(len, chunks)))
    checked = 0  # order[:checked] have been looked up before their chunk
    known: dict[str, Contact] = {}  # the pre-checks' finds
    sent: list[tuple[list[int], int | None]] = []  # out, not yet read back

    def plan(least: int) -> tuple[list[tuple[list[int], int | None]], list[str]]:
        """What the next search reads: every sent chunk, and the pre-checks up to
        `least` (an index in `order`), then more of them to fill its last 1,000."""
        nonlocal checked
        reading, back = list(sent), [state[n]["account"] for ns, _ in sent for n in ns]
        sent.clear()
        least = max(least, checked)
        upto = min(len(order), least + (-(len(back) + least - checked)) % READ_BATCH)
        ahead, checked = order[checked:upto], upto
        return reading, back + ahead

    def settle(
        reading: list[tuple[list[int], int | None]], found: dict[str, Contact]
    ) -> None:
        known.update(found)
        for ns, said in reading:
            landed = sum(state[n]["account"] in found for n in ns)
            if said is not None and said != landed:  # the read-back decides
                log.warning(
                    "livevox bulk create said %d created, %d read back", said, landed
                )
            for n in ns:
                if state[n]["account"] in found:
                    state[n].update(status=CREATED, problem=None)
                else:
                    msg = "LiveVox answered the bulk create but does not have this contact."
                    problem = Problem(("contacts", str(n)), msg, "VENDOR_REJECTED")
                    state[n].update(status=FAILED, problem=problem.json())

    async def search(least: int) -> None:
        reading, wanted = plan(least)
        settle(reading, await read_back(ctx, wanted))

    for k, chunk in enumerate(chunks):
        if checked < ends[k]:  # its pre-check first
            await search(ends[k])
        send = []
        for n in chunk:
            if state[n]["account"] in known:
                msg = f"A contact with account {shown(state[n]['account'])} already exists at LiveVox."
                problem = Problem(("contacts", str(n), "account"), msg, "CONFLICT")
                state[n].update(status=ALREADY_EXISTS, problem=problem.json())
            else:
                state[n].update(status=SENDING, problem=None)
                send.append(n)
        # read back beside this chunk's create only a search that is full, or that
        # holds the last pre-checks; else the read-backs wait for the next chunk's
        back = sum(len(ns) for ns, _ in sent)
        fill = min(len(order) - checked, -back % READ_BATCH)
        beside = bool(sent) and (
            (back + fill) % READ_BATCH == 0
            or (fill > 0 and checked + fill == len(order))
        )
        if not send:
            if beside:
                await search(checked)
            continue
        await run.progress({"items": state, "complete": False})
        create = w.bulk_create_contacts([s for n in send if (s := specs[n])])
        if beside:
            reading, wanted = plan(checked)
            said, found = await asyncio.gather(
                create, read_back(ctx, wanted), return_exceptions=True
            )
            if isinstance(found, BaseException):
                raise found  # the items stay SENDING: the next try reads them back
            settle(reading, found)
        else:
            said = (await asyncio.gather(create, return_exceptions=True))[0]
        if isinstance(said, ConnectorError):
            if sent:  # the chunks before it are read back before the bulk stops
                await search(checked)
            return _chunk_failed(state, send, said, "contacts")
        if isinstance(said, BaseException):
            raise said
        sent.append((send, said))
    if sent:
        await search(checked)
    return _finished(state)


def _chunks(todo: list[int], size: int) -> list[list[int]]:
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def _chunk_failed(
    state: list[dict[str, Any]], send: Sequence[int], exc: ConnectorError, root: str
) -> tuple[dict[str, Any], bool]:
    """The vendor failed a chunk: its items FAILED with the vendor's message, and the
    bulk stops there, incomplete (the same key resumes it)."""
    for n in send:
        state[n].update(status=FAILED, problem=Problem.of(exc, (root, n)).json())
    return {"items": state, "complete": False}, False


def _finished(state: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    complete = all(i["status"] in FINAL for i in state)
    return {"items": state, "complete": complete}, complete


def _account_of(raw: Mapping[str, Any]) -> str | None:
    value = raw.get("account")
    return value if isinstance(value, str) else None


# ---- bulkUpdateContacts, bulkUpdateDnd ---------------------------------------------


def _landed(found: Contact, spec: ContactSpec) -> bool:
    """Whether a contact read back shows the update's fields."""
    d = found.details
    checks: list[tuple[Any, Any]] = [
        (spec.first_name, found.first_name),
        (spec.last_name, found.last_name),
        (spec.address1, d.address.line1),
        (spec.address2, d.address.line2),
        (spec.city, d.address.city),
        (spec.state, d.address.state),
        (spec.postal_code, d.address.postal_code),
        (spec.country, d.address.country),
        (spec.active, d.active),
        (spec.balance, d.balance),
        (spec.due_date, d.due_date),
        (spec.date_of_birth, d.date_of_birth),
    ]
    if spec.email is not None and spec.email not in d.emails:
        return False
    if spec.group_id is not None and found.group_ids != (spec.group_id,):
        return False
    if spec.phones is not None and [p.number for p in spec.phones] != [
        p.number for p in found.phones
    ]:
        return False
    return all(want is None or want == got for want, got in checks)


async def _bulk_update(
    ctx: Context,
    run: Run,
    state: list[dict[str, Any]],
    accounts_of: Sequence[str | None],
    send_chunk: Any,
    confirm: Any,
    precheck: Any,
) -> tuple[dict[str, Any], bool]:
    """The chunk loop shared by the bulk updates: existence checked before each chunk
    (read together with the last chunk's read-back), sent, then confirmed by reading
    back. Updates are idempotent at the vendor: a resumed item is sent again."""
    w = writer(ctx)
    todo = [n for n, i in enumerate(state) if i["status"] not in FINAL]
    chunks = _chunks(todo, w.bulk_chunk)

    def accounts(ns: Sequence[int]) -> list[str]:
        return [a for n in ns if (a := accounts_of[n]) is not None]

    existing = await read_back(ctx, accounts(chunks[0])) if chunks else {}
    for k, chunk in enumerate(chunks):
        send = []
        for n in chunk:
            problem = precheck(n, existing.get(accounts_of[n] or ""))
            if problem is not None:
                state[n].update(status=INVALID, problem=problem.json())
            else:
                state[n].update(status=SENDING, problem=None)
                send.append(n)
        before = existing
        following = chunks[k + 1] if k + 1 < len(chunks) else []
        if send:
            await run.progress({"items": state, "complete": False})
            try:
                await send_chunk(send)
            except ConnectorError as exc:
                return _chunk_failed(state, send, exc, "items")
        found = await read_back(ctx, accounts(send) + accounts(following))
        for n in send:
            now = found.get(accounts_of[n] or "")
            if now is not None and confirm(n, before[accounts_of[n] or ""], now):
                state[n].update(status=UPDATED, problem=None)
            else:
                msg = "LiveVox answered the bulk update but does not show it."
                problem = Problem(("items", str(n)), msg, "VENDOR_REJECTED")
                state[n].update(status=FAILED, problem=problem.json())
        existing = found
    return _finished(state)


async def _once_bulk(
    ctx: Context,
    operation: str,
    key: str | None,
    items: Sequence[tuple[str | None, Mapping[str, Any]]],
    problems: Mapping[int, list[Problem]],
    send_chunk: Any,
    confirm: Any,
    precheck: Any,
) -> dict[str, Any]:
    """A bulk update once per key: a retry resumes from the recorded item states."""
    accounts = [a for a, _raw in items]

    async def work(run: Run) -> tuple[dict[str, Any], bool]:
        state = run.prior["items"] if run.prior else _initial(accounts, problems)
        return await _bulk_update(
            ctx, run, state, accounts, send_chunk, confirm, precheck
        )

    value = [[a, dict(r)] for a, r in items]
    outcome: dict[str, Any] = await once(
        ctx.gateway.idempotency, operation, key, value, work
    )
    return outcome


def _initial(
    accounts: Sequence[str | None], problems: Mapping[int, list[Problem]]
) -> list[dict[str, Any]]:
    return [
        {
            "account": a,
            "status": INVALID if n in problems else NOT_ATTEMPTED,
            "problem": problems[n][0].json() if n in problems else None,
        }
        for n, a in enumerate(accounts)
    ]


def _bulk_size(items: Sequence[Any]) -> None:
    if not items:
        raise InputFieldError(("items",), "items must list at least one item.")
    if len(items) > MAX_BULK:
        raise InputFieldError(("items",), f"items may list at most {MAX_BULK:,} items.")


S = TypeVar("S")


def _item_specs(
    items: Sequence[tuple[str | None, Mapping[str, Any]]],
    spec_of: Callable[[int, str, Mapping[str, Any]], tuple[S | None, list[Problem]]],
) -> tuple[list[S | None], dict[int, list[Problem]]]:
    """A bulk's specs by item, and the problems of those that have none (an item
    whose ID is no Contact's is not looked at further)."""
    specs: list[S | None] = []
    problems: dict[int, list[Problem]] = {}
    for n, (account, raw) in enumerate(items):
        if account is None:
            msg = "Not a Contact ID."
            spec, found = None, [Problem(_contact_id(n), msg, "BAD_USER_INPUT")]
        else:
            spec, found = spec_of(n, account, raw)
        specs.append(spec)
        if found:
            problems[n] = found
    return specs, problems


def _contact_id(n: int) -> tuple[str, ...]:
    return ("items", str(n), "contactId")


def _no_item_contact(n: int, account: str | None) -> Problem:
    msg = f"No contact with account {shown(account)}."
    return Problem(_contact_id(n), msg, "NOT_FOUND")


async def bulk_update(
    ctx: Context, items: Sequence[tuple[str | None, Mapping[str, Any]]], key: str | None
) -> dict[str, Any]:
    """items: (account or None when its ID is bad, fields). Outcome as bulk_create."""
    key = check_key(key)
    _bulk_size(items)
    seen: dict[str, int] = {}

    def spec_of(
        n: int, account: str, raw: Mapping[str, Any]
    ) -> tuple[ContactSpec | None, list[Problem]]:
        spec, found = contact_spec(raw, ("items", n), account=account)
        if spec is not None and account in seen:
            msg = f"account {shown(account)} is also item {seen[account]} of this bulk."
            return None, [Problem(_contact_id(n), msg, "CONFLICT")]
        if spec is not None:
            seen[account] = n
        return spec, found

    specs, problems = _item_specs(items, spec_of)
    valid = [(n, s) for n, s in enumerate(specs) if s is not None]
    for k, found in (
        await check_known(ctx, [(("items", n), s) for n, s in valid])
    ).items():
        problems[valid[k][0]] = found
        specs[valid[k][0]] = None
    accounts = [a for a, _raw in items]
    w = writer(ctx)

    def precheck(n: int, current: Contact | None) -> Problem | None:
        return _no_item_contact(n, accounts[n]) if current is None else None

    async def send_chunk(ns: Sequence[int]) -> None:
        await w.bulk_update_contacts([s for n in ns if (s := specs[n])])

    def confirm(n: int, _before: Contact, now: Contact) -> bool:
        spec = specs[n]
        return spec is not None and _landed(now, spec)

    return await _once_bulk(
        ctx, "bulkUpdateContacts", key, items, problems, send_chunk, confirm, precheck
    )


async def bulk_update_dnd(
    ctx: Context, items: Sequence[tuple[str | None, Mapping[str, Any]]], key: str | None
) -> dict[str, Any]:
    """Per-item DND changes; each phone's new block is confirmed by reading back."""
    key = check_key(key)
    _bulk_size(items)
    specs, problems = _item_specs(
        items, lambda n, account, raw: dnd_spec(raw, account, ("items", n))
    )
    accounts = [a for a, _raw in items]
    w = writer(ctx)

    def precheck(n: int, current: Contact | None) -> Problem | None:
        if current is None:
            return _no_item_contact(n, accounts[n])
        numbers = {p.number for p in current.phones}
        for k, (number, _b) in enumerate((specs[n] or DndSpec("")).phones):
            if number not in numbers:
                msg = f"Contact {shown(accounts[n])} has no phone {number}."
                return Problem(
                    ("items", str(n), "phones", str(k), "number"), msg, "NOT_FOUND"
                )
        return None

    async def send_chunk(ns: Sequence[int]) -> None:
        await w.bulk_update_dnd([s for n in ns if (s := specs[n])])

    def confirm(n: int, before: Contact, now: Contact) -> bool:
        # Phones are confirmed by their block state; LiveVox's answers do not show
        # the account block, so an account-only change rests on being sent.
        spec = specs[n]
        if spec is None:
            return False
        was = {p.number: p.blocked for p in before.phones}
        got = {p.number: p.blocked for p in now.phones}
        want = dict(was)
        for number, action in spec.phones:
            want[number] = w.block_after(want.get(number), action)
        return all(got.get(number) == want[number] for number, _a in spec.phones)

    return await _once_bulk(
        ctx, "bulkUpdateDnd", key, items, problems, send_chunk, confirm, precheck
    )


# ---- updates, deletes, DND --------------------------------------------------------


CHANGEABLE = [
    "first_name",
    "last_name",
    "email",
    "phones",
    "group_id",
    "address1",
    "address2",
    "city",
    "state",
    "postal_code",
    "country",
    "balance",
    "due_date",
    "date_of_birth",
    "active",
    "custom_fields",
]


def _no_contact(account: str) -> Invalid:
    return Invalid(
        [
            Problem(
                ("contactId",),
                f"No contact with account {shown(account)}.",
                "NOT_FOUND",
            )
        ]
    )


async def update_contact(ctx: Context, account: str, raw: Mapping[str, Any]) -> str:
    if all(raw.get(name) is None for name in CHANGEABLE):
        raise Invalid(
            [Problem(None, "Give at least one field to change.", "BAD_USER_INPUT")]
        )
    spec, problems = contact_spec(raw, (), account=account)
    if spec is not None:
        problems += (await check_known(ctx, [((), spec)])).get(0, [])
    if problems or spec is None:
        raise Invalid(problems)
    try:
        await writer(ctx).update_contact(spec)
    except VendorNotFound:
        raise _no_contact(account) from None
    refresh(ctx, [account], {})
    return account


async def delete_contact(ctx: Context, account: str) -> str:
    try:
        await writer(ctx).delete_contact(account)
    except VendorNotFound:
        raise _no_contact(account) from None
    refresh(ctx, [account], {})
    return account


def dnd_spec(
    raw: Mapping[str, Any], account: str, at: Path
) -> tuple[DndSpec | None, list[Problem]]:
    problems: list[Problem] = []
    phones: list[tuple[str, str]] = []
    for n, p in enumerate(raw.get("phones") or ()):
        number = phone_number(problems, p.get("number"), (*at, "phones", n, "number"))
        block = p.get("block")
        if block not in BLOCKS:
            _bad(
                problems,
                (*at, "phones", n, "block"),
                f"block must be one of {', '.join(BLOCKS)}.",
            )
        elif number is not None:
            phones.append((number, block))
    account_block = raw.get("account_block")
    if account_block is not None and account_block not in BLOCKS:
        _bad(
            problems,
            (*at, "accountBlock"),
            f"accountBlock must be one of {', '.join(BLOCKS)}.",
        )
    if not raw.get("phones") and account_block is None:
        problems.append(
            Problem(None, "Give phones, accountBlock or both.", "BAD_USER_INPUT")
        )
    if problems:
        return None, problems
    return DndSpec(account, tuple(phones), account_block), []


async def update_dnd(ctx: Context, account: str, raw: Mapping[str, Any]) -> str:
    spec, problems = dnd_spec(raw, account, ())
    if spec is None:
        raise Invalid(problems)
    current = (await read_back(ctx, [account])).get(account)
    if current is None:
        raise _no_contact(account)
    numbers = {p.number for p in current.phones}
    unknown = [
        Problem(
            ("phones", str(n), "number"),
            f"Contact {shown(account)} has no phone {number}.",
            "NOT_FOUND",
        )
        for n, (number, _b) in enumerate(spec.phones)
        if number not in numbers
    ]
    if unknown:  # LiveVox ignores numbers a contact lacks: say so instead
        raise Invalid(unknown)
    await writer(ctx).update_dnd(spec)
    refresh(ctx, [account], {})
    return account


def _group_name(problems: list[Problem], name: Any) -> str | None:
    text = _text(problems, {"name": name}, "name", ())
    if text is None and not problems:
        _bad(problems, ("name",), "name is required.")
    return text


async def create_group(ctx: Context, name: Any, key: str | None) -> dict[str, Any]:
    key = check_key(key)
    problems: list[Problem] = []
    text = _group_name(problems, name)
    if problems or text is None:
        raise Invalid(problems)
    w = writer(ctx)

    async def work(run: Run) -> tuple[dict[str, Any], bool]:
        if run.recover:
            ctx.loaders.groups.clear(ALL)
            groups = await ctx.loaders.groups.load(ALL)
            for g in groups.values():
                if g.name == text:
                    return {"id": g.id, "name": g.name}, True
        group_id = await w.create_group(text)
        ctx.loaders.groups.clear(ALL)
        return {"id": group_id, "name": text}, True

    outcome: dict[str, Any] = await once(
        ctx.gateway.idempotency, "createContactGroup", key, {"name": text}, work
    )
    return outcome


async def rename_group(ctx: Context, group_id: str, name: Any) -> dict[str, Any]:
    problems: list[Problem] = []
    if not (group_id.isascii() and group_id.isdigit()):
        _bad(problems, ("id",), f"{shown(group_id)} is not a contact group id.")
    text = _group_name(problems, name)
    if problems or text is None:
        raise Invalid(problems)
    try:
        await writer(ctx).rename_group(group_id, text)
    except VendorNotFound:
        raise Invalid(
            [Problem(("id",), f"No contact group {group_id}.", "NOT_FOUND")]
        ) from None
    ctx.loaders.groups.clear(ALL)
    return {"id": group_id, "name": text}


async def update_labels(
    ctx: Context, items: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    problems: list[Problem] = []
    labels: dict[str, str] = {}
    if not items:
        _bad(problems, ("labels",), "labels must list at least one field.")
    known = (
        {k.upper() for k in (await ctx.loaders.field_labels.load(ALL))}
        if items
        else set()
    )
    for n, item in enumerate(items):
        name = str(item.get("field") or "").upper()
        if name not in known:
            _bad(
                problems,
                ("labels", n, "field"),
                f"No custom field {name or '(empty)'}.",
                "NOT_FOUND",
            )
        label = _text(problems, item, "label", ("labels", n), MAX_NAME)
        if label is None and item.get("label") is None:
            _bad(problems, ("labels", n, "label"), "label is required.")
        if name in labels:
            _bad(problems, ("labels", n, "field"), f"{name} is listed twice.")
        if label is not None:
            labels[name] = label
    if problems:
        raise Invalid(problems)
    await writer(ctx).update_field_labels(labels)
    ctx.loaders.field_labels.clear(ALL)
    return labels


def not_found(account: str) -> NotFound:
    return NotFound(f"No contact with account {shown(account)}.")


__all__ = [
    "Invalid",
    "Problem",
    "bulk_create",
    "bulk_update",
    "bulk_update_dnd",
    "create_contact",
    "create_group",
    "delete_contact",
    "read_back",
    "rename_group",
    "update_contact",
    "update_dnd",
    "update_labels",
]
