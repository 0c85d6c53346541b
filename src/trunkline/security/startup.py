"""What the security settings decide when the app is built: refusals at start-up and
the CORS middleware."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from trunkline.errors import ConfigError
from trunkline.security_settings import SecuritySettings


def check_startup(settings: SecuritySettings, embedded: Iterable[str]) -> None:
    """Raise ConfigError for a configuration the profile (or a switch) forbids."""
    names = sorted(embedded)
    if names and not settings.embedded_simulators:
        raise ConfigError(
            f"{settings.profile} profile: embedded simulators are not allowed, and "
            f"these vendors have no base_url: {', '.join(names)} (set "
            "[vendors.<name>] base_url or TRUNKLINE_<VENDOR>_URL)"
        )
    if settings.profile == "production" and not (
        settings.api_keys or settings.jwt.enabled or settings.anonymous_scopes
    ):
        raise ConfigError(
            "production profile: no credentials are configured (TRUNKLINE_API_KEYS, "
            "[[security.api_keys]], or [security.jwt] with TRUNKLINE_JWT_SECRET or "
            "jwks_url), so no request could be served"
        )


def cors_middleware(settings: SecuritySettings) -> list[Middleware]:
    """CORS for the configured origins only; none configured, no CORS headers (a
    browser then keeps other origins' scripts from reading any answer)."""
    if not settings.cors_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"] if settings.get_queries else ["POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            allow_credentials=False,
            max_age=600,
        )
    ]


__all__ = ["check_startup", "cors_middleware"]
