"""Helpers for the security suite: gateways under given settings, vendor call counts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.types import ASGIApp

from trunkline.app import LazySimulator, create_app
from trunkline.config import Settings, load_settings
from trunkline.connectors import connector_classes
from trunkline.domain import Vendor
from trunkline.simulators.engage import DEFAULT_PASSWORD as ENGAGE_PASSWORD
from trunkline.simulators.engage import DEFAULT_USERNAME as ENGAGE_USERNAME
from trunkline.simulators.livevox import Credentials as LiveVoxCredentials

FULL_KEY = "full-key-0123456789"  # TRUNKLINE_API_KEYS: read, write, admin
READ_KEY = "read-key-0123456789"  # [[security.api_keys]] with scopes = ["read"]
WRITE_KEY = "write-key-0123456789"  # scopes = ["write"]

# In-process simulators expect the embedded stand-ins (os.environ sets none here); a
# vendor at a base_url must be sent credentials, so send those.
_LV = LiveVoxCredentials()
CREDENTIALS = {
    "TRUNKLINE_LIVEVOX_CLIENT_NAME": _LV.client_name,
    "TRUNKLINE_LIVEVOX_USERNAME": _LV.user_name,
    "TRUNKLINE_LIVEVOX_PASSWORD": _LV.password,
    "TRUNKLINE_LIVEVOX_ACCESS_TOKEN": _LV.access_token,
    "TRUNKLINE_ENGAGE_USERNAME": ENGAGE_USERNAME,
    "TRUNKLINE_ENGAGE_PASSWORD": ENGAGE_PASSWORD,
    "TRUNKLINE_MOXIWORKS_USERNAME": "partner",
    "TRUNKLINE_MOXIWORKS_PASSWORD": "secret",
    "TRUNKLINE_PROCURIOS_TOKEN": "token",
    "TRUNKLINE_CRMCOM_USERNAME": "api",
    "TRUNKLINE_CRMCOM_PASSWORD": "secret",
}
KEYS_TOML = f"""
[[security.api_keys]]
name = "reader"
sha256 = "{__import__("hashlib").sha256(READ_KEY.encode()).hexdigest()}"
scopes = ["read"]

[[security.api_keys]]
name = "writer"
sha256 = "{__import__("hashlib").sha256(WRITE_KEY.encode()).hexdigest()}"
scopes = ["write"]
"""
MOXI = (
    '[vendors.moxiworks]\nagent_uuid = "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10"\n'
    '[vendors.engage]\norg_id = "1001"\n'
)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def settings_from(
    tmp_path: Path, toml: str = "", env: Mapping[str, str] | None = None
) -> Settings:
    config = tmp_path / "trunkline.toml"
    config.write_text(toml, encoding="utf-8")
    return load_settings(
        config,
        env={
            "TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3"),
            **(env or {}),
        },
    )


def production_settings(
    tmp_path: Path, toml: str = "", env: Mapping[str, str] | None = None
) -> Settings:
    """The production profile with every vendor at a (simulated) base URL, a full-scope
    key in TRUNKLINE_API_KEYS, and read-only and write-only keys in the file."""
    urls = {
        f"TRUNKLINE_{v.value.upper()}_URL": f"http://{v.value}.test"
        for v in connector_classes()
    }
    return settings_from(
        tmp_path,
        MOXI + KEYS_TOML + toml,
        {
            "TRUNKLINE_PROFILE": "production",
            "TRUNKLINE_API_KEYS": FULL_KEY,
            **CREDENTIALS,
            **urls,
            **(env or {}),
        },
    )


@dataclass
class Gateway:
    http: httpx.AsyncClient
    app: Starlette
    sims: dict[Vendor, Any]

    def calls(self) -> int:
        """Vendor calls answered by every simulator so far (control routes excluded);
        a simulator never built (lazy) answered none."""
        return sum(
            len(sim.state.calls)
            for sim in self.sims.values()
            if getattr(sim, "built", True)
        )

    async def post(
        self, query: str, *, key: str | None = FULL_KEY, **body: Any
    ) -> httpx.Response:
        headers = bearer(key) if key else {}
        return await self.http.post(
            "/graphql", json={"query": query, **body}, headers=headers
        )


@asynccontextmanager
async def gateway(
    settings: Settings, *, real_vendors: bool = False
) -> AsyncIterator[Gateway]:
    """The app over ASGI. With `real_vendors`, every vendor has a base_url and its
    simulator is handed in as that vendor's app (what a production test needs).
    Simulators are built when first reached (most of these tests reach none)."""
    apps: dict[Vendor, ASGIApp] = {}
    if real_vendors:
        apps = {v: LazySimulator(v) for v in connector_classes()}
    app = create_app(settings, apps=apps, lazy_simulators=True)
    sims = dict(apps) if real_vendors else dict(app.state.simulators)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway"
        ) as http:
            yield Gateway(http, app, sims)
