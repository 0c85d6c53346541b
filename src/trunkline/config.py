"""Configuration: one TOML file plus `TRUNKLINE_...` environment overrides.

    [gateway]
    max_page_size = 500            # largest first/last a connection accepts
    history_horizon_days = 1825    # how far back an interaction history reaches by default
    identity_store = "links.sqlite3"  # relative to this file; default: per-user data dir
    http_transport = "aiohttp"     # or "httpx-aiohttp", "httpx" (see connectors/transport.py)
    fast_path = true               # false: Strawberry's own path for every request (engine/)
    request_deadline_s = 10        # a whole request's vendor calls end by then
    idempotency_ttl_s = 86400      # an idempotencyKey answers retries that long

    [limits]
    max_vendor_calls = 2000        # a request's vendor calls: estimated, then counted
    max_nodes_ids = 100            # IDs one `nodes(ids:)` takes

    [vendors.livevox]
    base_url = "https://api.livevox.example"   # absent: the embedded simulator
    timeout_s = 5                  # one call, its retries included

Every accepted table and key is declared once, below (`GATEWAY_KEYS`, `VENDOR_KEYS`,
`VENDOR_ONLY_KEYS`, `TABLES`): one line each, with its default and what it expects. An
unknown table or key, or a value that does not parse, is a `ConfigError` naming the
table, the key, the value and what was expected.

Overrides: `TRUNKLINE_CONFIG` (file path), the keys with an `env` name below, and every
credential as `TRUNKLINE_<VENDOR>_<KEY>` (e.g. `TRUNKLINE_LIVEVOX_PASSWORD`). Credentials
are read only from the environment or from the file named by `TRUNKLINE_SECRETS_FILE`
(KEY=VALUE lines), never from the TOML file, and never appear in a repr or a log line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trunkline import security_settings as sec
from trunkline.domain import Vendor
from trunkline.errors import BadUserInput, ConfigError
from trunkline.queues import queues_option

ENV_PREFIX = "TRUNKLINE_"
APP_NAME = "trunkline"
DEFAULT_STORE_NAME = "links.sqlite3"


# ---- value checks: each returns the value to keep, or raises ValueError ----------
def integer(minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError
        return value

    return check


def number(minimum: float, *, inclusive: bool = False) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError
        if value < minimum or (value == minimum and not inclusive):
            raise ValueError
        return float(value)

    return check


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError
    return value.strip()


def choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError
        return str(value)

    return check


def http_url(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"https?://[^/\s]+", value):
        raise ValueError
    return value.rstrip("/")


def timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError from None
    return value


def contact_key(value: Any) -> str:
    if value in ("account", "link"):
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"custom_field:\w+", value):
        return value
    raise ValueError


def flag(value: Any) -> bool:
    """A boolean; from the environment, its text ("true", "0", "off", ...)."""
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower() if isinstance(value, str) else None
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError


def text_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise ValueError
    return [v.strip() for v in value]


def crmcom_queues(value: Any) -> list[Any]:
    try:
        queues_option(Vendor.CRMCOM, value)
    except BadUserInput:
        raise ValueError from None
    return list(value)


@dataclass(frozen=True, slots=True)
class Key:
    """One accepted key: its check, what it expects (for errors and docs), its
    default, and the environment variable that overrides it, if any."""

    check: Callable[[Any], Any]
    expected: str
    default: Any = None
    env: str | None = None  # `{vendor}` is the vendor's upper-case name


# ---- the accepted tables and keys: adding one is one line --------------------------
GATEWAY_KEYS: dict[str, Key] = {
    "max_page_size": Key(integer(1), "an integer >= 1", 500, "MAX_PAGE_SIZE"),
    "history_horizon_days": Key(integer(1), "a number of days >= 1", 1825),
    "identity_store": Key(
        text, "a SQLite file path (relative to the config file) or ':memory:'",
        None, "IDENTITY_STORE",
    ),
    "http_transport": Key(
        choice("aiohttp", "httpx-aiohttp", "httpx"),
        "one of 'aiohttp', 'httpx-aiohttp', 'httpx'", "aiohttp", "HTTP_TRANSPORT",
    ),
    # false: every request on Strawberry's own path, not the engine's fast path
    "fast_path": Key(flag, "true or false", True, "FAST_PATH"),
    "write_vendor": Key(  # where logInteraction writes when the input names no vendor
        choice("moxiworks", "procurios", "crmcom"),
        "one of 'moxiworks', 'procurios', 'crmcom'", "moxiworks",
    ),
    "request_deadline_s": Key(number(0), "a number of seconds > 0", 10.0),
    # how long an idempotencyKey's record answers retries after its last change
    "idempotency_ttl_s": Key(
        number(0), "a number of seconds > 0", 86_400.0, "IDEMPOTENCY_TTL_S",
    ),
}  # fmt: skip

# A request's vendor calls: estimated before it runs, then counted (README "Limits").
BUDGET_KEYS: dict[str, Key] = {
    "max_vendor_calls": Key(integer(1), "an integer >= 1", 2000),
    "max_nodes_ids": Key(integer(1), "an integer >= 1", 100),
}

# Keys every [vendors.<name>] table accepts.
VENDOR_KEYS: dict[str, Key] = {
    "base_url": Key(http_url, "an http(s) URL", None, "{vendor}_URL"),
    "timeout_s": Key(number(0), "a number of seconds > 0", 5.0),
    "max_connections": Key(integer(1), "an integer >= 1", 100),
    "contact_key": Key(contact_key, "'account', 'link' or 'custom_field:<FIELD>'"),
    "history_horizon_days": Key(integer(1), "a number of days >= 1"),
    "timezone": Key(timezone, "an IANA time zone name, e.g. 'Europe/Amsterdam'", "UTC"),
}  # fmt: skip

_AGENT = "an identifier (text)"
# Keys only one vendor's table accepts.
VENDOR_ONLY_KEYS: dict[str, dict[str, Key]] = {
    "livevox": {},
    "moxiworks": {
        "agent_uuid": Key(text, _AGENT),
        "moxi_works_agent_id": Key(text, _AGENT),
        "source_agent_id": Key(text, _AGENT),
        "moxi_works_company_id": Key(text, _AGENT),
        "parent_company_id": Key(text, _AGENT),
    },
    "procurios": {
        "page_cache_s": Key(number(0, inclusive=True), "a number of seconds >= 0"),
        "sender": Key(text, "a sender name (text)"),
    },
    "crmcom": {
        "queues": Key(
            crmcom_queues,
            "a list of queues: { media = 'SMS' }, { external_system = 'EXT 1' }, "
            "or a media's or an external system's name",
        ),
    },
    "engage": {
        "org_id": Key(text, "the internalId of the Engage account (text)"),
    },
}

# ---- [security] and [limits] (README "Security"; built by security_settings.py) ----
_SWITCH = "true or false"
SECURITY_KEYS: dict[str, Key] = {
    "profile": Key(
        choice(*sec.PROFILES), "'development' or 'production'", None, "PROFILE"
    ),
    **{name: Key(sec.switch, _SWITCH, None, name.upper()) for name in sec.SWITCHES},
    "anonymous_scopes": Key(
        sec.scopes, "a list of scopes: read, write, admin", None, "ANONYMOUS_SCOPES"
    ),
    "cors_origins": Key(sec.origins, "a list of origins", (), "CORS_ORIGINS"),
    "api_keys": Key(
        sec.api_key_tables,
        "[[security.api_keys]] tables: name, sha256 (hex SHA-256 of the key), scopes",
        (),
    ),
    "jwt": Key(
        sec.jwt_table,
        "a table: jwks_url, issuer, audience, algorithms (not 'none'), leeway_s, "
        "jwks_cache_s (the HS256 secret only from TRUNKLINE_JWT_SECRET)",
        None,
    ),
}
# [limits]: parsing and shape limits (security/), and the vendor-call budget (cost.py).
LIMIT_KEYS: dict[str, Key] = {
    **{
        f.name: Key(integer(1), "an integer >= 1", f.default)
        for f in fields(sec.Limits)
    },
    **BUDGET_KEYS,
}

# Tables besides [vendors.*]; a new table is one line here.
TABLES: dict[str, dict[str, Key]] = {
    "gateway": GATEWAY_KEYS,
    "security": SECURITY_KEYS,
    "limits": LIMIT_KEYS,
}

# Credentials belong in the environment: named in the error, not "unknown key".
CREDENTIAL_KEYS = frozenset(
    {"password", "secret", "token", "access_token", "username", "client_name"}
)


def vendor_keys(vendor: str) -> dict[str, Key]:
    """The keys `[vendors.<vendor>]` accepts."""
    return {**VENDOR_KEYS, **VENDOR_ONLY_KEYS.get(vendor, {})}


def known_vendors() -> list[str]:
    return sorted(v.value for v in Vendor)


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
    timeout_s: float = 5.0
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
    identity_store: str = field(default_factory=lambda: default_identity_store())
    http_transport: str = "aiohttp"
    fast_path: bool = True  # the engine's fast path (engine/); TRUNKLINE_FAST_PATH
    # Safety limits (README "Limits"): the request deadline and call budget.
    request_deadline_s: float = 10.0
    max_vendor_calls: int = 2000
    max_nodes_ids: int = 100
    # Every table of TABLES, checked, with defaults filled in.
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)
    # [security] and [limits] with the environment's keys and secret (security/)
    security: sec.SecuritySettings = field(default_factory=sec.SecuritySettings)

    # The TRUNKLINE_* environment, for vendors the config file does not name.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    def vendor(self, name: str) -> VendorSettings:
        found = self.vendors.get(name)
        return found or _vendor_settings(name, {}, self.environ, "")

    def table(self, name: str) -> Mapping[str, Any]:
        return self.tables.get(name, {})


def default_identity_store() -> str:
    """The per-user data directory's store (e.g. ~/.local/share/trunkline/ on Linux)."""
    import platformdirs

    return str(
        platformdirs.user_data_path(APP_NAME, appauthor=False) / DEFAULT_STORE_NAME
    )


def identity_store_location(value: str | None, base: Path | None) -> str:
    """Where the identity store lives: `value` (relative to `base`, the config file's
    folder, when it came from the file), else the per-user data directory. `serve` and
    `links import` both read it from `load_settings`, so they always agree."""
    if value is None:
        return default_identity_store()
    if value == ":memory:" or "://" in value:
        return value
    path = Path(value).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path)


def _read_secrets_file(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"secrets file {path}: {exc.strerror}") from None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _check(key: Key, raw: Any, *, from_env: bool) -> Any:
    """A value checked; the environment's text may also stand for a number."""
    try:
        return key.check(raw)
    except (TypeError, ValueError):
        if not from_env:
            raise
    for number_type in (int, float):
        try:
            return key.check(number_type(raw))
        except (TypeError, ValueError):
            continue
    raise ValueError


def _checked(
    where: str,
    keys: Mapping[str, Key],
    table: Mapping[str, Any],
    env: Mapping[str, str],
    vendor: str = "",
) -> dict[str, Any]:
    """The table's values (environment overrides first), each checked; unknown keys
    are errors. Keys absent from both are left out: defaults are the caller's."""
    unknown = sorted(set(table) - set(keys))
    for name in unknown:
        if name in CREDENTIAL_KEYS:
            var = f"{ENV_PREFIX}{vendor.upper()}_{name.upper()}" if vendor else ""
            raise ConfigError(
                f"{where} {name}: credentials belong in the environment ({var}), "
                "not in the config file"
            )
    if unknown:
        raise ConfigError(
            f"{where} {unknown[0]}: unknown key; known keys: {', '.join(sorted(keys))}"
        )
    values: dict[str, Any] = {}
    for name, key in keys.items():
        var = f"{ENV_PREFIX}{key.env.format(vendor=vendor.upper())}" if key.env else ""
        from_env = bool(var and env.get(var))
        if from_env:
            raw, origin = env[var], f"{var} ({where} {name})"
        elif name in table:
            raw, origin = table[name], f"{where} {name}"
        else:
            continue
        try:
            values[name] = _check(key, raw, from_env=from_env)
        except (TypeError, ValueError):
            raise ConfigError(f"{origin} = {raw!r}: expected {key.expected}") from None
    return values


def _vendor_settings(
    name: str, table: Mapping[str, Any], env: Mapping[str, str], path: str
) -> VendorSettings:
    where = f"{path}[vendors.{name}]"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table of settings, got {table!r}")
    prefix = f"{ENV_PREFIX}{name.upper()}_"
    values = _checked(where, vendor_keys(name), table, env, name)
    typed = {"base_url", "timeout_s", "max_connections"}
    secrets = {
        k[len(prefix) :]: v
        for k, v in env.items()
        if k.startswith(prefix) and k[len(prefix) :] != "URL"
    }
    return VendorSettings(
        name=name,
        base_url=values.get("base_url"),
        timeout_s=values.get("timeout_s", VENDOR_KEYS["timeout_s"].default),
        max_connections=values.get(
            "max_connections", VENDOR_KEYS["max_connections"].default
        ),
        options={k: v for k, v in values.items() if k not in typed},
        secrets=Secrets(secrets),
    )


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
    where = ""
    if path:
        where = f"{path}: "
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except OSError as exc:
            raise ConfigError(f"config file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    unknown = sorted(set(data) - set(TABLES) - {"vendors"})
    if unknown:
        raise ConfigError(
            f"{where}[{unknown[0]}]: unknown table; known tables: "
            + ", ".join(sorted([*TABLES, "vendors.<vendor>"]))
        )
    tables: dict[str, dict[str, Any]] = {}
    for name, keys in TABLES.items():
        table = data.get(name, {})
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}[{name}]: expected a table, got {table!r}")
        given = _checked(f"{where}[{name}]", keys, table, environ)
        tables[name] = {k: given.get(k, key.default) for k, key in keys.items()}
    vendor_tables = data.get("vendors", {})
    if not isinstance(vendor_tables, Mapping):
        raise ConfigError(f"{where}[vendors]: expected tables [vendors.<vendor>]")
    unknown = sorted(set(vendor_tables) - set(known_vendors()))
    if unknown:
        raise ConfigError(
            f"{where}[vendors.{unknown[0]}]: unknown vendor; known vendors: "
            + ", ".join(known_vendors())
        )
    # Every vendor now, so a bad TRUNKLINE_<VENDOR>_URL stops start-up here.
    names = set(vendor_tables) | set(vendor_names) | set(known_vendors())
    vendors = {
        n: _vendor_settings(n, vendor_tables.get(n, {}), environ, where) for n in names
    }
    gateway = tables["gateway"]
    from_file = "identity_store" in data.get("gateway", {}) and not environ.get(
        f"{ENV_PREFIX}IDENTITY_STORE"
    )
    base = Path(path).resolve().parent if path and from_file else None
    return Settings(
        vendors=vendors,
        environ={k: v for k, v in environ.items() if k.startswith(ENV_PREFIX)},
        max_page_size=gateway["max_page_size"],
        history_horizon_days=gateway["history_horizon_days"],
        identity_store=identity_store_location(gateway["identity_store"], base),
        http_transport=gateway["http_transport"],
        fast_path=gateway["fast_path"],
        request_deadline_s=gateway["request_deadline_s"],
        max_vendor_calls=tables["limits"]["max_vendor_calls"],
        max_nodes_ids=tables["limits"]["max_nodes_ids"],
        tables=tables,
        security=sec.security_settings(tables["security"], tables["limits"], environ),
    )


__all__ = [
    "BUDGET_KEYS",
    "GATEWAY_KEYS",
    "TABLES",
    "VENDOR_KEYS",
    "VENDOR_ONLY_KEYS",
    "Key",
    "Secrets",
    "Settings",
    "VendorSettings",
    "default_identity_store",
    "identity_store_location",
    "load_settings",
    "vendor_keys",
]
