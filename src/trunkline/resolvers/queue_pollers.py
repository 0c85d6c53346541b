"""One poller per queue, however many subscribers.

A poller reads the newest `window` entries of its queue every `interval` seconds and
tells each subscriber which entries are new or changed state since the last read.
While the vendor fails it backs off (doubling up to `max_backoff`); its subscribers get
the error once per failure streak, and changes seen on recovery still come through.
A queue the vendor does not have (NOT_FOUND) is told once and ends the streams.
When the last subscriber leaves, polling stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from trunkline.errors import ConnectorError, VendorNotFound, VendorUnavailable
from trunkline.queues import QueueEntry, QueueEntryState, QueueRef, QueueSource

log = logging.getLogger("trunkline.queue_pollers")

BACKLOG = 1000  # events kept for a slow subscriber; the oldest go first


@dataclass(frozen=True, slots=True)
class QueueChange:
    entry: QueueEntry
    previous: QueueEntryState | None  # None: not seen before


class _End:
    """The poller stopped for good: its subscribers' streams end."""


END = _End()

Event = QueueChange | ConnectorError


class QueuePoller:
    def __init__(self, registry: PollerRegistry, source: QueueSource, queue: QueueRef):
        self.registry = registry
        self.source = source
        self.queue = queue
        self.subscribers: set[asyncio.Queue[Event | _End]] = set()
        self.polls = 0  # reads made (successful or not)
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"poll {self.queue.key}")

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _publish(self, event: Event | _End) -> None:
        for inbox in self.subscribers:
            if inbox.full():
                inbox.get_nowait()
            inbox.put_nowait(event)

    async def _read(self) -> list[QueueEntry]:
        r = self.registry
        self.polls += 1
        items, _ = await self.source.queue_entries(self.queue, 0, r.window)
        return list(items)

    async def _run(self) -> None:
        seen: dict[str, QueueEntryState] | None = None
        failures = 0
        while True:
            try:
                items = await self._read()
            except VendorNotFound as exc:
                # the vendor has no such queue: asking again cannot help (and made-up
                # names would keep vendor calls going); tell the subscribers, end
                self._publish(exc)
                self._publish(END)
                if self.registry.pollers.get(self.queue) is self:
                    del self.registry.pollers[self.queue]
                return
            except Exception as exc:
                failures += 1
                if failures == 1:
                    if not isinstance(exc, ConnectorError):
                        log.error("polling %s failed", self.queue.key, exc_info=exc)
                        exc = VendorUnavailable(
                            self.queue.vendor.value,
                            f"{self.queue.vendor.name}: the queue could not be read",
                        )
                    self._publish(exc)
                delay = min(
                    self.registry.interval * 2**failures, self.registry.max_backoff
                )
                await asyncio.sleep(delay)
                continue
            failures = 0
            if seen is not None:
                for entry in reversed(items):  # oldest first
                    before = seen.get(entry.source.vendor_id)
                    if before is not entry.state:
                        self._publish(QueueChange(entry, before))
            seen = {e.source.vendor_id: e.state for e in items}
            await asyncio.sleep(self.registry.interval)


class PollerRegistry:
    """The gateway's pollers, by queue."""

    def __init__(
        self, interval: float = 2.0, window: int = 500, max_backoff: float = 30.0
    ) -> None:
        self.interval = interval
        self.window = window
        self.max_backoff = max_backoff
        self.pollers: dict[QueueRef, QueuePoller] = {}

    async def subscribe(
        self, source: QueueSource, queue: QueueRef
    ) -> AsyncIterator[Event]:
        """The queue's events until the caller stops iterating."""
        poller = self.pollers.get(queue)
        if poller is None:
            poller = self.pollers[queue] = QueuePoller(self, source, queue)
            poller.start()
        inbox: asyncio.Queue[Event | _End] = asyncio.Queue(BACKLOG)
        poller.subscribers.add(inbox)
        try:
            while True:
                event = await inbox.get()
                if isinstance(event, _End):
                    return
                yield event
        finally:
            poller.subscribers.discard(inbox)
            if not poller.subscribers and self.pollers.get(queue) is poller:
                del self.pollers[queue]
                poller.stop()

    async def aclose(self) -> None:
        pollers = list(self.pollers.values())
        self.pollers.clear()
        for poller in pollers:
            poller.stop()
        for poller in pollers:
            if poller.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await poller.task


__all__ = ["Event", "PollerRegistry", "QueueChange", "QueuePoller"]
