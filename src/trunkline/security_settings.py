"""The `[security]` and `[limits]` tables (declared and checked in config.py, with the
value checks below), and the secrets the environment holds for them.

    [security]
    profile = "production"          # TRUNKLINE_PROFILE; default "development"
    anonymous_scopes = []           # TRUNKLINE_ANONYMOUS_SCOPES="read,write"
    introspection = false           # TRUNKLINE_INTROSPECTION
    graphiql = false                # TRUNKLINE_GRAPHIQL
    field_suggestions = false       # TRUNKLINE_FIELD_SUGGESTIONS
    get_queries = false             # TRUNKLINE_GET_QUERIES
    embedded_simulators = false     # TRUNKLINE_EMBEDDED_SIMULATORS
    mount_simulators = false        # TRUNKLINE_MOUNT_SIMULATORS (/simulators/<v>)
    cors_origins = ["https://app.example"]   # TRUNKLINE_CORS_ORIGINS (comma list)

    [[security.api_keys]]           # plus TRUNKLINE_API_KEYS="k1,k2" (full scope)
    name = "crm-sync"
    sha256 = "9f86d0…"              # hex sha256 of the key; the key itself never here
    scopes = ["read"]

    [security.jwt]                  # HS256 secret: TRUNKLINE_JWT_SECRET (env only)
    jwks_url = "https://idp.example/.well-known/jwks.json"
    issuer = "https://idp.example/"
    audience = "trunkline"

    [limits]
    max_document_bytes = 32768      # ... see `Limits`

The profile sets the defaults; a switch set explicitly wins over its profile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final

from trunkline.errors import ConfigError

PROFILES: Final = ("development", "production")
SCOPES: Final = ("read", "write", "admin")
ENV: Final = "TRUNKLINE_"


@dataclass(frozen=True)
class Limits:
    """What one GraphQL document may hold; over any of these it is refused
    (QUERY_TOO_COMPLEX, or REQUEST_TOO_LARGE for bytes) before validation."""

    max_body_bytes: int = 1_000_000  # a POST body (document, variables, ...)
    max_document_bytes: int = 32_768
    max_tokens: int = 1_000  # lexical tokens (and, apart, comments)
    max_operations: int = 25
    max_aliases: int = 30
    max_depth: int = 15  # fields on the longest path, fragments followed
    max_directives: int = 20
    max_directives_per_location: int = 3
    max_duplicate_fields: int = 10  # one response name in one selection set
    max_input_values: int = 100  # in one list or object literal, nested included
    document_cache_bytes: int = 64 << 20  # parsed documents kept, estimated bytes


@dataclass(frozen=True)
class ApiKey:
    name: str
    sha256: bytes = field(repr=False)
    scopes: frozenset[str]


@dataclass(frozen=True)
class JwtSettings:
    secret: str | None = field(default=None, repr=False)  # HS256
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    algorithms: tuple[str, ...] = ()
    leeway_s: float = 30.0
    jwks_cache_s: float = 300.0

    @property
    def enabled(self) -> bool:
        return bool(self.secret or self.jwks_url)


@dataclass(frozen=True)
class SecuritySettings:
    profile: str = "development"
    anonymous_scopes: frozenset[str] = frozenset(SCOPES)
    introspection: bool = True
    graphiql: bool = True
    field_suggestions: bool = True
    get_queries: bool = True
    embedded_simulators: bool = True
    mount_simulators: bool = False
    cors_origins: tuple[str, ...] = ()
    api_keys: tuple[ApiKey, ...] = ()
    jwt: JwtSettings = field(default_factory=JwtSettings)
    limits: Limits = field(default_factory=Limits)


SWITCHES: Final = (
    "introspection",
    "graphiql",
    "field_suggestions",
    "get_queries",
    "embedded_simulators",
    "mount_simulators",
)
_JWT_KEYS: Final = frozenset(
    {"jwks_url", "issuer", "audience", "algorithms", "leeway_s", "jwks_cache_s"}
)


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


# ---- value checks for config.py's [security] keys: the value, or ValueError ---------


def switch(value: Any) -> bool:
    """true/false (the environment's text: 1/0, true/false, yes/no, on/off)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    raise ValueError


def _names(value: Any) -> list[str]:
    """A list of names, or (from the environment) a comma-separated text."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ValueError


def scopes(value: Any) -> frozenset[str]:
    names = [] if value == "none" else _names(value)
    if set(names) - set(SCOPES):
        raise ValueError
    return frozenset(names)


def origins(value: Any) -> tuple[str, ...]:
    return tuple(_names(value))


def api_key_tables(value: Any) -> tuple[ApiKey, ...]:
    """[[security.api_keys]]: name, sha256 (the key's hex SHA-256), scopes."""
    if not isinstance(value, list):
        raise ValueError
    keys: list[ApiKey] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"name", "sha256", "scopes"}:
            raise ValueError
        try:
            digest = bytes.fromhex(str(item.get("sha256", "")))
        except ValueError:
            digest = b""
        if len(digest) != 32:
            raise ValueError
        keys.append(
            ApiKey(
                str(item.get("name", f"api_keys[{i}]")),
                digest,
                scopes(item.get("scopes", ["read"])),
            )
        )
    return tuple(keys)


def jwt_table(value: Any) -> dict[str, Any]:
    """[security.jwt]: jwks_url, issuer, audience, algorithms, leeway_s, jwks_cache_s
    (the HS256 secret only from TRUNKLINE_JWT_SECRET)."""
    if not isinstance(value, dict) or set(value) - _JWT_KEYS:
        raise ValueError
    algorithms = value.get("algorithms", [])
    if not isinstance(algorithms, list) or "none" in [
        str(a).lower() for a in algorithms
    ]:
        raise ValueError
    for name in ("leeway_s", "jwks_cache_s"):
        if name in value and (
            isinstance(value[name], bool) or not isinstance(value[name], int | float)
        ):
            raise ValueError
    return dict(value)


# ---- the settings, from config's checked [security] and [limits] tables -----------


def security_settings(
    table: Mapping[str, Any],
    limits: Mapping[str, Any],
    env: Mapping[str, str],
) -> SecuritySettings:
    """The security settings from config's checked tables (their values already
    through the checks above, environment overrides applied) and the environment's
    secrets (TRUNKLINE_API_KEYS, TRUNKLINE_JWT_SECRET)."""
    profile = table.get("profile") or "development"
    if profile not in PROFILES:
        raise ConfigError(f"[security] profile: {profile!r} is not one of {PROFILES}")
    production = profile == "production"
    values = {name: table.get(name) for name in SWITCHES}
    defaults = {
        name: not production and name != "mount_simulators" for name in SWITCHES
    }
    api_keys = tuple(table.get("api_keys") or ()) + tuple(
        ApiKey(f"{ENV}API_KEYS[{i}]", hash_key(key), frozenset(SCOPES))
        for i, key in enumerate(_names(env.get(f"{ENV}API_KEYS", "")))
    )
    jwt = _jwt(table.get("jwt") or {}, env)
    anonymous = table.get("anonymous_scopes")
    if anonymous is None:  # open only for the demo: no credentials, not production
        open_demo = not production and not api_keys and not jwt.enabled
        anonymous = frozenset(SCOPES) if open_demo else frozenset()
    return SecuritySettings(
        profile=profile,
        anonymous_scopes=frozenset(anonymous),
        cors_origins=tuple(table.get("cors_origins") or ()),
        api_keys=api_keys,
        jwt=jwt,
        limits=Limits(**{k: v for k, v in limits.items() if k in LIMIT_NAMES}),
        **{name: defaults[name] if v is None else v for name, v in values.items()},
    )


def _jwt(table: Mapping[str, Any], env: Mapping[str, str]) -> JwtSettings:
    secret = env.get(f"{ENV}JWT_SECRET") or None
    jwks_url = table.get("jwks_url") or None
    default_algorithms = ["HS256"] if secret else ["RS256", "ES256"]
    return JwtSettings(
        secret=secret,
        jwks_url=str(jwks_url) if jwks_url else None,
        issuer=table.get("issuer"),
        audience=table.get("audience"),
        algorithms=tuple(str(a) for a in table.get("algorithms") or default_algorithms),
        leeway_s=float(table.get("leeway_s", 30.0)),
        jwks_cache_s=float(table.get("jwks_cache_s", 300.0)),
    )


LIMIT_NAMES: Final = frozenset(f.name for f in fields(Limits))


__all__ = [
    "LIMIT_NAMES",
    "PROFILES",
    "SCOPES",
    "SWITCHES",
    "ApiKey",
    "JwtSettings",
    "Limits",
    "SecuritySettings",
    "api_key_tables",
    "hash_key",
    "jwt_table",
    "origins",
    "scopes",
    "security_settings",
    "switch",
]
