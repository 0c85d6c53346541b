"""Exactly-once: run a write under an idempotency key.

The key's record is claimed before the vendor is called and holds the outcome after. A
retry with the same key and input gets the recorded outcome without a vendor call; the
same key with another input is a conflict; a second request while the first runs waits
for its outcome. A claim that finds an earlier try that may have reached the vendor (it
crashed, or the vendor failed part way) is marked `recover`: the work reads the vendor
before writing again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from trunkline.errors import InputFieldError, TrunklineError
from trunkline.store.idempotency import IdempotencyStore, State, input_hash

MAX_KEY = 200
POLL_S = 0.02


class KeyConflict(TrunklineError):
    """The idempotency key was used with another input (or is still running)."""

    code = "CONFLICT"


@dataclass
class Run:
    """What a write's work sees: the earlier outcome (if any) and whether an earlier
    try may have reached the vendor; `progress` records a partial outcome."""

    prior: Any = None
    recover: bool = False
    store: IdempotencyStore | None = None
    key: str | None = None

    async def progress(self, outcome: Any) -> None:
        if self.store is not None and self.key is not None:
            await self.store.save(self.key, outcome, "pending")


Work = Callable[[Run], Awaitable[tuple[Any, bool]]]


def check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY:
        raise InputFieldError(
            ("idempotencyKey",), f"idempotencyKey must be 1 to {MAX_KEY} characters."
        )
    return key


async def once(
    store: IdempotencyStore | None,
    operation: str,
    key: str | None,
    value: Any,
    work: Work,
) -> Any:
    """The outcome of `work`, run at most once per key. `work` answers its outcome
    (JSON-able) and whether it is complete; an incomplete one is resumed by the next
    try with the key."""
    if key is None or store is None:
        outcome, _complete = await work(Run())
        return outcome
    digest = input_hash(operation, value)
    deadline = time.monotonic() + store.lease_s + 1.0
    while True:
        claim = await store.claim(key, operation, digest)
        if claim.status == "conflict":
            raise KeyConflict(
                "idempotencyKey was already used with a different input or operation."
            )
        if claim.status == "done":
            return claim.outcome
        if claim.status == "claimed":
            break
        if time.monotonic() > deadline:
            raise KeyConflict("A request with this idempotencyKey is still running.")
        await asyncio.sleep(POLL_S)
    run = Run(claim.outcome, claim.recover, store, key)
    last = claim.outcome

    async def keep(outcome: Any) -> None:
        nonlocal last
        last = outcome
        await store.save(key, outcome, "pending")

    run.progress = keep  # type: ignore[method-assign]
    try:
        outcome, complete = await work(run)
    except BaseException:
        # The vendor may or may not have the write: the next try reads it first.
        await asyncio.shield(store.save(key, last, "incomplete"))
        raise
    state: State = "done" if complete else "incomplete"
    await store.save(key, outcome, state)
    return outcome


__all__ = ["KeyConflict", "Run", "check_key", "once"]
