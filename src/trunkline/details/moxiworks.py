"""MoxiWorks' own fields on an Interaction."""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.domain import Address, Detail


@dataclass(slots=True, unsafe_hash=True)
class ActionLogDetail(Detail):
    """A MoxiWorks ActionLog entry's own fields."""

    agent_action: str | None = None
    address: Address | None = None
    title: str | None = None
    partner_contact_id: str | None = None
    moxi_works_contact_id: str | None = None


__all__ = ["ActionLogDetail"]
