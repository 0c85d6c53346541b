"""What every connector's wire models share: lenient models and text clean-up."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Lenient(BaseModel):
    """A vendor payload: unknown fields ignored (vendors add fields without notice)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def clean_text(value: Any) -> str | None:
    """A vendor's scalar as trimmed text; None, empty, objects and lists to None."""
    if type(value) is str:  # the common case first: this runs per vendor field
        return value.strip() or None
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


__all__ = ["Lenient", "clean_text"]
