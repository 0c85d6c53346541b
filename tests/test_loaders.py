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


def test_converted_builds_each_item_once_and_only_when_read() -> None:
    from trunkline.lazy import Converted

    built: list[int] = []

    def convert(n: int) -> str:
        built.append(n)
        return f"#{n}"

    items = Converted(list(range(1000)), convert)
    assert len(items) == 1000 and built == []
    assert items[0] == "#0" and items[-1] == "#999" and items[0] == "#0"
    assert built == [0, 999]
    assert list(items[2:4]) == ["#2", "#3"]
    assert list(items)[:3] == ["#0", "#1", "#2"] and len(built) == 1000
