"""A least-recently-used map bounded by the bytes its values are estimated to hold.

An entry count bounds nothing when entries differ in size: 512 parsed documents of a
megabyte each held gigabytes. Here each value has a cost (an estimate of its bytes),
and the least recently used values go once the total passes the budget. A value that
alone costs more than the budget is not kept at all. Safe to share between threads
(documents are parsed off the event loop).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from contextlib import suppress
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteLRU(Generic[K, V]):
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.total = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def peek(self, key: K) -> V | None:
        """The value, without making it the most recent."""
        found = self._items.get(key)
        return None if found is None else found[0]

    def get(self, key: K) -> V | None:
        # No lock: each OrderedDict call is atomic under the GIL, and a put on another
        # thread may drop the key in between (then it is simply gone).
        found = self._items.get(key)
        if found is None:
            return None
        with suppress(KeyError):
            self._items.move_to_end(key)
        return found[0]

    def put(self, key: K, value: V, cost: int) -> None:
        with self._lock:
            self._discard(key)
            if cost > self.max_bytes:
                return
            self._items[key] = (value, cost)
            self.total += cost
            while self.total > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.total -= dropped

    def discard(self, key: K) -> None:
        with self._lock:
            self._discard(key)

    def _discard(self, key: K) -> None:
        found = self._items.pop(key, None)
        if found is not None:
            self.total -= found[1]


__all__ = ["ByteLRU"]
