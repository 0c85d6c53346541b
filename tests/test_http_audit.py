"""GraphQL-over-HTTP conformance: the graphql-http audit suite against real uvicorn.

Run: ``pytest -m audit tests/test_http_audit.py`` (or ``scripts/check-http-audit``).
Needs node + npm; installs tests/audit/node_modules with ``npm ci`` if missing.
To audit the real gateway, swap :func:`make_app` for the app factory.
"""

from __future__ import annotations

import contextlib
import json
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

pytestmark = pytest.mark.audit

AUDIT_DIR = Path(__file__).parent / "audit"


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self) -> int:
        return 1


async def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def make_app() -> Starlette:
    endpoint = GraphQLEndpoint(
        strawberry.Schema(Query, Mutation), context_getter=_context
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
    # Binding here (port 0) rather than picking a number avoids port races.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="auto"))
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


def npm_ci(directory: Path, marker: str) -> None:
    """Install the pinned node deps of ``directory`` unless already present."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not installed (needed for the npm-based check)")
    if (directory / "node_modules" / marker).is_dir():
        return
    proc = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"npm ci in {directory} failed:\n{proc.stdout}\n{proc.stderr}")


def summary_of(stdout: str) -> dict[str, Any]:
    lines = [ln for ln in stdout.splitlines() if ln.startswith("SUMMARY ")]
    assert lines, f"no SUMMARY line in output:\n{stdout}"
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("SUMMARY "))
    return result


def test_graphql_http_audit() -> None:
    npm_ci(AUDIT_DIR, "graphql-http")
    with serve(make_app()) as base_url:
        proc = subprocess.run(
            ["node", "audit.mjs", f"{base_url}/graphql", "--strict"],
            cwd=AUDIT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    print(proc.stdout)  # the per-audit lines, shown with -s or on failure
    summary = summary_of(proc.stdout)
    assert summary["error"] == 0, proc.stdout
    assert summary["warn"] == 0, proc.stdout
    assert summary["notice"] == 0, proc.stdout
    assert summary["ok"] == summary["total"] > 50
    assert proc.returncode == 0, proc.stderr
