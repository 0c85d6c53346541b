"""End to end over real uvicorn: while a client sends documents built to hold the event
loop, another client's `{ __typename }` is still answered promptly; and the production
profile refuses to start on embedded simulators."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from test_e2e import free_port

pytestmark = pytest.mark.e2e

SMALL_BOUND_S = 0.100  # what the other client must see, most of the time
WINDOW_S = 1.0  # each attack runs this long beside 40 to 90 small queries


@pytest.fixture(scope="module")
def served(served_gateway: tuple[str, int]) -> tuple[str, int]:
    """`trunkline serve` and its pid (conftest's, shared with test_e2e)."""
    return served_gateway


@pytest.fixture(scope="module")
def server(served: tuple[str, int]) -> str:
    return served[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _aliases(i: int, n: int) -> str:
    return (
        f"{{ u{i}: __typename " + " ".join(f"a{k}: __typename" for k in range(n)) + " }"
    )


ATTACKS: dict[str, tuple[Callable[[int], str], int, str]] = {
    # name: (document for the i-th send, status, code)
    "1 MB of aliases": (lambda i: _aliases(i, 60_000), 413, "REQUEST_TOO_LARGE"),
    "30 kB document of one string": (
        lambda i: f'{{ u{i}: __typename @include(if: "{"x" * 30_000}") }}',
        200,
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "20,000 operations": (
        lambda i: f"query U{i} {{ a }}" + "{a}" * 20_000,
        413,
        "REQUEST_TOO_LARGE",
    ),
    "10,000 tokens under the byte limit": (
        lambda i: f"{{ u{i}: __typename " + "a " * 10_000 + "}",
        200,
        "QUERY_TOO_COMPLEX",
    ),
    "fragment bomb": (
        lambda i: (
            f"{{ u{i}: __typename ...F0 }} "
            + " ".join(
                f"fragment F{k} on Query {{ ...F{k + 1} ...F{k + 1} }}"
                for k in range(30)
            )
            + " fragment F30 on Query { __typename }"
        ),
        200,
        "QUERY_TOO_COMPLEX",
    ),
    "unknown fields at the token limit": (
        lambda i: (
            f"{{ u{i}: __typename " + " ".join(f"f{k}" for k in range(990)) + " }"
        ),
        200,
        "GRAPHQL_VALIDATION_FAILED",
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_others_are_answered_while_an_attack_runs(server: str, attack: str) -> None:
    build, status, code = ATTACKS[attack]
    stop = threading.Event()
    answers: list[tuple[int, str]] = []
    sends = 0

    def attacker() -> None:
        nonlocal sends
        with httpx.Client(base_url=server, timeout=30) as client:
            while not stop.is_set():
                sends += 1
                r = client.post("/graphql", json={"query": build(sends)})
                errors = r.json().get("errors") or [{}]
                answers.append(
                    (r.status_code, errors[0].get("extensions", {}).get("code", ""))
                )

    thread = threading.Thread(target=attacker)
    latencies: list[float] = []
    with httpx.Client(base_url=server, timeout=30) as client:
        client.post("/graphql", json={"query": "{ __typename }"})  # warm the cache
        thread.start()
        try:
            deadline = time.monotonic() + WINDOW_S
            while time.monotonic() < deadline:
                start = time.perf_counter()
                r = client.post("/graphql", json={"query": "{ __typename }"})
                latencies.append(time.perf_counter() - start)
                assert r.json() == {"data": {"__typename": "Query"}}
                time.sleep(0.01)
        finally:
            stop.set()
            thread.join(30)
    assert answers and all(a == (status, code) for a in answers), answers[:3]
    within = sum(t <= SMALL_BOUND_S for t in latencies) / len(latencies)
    print(
        f"{attack}: {len(answers)} attack sends, {len(latencies)} small queries, "
        f"median {statistics.median(latencies) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms, {within:.0%} within 100 ms"
    )
    # Before the limits, one such document held the loop for seconds. On a shared
    # machine a few samples may wait on the scheduler; most must be prompt.
    assert within >= 0.9
    assert statistics.median(latencies) <= SMALL_BOUND_S
    assert max(latencies) < 1.0


def test_production_profile_refuses_embedded_simulators(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TRUNKLINE_PROFILE": "production",
        "TRUNKLINE_API_KEYS": "k" * 32,
        "TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.db"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "trunkline.cli", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        "production profile: embedded simulators are not allowed, and these vendors "
        "have no base_url: crmcom, engage, livevox, moxiworks, procurios (set "
        "[vendors.<name>] base_url or TRUNKLINE_<VENDOR>_URL)"
    )


def test_memory_stays_bounded_under_distinct_large_documents(
    served: tuple[str, int],
) -> None:
    """Forty distinct ~1 MB documents grew the process by 2 GB when the cache held 512
    parsed documents whatever their size. Now 1 MB is refused unparsed, and documents
    at the size limit are kept only within the cache's byte budget (64 MB)."""
    url, pid = served
    with httpx.Client(base_url=url, timeout=60) as client:
        client.post("/graphql", json={"query": "{ __typename }"})
        start = rss_mb(pid)
        for i in range(40):
            r = client.post("/graphql", json={"query": _aliases(i, 60_000)})
            assert r.status_code == 413
        after_large = rss_mb(pid)
        for i in range(200):  # ~8 kB each, at the token limit: ~1 MB estimated apiece
            doc = f"{{ u{i}: __typename " + " ".join(f"f{k}" for k in range(990)) + " }"
            r = client.post("/graphql", json={"query": doc})
            assert r.status_code == 200
        after_many = rss_mb(pid)
    print(
        f"RSS {start:.0f} MB; after 40 x 1 MB refused {after_large:.0f} MB; "
        f"after 200 distinct documents at the token limit {after_many:.0f} MB"
    )
    assert after_large - start < 30
    assert (
        after_many - start < 64 + 64
    )  # the cache's budget, plus the allocator's slack
