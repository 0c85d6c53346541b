"""Offline GraphiQL in a real browser: Debian's headless Chromium, network
limited to 127.0.0.1, runs the example query and checks the result pane.

Run: ``pytest -m browser tests/test_graphiql_browser.py`` (or
``scripts/check-graphiql``). Needs node + npm and /usr/bin/chromium
(``apt-get install -y chromium``); installs tests/browser/node_modules with
``npm ci`` if missing. The screenshot lands in /tmp/trunkline-graphiql.png.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route

from trunkline.http import GRAPHIQL_STATIC_PATH, GraphQLEndpoint, graphiql_static_app

pytestmark = pytest.mark.browser

BROWSER_DIR = Path(__file__).parent / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = Path("/tmp/trunkline-graphiql.png")


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str = "GraphiQL") -> str:
        return f"hello {name}"


async def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def make_app() -> Starlette:
    endpoint = GraphQLEndpoint(
        strawberry.Schema(Query),
        context_getter=_context,
        example_query='query Example {\n  greeting(name: "offline")\n}\n',
    )
    return Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Mount(GRAPHIQL_STATIC_PATH, graphiql_static_app()),
        ]
    )


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Real uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # port 0: no races over a "free" number
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_graphiql_runs_example_query_offline() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not installed (the check drives Chromium via npm)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        proc = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=BROWSER_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0:
            pytest.fail(f"npm ci failed:\n{proc.stdout}\n{proc.stderr}")

    with serve(make_app()) as base_url:
        proc = subprocess.run(
            [
                "node",
                "check-graphiql.mjs",
                f"{base_url}/graphql",
                "--expect",
                '"greeting": "hello offline"',
                "--screenshot",
                str(SCREENSHOT),
            ],
            cwd=BROWSER_DIR,
            env={**os.environ, "CHROMIUM": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    print(proc.stdout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("SUMMARY ")]
    assert lines, f"no SUMMARY line:\n{proc.stdout}\n{proc.stderr}"
    summary = json.loads(lines[-1].removeprefix("SUMMARY "))
    assert summary["blocked"] == [], "page tried to reach beyond 127.0.0.1"
    assert summary["failures"] == [], proc.stdout
    assert summary["ok"] is True
    assert proc.returncode == 0, proc.stderr
    assert SCREENSHOT.stat().st_size > 10_000
