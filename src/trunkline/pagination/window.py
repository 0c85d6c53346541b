"""The date-window backend: a history read in time windows, newest window first.

Some vendors (MoxiWorks) answer a history only in bounded time windows, each all at
once. The stream walks windows of at most `step` seconds backwards from `until` to
`since`; windows are half-open, `[max(e - step, since), e)`.

A position is `{"e": <window end, Unix seconds>, "i": <items of that window consumed>}`.
The start is `{"e": until, "i": 0}`: positions carry absolute times, so later pages stay
put even when the caller's "now" (the default `until`) has moved on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from trunkline.pagination.types import Batch

T = TypeVar("T")

# fetch(start_s, end_s): the window's items, newest first
Fetch = Callable[[int, int], Awaitable[Sequence[T]]]


def _int(value: Any) -> int | None:
    # bool is an int subclass; a position never holds one
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def window_position(position: Any, until: int) -> tuple[int, int]:
    """(window end, items consumed) from a position; None or malformed: the start."""
    if isinstance(position, dict):
        end, index = _int(position.get("e")), _int(position.get("i"))
        if end is not None and index is not None:
            # a window never reaches past `until`, whatever the position says
            return (end, max(0, index)) if end <= until else (until, 0)
    return until, 0


def start_position(until: int) -> dict[str, int]:
    return {"e": until, "i": 0}


async def read_windows(
    fetch: Fetch[T],
    position: Any,
    *,
    until: int,
    since: int,
    step: int,
    limit: int,
    keep: Callable[[T], bool] | None = None,
    floor_of: Callable[[int], Any] | None = None,
) -> Batch[T]:
    """The rest of the current window, then older windows, until `limit` items are kept.

    A window is fetched whole, so its remaining items are all returned (the batch may
    hold more than `limit`): asking again for the same window would cost another call.
    Empty windows (or windows whose items `keep` drops) are skipped in this same call,
    unless `floor_of` is given: then each read covers one window and answers
    `floor_of(window start)`, a key below every item not in the batch, so a merge
    reads the next window only once everything newer has been shown.
    Positions count raw items, kept or not. The last item of a window carries the next
    window's start, so a cursor after it never reads that window again.
    """
    if step <= 0:
        raise ValueError("step must be positive")
    end, skip = window_position(position, until)
    items: list[tuple[T, Any]] = []
    while end > since:
        start = max(end - step, since)
        raw = await fetch(start, end)
        after_window = {"e": start, "i": 0}
        last = len(raw) - 1
        for idx in range(skip, len(raw)):
            item = raw[idx]
            after = after_window if idx == last else {"e": end, "i": idx + 1}
            if keep is None or keep(item):
                items.append((item, after))
        end, skip = start, 0
        if len(items) >= limit or floor_of is not None:
            break
    if end <= since:
        return Batch(items, None)
    # One window per read when the caller merges: the batch answers a floor (nothing
    # after its items is newer than `end`), so the next window is read only if due.
    floor = floor_of(end) if floor_of is not None else None
    return Batch(items, start_position(end), floor)


__all__ = ["Fetch", "read_windows", "start_position", "window_position"]


# ---- windows that split themselves -----------------------------------------------------
# Some vendors (Engage) answer a window whole but refuse one whose result would pass
# their cap (RESULT_TOO_LARGE). `read_split_windows` bisects such a window, newer half
# first, and asks again. Its positions are `{"e": <window end>, "w": <window width>,
# "k": <key of the last item shown, or null>}`: resuming re-reads the window that
# answered (or, if it has since grown past the cap, its halves) and keeps only items
# older than `k`, so a page boundary inside a split window resumes exactly.


def split_position(position: Any, until: int, step: int) -> tuple[int, int, Any]:
    """(window end, width, last key shown) from a position; malformed: the start."""
    if isinstance(position, dict):
        end, width = _int(position.get("e")), _int(position.get("w"))
        key = position.get("k")
        fits = end is not None and width is not None and end <= until and width > 0
        if fits and (key is None or isinstance(key, list)):
            assert end is not None and width is not None
            return end, min(width, step), key
    return until, step, None


async def read_split_windows(
    fetch: Fetch[T],
    position: Any,
    *,
    until: int,
    since: int,
    step: int,
    limit: int,
    key_of: Callable[[T], Sequence[Any]],
    too_large: type[Exception] | tuple[type[Exception], ...],
    min_width: int = 1,
    on_split: Callable[[int, int], None] | None = None,
) -> Batch[T]:
    """Windows of at most `step` seconds back from `until` to `since`, until `limit`
    items are kept; a window that raises `too_large` is halved (down to `min_width`,
    below which the error is raised) and the newer half read first.

    `fetch(start, end)` answers the items of `[start, end)` newest first, and
    `key_of(item)` a key that orders items as time does (newest largest) and tells them
    apart (e.g. `[seconds, id]`). A window that answered whole is read whole, so a
    batch may hold more than `limit` items. After a window that answered, the next
    one is at most twice as wide (never wider than `step`): a dense stretch is not
    re-split from `step` at every window.
    """
    if step <= 0 or min_width <= 0:
        raise ValueError("step and min_width must be positive")
    end, width, last = split_position(position, until, step)
    shown = tuple(last) if last is not None else None
    items: list[tuple[T, Any]] = []
    while end > since:
        span = min(width, end - since)
        start = end - span
        try:
            raw = await fetch(start, end)
        except too_large:
            if span <= min_width:
                raise
            width = span // 2
            if on_split is not None:
                on_split(start, end)
            continue
        # each item's key once: a busy window answers hundreds
        keyed = [(item, list(key_of(item))) for item in raw]
        if shown is not None:
            keyed = [(item, key) for item, key in keyed if tuple(key) < shown]
        grown = min(step, span * 2)
        last = len(keyed) - 1
        for n, (item, key) in enumerate(keyed):
            if n == last:  # the window's last item: the next window follows
                after: dict[str, Any] = {"e": start, "w": grown, "k": None}
            else:
                after = {"e": end, "w": span, "k": key}
            items.append((item, after))
        end, width, shown = start, grown, None
        if len(items) >= limit:
            break
    if end <= since:
        return Batch(items, None)
    return Batch(items, {"e": end, "w": width, "k": None})


__all__ += ["read_split_windows", "split_position"]
