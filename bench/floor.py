"""The vendors' floor for each query: the fewest vendor calls the data needs, and the
chain of dependent round trips (the critical path) those calls form.

Q1 and Q2 are fixed by the contract. Q3 and Q4 depend on how each person's history
is spread over the vendors, so they are derived from the simulators' seeded data (built
in-process from the same seed) by the rules stated in RESULTS.md, which this module
implements and nothing else. In short: a vendor is read only as far as the merged page
can need it (merge-aware), every call is counted where the contract forces it (a
LiveVox notes list comes whole but without dates, so each note shown costs a read, a
MoxiWorks window is 90 days, a Procurios page 25 items, an Engage attempts list one
contact and at most 500 attempts), and calls that need an earlier answer form the chain.
Q5 (campaigns) and Q6 (a bulk create) are counted from the Engage and LiveVox docs' caps
and the seeded data (see their functions).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

DAY_S = 86_400
# MoxiWorks: one index call covers at most 90 days, asked from one second before the
# window (the doc's date_min is exclusive), so a window spans 90 days less a second
WINDOW_S = 90 * DAY_S - 1
HORIZON_DAYS = 1825  # the gateway's default history horizon
PROCURIOS_PAGE = 25
ENGAGE_CAP = 500  # listContactAttempts answers at most 500, else RESULT_TOO_LARGE
VENDORS = ("livevox", "moxiworks", "procurios", "crmcom", "engage")


@dataclass(frozen=True)
class Floor:
    min_calls: int
    hops: int  # dependent vendor round trips on the critical path
    calls: dict[str, int] = field(default_factory=dict)  # by vendor
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def q1() -> Floor:
    return Floor(
        min_calls=1,
        hops=1,
        calls={"livevox": 1},
        note="one LiveVox search (or read) for the account",
    )


def q2() -> Floor:
    return Floor(
        min_calls=2,
        hops=1,
        calls={"livevox": 2},
        note="the list page (count=50; `next` tells whether more follow) and the "
        "group list; the group list needs nothing from the page, so both go at once",
    )


# ---- the seeded histories ----------------------------------------------------------


@dataclass(frozen=True, order=True)
class Item:
    """One interaction, ordered as the merged history orders it (newest first)."""

    key: tuple[float, str, str]  # (-occurredAt, vendor, vendor id)

    @property
    def ts(self) -> float:
        return -self.key[0]

    @property
    def vendor(self) -> str:
        return self.key[1]


def _item(ts: float, vendor: str, vendor_id: object) -> Item:
    return Item((-float(ts), vendor, str(vendor_id)))


@dataclass(frozen=True)
class History:
    """One person's streams, each in its vendor's list order (newest first)."""

    account: str
    relation: int
    streams: dict[str, list[Item]]

    def merged(self) -> list[Item]:
        return sorted(i for s in self.streams.values() for i in s)


@cache
def _stores() -> tuple[object, object, object, object]:
    from trunkline.simulators import crmcom, livevox, moxiworks, procurios

    return (
        livevox.create_app().state.store,
        moxiworks.create_app().state.store,
        procurios.create_app().state.store,
        crmcom.create_app().state.store,
    )


@cache
def _engage() -> Any:
    """The Engage simulator's seeded data (campaigns, batches, attempts)."""
    from trunkline.simulators import engage

    return engage.create_app().state.engine.d


def _horizon() -> tuple[float, float]:
    """The history horizon a request reads: [now - 5 years, now]."""
    now = time.time()
    return math.ceil(now - HORIZON_DAYS * DAY_S), math.floor(now) + 1


def history(index: int) -> History:
    from trunkline.simulators.seed import people

    person = people()[index]
    lv, moxi, proc, crm = _stores()
    notes = lv.notes.get(person.account, [])  # type: ignore[attr-defined]
    logs = moxi.logs.get(person.account, [])  # type: ignore[attr-defined]
    moments = proc.by_relation.get(person.relation_id, [])  # type: ignore[attr-defined]
    comms = crm.by_contact.get(person.crmcom_id, [])  # type: ignore[attr-defined]
    since, until = _horizon()
    attempts = [
        a
        for at, a in _engage().attempts.get(person.account, [])
        if since <= at.timestamp() < until
    ]
    streams = {
        "livevox": sorted(
            _item(n["createDate"] / 1000, "livevox", f"{person.account}/{n['id']}")
            for n in notes
        ),
        "moxiworks": sorted(_item(a.timestamp, "moxiworks", a.id) for a in logs),
        "procurios": [_item(m.ts, "procurios", m.id) for m in moments],
        "crmcom": [_item(c.created.timestamp(), "crmcom", c.id) for c in comms],
        "engage": sorted(
            _item(_ts(a["startTime"]), "engage", a["internalId"]) for a in attempts
        ),
    }
    return History(person.account, person.relation_id, streams)


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def engage_calls(n: int) -> int:
    """listContactAttempts calls for one contact's horizon of `n` attempts: one list
    when it fits the cap; past it Engage refuses the window and the gateway halves it
    (newer half first), which the seeded histories of Q3 and Q4 never need."""
    if n > ENGAGE_CAP:
        raise ValueError(f"{n} attempts in the horizon: the floor assumes <= 500")
    return 1


def _moments_of(relations: Sequence[int]) -> dict[int, set[int]]:
    """Each relation's moment ids (as `relationIds=<it>` lists them)."""
    return {r: {i for _, i in combined_procurios([r])} for r in relations}


def combined_procurios(relations: Sequence[int]) -> list[tuple[float, int]]:
    """A `relationIds` list over several relations, in list order: (dateTime, id)."""
    _, _, proc, _ = _stores()
    return [
        (m.ts, m.id)
        for m in proc.select(list(relations), None)  # type: ignore[attr-defined]
    ]


@dataclass(frozen=True)
class Windows:
    """MoxiWorks' 90-day windows, newest first, from now back to the horizon."""

    until: int
    since: int

    @classmethod
    def now(cls) -> Windows:
        now = time.time()
        return cls(math.floor(now) + 1, math.ceil(now - HORIZON_DAYS * DAY_S))

    @property
    def count(self) -> int:
        return math.ceil((self.until - self.since) / WINDOW_S)

    def start(self, k: int) -> int:
        """Where window `k` (1-based) begins: nothing in it is older."""
        return max(self.since, self.until - k * WINDOW_S)

    def index(self, ts: float) -> int:
        """1-based window holding time `ts` (capped at the last window)."""
        return min(self.count, int((self.until - 1 - ts) // WINDOW_S) + 1)


# ---- Q3: 20 contacts, each with its 10 latest interactions -------------------------


def q3(first_contacts: int = 20, per_contact: int = 10) -> Floor:
    """Merge-aware: every vendor is read until its next item is older than the
    contact's 10th newest interaction overall (or to its end when there are fewer)."""
    windows = Windows.now()
    people = [history(i) for i in range(first_contacts)]
    moxi = 0
    moxi_chain = 0
    per_vendor_moxi = 0  # the same without looking across vendors, for comparison
    tenth: dict[int, float | None] = {}
    for h in people:
        merged = h.merged()
        t10 = merged[per_contact - 1].ts if len(merged) >= per_contact else None
        tenth[h.relation] = t10
        need = windows.count if t10 is None else windows.index(t10)
        moxi += need
        moxi_chain = max(moxi_chain, need)
        own = h.streams["moxiworks"]
        alone = windows.count
        if len(own) >= per_contact:
            alone = windows.index(own[per_contact - 1].ts)
        per_vendor_moxi += alone
    procurios, procurios_chain, strategy, known = _q3_procurios(tenth)
    chain = _chain_of(known, tenth)
    # LiveVox: the page, then one notes list per contact and the dates of its newest
    # `per_contact + 1` notes (the list has ids only; the merge reads first + 1)
    note_reads = sum(min(len(h.streams["livevox"]), per_contact + 1) for h in people)
    calls = {
        "livevox": 1 + first_contacts + note_reads,
        "crmcom": first_contacts,  # one list (number_of_results=10) per contact
        "procurios": procurios,
        "moxiworks": moxi,
        # one listContactAttempts per contact (the sample names one contact), read
        # in the first round beside the other vendors' first reads
        "engage": sum(engage_calls(len(h.streams["engage"])) for h in people),
    }
    return Floor(
        min_calls=sum(calls.values()),
        hops=max(chain, 1 + procurios_chain),
        calls=calls,
        note=f"Procurios: {strategy}",
        extra={
            "moxiworks_windows_without_merge_awareness": per_vendor_moxi,
            "moxiworks_longest_walk": moxi_chain,
            # Procurios read in the first round (a page-1 call per relation).
            "hops_with_procurios_at_once": _chain_of(lambda r, t: 2, tenth),
            "procurios_calls_at_once": len(tenth),
            "contacts_with_fewer_than_10": sum(v is None for v in tenth.values()),
        },
    )


Known = Callable[[int, float], int]  # (relation, time) -> round it is read down to


def _q3_procurios(
    tenth: dict[int, float | None],
) -> tuple[int, int, str, Known]:
    """Fewest Procurios calls for the page's relations: (calls, chain, strategy, and
    the round by which a relation's moments are read down to a time)."""
    relations = list(tenth)
    stream = combined_procurios(relations)

    def settled_by(prefix: int) -> set[int]:
        """Relations whose moments newer than their 10th newest overall all lie in
        the first `prefix` moments of the combined stream (or the stream ended)."""
        if prefix >= len(stream):
            return set(relations)
        oldest_seen = stream[prefix - 1][0] if prefix else math.inf
        return {r for r, t in tenth.items() if t is not None and oldest_seen < t}

    def at_once(relation: int, t: float) -> int:
        return 2  # read beside the first window

    options: list[tuple[int, int, str, Known]] = [
        (len(relations), 1, "one page-1 call per relation (25 >= 10)", at_once)
    ]
    pages = 1
    while len(settled_by(pages * PROCURIOS_PAGE)) < len(relations):
        pages += 1

    def along(relation: int, t: float) -> int:
        for page in range(1, pages + 1):
            end = page * PROCURIOS_PAGE
            if end >= len(stream) or stream[end - 1][0] < t:
                return 1 + page
        return 1 + pages

    options.append((pages, pages, f"one relationIds stream, {pages} pages", along))
    rest = len(relations) - len(settled_by(PROCURIOS_PAGE))

    def then_alone(relation: int, t: float) -> int:
        return 2 if relation in settled_by(PROCURIOS_PAGE) else 3

    options.append(
        (
            1 + rest,
            2 if rest else 1,
            f"one relationIds page, then page 1 of the {rest} relations it leaves short",
            then_alone,
        )
    )
    for timeline, rule in (
        (_narrowing(tenth), "once it is served"),
        (_narrowing(tenth, own=True), "once it has 11 of its own and crowds a page"),
    ):
        pages = len(timeline)
        options.append(
            (
                pages,
                pages,
                f"a relationIds stream that drops a relation {rule}, {pages} pages",
                _reader(timeline),
            )
        )
    # The cheapest plan; among equals, the one whose reads reach back soonest.
    return min(options, key=lambda o: (o[0], _chain_of(o[3], tenth)))


def _reader(timeline: list[tuple[float, set[int]]]) -> Known:
    def known(relation: int, t: float) -> int:
        for page, (oldest, followed) in enumerate(timeline, start=1):
            if relation in followed and oldest < t:
                return 1 + page
        return 1 + len(timeline)

    return known


def _chain_of(known: Known, tenth: dict[int, float | None]) -> int:
    """The longest MoxiWorks walk's chain when Procurios is read by `known`."""
    windows = Windows.now()
    chain = 0
    for relation, t10 in tenth.items():
        need = windows.count if t10 is None else windows.index(t10)
        done = 2  # the page, then the first window beside the first other reads
        for k in range(2, need + 1):
            # Window k is due once every vendor is known down to where window k-1
            # began (are there fewer than 10 items newer?): LiveVox and CRM.COM
            # after the first round, Procurios as far as its plan has read.
            done = max(done, known(relation, windows.start(k - 1))) + 1
        chain = max(chain, done)
    return chain


def _narrowing(
    tenth: dict[int, float | None], *, own: bool = False
) -> list[tuple[float, set[int]]]:
    """Pages of a relationIds stream that drops each relation once it has what the
    page needs (`own`: once it has 11 moments of its own, which a gateway can know
    without the other vendors, and most of the page was others'), resuming the
    narrower stream after the moments already seen: per page, the oldest time it
    reads down to (-inf: the list ended) and the relations it follows."""
    active = list(tenth)
    stream = combined_procurios(active)
    mine = _moments_of(list(tenth))
    seen: set[int] = set()
    offset = 0
    pages: list[tuple[float, set[int]]] = []
    while True:
        start = offset - offset % PROCURIOS_PAGE
        page = stream[start : start + PROCURIOS_PAGE]
        fresh = [i for _, i in page[offset - start :]]
        seen.update(i for _, i in page)
        offset = start + len(page)
        if len(page) < PROCURIOS_PAGE:
            pages.append((-math.inf, set(active)))
            return pages
        oldest = page[-1][0]
        pages.append((oldest, set(active)))
        if own:
            wanting = [r for r in active if len(mine[r] & seen) < 11]
            idle = sum(1 for i in fresh if not any(i in mine[r] for r in wanting))
            if wanting and idle * 5 < len(fresh) * 4:
                continue  # narrowing re-reads part of a page: not worth it yet
        else:
            wanting = [r for r in active if (t := tenth[r]) is None or oldest >= t]
        if not wanting:
            return pages
        if len(wanting) < len(active):
            active = wanting
            stream = combined_procurios(active)
            offset = sum(1 for _, i in stream if i in seen)


# ---- Q4: walk one contact's merged history in pages of 100 -------------------------


def q4(index: int = 0, page_size: int = 100) -> Floor:
    """Merge-aware walk in pages: a vendor is asked on a page only when its items
    may fall on it. A cursor can carry, per vendor, the key of its next item (or, for
    MoxiWorks, the start of the last window read, before which nothing is known), so a
    vendor whose next key lies past the page's last item is not asked. An asked vendor
    is read from where the cursor left it until it is known to hold nothing more before
    the page's last item, in whole lists/pages/windows as the contract serves them; the
    list page or window a cursor points into is read again.

    Known to hold nothing more: its next item is past the page's last item (one
    look-ahead item), except where no look-ahead is needed to order it. When the page's
    last item is the vendor's own, its next item comes after it by the list's order
    (this saves a call for Procurios when that item ends one of its pages of 25; the
    other lists give the look-ahead in the same call).
    A MoxiWorks window says by its time range that nothing in it is newer than its
    end, so the windows needed are those down to the one holding the page's last item,
    not down to the one holding the vendor's next item: reading on to that one would
    read windows the page cannot use and then read the next item's window again on
    the next page. (`hasNextPage` needs no look-ahead: the contract lets a full page
    say true while a vendor is not known to have run dry.) On the walk's last page every
    vendor is read to its end, so that page says `hasNextPage: false`. When a history
    ends exactly on a page boundary, a gateway cannot know that the full page is the
    last one; it takes one more, empty, page (one more LiveVox identity search, the
    same vendor reads).
    """
    h = history(index)
    merged = h.merged()
    windows = Windows.now()
    streams = h.streams
    consumed = dict.fromkeys(VENDORS, 0)
    known = dict.fromkeys(VENDORS, 0)  # items of each stream known (read) so far
    # the time down to which a stream is known (its next item's, or where its reads
    # stopped); None: not known
    floor_ts: dict[str, float | None] = dict.fromkeys(VENDORS)
    end_seen = dict.fromkeys(VENDORS, False)  # a read has reached the stream's end
    window_next = 1  # MoxiWorks: the first window not read yet
    calls = dict.fromkeys(VENDORS, 0)
    hops = 0
    pages = max(1, math.ceil(len(merged) / page_size))
    for page in range(pages):
        end = min(len(merged), (page + 1) * page_size)
        last_page = end >= len(merged)
        boundary = merged[end - 1]
        after = dict(consumed)
        for item in merged[page * page_size : end]:
            after[item.vendor] += 1
        calls["livevox"] += 1  # the contact's identity (its custom fields)
        chain = 0
        for v in VENDORS:
            stream, c, n = streams[v], consumed[v], after[v]
            if c >= len(stream) and end_seen[v]:
                continue  # run dry, and the cursor says so
            # due: it has items on the page (a cursor carries keys, not items), or
            # what lies past its known part may fall on the page
            seen_to = floor_ts[v]
            due = n > c or seen_to is None or seen_to >= boundary.ts
            if not due and not last_page:
                continue
            # Procurios: no look-ahead where the page's last item is its own (the
            # look-ahead may need one more page; the others get it in the same call)
            own = v == "procurios" and boundary.vendor == v and not last_page
            if v == "moxiworks":
                first = window_next
                if c < len(stream) and known[v] > c:  # the cursor's window again
                    first = windows.index(stream[c].ts)
                # down to the window holding the page's last item (all on the last)
                stop = windows.count if last_page else windows.index(boundary.ts)
                stop = max(stop, first)
                made = stop - first + 1
                window_next = max(window_next, stop + 1)
                reached = windows.until - (stop * WINDOW_S)
                known[v] = sum(1 for i in stream if i.ts >= reached)
                end_seen[v] = stop >= windows.count
                floor_ts[v] = -math.inf if end_seen[v] else float(reached)
                if n < known[v]:  # its next item was read: the cursor has its key
                    floor_ts[v] = stream[n].ts
            else:
                made = 1
                if v == "procurios":
                    # the pages from the cursor's one to the one holding the last item
                    # needed; a short (or empty) page ends the list
                    ahead = n - 1 if own else n
                    last_read = min(ahead, len(stream)) // PROCURIOS_PAGE
                    made = last_read - c // PROCURIOS_PAGE + 1
                    known[v] = min(len(stream), (last_read + 1) * PROCURIOS_PAGE)
                    end_seen[v] = (last_read + 1) * PROCURIOS_PAGE > len(stream)
                elif v == "livevox":  # the notes list comes whole
                    known[v] = len(stream)
                    end_seen[v] = True
                elif v == "engage":  # the horizon's attempts in one list (<= 500)
                    made = engage_calls(len(stream))
                    known[v] = len(stream)
                    end_seen[v] = True
                else:  # CRM.COM answers up to 500 from the offset
                    known[v] = min(len(stream), n + 1)
                    end_seen[v] = n >= len(stream)
                floor_ts[v] = stream[n].ts if n < known[v] else -math.inf
                if n >= known[v] and not end_seen[v]:
                    floor_ts[v] = None  # its next key is not known: asked next page
            calls[v] += made
            chain = max(chain, made)
        hops += 1 + chain
        consumed = after
    # and each note's date once (Read Contact Note): a cursor carries the dates read
    # ahead, so no note is read twice
    calls["livevox"] += len(streams["livevox"])
    return Floor(
        min_calls=sum(calls.values()),
        hops=hops,
        calls=calls,
        note=f"{pages} pages of {page_size}; per page one LiveVox search for the "
        "contact's identity, then each vendor whose items may fall on the page",
        extra={"pages": pages, "items": len(merged)},
    )


# ---- Q5: the supervisor dashboard (SoundBite Engage) --------------------------------

SUB_STATES_CAP = 100  # listSubCampaignStates
BATCH_STATES_CAP = 1000  # listContactBatchStates
ATTEMPTS_DAY_S = DAY_S  # contactAttempts' default window: the doc's 24 hours
SUB_AHEAD_S = 366 * DAY_S  # sub-campaigns may be scheduled to start this far ahead
ACTIVE = frozenset({"Loading", "Running", "Paused", "Pending", "Stopping"})


def split_reads(
    stamps: Sequence[float], since: float, until: float, cap: int, limit: float
) -> int:
    """Calls to read `[since, until)` newest first until `limit` items are in, when
    the vendor refuses a window holding more than `cap` (RESULT_TOO_LARGE) and gives
    no cursor: a refused window is halved and the newer half asked (a client that
    does not know the density can do no better than ask and halve), and after an
    answer the next window is at most twice as wide. Each call needs the answer
    before it, so the calls are also the chain."""
    step = until - since
    end, width = until, step
    calls = got = 0
    while end > since:
        span = min(width, end - since)
        start = end - span
        n = sum(1 for t in stamps if start <= t < end)
        calls += 1
        if n > cap:
            width = span // 2
            continue
        got += n
        end, width = start, min(step, span * 2)
        if got >= limit:
            break
    return calls


def _engage_time(value: str) -> float:
    return _ts(value)


def q5(
    until: datetime | None = None,
    *,
    contact: str = "100027",
    attempts: int = 50,
    batch_days: int = 7,
) -> Floor:
    """Campaigns with an active sub-campaign, their sub-campaigns' states, their
    batches' counts over `batch_days` up to `until`, and `attempts` of a contact's
    attempts over the 24 hours up to `until` (default: the simulators' "now")."""
    from trunkline.simulators.base import anchor_now

    end = (until or anchor_now()).timestamp()
    d = _engage()
    created = [_engage_time(c["createdDate"]) for c in d.campaigns.values()]
    starts = [
        _engage_time(s["fromDate"])
        for s in d.sub_campaigns.values()
        if s.get("fromDate")
    ]
    batches = [_engage_time(b["createdDate"]) for b in d.batches.values()]
    tried = [at.timestamp() for at, _ in d.attempts.get(contact, [])]
    # the sub-campaigns' window starts at the oldest campaign's creation (nothing of a
    # campaign starts before it; the doc's null fromTime would mean yesterday) and
    # ends a year ahead of the real now
    subs = split_reads(
        starts, min(created), time.time() + SUB_AHEAD_S, SUB_STATES_CAP, math.inf
    )
    batch = split_reads(
        batches, end - batch_days * DAY_S, end, BATCH_STATES_CAP, math.inf
    )
    tries = split_reads(tried, end - ATTEMPTS_DAY_S, end, ENGAGE_CAP, attempts)
    calls = {"engage": 1 + subs + batch + tries}
    by_op = {
        "listCampaigns": 1,
        "listSubCampaignStates": subs,
        "listContactBatchStates": batch,
        "listContactAttempts": tries,
    }
    active = {
        s["campaign"]["internalId"]
        for s in d.sub_campaigns.values()
        if d.states.get(s["internalId"]) in ACTIVE
    }
    return Floor(
        min_calls=sum(calls.values()),
        # the campaign list, then its sub-campaigns' window; the batches' window and
        # the attempts' chain need nothing and start at once
        hops=max(1 + subs, batch, tries),
        calls=calls,
        note="listCampaigns then listSubCampaignStates; listContactBatchStates and "
        "listContactAttempts at once",
        extra={
            "by_operation": by_op,
            "campaigns": len(d.campaigns),
            "active_campaigns": len(active),
            "sub_campaigns": len(starts),
            "batches_in_window": sum(
                1 for t in batches if end - batch_days * DAY_S <= t < end
            ),
            "attempts_in_day": sum(1 for t in tried if end - ATTEMPTS_DAY_S <= t < end),
        },
    )


# ---- Q6: a bulk create of 2,500 contacts (LiveVox) --------------------------------

BULK_CHUNK = 500  # contacts per Bulk Create Contact call (the gateway's chunk)
SEARCH_CAP = 1000  # accounts per search (the doc's hard cap on `count`)


def q6(size: int = 2500) -> Floor:
    """Chunks plus read-back. The bulk answer carries only a count, so each item's
    truth comes from searches (an OR of `account EQUALS`, up to 1,000 accounts a
    call): once before its chunk (an account that exists already is ALREADY_EXISTS,
    not CREATED) and once after (what landed). That is 2 x `size` lookups, 1,000 a
    search. Chunks go one after another (a failed chunk leaves the rest not
    attempted, so a retry resumes there); a chunk's read-back and the next chunks'
    pre-checks share searches and run beside the next chunk's create."""
    chunks = math.ceil(size / BULK_CHUNK)
    searches = math.ceil(2 * size / SEARCH_CAP)
    # a naive plan (the gateway's until this session's change to resolvers/writes.py;
    # trunkline now makes the floor's): a pre-check of the first chunk alone, then
    # one search per chunk for its read-back and the next chunk's pre-check, each
    # before the next chunk goes out
    naive = 1 + chunks + chunks
    return Floor(
        min_calls=chunks + searches,
        # the first search, the chunks one after another (each read-back beside the
        # next create), then the last chunk's read-back
        hops=1 + chunks + 1,
        calls={"livevox": chunks + searches},
        note=f"{chunks} bulk creates of {BULK_CHUNK} and {searches} searches of "
        f"{SEARCH_CAP} accounts",
        extra={
            "bulk_creates": chunks,
            "searches": searches,
            "naive_plan_calls": naive,
            "naive_plan_hops": naive,
            "size": size,
        },
    )


def for_query(name: str) -> Floor | None:
    """The floor of a query (None where it is not derived)."""
    builders = {"Q1": q1, "Q2": q2, "Q3": q3, "Q4": q4, "Q5": q5, "Q6": q6}
    builder = builders.get(name)
    return builder() if builder else None


__all__ = [
    "Floor",
    "for_query",
    "history",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "split_reads",
]
