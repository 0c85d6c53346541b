"""Who is asking: an API key or a JWT from `Authorization: Bearer <credential>`.

API keys are kept as SHA-256 digests and a presented key's digest is compared with
every configured one in constant time (`hmac.compare_digest`, no early exit), so
neither the keys nor the timing of a comparison tells anything about them. A bearer
credential shaped as a JWT (three dot-separated parts) is verified by PyJWT when JWT is
configured: signature (an HS256 secret, or the issuer's JWKS), expiry, and the issuer
and audience when set. Its scopes come from the `scope` claim (space-separated, OAuth
2.0) or `scp`/`scopes` (a list or a string).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx
import jwt

from trunkline.errors import Unauthenticated
from trunkline.security_settings import (
    SCOPES,
    ApiKey,
    JwtSettings,
    SecuritySettings,
    hash_key,
)

log = logging.getLogger("trunkline.security")

# admin may do all that write may, and write all that read may.
IMPLIED: Final[Mapping[str, frozenset[str]]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"read", "write"}),
    "admin": frozenset(SCOPES),
}
_NO_KEY: Final = bytes(32)
_JWKS_RETRY_S: Final = 30.0  # an unknown key id refetches the JWKS at most this often


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str | None  # None: anonymous
    scopes: frozenset[str]
    # Unix time the credential stops being valid (a JWT's exp plus the leeway): a
    # WebSocket authenticated once must not outlive it
    expires_at: float | None = None

    @property
    def anonymous(self) -> bool:
        return self.subject is None


def expand(scopes: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for scope in scopes:
        out |= IMPLIED.get(scope, frozenset())
    return frozenset(out)


class Authenticator:
    def __init__(
        self,
        settings: SecuritySettings,
        *,
        jwks_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.anonymous = Principal(None, expand(settings.anonymous_scopes))
        self.keys: tuple[ApiKey, ...] = settings.api_keys
        self.jwt = settings.jwt
        self._jwks = (
            _Jwks(settings.jwt, jwks_transport) if settings.jwt.jwks_url else None
        )

    async def authenticate(self, authorization: str | None) -> Principal:
        """The request's principal; Unauthenticated for a bad or unusable credential."""
        if authorization is None:
            return self.anonymous
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated("Use 'Authorization: Bearer <API key or JWT>'.")
        if self.jwt.enabled and credential.count(".") == 2:
            return await self._jwt_principal(credential)
        key = self._api_key(credential)
        if key is None:
            raise Unauthenticated("Invalid credentials.")
        return Principal(f"key:{key.name}", expand(key.scopes))

    def _api_key(self, credential: str) -> ApiKey | None:
        digest = hash_key(credential)
        found: ApiKey | None = None
        for key in self.keys:  # every key compared: the time says nothing of a match
            if hmac.compare_digest(digest, key.sha256) and found is None:
                found = key
        if not self.keys:
            hmac.compare_digest(digest, _NO_KEY)
        return found

    async def _jwt_principal(self, token: str) -> Principal:
        settings = self.jwt
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if algorithm not in settings.algorithms:
                raise Unauthenticated(f"Token algorithm {algorithm!r} is not accepted.")
            key: Any
            if algorithm.startswith("HS"):
                if not settings.secret:
                    raise Unauthenticated("Token algorithm is not accepted.")
                key = settings.secret
            else:
                if self._jwks is None:
                    raise Unauthenticated("Token algorithm is not accepted.")
                key = await self._jwks.key(header.get("kid"))
            claims = jwt.decode(
                token,
                key,
                algorithms=list(settings.algorithms),
                audience=settings.audience,
                issuer=settings.issuer,
                leeway=settings.leeway_s,
                options={
                    "require": ["exp"],
                    "verify_aud": settings.audience is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("Token has expired.") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"Invalid token: {exc}") from None
        subject = claims.get("sub")
        return Principal(
            f"jwt:{subject}" if isinstance(subject, str) else "jwt:",
            expand(_claimed_scopes(claims)),
            float(claims["exp"]) + settings.leeway_s,
        )


def _claimed_scopes(claims: Mapping[str, Any]) -> list[str]:
    for name in ("scope", "scp", "scopes"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [s for s in value if isinstance(s, str)]
    return []


class _Jwks:
    """The issuer's signing keys by key id, fetched (asynchronously) when first needed,
    again after `jwks_cache_s`, and on an unknown key id at most every 30 s."""

    def __init__(
        self, settings: JwtSettings, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        assert settings.jwks_url is not None
        self.url = settings.jwks_url
        self.ttl = settings.jwks_cache_s
        self.transport = transport
        self.keys: dict[str | None, Any] = {}
        self.fetched = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: object) -> Any:
        now = time.monotonic()
        stale = now - self.fetched > self.ttl
        unknown = kid not in self.keys and now - self.fetched > _JWKS_RETRY_S
        if stale or unknown:
            await self._refresh()
        if not isinstance(kid, str | None) or kid not in self.keys:
            if kid is None and len(self.keys) == 1:
                return next(iter(self.keys.values()))
            raise Unauthenticated("Token signed with an unknown key.")
        return self.keys[kid]

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self.fetched <= _JWKS_RETRY_S:
                return  # another request just did
            self.fetched = time.monotonic()
            try:
                async with httpx.AsyncClient(
                    transport=self.transport, timeout=5.0
                ) as client:
                    response = await client.get(self.url)
                    response.raise_for_status()
                    jwks = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                log.warning("JWKS fetch from %s failed: %s", self.url, exc)
                return  # keep the keys we had
            self.keys = {k.key_id: k for k in jwks.keys}


__all__ = ["IMPLIED", "Authenticator", "Principal", "expand"]
