"""Authentication (API keys, JWTs) and scopes, checked before any vendor call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from security_support import (
    FULL_KEY,
    READ_KEY,
    WRITE_KEY,
    Gateway,
    bearer,
    gateway,
    settings_from,
)
from trunkline.errors import Unauthenticated
from trunkline.security import auth as auth_module
from trunkline.security.auth import Authenticator
from trunkline.security.limits import Operation
from trunkline.security.policy import required_scope
from trunkline.security_settings import ApiKey, security_settings
from trunkline.simulators.seed import people

SECRET = "jwt-secret-for-tests-0123456789abcdef"
JWT_TOML = '[security.jwt]\nissuer = "https://idp.test/"\naudience = "trunkline"\n'
KEYS = f"""
[[security.api_keys]]
name = "reader"
sha256 = "{hashlib.sha256(READ_KEY.encode()).hexdigest()}"
scopes = ["read"]

[[security.api_keys]]
name = "writer"
sha256 = "{hashlib.sha256(WRITE_KEY.encode()).hexdigest()}"
scopes = ["write"]
"""
QUERY = "{ contacts(first: 2) { edges { node { account } } } }"


def gid(account: str) -> str:
    return base64.b64encode(f"Contact:{account}".encode()).decode()


def link_mutation() -> str:
    account = people()[3].account
    return (
        f'mutation {{ linkContact(input: {{ contactId: "{gid(account)}", '
        'vendor: PROCURIOS, vendorId: "400003" }) { changed } }'
    )


def token(**claims: Any) -> str:
    now = int(time.time())
    body = {
        "sub": "app-1",
        "iss": "https://idp.test/",
        "aud": "trunkline",
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    return jwt.encode({k: v for k, v in body.items() if v is not None}, SECRET, "HS256")


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Gateway]:
    settings = settings_from(
        tmp_path,
        KEYS + JWT_TOML,
        {"TRUNKLINE_API_KEYS": FULL_KEY, "TRUNKLINE_JWT_SECRET": SECRET},
    )
    async with gateway(settings) as g:
        yield g


async def test_no_credentials_is_401_before_any_vendor_call(gw: Gateway) -> None:
    r = await gw.post(QUERY, key=None)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert gw.calls() == 0


async def test_unauthenticated_is_refused_before_the_body_is_read(gw: Gateway) -> None:
    huge = "{ " + "__typename " * 200_000 + "}"  # over the body limit too
    r = await gw.http.post("/graphql", json={"query": huge})
    assert r.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-key",
        f"Basic {FULL_KEY}",
        "Bearer",
        f"Bearer {FULL_KEY}x",
        f"Bearer {token()[:-2]}",
    ],
    ids=["wrong key", "not bearer", "empty", "key with a suffix", "tampered jwt"],
)
async def test_bad_credentials_are_401(gw: Gateway, authorization: str) -> None:
    r = await gw.http.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": authorization}
    )
    assert r.status_code == 401, r.text
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert gw.calls() == 0


async def test_a_read_key_reads_but_may_not_write(gw: Gateway) -> None:
    r = await gw.post(QUERY, key=READ_KEY)
    assert r.status_code == 200 and len(r.json()["data"]["contacts"]["edges"]) == 2
    before = gw.calls()
    r = await gw.post(link_mutation(), key=READ_KEY)
    assert r.status_code == 403
    [error] = r.json()["errors"]
    assert error == {
        "message": "This mutation needs the 'admin' scope; the credentials have: read.",
        "extensions": {"code": "FORBIDDEN"},
    }
    assert gw.calls() == before


async def test_links_need_admin_not_just_write(gw: Gateway) -> None:
    r = await gw.post(link_mutation(), key=WRITE_KEY)
    assert r.status_code == 403
    assert "'admin' scope" in r.json()["errors"][0]["message"]
    # write implies read
    assert (await gw.post(QUERY, key=WRITE_KEY)).status_code == 200


async def test_the_full_key_from_the_environment_may_link(gw: Gateway) -> None:
    r = await gw.post(link_mutation(), key=FULL_KEY)
    assert r.status_code == 200
    assert r.json()["data"]["linkContact"]["changed"] is True


async def test_a_jwt_with_scopes(gw: Gateway) -> None:
    reader = token(scope="read")
    assert (await gw.post(QUERY, key=reader)).status_code == 200
    assert (await gw.post(link_mutation(), key=reader)).status_code == 403
    admin = token(scp=["read", "admin"])
    r = await gw.post(link_mutation(), key=admin)
    assert r.status_code == 200 and "errors" not in r.json()


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": int(time.time()) - 120}, "Token has expired."),
        ({"iss": "https://evil.test/"}, "Invalid token: Invalid issuer"),
        ({"aud": "someone-else"}, "Invalid token: Audience doesn't match"),
        ({"exp": None}, 'Invalid token: Token is missing the "exp" claim'),
    ],
    ids=["expired", "issuer", "audience", "no expiry"],
)
async def test_jwt_claims_are_checked(
    gw: Gateway, claims: dict[str, Any], message: str
) -> None:
    r = await gw.post(QUERY, key=token(scope="read", **claims))
    assert r.status_code == 401
    assert r.json()["errors"][0]["message"] == message
    assert gw.calls() == 0


async def test_jwt_signed_otherwise_or_unsigned_is_refused(gw: Gateway) -> None:
    now = int(time.time())
    claims = {"iss": "https://idp.test/", "aud": "trunkline", "exp": now + 60}
    forged = jwt.encode(
        {**claims, "scope": "admin"}, "another-secret-0123456789abcdef-xyz"
    )
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    unsigned = f"{header.decode()}.{payload.decode()}."
    for credential in (forged, unsigned):
        r = await gw.post(QUERY, key=credential)
        assert r.status_code == 401, credential
    assert gw.calls() == 0


async def test_anonymous_access_is_what_config_allows(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        '[security]\nanonymous_scopes = ["read"]\n',
        {"TRUNKLINE_API_KEYS": FULL_KEY},
    )
    async with gateway(settings) as g:
        assert (await g.post(QUERY, key=None)).status_code == 200
        r = await g.post(link_mutation(), key=None)
        assert r.status_code == 401
        assert r.json()["errors"][0]["message"] == (
            "This mutation needs the 'admin' scope; send 'Authorization: Bearer "
            "<credential>'."
        )
        assert (await g.post(link_mutation(), key=FULL_KEY)).status_code == 200


def test_anonymous_defaults() -> None:
    demo = security_settings({}, {}, {})
    assert demo.anonymous_scopes == {"read", "write", "admin"}  # the embedded demo
    keyed = security_settings({}, {}, {"TRUNKLINE_API_KEYS": "k"})
    assert keyed.anonymous_scopes == frozenset()  # credentials configured: required
    prod = security_settings({"profile": "production"}, {}, {})
    assert prod.anonymous_scopes == frozenset()


def test_keys_are_kept_as_digests_and_never_shown() -> None:
    settings = security_settings({}, {}, {"TRUNKLINE_API_KEYS": f"{FULL_KEY}, other"})
    assert [k.sha256 for k in settings.api_keys] == [
        hashlib.sha256(FULL_KEY.encode()).digest(),
        hashlib.sha256(b"other").digest(),
    ]
    assert FULL_KEY not in repr(settings)
    assert hashlib.sha256(FULL_KEY.encode()).hexdigest() not in repr(settings)


async def test_every_key_is_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = tuple(
        ApiKey(f"k{i}", hashlib.sha256(f"key-{i}".encode()).digest(), frozenset())
        for i in range(5)
    )
    settings = security_settings({}, {}, {})
    auth = Authenticator(settings)
    auth.keys = keys
    compared: list[bytes] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(auth_module.hmac, "compare_digest", counting)
    for presented in ("key-0", "key-4", "nope"):
        compared.clear()
        try:
            await auth.authenticate(f"Bearer {presented}")
        except Unauthenticated:
            assert presented == "nope"
        assert compared == [k.sha256 for k in keys]  # all of them, whichever matched


def test_scope_per_operation() -> None:
    assert required_scope(Operation(None, "query", frozenset({"contacts"}))) == "read"
    assert required_scope(Operation(None, "subscription", frozenset({"x"}))) == "read"
    assert required_scope(Operation(None, "mutation", frozenset({"other"}))) == "write"
    for name in ("linkContact", "unlinkContact"):
        assert required_scope(Operation(None, "mutation", frozenset({name}))) == "admin"


async def test_a_link_mutation_hidden_in_a_fragment_still_needs_admin(
    gw: Gateway,
) -> None:
    account = people()[3].account
    doc = (
        "mutation { ...M } fragment M on Mutation { "
        f'unlinkContact(input: {{ contactId: "{gid(account)}", vendor: PROCURIOS }}) '
        "{ changed } }"
    )
    r = await gw.post(doc, key=WRITE_KEY)
    assert r.status_code == 403


async def test_jwks_keys_are_fetched_once_and_verify_rs256() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    fetches: list[str] = []

    def jwks(request: httpx.Request) -> httpx.Response:
        fetches.append(str(request.url))
        return httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "use": "sig"}]})

    settings = security_settings(
        {
            "jwt": {
                "jwks_url": "https://idp.test/jwks.json",
                "issuer": "https://idp.test/",
                "audience": "trunkline",
            }
        },
        {},
        {},
    )
    auth = Authenticator(settings, jwks_transport=httpx.MockTransport(jwks))
    claims = {
        "sub": "svc",
        "iss": "https://idp.test/",
        "aud": "trunkline",
        "exp": int(time.time()) + 60,
        "scope": "read write",
    }
    signed = jwt.encode(claims, private, "RS256", headers={"kid": "k1"})
    for _ in range(3):
        principal = await auth.authenticate(f"Bearer {signed}")
        assert principal.scopes == {"read", "write"}
    assert fetches == ["https://idp.test/jwks.json"]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated):
        await auth.authenticate(
            f"Bearer {jwt.encode(claims, other, 'RS256', headers={'kid': 'k1'})}"
        )
    with pytest.raises(Unauthenticated, match="unknown key"):
        await auth.authenticate(
            f"Bearer {jwt.encode(claims, other, 'RS256', headers={'kid': 'k9'})}"
        )
    # HS256 with the public key as secret (algorithm confusion) is not accepted
    with pytest.raises(Unauthenticated, match="algorithm"):
        await auth.authenticate(f"Bearer {jwt.encode(claims, 'x' * 32, 'HS256')}")
    assert len(fetches) == 1  # an unknown kid right after a fetch: no refetch


def test_jwt_secret_is_refused_in_the_config_file(tmp_path: Path) -> None:
    from trunkline.errors import ConfigError

    with pytest.raises(ConfigError, match="TRUNKLINE_JWT_SECRET"):
        settings_from(tmp_path, '[security.jwt]\nsecret = "s"\n')


def test_bearer_helper() -> None:
    assert bearer("k") == {"Authorization": "Bearer k"}
