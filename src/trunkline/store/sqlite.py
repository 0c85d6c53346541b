"""The embedded identity store: one SQLite file, created on first use."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiosqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS identity_links (
    account   TEXT NOT NULL,
    vendor    TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    PRIMARY KEY (account, vendor)
)
"""


class SqliteIdentityStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            async with self._lock:
                if self._db is None:
                    if self.path != ":memory:":  # the per-user data dir may be new
                        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                    db = await aiosqlite.connect(self.path)
                    await db.execute(SCHEMA)
                    await db.commit()
                    self._db = db
        return self._db

    async def links_for(
        self, accounts: Sequence[str]
    ) -> Mapping[str, Mapping[str, str]]:
        if not accounts:
            return {}
        db = await self._conn()
        found: dict[str, dict[str, str]] = {}
        for start in range(0, len(accounts), 500):
            chunk = list(accounts[start : start + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT account, vendor, vendor_id FROM identity_links WHERE account IN ({marks})"
            # one trip to the connection's thread, not one per fetch and close
            for account, vendor, vendor_id in await db.execute_fetchall(sql, chunk):
                found.setdefault(account, {})[vendor] = vendor_id
        return found

    async def link(self, account: str, vendor: str, vendor_id: str) -> bool:
        db = await self._conn()
        async with db.execute(
            "SELECT vendor_id FROM identity_links WHERE account = ? AND vendor = ?",
            (account, vendor),
        ) as rows:
            row = await rows.fetchone()
        if row is not None and row[0] == vendor_id:
            return False
        await db.execute(
            "INSERT INTO identity_links (account, vendor, vendor_id) VALUES (?, ?, ?) "
            "ON CONFLICT (account, vendor) DO UPDATE SET vendor_id = excluded.vendor_id",
            (account, vendor, vendor_id),
        )
        await db.commit()
        return True

    async def unlink(self, account: str, vendor: str) -> bool:
        db = await self._conn()
        cursor = await db.execute(
            "DELETE FROM identity_links WHERE account = ? AND vendor = ?",
            (account, vendor),
        )
        await db.commit()
        return (cursor.rowcount or 0) > 0

    async def aclose(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None


__all__ = ["SqliteIdentityStore"]
