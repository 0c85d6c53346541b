"""Positions that count raw items consumed: for offset- and page-style vendors.

A position is `{"n": k}`: the stream has consumed its first `k` raw items (kept or
filtered out). Page backends turn `k` into a page number and a skip inside the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from trunkline.pagination.types import Batch

T = TypeVar("T")


def count_of(position: Any) -> int:
    """`k` from a position (None: 0). Malformed positions count as the start."""
    if isinstance(position, dict) and isinstance(position.get("n"), int):
        return max(0, int(position["n"]))
    return 0


def page_of(count: int, page_size: int) -> tuple[int, int]:
    """1-based page holding raw item `count`, and how many of its items to skip."""
    return count // page_size + 1, count % page_size


def counted_batch(
    raw: Sequence[T],
    *,
    base: int,
    start: int,
    limit: int,
    more: bool,
    keep: Callable[[T], bool] | None = None,
) -> Batch[T]:
    """Up to `limit` kept items from absolute index `start`; `raw[0]` is index `base`.

    `more` says whether the vendor holds raw items past the end of `raw`.
    """
    items: list[tuple[T, Any]] = []
    index = start
    end = base + len(raw)
    while index < end and len(items) < limit:
        item = raw[index - base]
        index += 1
        if keep is None or keep(item):
            items.append((item, {"n": index}))
    exhausted = index >= end and not more
    return Batch(items, None if exhausted else {"n": index})


__all__ = ["count_of", "counted_batch", "page_of"]
