"""The benchmark runs end to end (quick mode, Q1 and Q2, no peer) and writes its JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "query",
    "vendor_calls",
    "min_vendor_calls",
    "p50_ms",
    "critical_path_ms",
    "p50_over_critical_path",
    "baseline_p50_ms",
    "baseline_p50_over_critical_path",
    "wire_p50_ms",
    "wire_p50_over_critical_path",
    "rps_c16",
    "rps_c64",
    "baseline_rps_c64",
    "rps_ratio_to_baseline_c64",
    "peer_rps_c64",
    "rps_ratio_to_peer_c64",
    "cpu_ms_per_request",
    "baseline_cpu_ms_per_request",
    "peak_rss_mb",
}


def bench(*argv: str, timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_quick_run_writes_every_key(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    argv = ["--quick", "--only", "Q1,Q2", "--no-peer", "--json", str(out)]
    bench(*argv, timeout=400)
    rows = json.loads(out.read_text())
    assert [r["query"] for r in rows] == ["Q1", "Q2"]
    q1, q2 = rows
    assert set(q1) >= KEYS
    assert q1["vendor_calls"] == q1["min_vendor_calls"] == 1
    assert q1["failed_requests"] == 0
    assert q1["p50_ms"] >= q1["critical_path_ms"] == 20
    assert q1["rps_c64"] > 0 and q1["baseline_rps_c64"] > 0
    assert q1["peer_rps_c64"] is None
    # the wire floor makes the same call, and no gateway's latency can be below it
    assert q1["wire_vendor_calls"] == 1 and q1["wire_p50_ms"] >= 20
    # plain Strawberry answers Q2 as trunkline does, with the same two calls
    assert q2["strawberry_same_json"] is True and q2["strawberry_vendor_calls"] == 2
    assert q2["vendor_calls"] == q2["min_vendor_calls"] == 2
    # --render writes the same results again from the run's saved figures, and a
    # results file of its own where asked (after a fix to the report or the notes)
    again = tmp_path / "again.md"
    bench(*argv, "--render", "--markdown", str(again), timeout=60)
    assert json.loads(out.read_text()) == rows
    text = again.read_text()
    assert "Q1: p50 / critical path ≤ 1.15" in text and "the wire floor" in text
    assert "plain Strawberry" in text
