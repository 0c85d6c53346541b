"""CRM.COM's own fields on an Interaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trunkline.domain import Detail


@dataclass(slots=True, unsafe_hash=True)
class CommunicationDetail(Detail):
    """A CRM.COM communication's own fields."""

    number: str | None = None
    category: str | None = None
    media: str | None = None
    sender: str | None = None
    recipient: str | None = None
    viewed_on: datetime | None = None


__all__ = ["CommunicationDetail"]
