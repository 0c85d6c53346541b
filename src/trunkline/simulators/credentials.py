"""The credentials a simulator accepts: only the configured ones pass.

A simulator reads them where the gateway's connector does: `TRUNKLINE_<VENDOR>_<KEY>`
in the environment or in the file named by `TRUNKLINE_SECRETS_FILE`; absent there, the
embedded stand-in the connector sends when it talks to its embedded simulator.
"""

from __future__ import annotations

import os

from trunkline.config import ENV_PREFIX, _read_secrets_file


def configured(vendor: str, key: str, embedded_default: str) -> str:
    """The credential `key` of `vendor` a simulator expects."""
    name = f"{ENV_PREFIX}{vendor.upper()}_{key.upper()}"
    value = os.environ.get(name)
    secrets_file = os.environ.get(f"{ENV_PREFIX}SECRETS_FILE")
    if not value and secrets_file:
        try:
            value = _read_secrets_file(secrets_file).get(name)
        except OSError:
            value = None
    return value or embedded_default


__all__ = ["configured"]
