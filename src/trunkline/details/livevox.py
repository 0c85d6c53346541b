"""LiveVox's own fields on an Interaction (a contact note)."""

from __future__ import annotations

from dataclasses import dataclass

from trunkline.domain import Detail


@dataclass(slots=True, unsafe_hash=True)
class NoteDetail(Detail):
    """A LiveVox contact note's own fields."""

    note_id: str
    account: str


__all__ = ["NoteDetail"]
