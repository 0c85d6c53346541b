"""Configuration: one TOML file plus `TRUNKLINE_...` environment overrides.

    [gateway]
    max_page_size = 500            # largest first/last a connection accepts
    history_horizon_days = 1825    # how far back an interaction history reaches by default
    identity_store = "trunkline-links.sqlite3"
    http_transport = "aiohttp"     # or "httpx-aiohttp", "httpx" (see connectors/transport.py)

    [vendors.livevox]
    base_url = "https://api.livevox.example"   # absent: the embedded simulator
    timeout_s = 10

Overrides: `TRUNKLINE_CONFIG` (file path), `TRUNKLINE_<VENDOR>_URL`, and every credential as
`TRUNKLINE_<VENDOR>_<KEY>` (e.g. `TRUNKLINE_LIVEVOX_PASSWORD`). Credentials are read only
from the environment or from the file named by `TRUNKLINE_SECRETS_FILE` (KEY=VALUE lines),
never from the TOML file, and never appear in a repr or a log line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trunkline.errors import ConfigError

ENV_PREFIX = "TRUNKLINE_"


class Secrets(Mapping[str, str]):
    """Credential values: readable by connectors, hidden from repr and logs."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({sorted(self._values)!r})"


@dataclass(frozen=True)
class VendorSettings:
    name: str
    base_url: str | None = None  # None: talk to the embedded simulator
    timeout_s: float = 10.0
    max_connections: int = 100
    options: Mapping[str, Any] = field(default_factory=dict)
    secrets: Secrets = field(default_factory=lambda: Secrets({}))

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def secret(self, key: str, default: str | None = None) -> str | None:
        return self.secrets.get(key.upper(), default)


@dataclass(frozen=True)
class Settings:
    vendors: Mapping[str, VendorSettings]
    max_page_size: int = 500
    history_horizon_days: int = 1825
    identity_store: str = "trunkline-links.sqlite3"
    http_transport: str = "aiohttp"

    # The TRUNKLINE_* environment, for vendors the config file does not name.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    def vendor(self, name: str) -> VendorSettings:
        found = self.vendors.get(name)
        return found or _vendor_settings(name, {}, self.environ)


def _read_secrets_file(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _vendor_settings(
    name: str, table: Mapping[str, Any], env: Mapping[str, str]
) -> VendorSettings:
    prefix = f"{ENV_PREFIX}{name.upper()}_"
    options = {
        k: v
        for k, v in table.items()
        if k not in {"base_url", "timeout_s", "max_connections"}
    }
    for banned in ("password", "secret", "token", "access_token"):
        if banned in options:
            raise ConfigError(
                f"[vendors.{name}] {banned}: credentials belong in the environment "
                f"({prefix}{banned.upper()}), not in the config file"
            )
    secrets = {
        k[len(prefix) :]: v
        for k, v in env.items()
        if k.startswith(prefix) and k[len(prefix) :] != "URL"
    }
    base_url = env.get(f"{prefix}URL") or table.get("base_url") or None
    try:
        return VendorSettings(
            name=name,
            base_url=str(base_url).rstrip("/") if base_url else None,
            timeout_s=float(table.get("timeout_s", 10.0)),
            max_connections=int(table.get("max_connections", 100)),
            options=options,
            secrets=Secrets(secrets),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[vendors.{name}]: {exc}") from None


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    vendor_names: tuple[str, ...] = (),
) -> Settings:
    """Read the config file (if any) and the environment into frozen settings."""
    environ = dict(os.environ if env is None else env)
    secrets_file = environ.get(f"{ENV_PREFIX}SECRETS_FILE")
    if secrets_file:
        environ = {**_read_secrets_file(secrets_file), **environ}
    path = path or environ.get(f"{ENV_PREFIX}CONFIG")
    data: dict[str, Any] = {}
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    gateway = data.get("gateway", {})
    tables: dict[str, Any] = dict(data.get("vendors", {}))
    names = set(tables) | set(vendor_names)
    vendors = {n: _vendor_settings(n, tables.get(n, {}), environ) for n in names}
    try:
        return Settings(
            vendors=vendors,
            environ={k: v for k, v in environ.items() if k.startswith(ENV_PREFIX)},
            max_page_size=int(
                environ.get(
                    f"{ENV_PREFIX}MAX_PAGE_SIZE", gateway.get("max_page_size", 500)
                )
            ),
            history_horizon_days=int(gateway.get("history_horizon_days", 1825)),
            identity_store=str(
                environ.get(
                    f"{ENV_PREFIX}IDENTITY_STORE",
                    gateway.get("identity_store", "trunkline-links.sqlite3"),
                )
            ),
            http_transport=str(
                environ.get(
                    f"{ENV_PREFIX}HTTP_TRANSPORT",
                    gateway.get("http_transport", "aiohttp"),
                )
            ),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[gateway]: {exc}") from None


__all__ = ["Secrets", "Settings", "VendorSettings", "load_settings"]
