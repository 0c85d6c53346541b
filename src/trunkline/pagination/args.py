"""Validation of Relay connection arguments (first/after/last/before)."""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.errors import BadUserInput


@dataclass(frozen=True, slots=True)
class SliceArgs:
    first: int | None
    after: str | None
    last: int | None
    before: str | None

    @property
    def backward(self) -> bool:
        return self.last is not None


def slice_args(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    max_page_size: int,
    default_page_size: int = 50,
) -> SliceArgs:
    """Check the arguments; with neither first nor last, page forward by the default."""
    for name, value in (("first", first), ("last", last)):
        if value is None:
            continue
        if value < 0:
            raise BadUserInput(f"Argument '{name}' must be a non-negative integer.")
        if value > max_page_size:
            raise BadUserInput(
                f"Argument '{name}' must not exceed {max_page_size}.",
                maxPageSize=max_page_size,
            )
    if first is not None and last is not None:
        raise BadUserInput("Pass either 'first' or 'last', not both.")
    if first is None and last is None:
        if before is not None:
            last = default_page_size
        else:
            first = default_page_size
    return SliceArgs(first, after, last, before)


__all__ = ["SliceArgs", "slice_args"]
