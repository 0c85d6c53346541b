"""Plumbing shared by mutation payloads (the convention: schema/payloads.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from trunkline.schema.payloads import UserError

P = TypeVar("P")


class Echoed(Protocol):
    """A mutation input: its clientMutationId comes back in the payload."""

    client_mutation_id: str | None


def payload(
    cls: Callable[..., P], input: Echoed, errors: list[UserError], **fields: Any
) -> P:
    """The payload `cls` of `fields`, echoing the input's clientMutationId."""
    return cls(
        **fields, client_mutation_id=input.client_mutation_id, user_errors=errors
    )


__all__ = ["Echoed", "payload"]
