"""Shared fixtures: the gateway over its embedded simulators, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import FAST_PATH, FAST_PATH_ENV, GraphQLClient
from trunkline.app import create_app
from trunkline.config import load_settings


@pytest.fixture(autouse=True)
def _user_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identity store's default (the per-user data dir) never in the real home."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


# Tests that start processes, servers or a browser: under pytest-xdist (scripts/test
# runs `-n auto --dist loadgroup`) they run one after another on one worker, so each
# module's server starts once, no two Chromiums or npm installs run at once, and the
# latency checks compete with one worker's unit tests, not with another server.
SERIAL_MARKERS = ("e2e", "browser", "audit")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Mark every test on the gateway app (`gql`) `gateway`; skip the fast path's
    own tests (marked `fast_path`) when it is off; group the process-starting tests
    on one xdist worker."""
    xdist = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if "gql" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gateway)
        if not FAST_PATH and item.get_closest_marker("fast_path"):
            item.add_marker(pytest.mark.skip(reason="the fast path is off"))
        if xdist and any(item.get_closest_marker(m) for m in SERIAL_MARKERS):
            item.add_marker(pytest.mark.xdist_group("processes"))


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    return load_settings(
        env={
            "TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3"),
            **FAST_PATH_ENV,
        }
    )


@pytest.fixture
async def gql(settings: Any) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings, lazy_simulators=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway"
        ) as http:
            yield GraphQLClient(http, app)
