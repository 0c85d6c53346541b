"""Campaign resolvers: the campaign list, state changes, contact batches, attempts.

The list is read once per request (listCampaigns answers every campaign, up to the
vendor's cap) and filtered and paged here; cursors are the index of an edge in that
filtered, ordered list, bound to the filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from trunkline.campaigns import (
    GROUPS,
    TRANSITIONS,
    BatchOutcome,
    Campaign,
    ContactAttempt,
    ContactBatch,
    NewBatch,
    NewContact,
    StateGroup,
    SubCampaign,
    SubCampaignState,
)
from trunkline.context import Context
from trunkline.errors import (
    BadUserInput,
    CursorError,
    InputFieldError,
    NotFound,
    TrunklineError,
    VendorConflict,
    VendorInvalidState,
    shown,
)
from trunkline.pagination.args import SliceArgs
from trunkline.pagination.cursor import decode_cursor, encode_cursor, scope_of
from trunkline.pagination.types import Page
from trunkline.resolvers.writes_once import Run, once

T = TypeVar("T")

ALL = "all"  # the key of a loader that answers a whole list

DEFAULT_BATCH_WINDOW = timedelta(days=7)
ATTEMPT_WINDOW = timedelta(hours=24)  # the doc's default window
MAX_WINDOW = timedelta(days=366)
MAX_BATCH_CONTACTS = 10_000
MAX_EMAIL = 254
MAX_NAME = 100
_ID_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"
)


def check_id(value: str, what: str) -> str:
    """A vendor id or externalId from a client: bounded and plain, or BAD_USER_INPUT."""
    text = value.strip()
    if not text or len(text) > 100 or not set(text) <= _ID_CHARS:
        raise BadUserInput(f"Invalid {what} {shown(value)}.")
    return text


@dataclass(frozen=True, slots=True)
class CampaignQuery:
    created_from: datetime | None = None
    created_to: datetime | None = None
    states: frozenset[SubCampaignState] | None = None
    text: str | None = None


def slice_list(items: Sequence[T], args: SliceArgs, kind: str, scope: str) -> Page[T]:
    """A Relay page over a list held whole; cursors carry an edge's index."""

    def index_of(cursor: str) -> int:
        state = decode_cursor(cursor, kind, scope)
        if not isinstance(state, dict) or not isinstance(state.get("i"), int):
            raise BadUserInput("Invalid cursor: not a cursor this API issued.")
        return int(state["i"])

    lo, hi = 0, len(items)
    if args.after is not None:
        lo = max(lo, index_of(args.after) + 1)
    if args.before is not None:
        hi = min(hi, index_of(args.before))
    hi = max(lo, hi)
    if args.first is not None:
        start, end = lo, min(hi, lo + args.first)
    else:
        assert args.last is not None
        start, end = max(lo, hi - args.last), hi
    return Page(
        items[start:end],
        lambda n: encode_cursor(kind, scope, {"i": start + n}),
        has_next=end < hi if args.first is not None else end < len(items),
        has_previous=start > lo if args.last is not None else start > 0,
        total_count=hi - lo if args.after is None and args.before is None else None,
    )


async def campaigns_page(
    ctx: Context,
    query: CampaignQuery,
    args: SliceArgs,
    batch_windows: Sequence[tuple[datetime | None, datetime | None]] = (),
) -> Page[Campaign]:
    """The page; `batch_windows` are the (since, until) its nodes' contactBatches
    ask for: their lists need nothing from the page, so they are read beside
    listCampaigns (one round trip, not one more after the page)."""
    if (
        query.created_from is not None
        and query.created_to is not None
        and query.created_from >= query.created_to
    ):
        raise BadUserInput("'createdFrom' must be before 'createdTo'.")
    loaders = ctx.campaigns
    if args.first != 0 and args.last != 0:
        for since, until in batch_windows:
            try:
                window = batch_window(since, until, loaders.now())
            except BadUserInput:
                continue  # the field itself reports it
            loaders.batch_list(window)
    found = list((await loaders.campaigns.load(ALL)).values())
    if query.created_from is not None or query.created_to is not None:
        found = [c for c in found if _created_within(c, query)]
    if query.text:
        needle = query.text.casefold()
        found = [
            c
            for c in found
            if any(
                needle in (v or "").casefold()
                for v in (c.name, c.description, c.external_id)
            )
        ]
    if query.states is not None:
        subs = await loaders.sub_campaigns.load_many([c.id for c in found])
        found = [
            c
            for c, s in zip(found, subs, strict=True)
            if any(x.state in query.states for x in s)
        ]
    # newest first, then by id: stable whatever order the vendor lists them in
    epoch = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda c: (c.created_at or epoch, c.id), reverse=True)
    scope = scope_of(
        query.created_from, query.created_to, sorted(s.value for s in query.states or ()),
        query.text,
    )  # fmt: skip
    return slice_list(found, args, "Campaign", scope)


def _created_within(c: Campaign, q: CampaignQuery) -> bool:
    if c.created_at is None:
        return False
    if q.created_from is not None and c.created_at < q.created_from:
        return False
    return not (q.created_to is not None and c.created_at >= q.created_to)


def states_of(
    group: StateGroup | None, states: Sequence[SubCampaignState] | None
) -> frozenset[SubCampaignState] | None:
    if group is None and not states:
        return None
    out: set[SubCampaignState] = set(states or ())
    if group is not None:
        out |= GROUPS[group]
    return frozenset(out)


def batch_window(
    since: datetime | None, until: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    until = until or now
    since = since or until - DEFAULT_BATCH_WINDOW
    if since >= until:
        raise BadUserInput("'since' must be before 'until'.")
    if until - since > MAX_WINDOW:
        raise BadUserInput("The window may span at most 366 days.")
    return since, until


async def campaign_batches(
    ctx: Context, campaign_id: str, since: datetime, until: datetime
) -> list[ContactBatch]:
    every = await ctx.campaigns.batch_list((since, until))
    return [b for b in every if b.campaign_id == campaign_id]


# ---- mutations -------------------------------------------------------------------------
async def change_state(
    ctx: Context, sub_campaign_id: str, target: SubCampaignState
) -> SubCampaign:
    """Change a sub-campaign's state along the doc's transitions only; any other is
    refused with the transitions its current state allows."""
    source = ctx.gateway.campaign_source()
    current = await source.get_sub_campaign(sub_campaign_id)
    if current is None:
        raise NotFound(f"No sub-campaign {shown(sub_campaign_id)}.")
    allowed = TRANSITIONS.get(target, frozenset())
    if current.state not in allowed:
        options = allowed_from(current.state)
        raise VendorInvalidState(
            "engage",
            f"A {current.state.value} sub-campaign cannot become {target.value}; "
            + (
                "allowed: " + ", ".join(options)
                if options
                else "it allows no state change"
            )
            + ".",
        )
    return await source.change_sub_campaign_state(sub_campaign_id, target)


ACTIONS = {
    SubCampaignState.PAUSED: "pause",
    SubCampaignState.RUNNING: "resume",
    SubCampaignState.DONE: "stop",
}


def allowed_from(state: SubCampaignState) -> list[str]:
    """The changes a state allows, as mutation names and target states."""
    return [
        f"{ACTIONS[target]} (to {target.value})"
        for target, sources in TRANSITIONS.items()
        if state in sources
    ]


def check_contact(
    external_id: str,
    phone: str | None,
    email: str | None,
    first_name: str | None,
    last_name: str | None,
) -> tuple[NewContact, list[tuple[str, str]]]:
    """One contact of a new batch, checked before anything is sent: the contact and
    its problems (input field name, message). A phone is sent as its digits."""
    problems: list[tuple[str, str]] = []
    try:
        key = check_id(external_id, "externalId")
    except BadUserInput as exc:
        key = external_id
        problems.append(("externalId", exc.message))
    number = None
    if phone is not None:
        number = phone.strip().removeprefix("+")
        number = "".join(ch for ch in number if ch not in " -.()")
        if not (number.isascii() and number.isdigit() and 10 <= len(number) <= 15):
            problems.append(("phone", "phone must be 10 to 15 digits."))
    if email is not None:
        local, at, domain = email.partition("@")
        if not (at and local and domain and len(email) <= MAX_EMAIL):
            msg = f"email must be an address of at most {MAX_EMAIL} characters."
            problems.append(("email", msg))
    for name, value in (("firstName", first_name), ("lastName", last_name)):
        if value is not None and len(value) > MAX_NAME:
            problems.append((name, f"{name} is longer than {MAX_NAME} characters."))
    contact = NewContact(key, number, email, first_name, last_name)
    return contact, problems


class RecordedError(TrunklineError):
    """A contact's failure as the first try with the key recorded it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _record(outcome: BatchOutcome, external_id: str) -> dict[str, Any]:
    def error(e: BaseException | None) -> list[str] | None:
        if e is None:
            return None
        if isinstance(e, TrunklineError):
            return [e.code, e.message]
        return ["INTERNAL_SERVER_ERROR", "Internal server error."]

    return {
        "externalId": outcome.batch.external_id if outcome.batch else external_id,
        "landed": outcome.batch is not None,
        "errors": [error(e) for e in outcome.errors],
    }


async def create_batch(
    ctx: Context,
    batch: NewBatch,
    contacts: Sequence[NewContact],
    key: str,
) -> tuple[BatchOutcome, bool]:
    """Create the batch at most once per idempotency key: the outcome, and whether it
    is the recorded one of an earlier try (the batch then read fresh, nothing sent).
    The same key with another input is a `KeyConflict`."""
    if not contacts:
        raise InputFieldError(
            ("contacts",), "A contact batch needs at least one contact."
        )
    if len(contacts) > MAX_BATCH_CONTACTS:
        raise InputFieldError(
            ("contacts",),
            f"A contact batch holds at most {MAX_BATCH_CONTACTS} contacts.",
        )
    source = ctx.gateway.campaign_source()
    made: list[BatchOutcome] = []
    existing: list[ContactBatch] = []

    async def work(run: Run) -> tuple[dict[str, Any], bool]:
        outcome = await source.create_contact_batch(batch, contacts)
        if (
            outcome.batch is None
            and outcome.errors
            and all(isinstance(e, VendorConflict) for e in outcome.errors)
        ):
            # the batch's externalId is taken: an earlier try (its record lost) made
            # it; answer that batch (its contacts' outcomes are not known here)
            found = await source.get_contact_batch(batch.external_id)
            if found is not None:
                existing.append(found)
                return {"externalId": found.external_id, "landed": True}, True
        made.append(outcome)
        return _record(outcome, batch.external_id), True

    value = [asdict(batch), [asdict(c) for c in contacts]]
    recorded = await once(
        ctx.gateway.idempotency, "createContactBatch", key, value, work
    )
    if made:
        return made[0], False
    if existing:
        return BatchOutcome(existing[0], []), True
    found = None
    if recorded["landed"]:
        found = await source.get_contact_batch(recorded["externalId"])
    errors: list[BaseException | None] = [
        None if e is None else RecordedError(e[0], e[1])
        for e in recorded.get("errors") or ()
    ]
    return BatchOutcome(found, errors), True


async def cancel_batch(ctx: Context, external_id: str) -> ContactBatch:
    return await ctx.gateway.campaign_source().cancel_contact_batch(external_id)


# ---- contact attempts --------------------------------------------------------------------
async def attempts_page(
    ctx: Context,
    contact_key: str,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after: str | None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Page[ContactAttempt]:
    """A contact's attempts in [since, until) (default: the doc's last 24 hours),
    newest first, `first` at a time."""
    # The cursor is bound to the arguments as given and carries the window the first
    # page chose: a defaulted bound is that page's "now", not the next request's.
    scope = scope_of(
        contact_key,
        since.isoformat() if since else "",
        until.isoformat() if until else "",
    )
    position: Any = None
    if after is not None:
        saved = decode_cursor(after, "ContactAttempt", scope)
        bounds = saved.get("w") if isinstance(saved, dict) else None
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(b, int | float) for b in bounds)
        ):
            raise CursorError("Invalid cursor: malformed position.")
        since = datetime.fromtimestamp(bounds[0], UTC)
        until = datetime.fromtimestamp(bounds[1], UTC)
        position = saved.get("p")
    until = until or now()
    since = since or until - ATTEMPT_WINDOW
    if since >= until:
        raise BadUserInput("'since' must be before 'until'.")
    window = [since.timestamp(), until.timestamp()]
    source: Any = ctx.gateway.campaign_source()
    got = await source.contact_attempts(
        contact_key, since, until, position, first, trim=True
    )
    items = list(got.items)
    shown = items[:first]
    more = len(items) > first or got.next is not None
    # the position after the last shown item; past it, the batch's own items follow
    positions = [p for _, p in shown]
    return Page(
        [a for a, _ in shown],
        lambda n: encode_cursor(
            "ContactAttempt", scope, {"w": window, "p": positions[n]}
        ),
        has_next=more,
        has_previous=after is not None,
    )


__all__ = [
    "ALL",
    "CampaignQuery",
    "RecordedError",
    "allowed_from",
    "attempts_page",
    "batch_window",
    "campaign_batches",
    "campaigns_page",
    "cancel_batch",
    "change_state",
    "check_contact",
    "check_id",
    "create_batch",
    "slice_list",
    "states_of",
]
