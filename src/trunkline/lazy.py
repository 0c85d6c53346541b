"""Values built when first read: vendor lists come whole while an answer often needs
a few of their items, or none."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

R = TypeVar("R")
T = TypeVar("T")


class Converted(Sequence[T], Generic[R, T]):
    """`[convert(r) for r in raw]`, each item converted when first read: for vendor
    lists that come whole while a page needs their first few items."""

    __slots__ = ("_convert", "_done", "_raw")

    def __init__(self, raw: Sequence[R], convert: Callable[[R], T]) -> None:
        self._raw = raw
        self._convert = convert
        self._done: list[T | None] = [None] * len(raw)

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = self._done[index]
        if item is None:
            item = self._done[index] = self._convert(self._raw[index])
        return item

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self._raw)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        # as the list it stands for (a domain record compares by value)
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(
            a == b for a, b in zip(self, other, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]  # as a list's


class Later:
    """An awaitable that starts its work only when awaited (a field the query may not
    select: no coroutine is made, so none is left un-awaited)."""

    __slots__ = ("_start",)

    def __init__(self, start: Callable[[], Awaitable[Any]]) -> None:
        self._start = start

    def __await__(self) -> Generator[Any, None, Any]:
        return self._start().__await__()


__all__ = ["Converted", "Later"]
