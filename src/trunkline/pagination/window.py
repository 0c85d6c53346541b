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
