"""`python -m bench`: trunkline against its vendors' floor, a baseline and a peer.

Starts every vendor simulator as its own uvicorn process on 127.0.0.1 with a fixed
latency per call, the gateway (once per vendor HTTP transport), the hand-written
baseline (once per client) and the peer (Hive Gateway over GraphQL Mesh), then runs
the query set against each. Per query and target: vendor calls per request (from the
simulators' call logs), latency at concurrency 1, throughput at 16 and 64, CPU time per
request and peak memory of the serving process. Prints a table, writes JSON (and, for a
full run, bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import floor, report
from bench.catalog import BY_NAME, HUGE_ACCOUNT, QUERY_SET, BenchQuery, contact_id
from bench.procs import ROOT, WORK, Service, free_port, python, start, wait_until
from bench.wire import CALLS as WIRE_CALLS

HERE = Path(__file__).resolve().parent
PEER = HERE / "peer"
AGENT_UUID = "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10"
ENGAGE_ORG = "1001"  # the Engage account the simulator seeds
LATENCY_ONLY = ("wire", "strawberry")  # references measured at concurrency 1 only
STRAWBERRY_QUERIES = frozenset({"Q2"})  # what bench/strawberry_floor.py answers
TRANSPORTS = ("aiohttp", "httpx-aiohttp", "httpx")  # trunkline.connectors.transport
BASELINE_CLIENTS = ("aiohttp", "httpx-aiohttp", "httpx")
# Dummy credentials; the simulators read them from the same environment and let
# only these log in (TRUNKLINE_<VENDOR>_...).
CREDENTIALS = {
    "TRUNKLINE_LIVEVOX_CLIENT_NAME": "bench",
    "TRUNKLINE_LIVEVOX_USERNAME": "bench",
    "TRUNKLINE_LIVEVOX_PASSWORD": "bench",
    "TRUNKLINE_LIVEVOX_ACCESS_TOKEN": "bench",
    "TRUNKLINE_MOXIWORKS_USERNAME": "bench",
    "TRUNKLINE_MOXIWORKS_PASSWORD": "bench",
    "TRUNKLINE_MOXIWORKS_AGENT_UUID": AGENT_UUID,
    "TRUNKLINE_PROCURIOS_TOKEN": "bench",
    "TRUNKLINE_CRMCOM_USERNAME": "bench",
    "TRUNKLINE_CRMCOM_PASSWORD": "bench",
    "TRUNKLINE_ENGAGE_USERNAME": "bench",
    "TRUNKLINE_ENGAGE_PASSWORD": "bench",
}
CONFIG = """\
# Written by bench/run.py: the gateway's config for a benchmark run.
[gateway]
identity_store = "{store}"
http_transport = "{transport}"
# Q6 (a 2,500-contact bulk create, ~0.6 s of CPU) at 16 and 64 at once queues past
# the default 10 s deadline on one process: measured, not cut short
request_deadline_s = {deadline}
{vendors}
"""
REQUEST_DEADLINE_S = 120
# 64 requests at once on two cores queue a vendor's answer past the default 5 s on the
# slower transports (Q5 over httpx's own: VENDOR_TIMEOUT): measured, not cut short
VENDOR_TIMEOUT_S = 60
# Options the embedded simulators set by themselves (see Connector.embedded_options).
# Plus: no cross-request page cache, so every request does the work the data needs
# (the benchmark repeats one query; the baseline has no such cache either).
VENDOR_OPTIONS = {
    "procurios": 'contact_key = "custom_field:COL5"\npage_cache_s = 0',
    "crmcom": 'contact_key = "custom_field:COL6"',
    "moxiworks": f'agent_uuid = "{AGENT_UUID}"',
    "engage": f'org_id = "{ENGAGE_ORG}"',
}


# ---- options ------------------------------------------------------------------------


@dataclass
class Options:
    latency_ms: float
    duration_s: float
    requests: int
    c1_requests: int
    walks: int
    only: list[str]
    transports: list[str]
    baseline_clients: list[str]
    peer: bool
    quick: bool
    json_path: Path
    markdown_path: Path | None
    concurrency: tuple[int, int] = (16, 64)
    max_duration_s: float = 60.0
    render: bool = False  # rewrite the results from the last run's figures, run nothing


def parse_options(argv: list[str] | None) -> Options:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--latency-ms", type=float, default=20.0, help="per vendor call")
    p.add_argument(
        "--duration", type=float, default=None, help="seconds per figure (default 5)"
    )
    p.add_argument(
        "--requests", type=int, default=None, help="requests per figure (cap)"
    )
    p.add_argument(
        "--c1-requests", type=int, default=None, help="requests at concurrency 1"
    )
    p.add_argument("--walks", type=int, default=None, help="Q4 walks at concurrency 1")
    p.add_argument("--only", default="", help="comma-separated queries, e.g. Q1,Q2")
    p.add_argument("--transports", default=",".join(TRANSPORTS))
    p.add_argument("--baseline-clients", default=",".join(BASELINE_CLIENTS))
    p.add_argument("--no-peer", action="store_true", help="skip Hive Gateway")
    p.add_argument("--quick", action="store_true", help="few requests, ~1.5 s a figure")
    p.add_argument("--json", default=None, help="results file")
    p.add_argument(
        "--markdown",
        default=None,
        help="RESULTS.md to write (default: bench/RESULTS.md on a full run)",
    )
    p.add_argument(
        "--render",
        action="store_true",
        help="write the JSON and RESULTS.md again from the last run's figures "
        "(bench/.work/*-detail.json) and the current bench/NOTES.md; runs nothing",
    )
    a = p.parse_args(argv)
    quick = bool(a.quick)
    only = [q.strip().upper() for q in a.only.split(",") if q.strip()]
    for name in only:
        if name not in BY_NAME:
            p.error(f"unknown query {name}; one of {', '.join(BY_NAME)}")
    full = not quick and not only
    default_json = HERE / "results.json" if full else WORK / "results.json"
    markdown = a.markdown or (HERE / "RESULTS.md" if full else None)
    return Options(
        latency_ms=a.latency_ms,
        duration_s=a.duration if a.duration is not None else (1.5 if quick else 5.0),
        requests=a.requests if a.requests is not None else (300 if quick else 5000),
        c1_requests=a.c1_requests
        if a.c1_requests is not None
        else (15 if quick else 120),
        walks=a.walks if a.walks is not None else (1 if quick else 3),
        only=only or [q.name for q in QUERY_SET],
        transports=[t for t in a.transports.split(",") if t],
        baseline_clients=[c for c in a.baseline_clients.split(",") if c],
        peer=not a.no_peer,
        quick=quick,
        max_duration_s=8.0 if quick else 60.0,
        json_path=Path(a.json) if a.json else default_json,
        markdown_path=Path(markdown) if markdown else None,
        render=bool(a.render),
    )


# ---- targets -----------------------------------------------------------------------


@dataclass
class Target:
    name: str  # e.g. "trunkline[aiohttp]"
    kind: str  # trunkline | baseline | peer | wire | strawberry
    variant: str
    service: Service
    queries: frozenset[str]

    @property
    def endpoint(self) -> str:
        return self.service.url + "/graphql"

    def body(self, query: BenchQuery) -> dict[str, Any]:
        return query.peer_body() if self.kind == "peer" else query.body()


@dataclass
class Figures:
    """What one target measured on one query."""

    target: str
    kind: str
    variant: str
    query: str
    vendor_calls: float | None = None
    calls_by_endpoint: dict[str, float] = field(default_factory=dict)
    p50_ms: float | None = None
    p95_ms: float | None = None
    rps_c1: float | None = None
    rps_c16: float | None = None
    rps_c64: float | None = None
    cpu_ms_per_request: float | None = None
    peak_rss_mb: float | None = None
    failed: int = 0
    cut: int = 0  # requests still running when a run's time bound ended
    first_error: str | None = None
    same_json_as_trunkline: bool | None = None
    walk: dict[str, Any] | None = None
    note: str | None = None


class Stack:
    """Every process of a run; `close()` stops them all."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.sims: dict[str, Service] = {}
        self.targets: list[Target] = []
        self.skipped: dict[str, str] = {}  # target kind -> why

    def close(self) -> None:
        for t in self.targets:
            t.service.stop()
        for s in self.sims.values():
            s.stop()

    # -- simulators --
    def start_simulators(self, vendors: list[str]) -> None:
        started = {
            v: start(
                f"sim-{v}",
                python(
                    "-m",
                    "trunkline.cli",
                    "simulate",
                    v,
                    "--port",
                    str(port := free_port()),
                    "--latency-ms",
                    str(self.opts.latency_ms),
                ),
                port=port,
                env=CREDENTIALS,  # a simulator lets only these log in
            )
            for v in vendors
        }
        for service in started.values():
            wait_until(service, lambda c: c.get("/_sim/faults").status_code == 200)
        self.sims = started
        for service in started.values():  # the same latency whatever the CLI did
            httpx.put(
                service.url + "/_sim/faults", json={"latency_ms": self.opts.latency_ms}
            ).raise_for_status()

    def refresh(self, query: BenchQuery, target: Target | None = None) -> None:
        """A write's simulators started again before a run of its requests: the
        state its writes leave is bounded by one run (a reset). The target about to
        run then logs in again (the old sessions are gone), before calls are
        counted."""
        if not query.fresh:
            return
        for vendor in sorted(query.fresh):
            old = self.sims[vendor]
            old.stop()
            fresh = start(old.name, old.argv, port=old.port, env=old.env)
            wait_until(fresh, lambda c: c.get("/_sim/faults").status_code == 200)
            httpx.put(
                fresh.url + "/_sim/faults", json={"latency_ms": self.opts.latency_ms}
            ).raise_for_status()
            self.sims[vendor] = fresh  # the same dict the call counter reads
        if target is not None:
            relogin(target)

    def settle(self, target: Target, run: dict[str, Any]) -> None:
        """After a run cut at its time bound the target may still be working off the
        cut requests (a client hanging up does not stop them): wait, or restart it."""
        if not run.get("cut"):
            return
        svc = target.service
        svc.wait_idle(timeout_s=20)
        if not svc.idle():
            print(f"  ({target.name} still busy with cut requests: restarting)")
            self.restart(target)

    def restart(self, target: Target) -> None:
        svc = target.service
        svc.stop()
        fresh = start(svc.name, svc.argv, port=svc.port, env=svc.env, cwd=svc.cwd)
        target.service = fresh
        wait_until(fresh, ready_probe(target))

    def vendor_env(self) -> dict[str, str]:
        env = {f"TRUNKLINE_{v.upper()}_URL": s.url for v, s in self.sims.items()}
        return {**env, **CREDENTIALS}

    # -- targets --
    def launch_trunkline(self, transport: str, queries: frozenset[str]) -> Target:
        store = WORK / f"links-{transport}.sqlite3"
        store.unlink(missing_ok=True)
        vendors = "\n".join(
            f'[vendors.{v}]\nbase_url = "{s.url}"\ntimeout_s = {VENDOR_TIMEOUT_S}\n'
            f"{VENDOR_OPTIONS.get(v, '')}\n"
            for v, s in self.sims.items()
        )
        config = WORK / f"trunkline-{transport}.toml"
        config.write_text(
            CONFIG.format(
                store=store,
                transport=transport,
                vendors=vendors,
                deadline=REQUEST_DEADLINE_S,
            )
        )
        port = free_port()
        env = {**self.vendor_env(), "TRUNKLINE_HTTP_TRANSPORT": transport}
        argv = python("-m", "trunkline.cli", "serve", "--host", "127.0.0.1")
        argv += ["--port", str(port), "--config", str(config), "--log-level", "warning"]
        service = start(f"trunkline[{transport}]", argv, port=port, env=env)
        return Target(service.name, "trunkline", transport, service, queries)

    def launch_baseline(self, client: str, queries: frozenset[str]) -> Target:
        port = free_port()
        argv = python("-m", "bench.baseline", "--port", str(port), "--client", client)
        service = start(f"baseline[{client}]", argv, port=port, env=self.vendor_env())
        return Target(service.name, "baseline", client, service, queries)

    def launch_wire(self, queries: frozenset[str]) -> Target:
        """The wire floor (bench/wire.py): the calls and their parse, nothing else."""
        port = free_port()
        argv = python("-m", "bench.wire", "--port", str(port))
        service = start("wire-floor", argv, port=port, env=self.vendor_env())
        return Target(service.name, "wire", "aiohttp", service, queries)

    def launch_strawberry(self, queries: frozenset[str]) -> Target:
        """The Strawberry floor (bench/strawberry_floor.py): Q2 through plain Strawberry."""
        port = free_port()
        argv = python("-m", "bench.strawberry_floor", "--port", str(port))
        service = start("strawberry-floor", argv, port=port, env=self.vendor_env())
        return Target(service.name, "strawberry", "aiohttp", service, queries)

    def launch_peer(self, queries: frozenset[str]) -> Target | None:
        why = peer_unavailable()
        if why:
            self.skipped["peer"] = why
            return None
        supergraph = WORK / "supergraph.graphql"
        env = {
            **self.vendor_env(),
            **self.peer_credentials(),
            "PEER_SUPERGRAPH": str(supergraph),
        }
        compose = subprocess.run(
            ["node", str(PEER / "node_modules/.bin/mesh-compose")],
            cwd=PEER,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if compose.returncode != 0:
            self.skipped["peer"] = "mesh-compose failed: " + compose.stderr[-800:]
            return None
        port = free_port()
        argv = ["node", str(PEER / "node_modules/.bin/hive-gateway"), "supergraph"]
        argv += [str(supergraph), "-c", "gateway.config.ts", "--host", "127.0.0.1"]
        argv += ["--port", str(port), "--fork", "1"]
        env["NODE_ENV"] = "production"
        service = start("peer[hive-gateway]", argv, port=port, env=env, cwd=PEER)
        return Target(service.name, "peer", "hive-gateway", service, queries)

    def peer_credentials(self) -> dict[str, str]:
        """What the peer sends each vendor, as the `{env.PEER_*}` values its
        mesh.config.ts reads: the harness logs in once where a vendor wants a login
        (LiveVox, CRM.COM), as trunkline and the baseline do at start."""
        c = CREDENTIALS
        login = httpx.post(
            self.sims["livevox"].url + "/session/login",
            json={
                "clientName": c["TRUNKLINE_LIVEVOX_CLIENT_NAME"],
                "userName": c["TRUNKLINE_LIVEVOX_USERNAME"],
                "password": c["TRUNKLINE_LIVEVOX_PASSWORD"],
            },
            headers={"LV-Access": c["TRUNKLINE_LIVEVOX_ACCESS_TOKEN"]},
        )
        login.raise_for_status()
        env = {
            "PEER_LV_ACCESS": c["TRUNKLINE_LIVEVOX_ACCESS_TOKEN"],
            "PEER_LV_SESSION": str(login.json()["sessionId"]),
        }
        if "moxiworks" in self.sims:
            user, password = (
                c["TRUNKLINE_MOXIWORKS_USERNAME"],
                c["TRUNKLINE_MOXIWORKS_PASSWORD"],
            )
            basic = base64.b64encode(f"{user}:{password}".encode()).decode()
            env["PEER_MOXI_AUTHORIZATION"] = f"Basic {basic}"
            env["PEER_MOXI_AGENT_UUID"] = c["TRUNKLINE_MOXIWORKS_AGENT_UUID"]
        if "procurios" in self.sims:
            env["PEER_PROCURIOS_TOKEN"] = c["TRUNKLINE_PROCURIOS_TOKEN"]
        if "crmcom" in self.sims:
            crm = httpx.post(
                self.sims["crmcom"].url + "/crmapi/rest/v2/authentication/login",
                json={
                    "username": c["TRUNKLINE_CRMCOM_USERNAME"],
                    "password": c["TRUNKLINE_CRMCOM_PASSWORD"],
                },
            )
            crm.raise_for_status()
            answer = crm.json()
            if answer["status"]["code"] != "OK":
                raise RuntimeError(f"CRM.COM login failed: {answer['status']}")
            env["PEER_CRM_TOKEN"] = str(answer["data"]["token"])
        return env

    def start_targets(self, queries: list[BenchQuery]) -> None:
        names = frozenset(q.name for q in queries)
        # held as they start, so that `close()` stops them if a later launch fails
        launched = self.targets
        launched += [self.launch_trunkline(t, names) for t in self.opts.transports]
        base = frozenset(q.name for q in queries if q.baseline)
        if base:
            launched += [
                self.launch_baseline(c, base) for c in self.opts.baseline_clients
            ]
        wire = frozenset(q.name for q in queries if q.name.encode() in WIRE_CALLS)
        if wire:
            launched.append(self.launch_wire(wire))
        if names & STRAWBERRY_QUERIES:
            launched.append(self.launch_strawberry(names & STRAWBERRY_QUERIES))
        peer_queries = frozenset(q.name for q in queries if q.peer)
        if not self.opts.peer:
            self.skipped["peer"] = "--no-peer"
        elif peer_queries:
            peer = self.launch_peer(peer_queries)
            if peer is not None:
                launched.append(peer)
        for t in launched:
            wait_until(t.service, ready_probe(t))


def relogin(target: Target) -> None:
    """Make a target log in to a restarted LiveVox simulator: trunkline on its
    first call (a 401 logs in again), the baseline at `/_bench/login`."""
    if target.kind == "baseline":
        httpx.post(target.service.url + "/_bench/login", timeout=30).raise_for_status()
    elif target.kind == "trunkline":
        ping = {"query": "{ contacts(first: 1) { edges { node { id } } } }"}
        httpx.post(target.endpoint, json=ping, timeout=30).raise_for_status()


def ready_probe(target: Target) -> Callable[[httpx.Client], bool]:
    path = "/healthcheck" if target.kind == "peer" else "/readyz"

    def probe(client: httpx.Client) -> bool:
        return client.get(path).status_code == 200

    return probe


def peer_unavailable() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PEER / "node_modules/.bin/hive-gateway").exists():
        print("peer: installing bench/peer's npm packages (npm ci) ...", flush=True)
        npm = shutil.which("npm")
        if npm is None:
            return "npm is not installed"
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=PEER,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            return "npm ci failed in bench/peer: " + done.stderr[-500:]
    return None


# ---- measuring ------------------------------------------------------------------------


def load(
    target: Target,
    bodies: list[dict[str, Any]],
    *,
    concurrency: int,
    requests: int,
    duration_s: float,
    walk: list[str] | None = None,
    grace_s: float | None = None,
    latencies: bool = False,
    query: BenchQuery | None = None,
) -> dict[str, Any]:
    """One bounded run of the load generator (its own process), the target idle first.
    A write (`query.unique`) gets a token of its own per request, and at most
    `query.max_requests`."""
    target.service.wait_idle()
    grace = grace_s if grace_s is not None else max(10.0, 2 * duration_s)
    if query is not None and query.max_requests is not None:
        requests = min(requests, query.max_requests)
    spec = {
        "url": target.endpoint,
        "bodies": bodies,
        "concurrency": concurrency,
        "requests": requests,
        "duration_s": duration_s,
        "headers": {"Content-Type": "application/json"},
        "walk": walk,
        "grace_s": grace,
        "return_latencies": latencies,
        "unique": query.unique if query is not None else None,
    }
    done = subprocess.run(
        python("-m", "bench.loadgen"),
        input=json.dumps(spec).encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=duration_s + grace + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def endpoint_label(vendor: str, method: str, path: str, query: str = "") -> str:
    if query.startswith("SOAPAction="):  # Engage: one path, the operation names it
        return f"{vendor.upper()} {query.removeprefix('SOAPAction=')}"
    return f"{vendor.upper()} {method} {re.sub(r'/[0-9][^/]*', '/{id}', path)}"


class Calls:
    """The simulators' call logs, logins left out (a session outlives a request)."""

    def __init__(self, sims: dict[str, Service]) -> None:
        self.sims = sims

    def reset(self) -> None:
        for s in self.sims.values():
            httpx.delete(s.url + "/_sim/calls").raise_for_status()

    def read(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for vendor, s in self.sims.items():
            answer = httpx.get(s.url + "/_sim/calls", timeout=30).json()
            for method, path, query in answer["calls"]:
                if path.endswith("/login"):
                    continue
                counts[endpoint_label(vendor, method, path, query)] += 1
        return counts


def sample(target: Target, body: dict[str, Any]) -> Any:
    response = httpx.post(target.endpoint, json=body, timeout=60)
    return response.json()


C1_ROUNDS = 4  # concurrency 1 runs in this many rounds over a query's targets
C1_SECONDS = 2  # x --duration at concurrency 1 per target: Q3 takes half a second


def warm(stack: Stack, target: Target, query: BenchQuery) -> None:
    """Sessions, pools and caches warmed; the peak-memory mark starts after."""
    body = target.body(query)
    stack.refresh(query, target)
    run = load(target, [body], concurrency=4, requests=20, duration_s=4, query=query)
    stack.settle(target, run)
    target.service.reset_hwm()


def at_concurrency_1(
    stack: Stack, targets: list[Target], query: BenchQuery, calls: Calls
) -> dict[str, Figures]:
    """Concurrency 1, in rounds: each round runs every target in turn (from a
    different one each round), so the machine's drift over minutes falls on all of
    them alike, and their p50s compare within the run. Vendor calls per request are
    counted over the same requests."""
    opts = stack.opts
    rounds = max(1, min(C1_ROUNDS, opts.c1_requests // 10))
    share, extra = divmod(opts.c1_requests, rounds)
    figs = {t.name: Figures(t.name, t.kind, t.variant, query.name) for t in targets}
    pooled: dict[str, list[float]] = {t.name: [] for t in targets}
    counted: dict[str, Counter[str]] = {t.name: Counter() for t in targets}
    for n in range(rounds):
        for target in targets[n % len(targets) :] + targets[: n % len(targets)]:
            fig = figs[target.name]
            stack.refresh(query, target)
            calls.reset()
            c1 = load(
                target,
                [target.body(query)],
                concurrency=1,
                requests=share + (1 if n < extra else 0),
                duration_s=C1_SECONDS * opts.duration_s / rounds,
                latencies=True,
                query=query,
            )
            counted[target.name] += calls.read()
            stack.settle(target, c1)
            pooled[target.name] += c1["latencies_ms"]
            fig.failed += c1["failed"]
            fig.cut += c1["cut"]
            fig.first_error = fig.first_error or c1["first_error"]
    for target in targets:
        fig, ordered = figs[target.name], sorted(pooled[target.name])
        if ordered:
            n_ok = len(ordered)
            by = counted[target.name]
            fig.calls_by_endpoint = {k: round(v / n_ok, 2) for k, v in by.items()}
            fig.vendor_calls = round(sum(by.values()) / n_ok, 2)
            fig.p50_ms, fig.p95_ms = percentile(ordered, 0.5), percentile(ordered, 0.95)
            fig.rps_c1 = round(1000 * n_ok / sum(ordered), 2)
    return figs


def percentile(ordered: list[float], q: float) -> float:
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)


def throughput(
    stack: Stack,
    target: Target,
    query: BenchQuery,
    fig: Figures,
    best_c16: dict[str, float],
) -> Figures:
    """Concurrency 16 and 64 (skipped where hopeless), CPU per request, peak memory."""
    opts = stack.opts
    body = target.body(query)
    if target.kind in LATENCY_ONLY:  # a floor: its throughput is no one's target
        return fig
    low, high = opts.concurrency
    cpu_ms: dict[int, float] = {}
    for conc in (low, high):
        duration = opts.duration_s
        if conc == high:
            best = best_c16.get(target.kind, 0.0)
            if best and (fig.rps_c16 or 0.0) < 0.5 * best:
                fig.note = (
                    f"c{high} not run: under half the best {target.kind}'s "
                    f"throughput at c{low}"
                )
                break
            if fig.rps_c16:
                # A saturated closed loop needs about concurrency / throughput
                # seconds before answers flow: stretch the window for slow targets.
                stretch = 1.5 * conc / fig.rps_c16
                duration = max(duration, min(opts.max_duration_s, stretch))
        if conc == low and query.max_requests and fig.rps_c1:
            # a write of seconds a request: 16 at once need about 16 / throughput
            stretch = 1.5 * conc / fig.rps_c1
            duration = max(duration, min(opts.max_duration_s, stretch))
        stack.refresh(query, target)
        cpu0 = target.service.cpu_seconds()
        run = load(
            target,
            [body],
            concurrency=conc,
            requests=opts.requests,
            duration_s=duration,
            grace_s=max(10.0, duration) * (2 if query.max_requests else 1),
            query=query,
        )
        cpu = target.service.cpu_seconds() - cpu0
        stack.settle(target, run)
        fig.failed += run["failed"]
        fig.cut += run["cut"]
        fig.first_error = fig.first_error or run["first_error"]
        if run["ok"] and not run["cut"]:
            cpu_ms[conc] = round(cpu * 1000 / run["ok"], 3)
        if conc == low:
            fig.rps_c16 = run["rps"]
            best_c16[target.kind] = max(best_c16.get(target.kind, 0.0), run["rps"])
        else:
            fig.rps_c64 = run["rps"]
    # CPU per request from the busiest run that finished every request it began
    fig.cpu_ms_per_request = cpu_ms.get(high, cpu_ms.get(low))
    fig.peak_rss_mb = round(target.service.hwm_kb() / 1024, 1)
    return fig


def measure_walks(
    stack: Stack, target: Target, query: BenchQuery, calls: Calls
) -> Figures:
    """Q4: walks of a long merged history, page by page (trunkline only)."""
    opts = stack.opts
    fig = Figures(target.name, target.kind, target.variant, query.name)
    heavy = query.body()
    huge = query.body(id=contact_id(HUGE_ACCOUNT))
    walk = query.walk
    # A fresh process: heap kept from earlier queries would hide a walk's growth.
    stack.restart(target)
    warm = load(target, [heavy], concurrency=1, requests=1, duration_s=30, walk=walk)
    stack.settle(target, warm)

    def one(body: dict[str, Any], walks: int) -> tuple[dict[str, Any], float, float]:
        """Walks at concurrency 1: (result, RSS before MB, peak RSS MB)."""
        target.service.reset_hwm()
        before = target.service.rss_kb() / 1024
        run = load(
            target,
            [body],
            concurrency=1,
            requests=walks,
            duration_s=60,
            walk=walk,
            grace_s=60,
        )
        peak = target.service.hwm_kb() / 1024
        stack.settle(target, run)
        return run, before, peak

    calls.reset()
    small, before_small, peak_small = one(heavy, opts.walks)
    counted = calls.read()
    walks_done = max(1, len(small["walks"]))
    fig.calls_by_endpoint = {k: round(v / walks_done, 2) for k, v in counted.items()}
    fig.vendor_calls = round(sum(counted.values()) / walks_done, 2)
    fig.p50_ms, fig.p95_ms, fig.rps_c1 = small["p50_ms"], small["p95_ms"], small["rps"]
    fig.failed += small["failed"]
    fig.cut += small["cut"]
    fig.first_error = small["first_error"]
    big, before_big, peak_big = one(huge, 1)
    fig.failed += big["failed"]
    fig.cut += big["cut"]
    fig.first_error = fig.first_error or big["first_error"]
    fig.peak_rss_mb = round(peak_small, 1)
    fig.walk = {
        "heavy": summarise_walks(small["walks"], before_small, peak_small),
        "huge": summarise_walks(big["walks"], before_big, peak_big),
    }
    fig.walk["heavy"].update(page_p50_ms=small["p50_ms"], page_p95_ms=small["p95_ms"])
    fig.walk["huge"].update(page_p50_ms=big["p50_ms"], page_p95_ms=big["p95_ms"])
    # Q4's latency figures are per walk (its critical path is the walk's chain)
    walk_ms = sorted(w["ms"] for w in small["walks"])
    fig.p50_ms = fig.walk["heavy"].get("walk_ms_p50")
    fig.p95_ms = round(walk_ms[-1], 1) if walk_ms else None
    if not opts.quick:  # pages per second with 16 walks at once
        conc = opts.concurrency[0]
        cpu0 = target.service.cpu_seconds()
        run = load(
            target,
            [heavy],
            concurrency=conc,
            requests=conc,
            duration_s=opts.duration_s,
            walk=walk,
            grace_s=45,
        )
        cpu = target.service.cpu_seconds() - cpu0
        stack.settle(target, run)
        pages = sum(w["pages"] for w in run["walks"])
        fig.rps_c16 = round(pages / run["elapsed_s"], 2) if run["elapsed_s"] else None
        if pages and not run["cut"]:
            fig.cpu_ms_per_request = round(cpu * 1000 / pages, 3)
        fig.failed += run["failed"]
        fig.cut += run["cut"]
    return fig


def summarise_walks(
    walks: list[dict[str, Any]], before_mb: float, peak_mb: float
) -> dict[str, Any]:
    if not walks:
        return {"walks": 0}
    ms = sorted(w["ms"] for w in walks)
    return {
        "walks": len(walks),
        "pages": walks[0]["pages"],
        "items": walks[0]["items"],
        "walk_ms_p50": round(ms[len(ms) // 2], 1),
        "rss_before_mb": round(before_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_growth_mb": round(peak_mb - before_mb, 1),
    }


def compare(a: Any, b: Any, path: str = "") -> str | None:
    """Where two JSON values first differ (None: equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only in one"
            found = compare(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = compare(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


# ---- the run ---------------------------------------------------------------------------


def available_vendors() -> set[str]:
    from trunkline.connectors import connector_classes

    return {v.value for v in connector_classes()}


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = None
    if shutil.which("node"):
        node = subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "node": node,
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through `finally`: children are stopped


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    opts = parse_options(argv)
    vendors = available_vendors()
    queries: list[BenchQuery] = []
    skipped: dict[str, str] = {}
    for name in opts.only:
        q = BY_NAME[name]
        missing = sorted(q.needs - vendors)
        if q.skip_reason:
            skipped[name] = q.skip_reason
        elif missing:
            skipped[name] = f"connectors not present yet: {', '.join(missing)}"
        else:
            queries.append(q)
    for name, why in skipped.items():
        print(f"{name} skipped: {why}", flush=True)
    if not queries:
        print("nothing to run")
        return 1
    if opts.render:
        return render_again(opts, queries, skipped)
    needed = sorted(set().union(*(q.needs for q in queries)) | {"livevox"})
    stack = Stack(opts)
    started = time.monotonic()
    figures: dict[str, list[Figures]] = {}
    floors: dict[str, floor.Floor | None] = {}
    try:
        print(f"starting simulators ({', '.join(needed)}) ...", flush=True)
        stack.start_simulators(needed)
        print("starting targets ...", flush=True)
        stack.start_targets(queries)
        for why in stack.skipped.values():
            print(f"peer skipped: {why}", flush=True)
        calls = Calls(stack.sims)
        for q in queries:
            floors[q.name] = floor.for_query(q.name)
            figures[q.name] = run_query(stack, q, calls)
    finally:
        stack.close()
    elapsed = time.monotonic() - started
    detail = _detail_path(opts)
    detail.write_text(
        json.dumps(
            {
                "machine": machine(),
                "options": {k: str(v) for k, v in asdict(opts).items()},
                "seconds": round(elapsed, 1),
                "figures": {k: [asdict(f) for f in v] for k, v in figures.items()},
                "skipped": skipped,
                "targets_skipped": stack.skipped,
            },
            indent=2,
        )
        + "\n"
    )
    write_results(opts, queries, skipped, figures, floors, stack.skipped, machine())
    print(f"wrote {detail} ({elapsed:.0f} s)")
    return 0


def _detail_path(opts: Options) -> Path:
    return WORK / f"{opts.json_path.stem}-detail.json"


def write_results(
    opts: Options,
    queries: list[BenchQuery],
    skipped: dict[str, str],
    figures: dict[str, list[Figures]],
    floors: dict[str, floor.Floor | None],
    targets_skipped: dict[str, str],
    host: dict[str, Any],
) -> None:
    results = report.build(opts, queries, skipped, figures, floors, targets_skipped)
    opts.json_path.parent.mkdir(parents=True, exist_ok=True)
    opts.json_path.write_text(json.dumps(results["rows"], indent=2) + "\n")
    print()
    print(report.table(results["rows"], figures))
    print(f"\nwrote {opts.json_path}")
    if opts.markdown_path:
        opts.markdown_path.write_text(
            report.markdown(host, opts, results, figures, floors, skipped)
        )
        print(f"wrote {opts.markdown_path}")


def render_again(
    opts: Options, queries: list[BenchQuery], skipped: dict[str, str]
) -> int:
    """The results of the last run, written again (after a fix to the report or to
    bench/NOTES.md): the same figures, machine and date; the floors are derived again
    from the seeded data, as the run does."""
    path = _detail_path(opts)
    if not path.exists():
        print(f"no figures to render: {path} is missing (run the benchmark first)")
        return 1
    saved = json.loads(path.read_text())
    figures = {
        name: [Figures(**f) for f in figs]
        for name, figs in saved["figures"].items()
        if name in {q.name for q in queries}
    }
    floors = {q.name: floor.for_query(q.name) for q in queries if q.name in figures}
    ran = [q for q in queries if q.name in figures]
    targets_skipped = dict(saved.get("targets_skipped") or {})
    write_results(
        opts, ran, skipped, figures, floors, targets_skipped, saved["machine"]
    )
    return 0


def run_query(stack: Stack, q: BenchQuery, calls: Calls) -> list[Figures]:
    out: list[Figures] = []
    samples: dict[str, Any] = {}
    best_c16: dict[str, float] = {}
    targets = [
        t
        for t in stack.targets
        if q.name in t.queries and (q.variants is None or t.variant in q.variants)
    ]
    at_c1: dict[str, Figures] = {}
    if not q.walk:
        for target in targets:
            stack.refresh(q, target)  # a write's sample starts from the seed too
            samples[target.name] = sample(target, target.body(q))
            warm(stack, target, q)
        print(f"{q.name} concurrency 1, {len(targets)} targets in turn ...", flush=True)
        at_c1 = at_concurrency_1(stack, targets, q, calls)
    for target in targets:
        print(f"{q.name} {target.name} ...", end=" ", flush=True)
        t0 = time.monotonic()
        if q.walk:
            fig = measure_walks(stack, target, q, calls)
        else:
            fig = throughput(stack, target, q, at_c1[target.name], best_c16)
        print(
            f"calls {fig.vendor_calls}  p50 {fig.p50_ms} ms  "
            f"c16 {fig.rps_c16}/s  c64 {fig.rps_c64}/s  "
            f"cpu {fig.cpu_ms_per_request} ms/req  ({time.monotonic() - t0:.0f} s)",
            flush=True,
        )
        if fig.failed or fig.cut:
            print(
                f"  {fig.failed} failed, {fig.cut} cut: {fig.first_error}", flush=True
            )
        if fig.note:
            print(f"  {fig.note}", flush=True)
        out.append(fig)
    reference = next(
        (
            samples[f.target]
            for f in out
            if f.kind == "trunkline" and f.target in samples
        ),
        None,
    )
    for fig in out:
        if fig.kind in ("baseline", "strawberry") and reference is not None:
            diff = compare(reference, samples[fig.target])
            fig.same_json_as_trunkline = diff is None
            if diff:
                print(f"  {fig.target} answers differently from trunkline at {diff}")
    return out


__all__ = ["Figures", "Options", "Target", "main"]
