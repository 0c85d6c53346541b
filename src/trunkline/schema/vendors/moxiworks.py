"""MoxiWorks' GraphQL detail type: an ActionLog entry's own fields."""

from __future__ import annotations

import strawberry

from trunkline.details.moxiworks import ActionLogDetail
from trunkline.schema.vendors import DetailType


@strawberry.type(description="Postal address of a MoxiWorks agent action.")
class ActionAddress:
    line1: str | None
    line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None


@strawberry.type(description="MoxiWorks ActionLog entry fields.")
class MoxiWorksActionLogDetail:
    agent_action: str | None
    address: ActionAddress | None
    title: str | None
    partner_contact_id: str | None
    moxi_works_contact_id: str | None


def render(d: ActionLogDetail) -> MoxiWorksActionLogDetail:
    a = d.address
    return MoxiWorksActionLogDetail(
        agent_action=d.agent_action,
        address=ActionAddress(
            line1=a.line1,
            line2=a.line2,
            city=a.city,
            state=a.state,
            postal_code=a.postal_code,
        )
        if a
        else None,
        title=d.title,
        partner_contact_id=d.partner_contact_id,
        moxi_works_contact_id=d.moxi_works_contact_id,
    )


DETAIL = DetailType(ActionLogDetail, MoxiWorksActionLogDetail, render, position=0)

__all__ = ["DETAIL", "ActionAddress", "MoxiWorksActionLogDetail"]
