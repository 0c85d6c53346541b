"""The dataloader flavour: batched, matched by key, failures not cached."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from trunkline.loaders.base import Loader, by_key


async def test_batches_and_matches_by_key_not_position() -> None:
    calls: list[list[str]] = []

    async def batch(keys: Sequence[str]) -> list[str | None]:
        calls.append(list(keys))
        # The vendor answers out of order, repeats one and omits another.
        found = {"b": "B", "a": "A"}
        return by_key(keys, found, lambda _: None)

    loader: Loader[str, str | None] = Loader(batch)
    results = await asyncio.gather(*(loader.load(k) for k in ["a", "b", "c", "a"]))
    assert results == ["A", "B", None, "A"]
    assert calls == [["a", "b", "c"]]


async def test_a_failed_load_is_not_cached() -> None:
    attempts = 0

    async def batch(keys: Sequence[str]) -> list[str | BaseException]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            return [RuntimeError("vendor down") for _ in keys]
        return [k.upper() for k in keys]

    loader: Loader[str, str] = Loader(batch)
    with pytest.raises(RuntimeError):
        await loader.load("x")
    assert await loader.load("x") == "X"
    assert attempts == 2
