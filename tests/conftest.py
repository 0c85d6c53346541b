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


# The modules of the tests that start processes, servers or a browser (marked e2e,
# browser or audit). Under pytest-xdist with `--dist loadgroup` (scripts/test) they run
# first, one after another on one worker: each module's server starts once, no two
# Chromiums or npm installs run at once, and the latency checks share the machine with
# one worker's unit tests, not with another server. Every other module is a unit of
# its own, on whichever worker is free. (xdist's own `xdist_group` marks name no
# group under pytest 9.2, pytest-xdist issue 1386: hence a scheduler of our own.)
SERIAL_MARKERS = ("e2e", "browser", "audit")
SERIAL_MODULES = (
    "test_e2e.py",
    "test_security_e2e.py",
    "test_subscriptions.py",
    "test_graphiql_browser.py",
    "test_graphiql_subscription.py",
    "test_http_audit.py",
)


def _serial(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1] in SERIAL_MODULES


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return "processes" if _serial(nodeid) else nodeid.split("::", 1)[0]

    config.option.loadscopereorder = False  # collection order: the serial ones first
    return Scheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Mark every test on the gateway app (`gql`) `gateway`; skip the fast path's
    own tests (marked `fast_path`) when it is off; on an xdist worker, put the
    process-starting tests first (their modules are listed in SERIAL_MODULES)."""
    for item in items:
        if "gql" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gateway)
        if not FAST_PATH and item.get_closest_marker("fast_path"):
            item.add_marker(pytest.mark.skip(reason="the fast path is off"))
        marked = any(item.get_closest_marker(m) for m in SERIAL_MARKERS)
        if marked and not _serial(item.nodeid):
            raise pytest.UsageError(
                f"{item.nodeid} is marked {'/'.join(SERIAL_MARKERS)}: add its module "
                "to SERIAL_MODULES in tests/conftest.py"
            )
    if hasattr(config, "workerinput"):  # every worker the same: a stable sort
        items.sort(key=lambda item: not _serial(item.nodeid))


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
