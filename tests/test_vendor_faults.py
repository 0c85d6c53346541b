"""A vendor that fails in a way no HTTP status describes (a missing credential, a bug
inside its connector) degrades like any vendor failure: the other vendors' data still
comes back, with an error naming the vendor and the path, under a stable code, and
never the exception's own text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safety_support import codes, gateway, refused_port
from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.seed import people

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

SECRET = "s3cr3t-token-in-an-exception"
AGENT = "8b9c1c3e-5f0a-4d2b-9e61-3c7a2f4d8e10"
HISTORY = """query ($a: String) { contact(account: $a) { account
  interactions(first: 10) { nodes { id source { vendor } } } } }"""


@pytest.fixture
def refused() -> Iterator[int]:
    with refused_port() as port:
        yield port


def vendors_of(body: dict[str, Any]) -> set[str]:
    nodes = body["data"]["contact"]["interactions"]["nodes"]
    return {n["source"]["vendor"] for n in nodes}


def broken(gql: GraphQLClient, vendor: Vendor) -> None:
    """Every call the vendor's connector makes raises an unexpected exception."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"bug with {SECRET}")

    gql.app.state.gateway.connectors[vendor].call = call


def the_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    assert SECRET not in str(body)
    return dict(error)


@pytest.mark.parametrize(
    "env",
    [
        {},  # no agent named: the connector cannot say whose log it reads
        {"TRUNKLINE_MOXIWORKS_AGENT_UUID": AGENT},  # no credentials: cannot sign
    ],
)
async def test_a_misconfigured_vendor_degrades_the_history(
    tmp_path: Path, refused: int, env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    # a real base URL and no credentials: the connector cannot sign its calls
    toml = f'[vendors.moxiworks]\nbase_url = "http://127.0.0.1:{refused}"\n'
    async with gateway(tmp_path, toml, env) as gql:
        body = await gql.query(HISTORY, {"a": people()[0].account})
    assert "TRUNKLINE_MOXIWORKS" in caplog.text  # the log names the setting
    error = the_error(body)
    assert error["extensions"] == {
        "code": "VENDOR_MISCONFIGURED",
        "vendor": "MOXIWORKS",
    }
    assert error["path"] == ["contact", "interactions"]
    assert "MOXIWORKS" in error["message"]
    assert "TRUNKLINE_" not in error["message"]  # the operator's log has the details
    assert len(body["data"]["contact"]["interactions"]["nodes"]) == 10
    assert vendors_of(body) >= {"PROCURIOS", "CRMCOM"}


async def test_a_bug_in_one_connector_degrades_the_history(tmp_path: Path) -> None:
    async with gateway(tmp_path) as gql:
        broken(gql, Vendor.CRMCOM)
        body = await gql.query(HISTORY, {"a": people()[0].account})
    error = the_error(body)
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "vendor": "CRMCOM",
    }
    assert error["path"] == ["contact", "interactions"]
    assert vendors_of(body) >= {"PROCURIOS", "MOXIWORKS"}


async def test_node_and_nodes_name_the_vendor_at_the_slot(tmp_path: Path) -> None:
    query = "query ($a: String) { contact(account: $a) { interactions(first: 30) { nodes { id source { vendor } } } } }"
    async with gateway(tmp_path) as gql:
        body = await gql.query(query, {"a": people()[0].account})
        nodes = body["data"]["contact"]["interactions"]["nodes"]
        crm = next(n["id"] for n in nodes if n["source"]["vendor"] == "CRMCOM")
        moxi = next(n["id"] for n in nodes if n["source"]["vendor"] == "MOXIWORKS")
        broken(gql, Vendor.CRMCOM)
        one = await gql.query("query ($id: ID!) { node(id: $id) { id } }", {"id": crm})
        many = await gql.query(
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [moxi, crm]}
        )
    error = the_error(one)
    assert one["data"] == {"node": None}
    assert error["path"] == ["node"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "vendor": "CRMCOM"}
    error = the_error(many)
    assert many["data"] == {"nodes": [{"id": moxi}, None]}
    assert error["path"] == ["nodes", 1]
    assert error["extensions"]["vendor"] == "CRMCOM"


@pytest.mark.parametrize(
    ("vendor", "query", "path"),
    [
        (Vendor.LIVEVOX, "{ contacts(first: 2) { nodes { account } } }", "contacts"),
        (Vendor.ENGAGE, "{ campaigns(first: 2) { nodes { id } } }", "campaigns"),
        (Vendor.CRMCOM, "{ queues { entries(first: 2) { nodes { id } } } }", "queues"),
    ],
)
async def test_a_bug_in_a_single_vendor_read_names_the_vendor(
    tmp_path: Path, vendor: Vendor, query: str, path: str
) -> None:
    async with gateway(tmp_path) as gql:
        broken(gql, vendor)
        body = await gql.query(query)
    assert codes(body) == {"INTERNAL_SERVER_ERROR"}
    assert SECRET not in str(body)
    assert {e["extensions"]["vendor"] for e in body["errors"]} == {vendor.name}
    assert all(e["path"][0] == path for e in body["errors"])


async def test_readyz_names_a_misconfigured_vendor(
    tmp_path: Path, refused: int
) -> None:
    toml = f'[vendors.moxiworks]\nbase_url = "http://127.0.0.1:{refused}"\n'
    async with gateway(tmp_path, toml) as gql:
        broken(gql, Vendor.CRMCOM)
        r = await gql.http.get("/readyz")
    assert r.status_code == 503
    vendors = r.json()["vendors"]
    assert vendors["MOXIWORKS"] == {
        "ok": False,
        "code": "VENDOR_MISCONFIGURED",
        "embedded": False,
    }
    assert vendors["CRMCOM"]["code"] == "INTERNAL_SERVER_ERROR"
    assert vendors["PROCURIOS"] == {"ok": True, "embedded": True}
