"""Seeded data built once per process; each simulator app gets its own copy.

Seeding a vendor's data costs a tenth of a second to half a second, and a test suite
builds hundreds of simulator apps. (CRM.COM's 21,000 communications are not copied at
all: its stores share them read-only, crmcom_data.seeded_store.) `fresh(build,
...)` keeps what `build` returned pickled and gives every later caller its own copy:
unpickling is C code, several times cheaper than seeding again. A copy shares nothing
mutable with any other, so a test that changes one simulator's data changes no other
simulator's. What copies do share are the instances of frozen dataclasses (a seed
person, a CRM.COM category): immutable by declaration, they are kept by reference, so
`is` still finds the module's constants.
"""

from __future__ import annotations

import gc
import io
import pickle
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar, cast

P = ParamSpec("P")
T = TypeVar("T")

MAX_KEPT = 8  # seeds and anchor days at once; each is a few MB pickled


class _Snapshot:
    """A pickled object graph; its frozen dataclass instances kept aside, shared."""

    def __init__(self, made: object) -> None:
        self.shared: list[object] = []
        out = io.BytesIO()
        _Pickler(out, self.shared).dump(made)
        self.blob = out.getvalue()

    def copy(self) -> object:
        unpickler = pickle.Unpickler(io.BytesIO(self.blob))
        unpickler.persistent_load = self.shared.__getitem__  # type: ignore[method-assign]
        return unpickler.load()


class _Pickler(pickle.Pickler):
    def __init__(self, out: io.BytesIO, shared: list[object]) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared
        self.index: dict[int, int] = {}

    def persistent_id(self, obj: object) -> int | None:
        params = getattr(type(obj), "__dataclass_params__", None)
        if params is None or not params.frozen:
            return None
        found = self.index.get(id(obj))
        if found is None:
            found = self.index[id(obj)] = len(self.shared)
            self.shared.append(obj)
        return found


_kept: OrderedDict[Hashable, _Snapshot] = OrderedDict()
_asked: set[Hashable] = set()  # built once, no snapshot yet


def fresh(build: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """What `build(*args, **kwargs)` returns: built the first two times it is asked
    for (a process that asks once, `trunkline serve`, pays for no snapshot), then a
    copy of the second."""
    key = (build, args, tuple(sorted(kwargs.items())))
    with _collector_paused():
        snapshot = _kept.get(key)
        if snapshot is not None:
            _kept.move_to_end(key)
            return cast(T, snapshot.copy())
        made = build(*args, **kwargs)
        if key in _asked:
            _kept[key] = _Snapshot(made)  # taken before anyone can change it
            if len(_kept) > MAX_KEPT:
                _kept.popitem(last=False)
        else:
            _asked.add(key)
        return made


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Seeding and copying make hundreds of thousands of objects and no garbage: the
    cyclic collector would walk them again and again for nothing (2 to 3 x the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["fresh"]
