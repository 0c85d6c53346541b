"""What a connection resolver answers: items with their cursors and the page flags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    edges: list[tuple[str, T]]  # (cursor, item)
    has_next: bool
    has_previous: bool
    total_count: int | None = None


__all__ = ["Page"]
