"""Field helpers for the schema's types."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import strawberry


def attribute_field(path: str, description: str | None = None) -> Any:
    """A field whose value is `source.<path>` (e.g. `record.city`): a resolver for
    Strawberry and graphql-core. Its `reads_path` tells the engine's fast path
    (engine/plans.py) to read it as a plain attribute path instead."""
    get = attrgetter(path)
    resolve = lambda root: get(root)  # noqa: E731 - no annotation: the field's type
    resolve.reads_path = path  # type: ignore[attr-defined]
    return strawberry.field(resolver=resolve, description=description)


__all__ = ["attribute_field"]
