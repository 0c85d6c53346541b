"""Issue #17, point 3: a vendor's timeout and the request's deadline hold in every
mode; a slow, silent or refused vendor costs its share of the answer, not the
answer, and logins fail the way every other call does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from safety_support import codes, gateway, refused_port, silent_port
from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.seed import people

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

HISTORY = """query ($a: String) { contact(account: $a) { account
  interactions(first: 10) { nodes { source { vendor } } } } }"""
MARGIN_S = 0.5  # what a loaded 2-core machine may add past a deadline
MOXI_ENV = {
    "TRUNKLINE_MOXIWORKS_USERNAME": "u",
    "TRUNKLINE_MOXIWORKS_PASSWORD": "p",
    "TRUNKLINE_MOXIWORKS_AGENT_UUID": "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10",
}


async def timed(gql: GraphQLClient, account: str) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    body = await gql.query(HISTORY, {"a": account})
    return body, time.monotonic() - start


def vendors_of(body: dict[str, Any]) -> set[str]:
    nodes = body["data"]["contact"]["interactions"]["nodes"]
    return {n["source"]["vendor"] for n in nodes}


def errors_by_vendor(body: dict[str, Any]) -> dict[str, str]:
    return {e["extensions"]["vendor"]: e["extensions"]["code"] for e in body["errors"]}


async def test_a_slow_embedded_vendor_costs_its_timeout(tmp_path: Path) -> None:
    toml = "[vendors.moxiworks]\ntimeout_s = 0.5\n"
    async with gateway(tmp_path, toml, lazy=False) as gql:
        await gql.query(HISTORY, {"a": people()[1].account})  # logins
        gql.sim(Vendor.MOXIWORKS).state.faults.latency_ms = 30_000
        body, took = await timed(gql, people()[0].account)
    assert took < 0.5 + MARGIN_S
    assert errors_by_vendor(body) == {"MOXIWORKS": "VENDOR_TIMEOUT"}
    assert body["errors"][0]["path"] == ["contact", "interactions"]
    assert "MOXIWORKS" in body["errors"][0]["message"]
    assert vendors_of(body) >= {"PROCURIOS", "CRMCOM"}


async def test_the_request_deadline_bounds_every_vendor(tmp_path: Path) -> None:
    toml = "[gateway]\nrequest_deadline_s = 1.0\n"  # vendors keep timeout_s = 5
    async with gateway(tmp_path, toml, lazy=False) as gql:
        await gql.query(HISTORY, {"a": people()[1].account})
        for vendor in (Vendor.MOXIWORKS, Vendor.PROCURIOS, Vendor.CRMCOM):
            gql.sim(vendor).state.faults.latency_ms = 30_000
        body, took = await timed(gql, people()[0].account)
    assert took < 1.0 + MARGIN_S
    assert errors_by_vendor(body) == {
        "MOXIWORKS": "VENDOR_TIMEOUT",
        "PROCURIOS": "VENDOR_TIMEOUT",
        "CRMCOM": "VENDOR_TIMEOUT",
    }
    assert body["data"]["contact"]["account"] == people()[0].account
    assert vendors_of(body) <= {"LIVEVOX"}


async def test_a_vendor_that_never_answers_costs_its_timeout(tmp_path: Path) -> None:
    with silent_port() as port:
        toml = (
            f'[vendors.moxiworks]\nbase_url = "http://127.0.0.1:{port}"\n'
            "timeout_s = 0.5\n"
        )
        async with gateway(tmp_path, toml, MOXI_ENV, lazy=False) as gql:
            body, took = await timed(gql, people()[0].account)
    assert took < 0.5 + MARGIN_S
    assert errors_by_vendor(body) == {"MOXIWORKS": "VENDOR_TIMEOUT"}
    assert vendors_of(body) >= {"PROCURIOS", "CRMCOM"}


async def test_a_login_to_a_refused_port_is_a_typed_vendor_error(
    tmp_path: Path,
) -> None:
    # Measured on main: `data: null`, INTERNAL_SERVER_ERROR (CRM.COM logs in first).
    with refused_port() as port:
        toml = (
            f'[vendors.crmcom]\nbase_url = "http://127.0.0.1:{port}"\n'
            'contact_key = "custom_field:COL6"\n'
        )
        async with gateway(tmp_path, toml, lazy=False) as gql:
            body, took = await timed(gql, people()[0].account)
    assert errors_by_vendor(body) == {"CRMCOM": "VENDOR_UNAVAILABLE"}
    assert vendors_of(body) >= {"PROCURIOS", "MOXIWORKS"}
    assert took < 5


async def test_livevox_unreachable_is_a_vendor_error_not_a_masked_one(
    tmp_path: Path,
) -> None:
    with refused_port() as port:
        toml = f'[vendors.livevox]\nbase_url = "http://127.0.0.1:{port}"\n'
        async with gateway(tmp_path, toml, lazy=False) as gql:
            body = await gql.query(HISTORY, {"a": people()[0].account})
            listing = await gql.query("{ contacts(first: 2) { nodes { account } } }")
    assert codes(body) == {"VENDOR_UNAVAILABLE"}
    assert body["errors"][0]["extensions"]["vendor"] == "LIVEVOX"
    assert codes(listing) == {"VENDOR_UNAVAILABLE"}


async def test_readyz_answers_503_with_codes_never_500(tmp_path: Path) -> None:
    with refused_port() as refused, silent_port() as silent:
        toml = (
            f'[vendors.crmcom]\nbase_url = "http://127.0.0.1:{refused}"\n'
            f'[vendors.livevox]\nbase_url = "http://127.0.0.1:{refused}"\n'
            f'[vendors.moxiworks]\nbase_url = "http://127.0.0.1:{silent}"\n'
            "timeout_s = 0.5\n"
        )
        async with gateway(tmp_path, toml, MOXI_ENV, lazy=False) as gql:
            start = time.monotonic()
            r = await gql.http.get("/readyz")
            took = time.monotonic() - start
    assert r.status_code == 503
    vendors = r.json()["vendors"]
    assert vendors["LIVEVOX"]["code"] == "VENDOR_UNAVAILABLE"
    assert vendors["CRMCOM"]["code"] == "VENDOR_UNAVAILABLE"
    assert vendors["MOXIWORKS"]["code"] == "VENDOR_TIMEOUT"
    assert vendors["PROCURIOS"] == {"ok": True, "embedded": True}
    assert took < 0.5 + MARGIN_S
