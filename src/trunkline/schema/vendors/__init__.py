"""Each vendor's GraphQL detail type, one module per vendor, found here.

`schema/vendors/<vendor>.py` declares `DETAIL = DetailType(...)`: the vendor's detail
record (from `details/<vendor>.py`), its Strawberry type, how one becomes the other, and
its place in the `InteractionDetail` union. The union and `render_detail` are derived
from what is found, so a new vendor's detail needs no edit here or in `interaction.py`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from trunkline.domain import Detail


@dataclass(frozen=True, slots=True)
class DetailType:
    record: type[Detail]  # the domain record the vendor's connector builds
    graphql: type  # its Strawberry type, a member of the InteractionDetail union
    render: Callable[[Any], Any]  # record -> Strawberry object
    # Its place among the union's members (the committed SDL's order); a new vendor
    # takes the next number.
    position: int


# Each record's rendering by its class, filled once the modules are found.
_RENDER: dict[type, Callable[[Any], Any]] = {}


@cache
def detail_types() -> tuple[DetailType, ...]:
    """Every vendor module's detail type, in union order."""
    found: list[DetailType] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        detail = getattr(module, "DETAIL", None)
        if isinstance(detail, DetailType):
            found.append(detail)
    _RENDER.update((d.record, d.render) for d in found)
    return tuple(sorted(found, key=lambda d: d.position))


def render_detail(d: Detail | None) -> Any:
    """The Strawberry object for a vendor's detail record (None: none, or unknown)."""
    if not _RENDER:
        detail_types()
    render = _RENDER.get(type(d))  # one lookup per interaction, None's class included
    return render(d) if render is not None else None


__all__ = ["DetailType", "detail_types", "render_detail"]
