"""Procurios' GraphQL detail type: a contact moment's own fields."""

from __future__ import annotations

import strawberry

from trunkline.details.procurios import ContactMomentDetail
from trunkline.schema.vendors import DetailType


@strawberry.type(description="Procurios contact moment fields.")
class ProcuriosContactMomentDetail:
    type_title: str | None
    reference: str | None
    sender: str | None
    sender_id: int | None
    recipient_ids: list[int]
    action_code: int | None


def render(d: ContactMomentDetail) -> ProcuriosContactMomentDetail:
    return ProcuriosContactMomentDetail(
        type_title=d.type_title,
        reference=d.reference,
        sender=d.sender,
        sender_id=d.sender_id,
        recipient_ids=list(d.recipient_ids),
        action_code=d.action_code,
    )


DETAIL = DetailType(
    ContactMomentDetail, ProcuriosContactMomentDetail, render, position=1
)

__all__ = ["DETAIL", "ProcuriosContactMomentDetail"]
