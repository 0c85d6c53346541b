"""The one DataLoader flavour trunkline uses, behind this module so a swap touches one file."""

from __future__ import annotations

import asyncio
from asyncio import Future
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader, dispatch_queue_batch, get_chunks
from aiodataloader import Loader as Queued

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

BatchFn = Callable[[Sequence[K]], Awaitable[Sequence[V | BaseException]]]


class Loader(DataLoader[K, V]):
    """aiodataloader's DataLoader, except that a failed load is not cached.

    The batch function answers one result per key, matched by key, never by position:
    a vendor that omits or repeats records cannot shift the answers.
    """

    def __init__(
        self, batch: BatchFn[K, V], *, max_batch_size: int | None = None
    ) -> None:
        super().__init__(batch, max_batch_size=max_batch_size)  # type: ignore[arg-type]
        self._known: dict[K, V] = {}
        self._dispatching: set[asyncio.Task[None]] = set()  # held: tasks are weak

    def remember(self, key: K, value: V) -> None:
        """What `prime` does, when `key` is first loaded: a page of 50 contacts, of
        which a request rarely loads any again, makes no 50 futures up front."""
        self._known.setdefault(key, value)

    def load(self, key: K) -> Future[V]:
        known = self._known
        if known and key in known:
            self.prime(key, known.pop(key))  # no change if already loaded
        future: Future[V] = super().load(key)

        def forget_failure(done: Future[V]) -> None:
            if done.cancelled() or done.exception() is not None:
                self.clear(key)

        future.add_done_callback(forget_failure)
        return future

    def do_resolve_reject(self, key: K, future: Future[V]) -> None:
        # aiodataloader schedules a callback that schedules a task that runs the
        # batch: it starts three loop turns after the first load. The task is made
        # here instead and runs the batch in its first step, the next turn: the batch
        # still holds every key loaded in this turn (a task scheduled now runs after
        # everything already due), and resolvers of a list run as tasks of one turn.
        if not self.batch:
            super().do_resolve_reject(key, future)
            return
        self._queue.append(Queued(key=key, future=future))
        if len(self._queue) == 1:
            self._dispatching.add(self.loop.create_task(self._dispatch()))

    async def _dispatch(self) -> None:
        try:
            queue, self._queue = self._queue, []
            size = self.max_batch_size
            if size and len(queue) > size:
                chunks = get_chunks(queue, size)
                await asyncio.gather(*(dispatch_queue_batch(self, c) for c in chunks))
            else:
                await dispatch_queue_batch(self, queue)
        finally:
            self._dispatching.discard(asyncio.current_task())

    def clear(self, key: K) -> Loader[K, V]:
        self._known.pop(key, None)
        super().clear(key)
        return self

    def clear_all(self) -> Loader[K, V]:
        self._known.clear()
        super().clear_all()
        return self

    async def __call__(self, key: K) -> V:
        return await self.load(key)


def by_key(
    keys: Sequence[K], found: dict[K, Any], missing: Callable[[K], Any]
) -> list[Any]:
    """Answers in key order from a mapping; `missing(key)` where the vendor had none."""
    return [found[k] if k in found else missing(k) for k in keys]


__all__ = ["BatchFn", "Loader", "by_key"]
