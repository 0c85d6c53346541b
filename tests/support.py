"""Test helpers shared by the test modules."""

from __future__ import annotations

import os
from typing import Any

import httpx
from starlette.applications import Starlette

from trunkline.config import load_settings
from trunkline.domain import Vendor

# scripts/test runs the gateway tests a second time with TRUNKLINE_FAST_PATH=false.
FAST_PATH_ENV = {k: v for k, v in os.environ.items() if k == "TRUNKLINE_FAST_PATH"}
FAST_PATH = load_settings(env=FAST_PATH_ENV).fast_path


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, app: Starlette) -> None:
        self.http = http
        self.app = app

    def sim(self, vendor: Vendor) -> Any:
        return self.app.state.simulators[vendor]

    def calls(self, vendor: Vendor) -> list[tuple[str, str, str]]:
        sim = self.sim(vendor)
        if not getattr(sim, "built", True):  # never called: not even built
            return []
        return list(sim.state.calls.entries)

    def reset_calls(self) -> None:
        for sim in self.app.state.simulators.values():
            if getattr(sim, "built", True):
                sim.state.calls.clear()

    async def query(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        r = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = await self.query(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]
