"""Helpers for the checks that run npm tools against a real server on 127.0.0.1:
the graphql-http audit (tests/audit) and GraphiQL in headless Chromium (tests/browser)."""

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
import uvicorn

AUDIT_DIR = Path(__file__).parent / "audit"
BROWSER_DIR = Path(__file__).parent / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


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


def run_audit(graphql_url: str, *, strict: bool = False) -> dict[str, Any]:
    """The graphql-http audit against a URL; asserts it ran, returns its summary."""
    npm_ci(AUDIT_DIR, "graphql-http")
    args = ["node", "audit.mjs", graphql_url, *(["--strict"] if strict else [])]
    proc = subprocess.run(
        args, cwd=AUDIT_DIR, capture_output=True, text=True, timeout=120, check=False
    )
    print(proc.stdout)  # the per-audit lines, shown with -s or on failure
    summary = summary_of(proc.stdout)
    summary["returncode"] = proc.returncode
    return summary


def run_graphiql(graphql_url: str, expect: str, screenshot: Path) -> dict[str, Any]:
    """Open GraphiQL in headless Chromium, run the example query, expect `expect`."""
    if shutil.which("node") is None or not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"node or {CHROMIUM} missing: bash scripts/test installs them")
    npm_ci(BROWSER_DIR, "playwright-core")
    proc = subprocess.run(
        [
            "node",
            "check-graphiql.mjs",
            graphql_url,
            "--expect",
            expect,
            "--screenshot",
            str(screenshot),
        ],
        cwd=BROWSER_DIR,
        env={**os.environ, "CHROMIUM": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    print(proc.stdout)
    summary = summary_of(proc.stdout + "\n" + proc.stderr)
    summary["returncode"] = proc.returncode
    return summary
