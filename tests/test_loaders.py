"""The dataloader flavour: batched, matched by key, failures not cached; history
reads batched only where the vendor has a batch form."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from trunkline.connectors.base import HistoryRead, ReadScope
from trunkline.domain import Interaction, InteractionFilter, Vendor
from trunkline.loaders import build_loaders
from trunkline.loaders.base import Loader, by_key
from trunkline.pagination.merge import Batch


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


async def test_loads_from_resolver_tasks_of_one_turn_form_one_batch_a_turn_sooner() -> (
    None
):
    """Resolvers of a list run as tasks started in one turn: their loads are one batch,
    and the batch function starts in the turn after them (aiodataloader's dispatch
    took three): the vendor call goes out sooner."""
    calls: list[list[int]] = []
    turns = 0

    async def batch(keys: Sequence[int]) -> list[int]:
        calls.append(list(keys))
        return [turns for _ in keys]

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    loader: Loader[int, int] = Loader(batch)

    async def resolver(key: int) -> int:
        return await loader.load(key)

    counter = asyncio.ensure_future(count_turns())
    started = turns
    try:
        seen = await asyncio.gather(*(resolver(k) for k in range(20)))
    finally:
        counter.cancel()
    assert calls == [list(range(20))]
    # the batch reads the counter one turn on (aiodataloader's dispatch: three)
    assert seen == [started + 1] * 20


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


async def test_remembered_values_answer_later_loads_without_a_batch() -> None:
    calls: list[list[str]] = []

    async def batch(keys: Sequence[str]) -> list[str]:
        calls.append(list(keys))
        return [f"fetched {k}" for k in keys]

    loader: Loader[str, str] = Loader(batch)
    assert await loader.load("a") == "fetched a"
    loader.remember("a", "from a page")  # already loaded: the loaded value stays
    loader.remember("b", "from a page")
    loader.remember("c", "from a page")
    assert await loader.load("b") == "from a page"
    assert await loader.load("a") == "fetched a"
    loader.clear("c")  # e.g. after a write: the next load asks the vendor
    assert await loader.load("c") == "fetched c"
    assert calls == [["a"], ["c"]]


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


class _Source:
    """A history source whose reads take as long as their key says (in ms)."""

    def __init__(self, vendor: Vendor, batch_reads: bool) -> None:
        self.vendor = vendor
        self.batch_reads = batch_reads
        self.calls: list[list[str | None]] = []

    async def read_histories(
        self, reads: Sequence[HistoryRead], scope: ReadScope | None = None
    ) -> list[Batch[Interaction]]:
        self.calls.append([r.key for r in reads])
        await asyncio.sleep(max(int(r.key or 0) for r in reads) / 1000)
        return [Batch([], None) for _ in reads]


def _read(key: str) -> HistoryRead:
    return HistoryRead(key, InteractionFilter(), frozenset(), None, 10)


@pytest.mark.parametrize("batch_reads", [False, True])
async def test_history_reads_wait_for_each_other_only_when_one_call_answers_them(
    batch_reads: bool,
) -> None:
    """A vendor without a batch form answers each read when its own call does: a
    quiet contact's read does not wait for a busy one's. One with a batch form gets
    the reads that arrive together in one call."""
    source = _Source(Vendor.MOXIWORKS, batch_reads)
    loaders = build_loaders(None, [source])  # type: ignore[arg-type, list-item]
    loader = loaders.history[Vendor.MOXIWORKS]
    slow, fast = loader.load(_read("200")), loader.load(_read("1"))
    done, _ = await asyncio.wait([slow, fast], return_when=asyncio.FIRST_COMPLETED)
    assert (fast in done and slow not in done) is not batch_reads
    await asyncio.gather(slow, fast)
    assert source.calls == ([["200", "1"]] if batch_reads else [["200"], ["1"]])
