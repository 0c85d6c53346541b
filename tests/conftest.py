"""Shared fixtures: the gateway over its embedded simulators, in-process."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The gateway and its helpers are imported where used: the xdist controller loads this
# file too, and starts its workers only once it has (it runs no test itself).
if TYPE_CHECKING:
    from support import GraphQLClient


@pytest.fixture(autouse=True)
def _user_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identity store's default (the per-user data dir) never in the real home."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


# Tests that start processes, servers or a browser (marked e2e, browser or audit).
# Under pytest-xdist with `--dist loadgroup` (scripts/test) their modules run first,
# one after another on one worker: each module's server starts once, no two Chromiums
# or npm installs run at once, and the latency checks share the machine with one
# worker's unit tests, not with another server. The modules that count round trips
# by a simulator's latency (round_trips.py) follow on that worker, once no process
# or browser is starting beside them. Every other module is a unit of its own, on
# whichever worker is free. (xdist's own `xdist_group` marks name no group
# under pytest 9.2, pytest-xdist issue 1386: hence a scheduler of our own. It sees
# only test ids, so each worker writes the marked modules to a file it reads.)
SERIAL_MARKERS = ("e2e", "browser", "audit")
SERIAL_KEY = "trunkline_serial_modules"  # workerinput: where workers write them
# The longest unit modules (5 to 10 s each), handed out right after the serial group:
# a run that ends on one of them leaves the other worker idle meanwhile.
LONG_UNITS = (
    "tests/test_interactions.py",
    "tests/test_writes.py",
    "tests/test_history_knobs.py",
    "tests/test_livevox_fidelity.py",
    "tests/test_crmcom_knobs.py",
)
_serial_dir = pytest.StashKey[Path]()


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _order(module: str, serial: set[str], timed: set[str]) -> int:
    """The serial group (process-starting modules, then timed ones) first, then the
    long units, then the rest (each in collection order)."""
    if module in serial:
        return 0
    if module in timed:
        return 1
    return 2 if module in LONG_UNITS else 3


def _counts_round_trips(item: pytest.Item) -> bool:
    """A module that groups a simulator's calls into round trips by their timing
    (round_trips.py): a call that arrives late, behind a busy machine, moves rounds."""
    module = getattr(item, "module", None)
    return module is not None and any(
        getattr(value, "__module__", None) == "round_trips"
        for value in vars(module).values()
    )


def pytest_configure(config: pytest.Config) -> None:
    # The young generation collected every 100,000 allocations, not 700, as `trunkline
    # serve` does (app.tune_gc_for_serving): the seeded simulator data makes a worker's
    # heap millions of objects, which the defaults walked again and again (a fifth of
    # a run's CPU, 20 s).
    gc.set_threshold(100_000, 20, 20)
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.stash[_serial_dir] = Path(tempfile.mkdtemp(prefix="trunkline-serial-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _serial_dir in config.stash:
        shutil.rmtree(config.stash[_serial_dir], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[SERIAL_KEY] = str(node.config.stash[_serial_dir])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    written = config.stash[_serial_dir]

    class Scheduling(LoadScopeScheduling):  # type: ignore[misc]
        serial: set[str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.serial is None:  # called once every worker has collected
                self.serial = {
                    line for f in written.iterdir() for line in f.read_text().split()
                }
            module = _module(nodeid)
            return "processes" if module in self.serial else module

    config.option.loadscopereorder = False  # collection order: the serial ones first
    return Scheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Mark every test on the gateway app (`gql`) `gateway`; skip the fast path's
    own tests (marked `fast_path`) when it is off; on an xdist worker, put the
    modules of process-starting tests first, then those that count round trips by
    timing (beside one worker's unit tests, not beside starting servers or a browser),
    and name them to the scheduler."""
    from support import FAST_PATH

    serial: set[str] = set()
    timed: set[str] = set()
    for item in items:
        if "gql" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gateway)
        if not FAST_PATH and item.get_closest_marker("fast_path"):
            item.add_marker(pytest.mark.skip(reason="the fast path is off"))
        if any(item.get_closest_marker(m) for m in SERIAL_MARKERS):
            serial.add(_module(item.nodeid))
        elif _counts_round_trips(item):
            timed.add(_module(item.nodeid))
    timed -= serial
    worker = getattr(config, "workerinput", None)
    if worker is not None and SERIAL_KEY in worker:
        items.sort(key=lambda item: _order(_module(item.nodeid), serial, timed))
        out = Path(worker[SERIAL_KEY]) / worker["workerid"]
        out.write_text("\n".join(sorted(serial | timed)), encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    from support import FAST_PATH_ENV
    from trunkline.config import load_settings

    return load_settings(
        env={
            "TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3"),
            **FAST_PATH_ENV,
        }
    )


@pytest.fixture
async def gql(settings: Any) -> AsyncIterator[GraphQLClient]:
    import httpx

    from support import GraphQLClient
    from trunkline.app import create_app

    app = create_app(settings, lazy_simulators=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway"
        ) as http:
            yield GraphQLClient(http, app)


@pytest.fixture(scope="session")
def served_gateway(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, int]]:
    """`trunkline serve` on 127.0.0.1 over its embedded simulators, as (url, pid):
    started once for the end-to-end modules (test_e2e, test_security_e2e), which run
    in turn on one worker (a start costs about two seconds of CPU)."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    here = tmp_path_factory.mktemp("served")
    log = here / "serve.log"
    env = {**os.environ, "TRUNKLINE_IDENTITY_STORE": str(here / "links.db")}
    with log.open("wb") as out:  # a file, not a pipe: a pipe nobody reads fills up
        proc = subprocess.Popen(
            [sys.executable, "-m", "trunkline.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).parent,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            proc.kill()
            pytest.fail(f"trunkline serve did not start:\n{log.read_text()}")
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)
