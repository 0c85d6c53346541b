"""Vendor simulators: `simulators/<vendor>.py` (the vendor's `Vendor` value) builds its
app with `create_app()`. The gateway finds a vendor's simulator by that name alone."""

from __future__ import annotations

import importlib
from typing import cast

from starlette.types import ASGIApp


def embedded_app(vendor: str) -> ASGIApp:
    """A fresh simulator app of the vendor (`Vendor.value`), with its seeded data."""
    module = importlib.import_module(f"{__name__}.{vendor}")
    return cast(ASGIApp, module.create_app())


__all__ = ["embedded_app"]
