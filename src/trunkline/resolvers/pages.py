"""What a connection resolver answers: items with their cursors and the page flags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    # The cursor of items[n], made when a query reads it: most read none, or one.
    cursor_at: Callable[[int], str]
    has_next: bool
    has_previous: bool
    total_count: int | None = None


__all__ = ["Page"]
