"""The load generator: a process of its own, so the client never shares an event loop
(or a core's worth of bookkeeping) with the harness.

    python -m bench.loadgen < spec.json > result.json

The spec names a URL, request bodies (cycled), a concurrency, and two bounds: a request
count and a duration; whichever comes first ends the run (requests in flight finish).
In walk mode one unit of work is a walk: page after page of a connection, each request
carrying the previous page's `endCursor`, until `hasNextPage` is false. With `unique`,
that text in a body is replaced per request by a token no other request of any run
carries (a write's idempotency key and new accounts).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson


@dataclass
class Spec:
    url: str
    bodies: list[dict[str, Any]]
    concurrency: int = 1
    requests: int = 100
    duration_s: float = 5.0
    warmup: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    walk: list[str] | None = None  # path under "data" to the connection walked
    after_var: str = "after"
    keep_latencies: bool = True
    return_latencies: bool = False  # every latency in the result, to pool runs
    grace_s: float | None = (
        None  # after the duration, how long in-flight work may finish
    )
    unique: str | None = None  # replaced per request by a token of its own


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0
    failed: int = 0
    first_error: str | None = None
    walks: list[dict[str, Any]] = field(default_factory=list)
    cut: int = 0  # requests still in flight when the grace period ended

    def fail(self, why: str) -> None:
        self.failed += 1
        if self.first_error is None:
            self.first_error = why[:500]


def _dig(body: Any, path: list[str]) -> Any:
    node = body.get("data") if isinstance(body, dict) else None
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


async def _post(
    session: aiohttp.ClientSession, spec: Spec, data: bytes, tally: Tally
) -> Any:
    """One request; its parsed answer when it succeeded, else None (tallied)."""
    started = time.perf_counter()
    try:
        async with session.post(spec.url, data=data, headers=spec.headers) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        tally.fail(f"{type(exc).__name__}: {exc}")
        return None
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        tally.fail(f"HTTP {status}: {raw[:300]!r}")
        return None
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        tally.fail(f"not JSON: {raw[:300]!r}")
        return None
    if not isinstance(parsed, dict) or "data" not in parsed:
        tally.fail(f"not a GraphQL answer: {raw[:300]!r}")
        return None
    if parsed.get("errors"):
        tally.fail(f"GraphQL errors: {orjson.dumps(parsed['errors'][:2])[:600]!r}")
        return None
    tally.ok += 1
    if spec.keep_latencies:
        tally.latencies_ms.append(elapsed)
    return parsed


async def _walk(
    session: aiohttp.ClientSession, spec: Spec, body: dict[str, Any], tally: Tally
) -> None:
    assert spec.walk is not None
    started = time.perf_counter()
    pages = items = 0
    variables = dict(body.get("variables") or {})
    while True:
        data = orjson.dumps({**body, "variables": variables})
        answer = await _post(session, spec, data, tally)
        if answer is None:
            return
        conn = _dig(answer, spec.walk) or {}
        pages += 1
        items += len(conn.get("edges") or [])
        info = conn.get("pageInfo") or {}
        if not info.get("hasNextPage") or pages >= 10_000:
            break
        variables[spec.after_var] = info.get("endCursor")
    tally.walks.append(
        {"pages": pages, "items": items, "ms": (time.perf_counter() - started) * 1000}
    )


async def _run(spec: Spec, tally: Tally, count: int, duration_s: float) -> float:
    connector = aiohttp.TCPConnector(
        limit=spec.concurrency, limit_per_host=spec.concurrency
    )
    grace = spec.grace_s if spec.grace_s is not None else max(10.0, duration_s)
    timeout = aiohttp.ClientTimeout(total=duration_s + grace + 5)
    bodies = itertools.cycle(spec.bodies)
    encoded = itertools.cycle([orjson.dumps(b) for b in spec.bodies])
    placeholder = spec.unique.encode() if spec.unique else None
    run_token = f"{os.getpid():x}t{time.time_ns() // 1000 % 10**12:x}"
    issued = 0
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + duration_s

        async def worker() -> None:
            nonlocal issued
            while issued < count and time.perf_counter() < deadline:
                issued += 1
                body, data = next(bodies), next(encoded)
                if placeholder is not None:
                    data = data.replace(placeholder, f"{run_token}r{issued}".encode())
                if spec.walk:
                    await _walk(session, spec, body, tally)
                else:
                    await _post(session, spec, data, tally)

        workers = [asyncio.ensure_future(worker()) for _ in range(spec.concurrency)]
        _, pending = await asyncio.wait(workers, timeout=duration_s + grace)
        for task in pending:  # the time bound is hard: cut what is still running
            task.cancel()
        tally.cut += len(pending)
        await asyncio.gather(*pending, return_exceptions=True)
        return time.perf_counter() - started


def _percentile(sorted_ms: list[float], q: float) -> float | None:
    if not sorted_ms:
        return None
    index = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return round(sorted_ms[index], 3)


async def run(spec: Spec) -> dict[str, Any]:
    if spec.warmup:
        await _run(spec, Tally(), spec.warmup, max(spec.duration_s, 10.0))
    tally = Tally()
    elapsed = await _run(spec, tally, spec.requests, spec.duration_s)
    ordered = sorted(tally.latencies_ms)
    return {
        "ok": tally.ok,
        "failed": tally.failed,
        "first_error": tally.first_error,
        "cut": tally.cut,
        "elapsed_s": round(elapsed, 4),
        "rps": round(tally.ok / elapsed, 2) if elapsed > 0 else 0.0,
        "p50_ms": _percentile(ordered, 0.50),
        "p95_ms": _percentile(ordered, 0.95),
        "walks": tally.walks,
        **({"latencies_ms": ordered} if spec.return_latencies else {}),
    }


def main() -> int:
    raw = orjson.loads(sys.stdin.buffer.read())
    spec = Spec(**raw)
    try:
        import uvloop

        result = uvloop.run(run(spec))
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        result = asyncio.run(run(spec))
    sys.stdout.buffer.write(orjson.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
