"""One combined Procurios `relationIds` stream, shared by a request's reads.

The list answers several relations in one stream, newest first, 25 a page. Reads that
start together are served by one such stream, which runs page after page on its own
while some relation still wants items. A read is answered as soon as the stream can
say something about its relation: items, or a floor (no moment still to come is newer
than the last page read). So a merge can move on to other vendors' older windows while
the stream is still reading, instead of waiting for its last page; and a read that
resumes a relation the stream still follows is answered from it, with no call of its
own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trunkline.domain import Interaction
from trunkline.pagination.counted import counted_batch, page_of
from trunkline.pagination.merge import Batch

if TYPE_CHECKING:
    from trunkline.connectors.base import HistoryRead

PAGE_SIZE = 25


Fetch = Callable[[int, list[int]], Awaitable[tuple[Sequence[Any], Mapping[str, str]]]]
Convert = Callable[[Any, int, Mapping[str, str], str | None], Interaction]


@dataclass
class Slot:
    """One start-of-stream read inside a combined stream."""

    index: int  # the read's place in its batch
    read: HistoryRead
    relation: int
    items: list[Interaction] = field(default_factory=list)  # a prefix of its stream
    kept: int = 0
    floor: Any = None  # no moment of it still unseen is newer (while it is followed)

    @property
    def satisfied(self) -> bool:
        return self.kept >= self.read.limit


class SharedStream:
    """A combined stream over `slots`' relations: `run` reads it, `serve` answers.

    Relations that have their items leave the stream once they crowd it (most of the
    last page): one busy relation would otherwise make the quiet ones read its whole
    history (140 calls instead of 8 for 20 contacts that include a heavy one). The
    narrower stream resumes after the moments already seen: they are exactly its first
    items, as it is a subsequence of the wider stream.
    """

    def __init__(self, slots: list[Slot], fetch: Fetch, convert: Convert) -> None:
        self.slots = slots
        self.fetch = fetch
        self.convert = convert
        self.active = list(dict.fromkeys(s.relation for s in slots))
        self.pages = 0  # pages read so far
        self.ended = False  # the list ran out: followed relations are complete
        self.stopped = False  # no page will be read any more
        self.error: BaseException | None = None
        self.task: asyncio.Task[None] | None = None
        self._progress = asyncio.Event()
        # One relation's stream is the same list as its single-relation read: like
        # that read, stop at the first page that gives every slot something.
        self._single = len(self.active) == 1
        self._seen: list[Any] = []  # every moment taken, in list order
        self._seen_ids: set[int] = set()
        self._offset = 0  # items of the current stream consumed

    async def run(self) -> None:
        """Read to the end (or until no relation wants more); errors are kept for
        the reads that wait."""
        try:
            while not self.stopped:
                await self.step()
        except Exception as exc:  # answered to every read still waiting
            self.error = exc
            self.stopped = True
            self._notify()

    async def step(self) -> None:
        """Read the next page and hand its moments to the slots."""
        try:
            await self._page()
        except Exception:
            self.stopped = True
            self._notify()
            raise
        self._notify()

    async def _page(self) -> None:
        slots = self.slots
        page, skip = page_of(self._offset, PAGE_SIZE)
        moments, titles = await self.fetch(page, self.active)
        fresh = moments[skip:]
        self._offset += len(fresh)
        # Only the relations still followed: one that left the stream misses moments
        # from then on, and taking one would break its prefix.
        following: dict[int, list[Slot]] = {r: [] for r in self.active}
        for slot in slots:
            if slot.relation in following:
                following[slot.relation].append(slot)
        for m in fresh:
            if m.id in self._seen_ids:  # the list shifted under us: no repeats
                continue
            self._seen_ids.add(m.id)
            self._seen.append(m)
            for relation in m.relations:
                for slot in following.get(relation, ()):
                    account = slot.read.filter.contact_account
                    item = self.convert(m, relation, titles, account)
                    slot.items.append(item)
                    slot.kept += int(slot.read.filter.matches(item))
        self.pages += 1
        if len(moments) < PAGE_SIZE:
            self.ended = self.stopped = True
            return
        floor = Interaction.floor_key(moments[-1].dateTime.timestamp())
        for slot in slots:
            if slot.relation in following:
                slot.floor = floor
        if self._single and all(s.kept for s in slots):
            self.stopped = True
            return
        short = {s.relation for s in slots if not s.satisfied}
        wanting = [r for r in self.active if r in short]
        wanted = set(wanting)
        if not wanting:
            self.stopped = True
        elif len(wanting) < len(self.active) and _crowded(fresh, wanted):
            self.active = wanting
            self._offset = sum(
                1 for m in self._seen if not m.relations.isdisjoint(wanted)
            )

    def _notify(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    def complete(self, slot: Slot) -> bool:
        """Whether every moment of the slot's relation has been seen."""
        return self.ended and slot.relation in self.active

    async def serve(
        self,
        slot: Slot,
        start: int,
        seen_pages: int,
        limit: int,
        keep: Callable[[Interaction], bool],
    ) -> Batch[Interaction] | None:
        """Up to `limit` kept items of the slot from raw index `start`, once the
        stream has them or has read past `seen_pages` (then an empty batch with the
        slot's floor). None: the stream cannot answer (the relation left it, or it
        stopped before reaching `start`); the caller reads alone."""
        while True:
            if len(slot.items) > start or self.complete(slot):
                return self.batch(slot, start, limit, keep)
            if self.error is not None:
                raise self.error
            if self.stopped or slot.relation not in self.active:
                return None
            if self.pages > seen_pages:
                # Nothing new for this relation, but the floor moved: `p` keeps the
                # position distinct from the one asked, as a loader caches by it.
                return Batch([], {"n": start, "p": self.pages}, slot.floor)
            await self._progress.wait()

    def batch(
        self, slot: Slot, start: int, limit: int, keep: Callable[[Interaction], bool]
    ) -> Batch[Interaction]:
        complete = self.complete(slot)
        batch = counted_batch(
            slot.items, base=0, start=start, limit=limit, more=not complete, keep=keep
        )
        if batch.next is not None and batch.next.get("n") == len(slot.items):
            # Everything seen is taken: nothing unseen is newer than the slot's floor.
            return Batch(batch.items, batch.next, slot.floor)
        return batch


def _crowded(page: Sequence[Any], wanting: set[int]) -> bool:
    """Whether most of the page (four fifths) went to relations that want nothing
    more. Narrowing re-reads part of a page, so it pays only when the stream is mostly
    someone else's (the threshold was tuned on seeded mixes of busy and quiet ones)."""
    idle = sum(1 for m in page if m.relations.isdisjoint(wanting))
    return idle * 5 >= len(page) * 4


def pages_seen(position: Any) -> int:
    """How many pages of a shared stream a position's reader has already seen."""
    if isinstance(position, dict) and isinstance(position.get("p"), int):
        return int(position["p"])
    return 0


__all__ = ["Convert", "Fetch", "SharedStream", "Slot", "pages_seen"]
