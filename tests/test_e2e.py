"""End to end: `trunkline serve` as a real uvicorn process on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from node_checks import run_audit, run_graphiql
from trunkline.connectors.transport import TRANSPORTS
from trunkline.simulators.seed import people

pytestmark = pytest.mark.e2e

QUERY = """query ($after: String) {
  contacts(first: 50, after: $after) {
    edges { cursor node { id account displayName phones { number } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
BACK = """query ($before: String) {
  contacts(last: 50, before: $before) {
    edges { node { account } }
    pageInfo { hasPreviousPage startCursor }
  }
}"""


LIVEVOX_CREDENTIALS = {
    "TRUNKLINE_LIVEVOX_USERNAME": "agent",
    "TRUNKLINE_LIVEVOX_PASSWORD": "secret",
    "TRUNKLINE_LIVEVOX_CLIENT_NAME": "acme",
    "TRUNKLINE_LIVEVOX_ACCESS_TOKEN": "token",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(served_gateway: tuple[str, int]) -> str:
    """`trunkline serve` (conftest's, shared with test_security_e2e)."""
    return served_gateway[0]


@pytest.mark.gateway
def test_walks_every_contact_forward_and_back(server: str) -> None:
    expected = sorted(p.account for p in people())
    with httpx.Client(base_url=server, timeout=30) as client:
        seen: list[str] = []
        after = None
        while True:
            r = client.post(
                "/graphql", json={"query": QUERY, "variables": {"after": after}}
            )
            assert r.status_code == 200
            conn = r.json()["data"]["contacts"]
            seen += [e["node"]["account"] for e in conn["edges"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        assert seen == expected

        back: list[str] = []
        before = None
        while True:
            r = client.post(
                "/graphql", json={"query": BACK, "variables": {"before": before}}
            )
            conn = r.json()["data"]["contacts"]
            back[:0] = [e["node"]["account"] for e in conn["edges"]]
            if not conn["pageInfo"]["hasPreviousPage"]:
                break
            before = conn["pageInfo"]["startCursor"]
        assert back == expected


@pytest.mark.gateway
def test_health_ready_and_graphiql(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server}/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["vendors"]["LIVEVOX"]["ok"] is True
    page = httpx.get(f"{server}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()


@pytest.mark.gateway
def test_bad_input_over_the_wire(server: str) -> None:
    r = httpx.post(
        f"{server}/graphql",
        json={"query": "{ contacts(first: 100000) { edges { cursor } } }"},
    )
    assert r.status_code == 200
    [error] = r.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.audit
@pytest.mark.gateway
def test_graphql_http_audit_against_trunkline_serve(server: str) -> None:
    """The GraphQL over HTTP spec's own audits, SHOULDs included: 0 errors, 0 warnings."""
    summary = run_audit(f"{server}/graphql")
    assert summary["error"] == 0 and summary["warn"] == 0
    assert summary["ok"] == summary["total"] > 50


@pytest.mark.browser
def test_graphiql_runs_the_example_query_offline(server: str) -> None:
    """GraphiQL in headless Chromium, every non-127.0.0.1 request blocked."""
    shot = Path("/tmp/trunkline-graphiql-e2e.png")
    summary = run_graphiql(f"{server}/graphql", '"account": "100000"', shot)
    assert summary["blocked"] == [] and summary["failures"] == []
    assert summary["ok"] is True


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trunkline.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_up(proc: subprocess.Popen[bytes], args: list[str], health: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(health, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail(f"{args} did not start")


VENDORS = ["livevox", "moxiworks", "procurios", "crmcom", "engage"]
# A simulator lets only the gateway's credentials log in (read from the env).
CREDENTIALS = {
    "TRUNKLINE_CRMCOM_USERNAME": "api",
    "TRUNKLINE_CRMCOM_PASSWORD": "secret",
    **LIVEVOX_CREDENTIALS,
    "TRUNKLINE_MOXIWORKS_USERNAME": "partner",
    "TRUNKLINE_MOXIWORKS_PASSWORD": "secret",
    "TRUNKLINE_PROCURIOS_TOKEN": "token",
    "TRUNKLINE_ENGAGE_USERNAME": "ws-user",
    "TRUNKLINE_ENGAGE_PASSWORD": "ws-secret",
}


@pytest.fixture(scope="module")
def real_urls(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, int], dict[str, str]]]:
    """Each vendor's simulator as a process of its own and, pointed at them, a gateway
    per HTTP transport: (simulator ports, gateway URLs). All eight start at once (a
    start is mostly imports); a gateway reaches no vendor before its test asks."""
    ports = {v: free_port() for v in VENDORS}
    here = tmp_path_factory.mktemp("real-urls")
    config = here / "trunkline.toml"
    config.write_text(
        '[vendors.procurios]\ncontact_key = "custom_field:COL5"\n'
        '[vendors.crmcom]\ncontact_key = "custom_field:COL6"\n'
        '[vendors.moxiworks]\nagent_uuid = "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10"\n'
        '[vendors.engage]\norg_id = "1001"\n'
    )
    starts: list[tuple[list[str], dict[str, str], str]] = [
        (
            ["simulate", v, "--port", str(ports[v])],
            {**os.environ, **CREDENTIALS},
            f"http://127.0.0.1:{ports[v]}/_sim/faults",
        )
        for v in VENDORS
    ]
    urls: dict[str, str] = {}
    for transport in TRANSPORTS:
        port = free_port()
        urls[transport] = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "TRUNKLINE_IDENTITY_STORE": str(here / f"links-{transport}.db"),
            "TRUNKLINE_HTTP_TRANSPORT": transport,
            **CREDENTIALS,
            **{
                f"TRUNKLINE_{v.upper()}_URL": f"http://127.0.0.1:{p}"
                for v, p in ports.items()
            },
        }
        args = ["serve", "--port", str(port), "--config", str(config)]
        starts.append((args, env, f"{urls[transport]}/healthz"))
    procs = [spawn(args, env) for args, env, _ in starts]
    try:
        for proc, (args, _, health) in zip(procs, starts, strict=True):
            wait_up(proc, args, health)
        yield ports, urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_vendors_at_real_urls(
    transport: str, real_urls: tuple[dict[str, int], dict[str, str]]
) -> None:
    """Point every vendor at a base URL: the same connectors talk real HTTP to it."""
    ports, gateways = real_urls
    httpx.delete(f"http://127.0.0.1:{ports['livevox']}/_sim/calls")
    url = gateways[transport]
    ready = httpx.get(f"{url}/readyz", timeout=10).json()
    assert ready["status"] == "ready", ready
    assert not any(v["embedded"] for v in ready["vendors"].values())
    body = httpx.post(
        f"{url}/graphql",
        json={
            "query": '{ contact(account: "100000") { displayName interactions(first: 40) '
            "{ edges { node { source { vendor } } } } } }"
        },
        timeout=30,
    ).json()
    assert "errors" not in body, body
    vendors_seen = {
        e["node"]["source"]["vendor"]
        for e in body["data"]["contact"]["interactions"]["edges"]
    }
    assert vendors_seen == {"LIVEVOX", "MOXIWORKS", "PROCURIOS", "CRMCOM"}
    calls = httpx.get(f"http://127.0.0.1:{ports['livevox']}/_sim/calls").json()
    assert calls["count"] >= 2  # login + search went over the network
