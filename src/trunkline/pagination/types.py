"""The paging types every layer shares: a stream's `Batch` and a resolver's `Page`.

They import nothing of the gateway, so connectors (which answer batches), resolvers
(which answer pages) and the schema (which renders pages) all import them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

Position = Any  # JSON-able, owned by the stream


@dataclass(frozen=True, slots=True)
class Batch(Generic[T]):
    """One read of a stream: items in the stream's order, each with the position
    after it, and where to go next."""

    items: Sequence[tuple[T, Position]]
    next: Position | None  # None: the stream has no more items
    # A key that no item after this batch's items comes before. Once the batch's
    # items are shown, the merge reads this stream again only when everything before
    # that key has been shown (a windowed vendor: its next window is not yet due).
    floor: Any = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """What a connection resolver answers: items with their cursors and the flags."""

    items: Sequence[T]
    # The cursor of items[n], made when a query reads it: most read none, or one.
    cursor_at: Callable[[int], str]
    has_next: bool
    has_previous: bool
    total_count: int | None = None


__all__ = ["Batch", "Page", "Position"]
