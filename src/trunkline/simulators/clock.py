"""A clock for simulated latency that keeps to about a fifth of a millisecond.

The event loop's timers do not: uvloop keeps time in whole milliseconds, and the
simulators answered 0.6 ms late at the median (20.64 ms for 20), which the benchmark
charged to the gateway as if a vendor were that slow; now 0.23 ms (bench/NOTES.md).
`sleep_until` sleeps on the loop until shortly before the deadline, then hands the
last stretch to one timer thread, which waits on a precise clock and wakes the loop.
"""

from __future__ import annotations

import asyncio
import heapq
import threading
import time
from contextlib import suppress
from itertools import count

COARSE_MARGIN_S = 0.002  # the loop's timers are good to about a millisecond


class _TimerThread:
    def __init__(self) -> None:
        self._due: list[
            tuple[float, int, asyncio.AbstractEventLoop, asyncio.Future[None]]
        ] = []
        self._cv = threading.Condition()
        self._seq = count()
        self._thread: threading.Thread | None = None

    def wake_at(self, deadline: float) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._cv:
            heapq.heappush(self._due, (deadline, next(self._seq), loop, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="simulator-clock", daemon=True
                )
                self._thread.start()
            self._cv.notify()
        return future

    def _run(self) -> None:
        with self._cv:
            while True:
                if not self._due:
                    self._cv.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                _, _, loop, future = heapq.heappop(self._due)
                with suppress(RuntimeError):  # a closed loop: nobody waits
                    loop.call_soon_threadsafe(_wake, future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_timer = _TimerThread()


async def sleep_until(deadline: float) -> None:
    """Sleep until `time.monotonic()` reaches `deadline`."""
    coarse = deadline - time.monotonic() - COARSE_MARGIN_S
    if coarse > 0:
        await asyncio.sleep(coarse)
    if deadline > time.monotonic():
        await _timer.wake_at(deadline)


__all__ = ["sleep_until"]
