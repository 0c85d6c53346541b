"""The one DataLoader flavour trunkline uses, behind this module so a swap touches one file."""

from __future__ import annotations

from asyncio import Future
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader, dispatch_queue
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
        # aiodataloader schedules a callback that schedules a task that dispatches:
        # two loop turns before the batch function starts. One is enough: the batch
        # holds every key loaded in this turn, and resolvers run as tasks of one turn.
        if not self.batch:
            super().do_resolve_reject(key, future)
            return
        self._queue.append(Queued(key=key, future=future))
        if len(self._queue) == 1:
            self.loop.call_soon(dispatch_queue, self)

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
