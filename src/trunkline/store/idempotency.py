"""Idempotency records: a key, a hash of the input and the outcome, so a write happens once.

`IdempotencyStore` is the interface; SQLite (the identity store's file, its own table) is
the embedded default. A Postgres or Redis implementation serves several processes behind
the same four methods: `claim` must be atomic (one claimant per key), the rest are plain
writes by the claimant.

A record is `pending` while its claimant works (its `touched` time is a lease the
claimant renews as it makes progress), `incomplete` when the work stopped part way (a
vendor failure: the next try with the key resumes it), or `done`. A pending record whose
lease ran out was left by a claimant that crashed: the next claim takes it over and is
told so (`Claim.recover`), so it reads the vendor before writing again.

A record is kept `ttl_s` (`[gateway] idempotency_ttl_s`, 24 hours) after its last
change, never less than a lease: past that the key is free, and a retry is a new write.
Expired records are purged lazily: the key being claimed at once, and the rest of the
table at most once a `SWEEP_S` per store, as claims come in.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import aiosqlite
import orjson

DAY_S = 86_400.0
SWEEP_S = 60.0  # the whole table is swept of expired records at most this often

State = Literal["pending", "incomplete", "done"]
ClaimStatus = Literal["claimed", "done", "busy", "conflict"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_records (
    key        TEXT PRIMARY KEY,
    operation  TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    state      TEXT NOT NULL,
    outcome    TEXT,
    owner      TEXT NOT NULL,
    touched    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_records_touched
    ON idempotency_records (touched)
"""


def input_hash(operation: str, value: Any) -> str:
    """A stable hash of an operation's input (keys sorted, so field order is moot)."""
    text = orjson.dumps(
        {"op": operation, "input": value},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=str,
    )
    return hashlib.sha256(text).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """What a claim found. `claimed`: the caller owns the key now (`recover` when an
    earlier try may have reached the vendor; `outcome` is what it recorded). `done`:
    `outcome` is the recorded result. `busy`: another claimant works on it. `conflict`:
    the key was used with another input."""

    status: ClaimStatus
    outcome: Any = None
    recover: bool = False


class IdempotencyStore(Protocol):
    lease_s: float

    async def claim(self, key: str, operation: str, digest: str) -> Claim:
        """Claim the key for this input, atomically."""
        ...

    async def save(self, key: str, outcome: Any, state: State) -> None:
        """Record progress (`pending`, which renews the lease) or the end."""
        ...

    async def get(self, key: str) -> tuple[State, Any] | None:
        """The record's state and outcome, if any."""
        ...

    async def aclose(self) -> None: ...


class SqliteIdempotencyStore:
    """Records in a SQLite file (the identity store's); atomic across processes."""

    def __init__(
        self,
        path: str,
        *,
        lease_s: float = 30.0,
        ttl_s: float = DAY_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.lease_s = lease_s
        self.ttl_s = ttl_s
        self.clock = clock
        self._swept = -math.inf
        self.owner = uuid.uuid4().hex  # this store's claims
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            async with self._lock:
                if self._db is None:
                    if self.path != ":memory:":
                        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                    db = await aiosqlite.connect(self.path, timeout=10.0)
                    await db.executescript(SCHEMA)
                    await db.commit()
                    self._db = db
        return self._db

    def _expired_before(self, now: float) -> float:
        """Records last changed before this have expired (a live lease never has)."""
        return now - max(self.ttl_s, self.lease_s)

    async def _purge(self, db: aiosqlite.Connection, key: str, now: float) -> None:
        """Expired records go: this key's now, the table's at most once a SWEEP_S."""
        cutoff = self._expired_before(now)
        await db.execute(
            "DELETE FROM idempotency_records WHERE key = ? AND touched < ?",
            (key, cutoff),
        )
        if now - self._swept >= SWEEP_S:
            self._swept = now
            await db.execute(
                "DELETE FROM idempotency_records WHERE touched < ?", (cutoff,)
            )

    async def claim(self, key: str, operation: str, digest: str) -> Claim:
        db = await self._conn()
        now = self.clock()
        await self._purge(db, key, now)
        cursor = await db.execute(
            "INSERT OR IGNORE INTO idempotency_records "
            "(key, operation, input_hash, state, outcome, owner, touched) "
            "VALUES (?, ?, ?, 'pending', NULL, ?, ?)",
            (key, operation, digest, self.owner, now),
        )
        await db.commit()
        if cursor.rowcount == 1:
            return Claim("claimed")
        rows = await db.execute_fetchall(
            "SELECT operation, input_hash, state, outcome, owner, touched "
            "FROM idempotency_records WHERE key = ?",
            (key,),
        )
        row = next(iter(rows), None)
        if row is None:  # removed in between: try again
            return await self.claim(key, operation, digest)
        op, digest_was, state, raw, owner, touched = row
        outcome = orjson.loads(raw) if raw else None
        if op != operation or digest_was != digest:
            return Claim("conflict")
        if state == "done":
            return Claim("done", outcome)
        if state == "pending" and now - touched < self.lease_s:
            return Claim("busy")
        # incomplete, or a pending record whose claimant is gone: take it over, if
        # no one else did since we read it (compare and set).
        taken = await db.execute(
            "UPDATE idempotency_records SET state = 'pending', owner = ?, touched = ? "
            "WHERE key = ? AND state = ? AND owner = ? AND touched = ?",
            (self.owner, now, key, state, owner, touched),
        )
        await db.commit()
        if taken.rowcount != 1:
            return Claim("busy")
        return Claim("claimed", outcome, recover=True)

    async def save(self, key: str, outcome: Any, state: State) -> None:
        db = await self._conn()
        await db.execute(
            "UPDATE idempotency_records SET state = ?, outcome = ?, touched = ? "
            "WHERE key = ? AND owner = ?",
            (state, orjson.dumps(outcome).decode(), self.clock(), key, self.owner),
        )
        await db.commit()

    async def get(self, key: str) -> tuple[State, Any] | None:
        db = await self._conn()
        rows = await db.execute_fetchall(
            "SELECT state, outcome FROM idempotency_records "
            "WHERE key = ? AND touched >= ?",
            (key, self._expired_before(self.clock())),
        )
        row = next(iter(rows), None)
        if row is None:
            return None
        return row[0], orjson.loads(row[1]) if row[1] else None

    async def aclose(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None


def open_idempotency_store(location: str, *, ttl_s: float = DAY_S) -> IdempotencyStore:
    """The idempotency store beside the identity store (the same SQLite file)."""
    return SqliteIdempotencyStore(location, ttl_s=ttl_s)


__all__ = [
    "DAY_S",
    "Claim",
    "IdempotencyStore",
    "SqliteIdempotencyStore",
    "input_hash",
    "open_idempotency_store",
]
