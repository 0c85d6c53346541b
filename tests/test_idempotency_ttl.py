"""Idempotency records are kept `[gateway] idempotency_ttl_s` (default 24 hours) after
their last change: a retry within it is answered from the record, a retry after it is
a new write. Expired records are purged lazily, as claims come in."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from safety_support import gateway
from trunkline.config import load_settings
from trunkline.domain import Vendor
from trunkline.errors import ConfigError
from trunkline.store.idempotency import SqliteIdempotencyStore

DAY_S = 86_400.0


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_a_record_is_replayed_until_it_expires(tmp_path: Path) -> None:
    clock = Clock()
    store = SqliteIdempotencyStore(str(tmp_path / "s.sqlite3"), ttl_s=600, clock=clock)
    try:
        assert (await store.claim("k", "op", "d")).status == "claimed"
        await store.save("k", {"id": 1}, "done")
        clock.now += 599
        done = await store.claim("k", "op", "d")
        assert (done.status, done.outcome) == ("done", {"id": 1})
        clock.now += 2  # 601 s after it was recorded
        assert await store.get("k") is None
        fresh = await store.claim("k", "op", "d")
        assert (fresh.status, fresh.recover, fresh.outcome) == ("claimed", False, None)
        # an expired key is free for another input too
        await store.save("k", {"id": 2}, "done")
        clock.now += 601
        assert (await store.claim("k", "op", "other")).status == "claimed"
    finally:
        await store.aclose()


async def test_expired_records_are_purged_as_claims_come_in(tmp_path: Path) -> None:
    clock = Clock()
    store = SqliteIdempotencyStore(str(tmp_path / "s.sqlite3"), ttl_s=600, clock=clock)
    try:
        for n in range(5):
            await store.claim(f"old-{n}", "op", "d")
            await store.save(f"old-{n}", {"n": n}, "done")
        clock.now += 601
        await store.claim("new", "op", "d")
        db = await store._conn()
        rows = await db.execute_fetchall("SELECT key FROM idempotency_records")
        assert [r[0] for r in rows] == ["new"]
    finally:
        await store.aclose()


async def test_a_live_claim_never_expires_under_its_claimant(tmp_path: Path) -> None:
    """A TTL shorter than the lease cannot free a key a claimant still works on."""
    clock = Clock()
    path = str(tmp_path / "s.sqlite3")
    a = SqliteIdempotencyStore(path, ttl_s=1, clock=clock)
    b = SqliteIdempotencyStore(path, ttl_s=1, clock=clock)
    try:
        assert (await a.claim("k", "op", "d")).status == "claimed"
        clock.now += 5  # past the TTL, within the 30 s lease
        assert (await b.claim("k", "op", "d")).status == "busy"
    finally:
        await a.aclose()
        await b.aclose()


CREATE_GROUP = """mutation ($name: String!, $key: String) {
  createContactGroup(input: { name: $name, idempotencyKey: $key }) {
    group { id name } userErrors { code } } }"""


async def test_a_retry_after_the_ttl_is_a_new_write(tmp_path: Path) -> None:
    async with gateway(tmp_path, "[gateway]\nidempotency_ttl_s = 3600\n") as gql:
        store = gql.app.state.gateway.idempotency
        clock = Clock()
        store.clock = clock
        variables = {"name": "Spring wave", "key": "wave-1"}
        first = (await gql.data(CREATE_GROUP, variables))["createContactGroup"]
        gql.reset_calls()
        clock.now += 3599
        again = (await gql.data(CREATE_GROUP, variables))["createContactGroup"]
        assert again == first  # replayed
        assert gql.calls(Vendor.LIVEVOX) == []
        clock.now += 2
        later = (await gql.data(CREATE_GROUP, variables))["createContactGroup"]
        assert later["userErrors"] == []
        assert later["group"]["id"] != first["group"]["id"]  # written again
        assert [c for c in gql.calls(Vendor.LIVEVOX) if "login" not in c[1]]


def test_the_ttl_setting(tmp_path: Path) -> None:
    assert load_settings(env={}).table("gateway")["idempotency_ttl_s"] == DAY_S
    config = tmp_path / "trunkline.toml"
    config.write_text("[gateway]\nidempotency_ttl_s = 'a day'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="idempotency_ttl_s"):
        load_settings(config, env={})
    env = {"TRUNKLINE_IDEMPOTENCY_TTL_S": "60"}
    assert load_settings(env=env).table("gateway")["idempotency_ttl_s"] == 60
