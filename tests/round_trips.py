"""Vendor calls grouped by round trip, from a simulator's call log under its latency
knob: a call is in the round after the latest call that had answered when it arrived
(an answer is held until `latency` after its call arrived), so calls that went out
together share a round however long the work between them took."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Entry = tuple[str, str, str]


class Stamped(list[Entry]):
    """A call log that also notes when each call arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def append(self, entry: Entry) -> None:
        self.at.append(time.monotonic())
        super().append(entry)


def stamp(sim: Any) -> None:
    """From now on, the simulator's call log notes arrival times."""
    sim.state.calls.entries = Stamped()


def rounds(
    sim: Any, latency_ms: float, name: Callable[[Entry], str]
) -> list[list[str]]:
    """The simulator's calls since `stamp`, by round trip (names sorted in a round)."""
    log: Stamped = sim.state.calls.entries
    latency = latency_ms / 1000
    depth: list[int] = []
    for k, at in enumerate(log.at):
        answered = [depth[j] for j in range(k) if log.at[j] + latency <= at]
        depth.append(1 + max(answered, default=0))
    out: list[list[str]] = [[] for _ in range(max(depth, default=0))]
    for entry, d in zip(log, depth, strict=True):
        out[d - 1].append(name(entry))
    return [sorted(r) for r in out]
