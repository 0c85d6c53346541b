"""LiveVox's GraphQL detail type: a contact note's own fields."""

from __future__ import annotations

import strawberry

from trunkline.details.livevox import NoteDetail
from trunkline.schema.vendors import DetailType


@strawberry.type(description="LiveVox contact note fields.")
class LiveVoxNoteDetail:
    note_id: str
    account: str


def render(d: NoteDetail) -> LiveVoxNoteDetail:
    return LiveVoxNoteDetail(note_id=d.note_id, account=d.account)


DETAIL = DetailType(NoteDetail, LiveVoxNoteDetail, render, position=3)

__all__ = ["DETAIL", "LiveVoxNoteDetail"]
