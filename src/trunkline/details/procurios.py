"""Procurios' own fields on an Interaction."""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.domain import Detail


@dataclass(slots=True, unsafe_hash=True)
class ContactMomentDetail(Detail):
    """A Procurios contact moment's own fields."""

    type_title: str | None = None
    reference: str | None = None
    sender: str | None = None
    sender_id: int | None = None
    recipient_ids: tuple[int, ...] = ()
    action_code: int | None = None


__all__ = ["ContactMomentDetail"]
