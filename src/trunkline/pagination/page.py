"""The page backend: fixed-size, 1-based pages where a short page is the last.

The vendor is reached through one callable, `fetch(page) -> items` (1-based). Positions
are counted (`{"n": k}`: raw items consumed, see `counted`), so a position survives any
`limit` and any local filter: it turns into the page holding raw item `k` and how many of
that page's items to skip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from trunkline.pagination.counted import count_of, counted_batch, page_of
from trunkline.pagination.types import Batch, Position

T = TypeVar("T")

PageFetch = Callable[[int], Awaitable[Sequence[T]]]


async def read_pages(
    fetch: PageFetch[T],
    position: Position | None,
    *,
    page_size: int,
    limit: int,
    keep: Callable[[T], bool] | None = None,
) -> Batch[T]:
    """Up to `limit` kept items from `position`: the first page that keeps any.

    One page per read (pages whose items are all filtered out are passed over), since a
    merge across vendors rarely takes a whole page from one of them and asks again when
    it needs more. A walk so fetches each page once, except the page a resumed position
    points into (read again to skip what was consumed).
    """
    if page_size < 1:
        raise ValueError("page_size must be positive")
    start = count_of(position)
    if limit <= 0:  # nothing asked: no call, and the position stands
        return Batch([], {"n": start})
    page, skip = page_of(start, page_size)
    base = start - skip  # absolute index of the first item of `page`
    raw: list[T] = []
    kept = 0
    more = True
    while True:
        got = list(await fetch(page))
        raw.extend(got)
        kept += sum(1 for item in got[skip:] if keep is None or keep(item))
        skip = 0  # only the first page holds items already consumed
        if len(got) < page_size:  # a short page is the last one
            more = False
            break
        if kept:  # one page with something in it is enough: the merge asks again
            break
        page += 1
    return counted_batch(raw, base=base, start=start, limit=limit, more=more, keep=keep)


__all__ = ["PageFetch", "read_pages"]
