"""Connection arguments of a schema field, checked against the configured page size."""

from __future__ import annotations

from strawberry.types import Info

from trunkline.pagination.args import SliceArgs, slice_args


def page_args(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> SliceArgs:
    """first/after/last/before, at most `[gateway] max_page_size` per page."""
    return slice_args(
        first,
        after,
        last,
        before,
        max_page_size=info.context.gateway.settings.max_page_size,
    )


__all__ = ["page_args"]
