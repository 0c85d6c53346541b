"""CRM.COM's GraphQL detail type: a communication's own fields."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.details.crmcom import CommunicationDetail
from trunkline.schema.vendors import DetailType


@strawberry.type(description="CRM.COM communication fields.")
class CrmcomCommunicationDetail:
    number: str | None
    category: str | None
    media: str | None
    from_: str | None = strawberry.field(name="from")
    to: str | None
    viewed_on: datetime | None


def render(d: CommunicationDetail) -> CrmcomCommunicationDetail:
    return CrmcomCommunicationDetail(
        number=d.number,
        category=d.category,
        media=d.media,
        from_=d.sender,
        to=d.recipient,
        viewed_on=d.viewed_on,
    )


DETAIL = DetailType(CommunicationDetail, CrmcomCommunicationDetail, render, position=2)

__all__ = ["DETAIL", "CrmcomCommunicationDetail"]
