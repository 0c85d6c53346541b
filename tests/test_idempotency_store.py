"""The idempotency store's claim: one claimant per key, across store instances."""

from __future__ import annotations

import asyncio
from pathlib import Path

from trunkline.store.idempotency import SqliteIdempotencyStore, input_hash


async def test_claim_states(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite3")
    a, b = SqliteIdempotencyStore(path), SqliteIdempotencyStore(path)
    try:
        digest = input_hash("op", {"x": 1, "y": [1, 2]})
        assert digest == input_hash("op", {"y": [1, 2], "x": 1})  # key order moot
        assert (await a.claim("k", "op", digest)).status == "claimed"
        assert (await b.claim("k", "op", digest)).status == "busy"
        assert (await b.claim("k", "op", input_hash("op", {"x": 2}))).status == (
            "conflict"
        )
        assert (await b.claim("k", "other", digest)).status == "conflict"
        await a.save("k", {"done": True}, "done")
        done = await b.claim("k", "op", digest)
        assert (done.status, done.outcome) == ("done", {"done": True})
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_dead_claim_is_taken_over_once(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite3")
    dead = SqliteIdempotencyStore(path)
    await dead.claim("k", "op", "d")
    await dead.save("k", {"sent": [1]}, "pending")
    db = await dead._conn()  # its lease ran out an hour ago
    await db.execute("UPDATE idempotency_records SET touched = touched - 3600")
    await db.commit()
    await dead.aclose()
    stores = [SqliteIdempotencyStore(path) for _ in range(4)]
    try:
        claims = await asyncio.gather(*(s.claim("k", "op", "d") for s in stores))
        taken = [c for c in claims if c.status == "claimed"]
        assert len(taken) == 1  # compare-and-set: one takes it over
        assert sorted(c.status for c in claims) == ["busy", "busy", "busy", "claimed"]
        assert taken[0].recover and taken[0].outcome == {"sent": [1]}
    finally:
        for s in stores:
            await s.aclose()


async def test_an_incomplete_record_is_resumed(tmp_path: Path) -> None:
    store = SqliteIdempotencyStore(str(tmp_path / "s.sqlite3"))
    try:
        await store.claim("k", "op", "d")
        await store.save("k", {"items": 3}, "incomplete")
        again = await store.claim("k", "op", "d")
        assert (again.status, again.recover, again.outcome) == (
            "claimed",
            True,
            {"items": 3},
        )
        assert (await store.get("k")) == ("pending", {"items": 3})
    finally:
        await store.aclose()
