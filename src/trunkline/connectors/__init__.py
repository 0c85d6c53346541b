"""Vendor connectors. Each vendor module declares `CONNECTOR = <Connector subclass>`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from trunkline.connectors.base import Connector
from trunkline.domain import Vendor

_SHARED = {"base", "soap", "transport", "wire"}


@cache
def connector_classes() -> dict[Vendor, type[Connector]]:
    """Every vendor module under this package, by vendor."""
    found: dict[Vendor, type[Connector]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _SHARED or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cls = getattr(module, "CONNECTOR", None)
        if cls is not None:
            found[cls.vendor] = cls
    return found


__all__ = ["Connector", "connector_classes"]
