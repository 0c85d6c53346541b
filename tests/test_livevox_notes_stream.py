"""The LiveVox notes stream on its own, over any notes: read position by position as
the merge reads it, it gives each note once, newest first, dated by Read Contact Note,
or it fails loudly. It never gives a wrong order quietly."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import GraphQLClient
from trunkline.connectors.base import HistoryRead
from trunkline.domain import InteractionFilter, Vendor
from trunkline.errors import VendorProtocolError
from trunkline.loaders import position_text
from trunkline.pagination.merge import Batch
from trunkline.simulators.seed import people

ACCOUNT = people()[2].account  # a contact with no seeded notes
BASE_MS = 1_700_000_000_000


@st.composite
def note_sets(draw: Any) -> tuple[list[dict[str, Any]], bool]:
    """Notes with dates (ties included) and ids that rise with them, or any ids."""
    dates = draw(st.lists(st.integers(0, 40), max_size=30))
    rising = draw(st.booleans())
    ids = list(range(1000, 1000 + len(dates)))
    if rising:
        order = sorted(range(len(dates)), key=lambda k: dates[k])
        given_ids = [0] * len(dates)
        for rank, k in enumerate(order):
            given_ids[k] = ids[rank]
    else:
        given_ids = draw(st.permutations(ids))
    notes = [
        {
            "id": i,
            "note": f"note {i}",
            "sessionId": "U1@10.0.0.1",
            "transactionId": 1,
            "createDate": BASE_MS + d * 60_000,
            "modifiedDate": BASE_MS + d * 60_000,
        }
        for i, d in zip(given_ids, dates, strict=True)
    ]
    return notes, rising


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=note_sets(), limit=st.integers(1, 8))
async def test_any_notes_come_once_newest_first_or_fail_loudly(
    gql: GraphQLClient, case: tuple[list[dict[str, Any]], bool], limit: int
) -> None:
    notes, rising = case
    sim = gql.sim(Vendor.LIVEVOX)
    sim.state.store.notes[ACCOUNT] = notes  # as given; the list sorts by id
    connector = gql.app.state.gateway.connectors[Vendor.LIVEVOX]
    seen: list[tuple[int, str]] = []
    position: Any = None
    reads = 0
    sim.state.calls.clear()
    while True:
        read = HistoryRead(
            ACCOUNT, InteractionFilter(), frozenset(), position_text(position), limit
        )
        [batch] = await connector.read_histories([read])
        reads += 1
        if isinstance(batch, VendorProtocolError):
            assert not rising, batch  # only ids that do not follow the dates
            assert "do not grow older as their ids fall" in str(batch)
            stamps = [t for t, _ in seen]
            assert stamps == sorted(stamps, reverse=True)  # what came was in order
            return
        assert isinstance(batch, Batch), batch
        for item, after in batch.items:
            seen.append((item.occurred_at.timestamp(), item.source.vendor_id))
            position = after
        if batch.next is None:
            break
        position = batch.next
    expected = sorted(
        ((n["createDate"] / 1000, f"{ACCOUNT}/{n['id']}") for n in notes),
        reverse=True,
    )
    assert sorted(seen, reverse=True) == expected  # each note once, its own date
    stamps = [t for t, _ in seen]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    if rising:  # each note's date read once over the whole walk
        note_reads = [p for _, p, _ in sim.state.calls.entries if p[-1] != "/"]
        assert len(note_reads) == len(notes)
        assert reads <= max(1, -(-len(notes) // limit)) + 1
