"""Merged histories through the whole gateway, under every setting of the MoxiWorks
and Procurios simulator knobs (what their docs leave open): each item exactly once,
newest first, at the vendor's own time; a setting the connector cannot serve fails
loudly. The vendor-call counts of the nested contacts query are pinned here too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import GraphQLClient
from test_interactions import HISTORY, expected_history, gid
from trunkline.app import create_app
from trunkline.config import load_settings
from trunkline.domain import Vendor
from trunkline.simulators.moxiworks import MoxiWorksKnobs
from trunkline.simulators.procurios import ProcuriosKnobs
from trunkline.simulators.seed import people

CONTACTS = [2, 3, 4, 5, 6]  # light histories: whole walks stay quick
MOXI_SETTINGS: list[dict[str, Any]] = [
    {},
    {"date_min_inclusive": True},
    {"date_max_inclusive": True},
    {"date_min_inclusive": True, "date_max_inclusive": True},
    {"order": "newest_first"},
    {"order": "shuffled"},
    {"unknown_contact": "404"},
]
PROC_SETTINGS: list[dict[str, Any]] = [
    {},
    {"ties": "id_asc"},
    {"since_inclusive": False},
    {"empty_tags": "list"},
    {"timezone": "Asia/Kolkata"},
    {"timezone": "America/New_York"},
]
NESTED = """{ contacts(first: 20) { edges { node {
  interactions(first: 5) { edges { node { id } } } } } } }"""
# The nested query's vendor calls (logins excluded), as README's table quotes them.
NESTED_CALLS = {Vendor.PROCURIOS: 8, Vendor.MOXIWORKS: 84}


@asynccontextmanager
async def gateway(
    tmp_path: Path, procurios_zone: str | None
) -> AsyncIterator[GraphQLClient]:
    config = tmp_path / "trunkline.toml"
    table = (
        f'[vendors.procurios]\ntimezone = "{procurios_zone}"\n'
        if procurios_zone
        else ""
    )
    config.write_text(table)
    settings = load_settings(
        config,
        env={"TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3")},
    )
    app = create_app(settings, lazy_simulators=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://g") as http:
            yield GraphQLClient(http, app)


def vendor_times(gql: GraphQLClient, index: int) -> dict[tuple[str, str], float]:
    """The MoxiWorks and Procurios items of a contact, at the vendor's own time."""
    person = people()[index]
    moxi = gql.sim(Vendor.MOXIWORKS).state.store.logs.get(person.account, [])
    proc = gql.sim(Vendor.PROCURIOS).state.store.by_relation.get(person.relation_id, [])
    return {("MOXIWORKS", a.id): float(a.timestamp) for a in moxi} | {
        ("PROCURIOS", str(m.id)): float(m.ts) for m in proc
    }


async def walk(
    gql: GraphQLClient, index: int, sizes: list[int]
) -> tuple[list[dict[str, Any]], list[Any]]:
    seen: list[dict[str, Any]] = []
    errors: list[Any] = []
    after = None
    for i in range(10_000):
        body = await gql.query(
            HISTORY,
            {
                "id": gid("Contact", people()[index].account),
                "first": sizes[i % len(sizes)],
                "after": after,
            },
        )
        errors += body.get("errors") or []
        conn = body["data"]["contact"]["interactions"]
        seen += [e["node"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return seen, errors
        after = conn["pageInfo"]["endCursor"]
    raise AssertionError("the walk never ended")


async def assert_exact_walks(gql: GraphQLClient) -> None:
    for index in CONTACTS:
        seen, errors = await walk(gql, index, [7, 3])
        assert not errors, errors
        keys = [(n["source"]["vendor"], n["source"]["vendorId"]) for n in seen]
        assert len(keys) == len(set(keys)), "an interaction came back twice"
        assert set(keys) == expected_history(gql, index)
        stamps = [datetime.fromisoformat(n["occurredAt"]) for n in seen]
        assert stamps == sorted(stamps, reverse=True)
        truth = vendor_times(gql, index)
        for key, stamp in zip(keys, stamps, strict=True):
            if key in truth:
                assert stamp.timestamp() == truth[key], key


def setter(vendor: Vendor, knobs: dict[str, Any]) -> Callable[[GraphQLClient], None]:
    def apply(gql: GraphQLClient) -> None:
        for key, value in knobs.items():
            setattr(gql.sim(vendor).state.knobs, key, value)

    return apply


@pytest.mark.parametrize("knobs", MOXI_SETTINGS, ids=lambda k: str(k) or "defaults")
async def test_merged_walks_are_exact_under_each_moxiworks_setting(
    tmp_path: Path, knobs: dict[str, Any]
) -> None:
    async with gateway(tmp_path, None) as gql:
        setter(Vendor.MOXIWORKS, knobs)(gql)
        await assert_exact_walks(gql)


@pytest.mark.parametrize("knobs", PROC_SETTINGS, ids=lambda k: str(k) or "defaults")
async def test_merged_walks_are_exact_under_each_procurios_setting(
    tmp_path: Path, knobs: dict[str, Any]
) -> None:
    async with gateway(tmp_path, knobs.get("timezone")) as gql:
        setter(Vendor.PROCURIOS, knobs)(gql)
        await assert_exact_walks(gql)


async def test_a_procurios_zone_not_configured_shows_in_occurred_at(
    tmp_path: Path,
) -> None:
    """Without `[vendors.procurios] timezone`, a vendor writing Kolkata wall time is
    read as UTC: every Procurios occurredAt is 5 h 30 off (what the option fixes)."""
    async with gateway(tmp_path, None) as gql:
        setter(Vendor.PROCURIOS, {"timezone": "Asia/Kolkata"})(gql)
        seen, _ = await walk(gql, CONTACTS[0], [50])
        truth = vendor_times(gql, CONTACTS[0])
        offsets = {
            datetime.fromisoformat(n["occurredAt"]).timestamp()
            - truth[("PROCURIOS", n["source"]["vendorId"])]
            for n in seen
            if n["source"]["vendor"] == "PROCURIOS"
        }
        assert offsets == {5.5 * 3600}


async def test_a_procurios_list_in_another_order_fails_loudly(tmp_path: Path) -> None:
    async with gateway(tmp_path, None) as gql:
        setter(Vendor.PROCURIOS, {"order": "oldest_first"})(gql)
        body = await gql.query(
            HISTORY, {"id": gid("Contact", people()[CONTACTS[0]].account), "first": 10}
        )
        [error] = body["errors"]
        assert error["extensions"]["code"] == "VENDOR_PROTOCOL_ERROR"
        assert error["extensions"]["vendor"] == "PROCURIOS"
        assert "newest first" in error["message"]
        # the other vendors still answer
        edges = body["data"]["contact"]["interactions"]["edges"]
        assert edges and all(
            e["node"]["source"]["vendor"] != "PROCURIOS" for e in edges
        )


async def nested_calls(gql: GraphQLClient) -> dict[Vendor, int]:
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # logins
    gql.reset_calls()
    data = await gql.data(NESTED)
    assert len(data["contacts"]["edges"]) == 20
    return {v: len(gql.calls(v)) for v in NESTED_CALLS}


async def test_nested_query_vendor_calls_are_exact_under_each_setting(
    tmp_path: Path,
) -> None:
    """The nested query (README's table) makes exactly these calls whatever the
    knobs: the MoxiWorks one-second overlap and the checks cost no call."""
    async with gateway(tmp_path, None) as gql:
        for knobs in MOXI_SETTINGS:
            gql.sim(Vendor.MOXIWORKS).state.knobs = MoxiWorksKnobs(**knobs)
            assert await nested_calls(gql) == NESTED_CALLS, knobs
        gql.sim(Vendor.MOXIWORKS).state.knobs = MoxiWorksKnobs()
        for knobs in PROC_SETTINGS:
            if "timezone" not in knobs:
                gql.sim(Vendor.PROCURIOS).state.knobs = ProcuriosKnobs(**knobs)
                assert await nested_calls(gql) == NESTED_CALLS, knobs
    async with gateway(tmp_path, "Asia/Kolkata") as gql:
        setter(Vendor.PROCURIOS, {"timezone": "Asia/Kolkata"})(gql)
        assert await nested_calls(gql) == NESTED_CALLS


# Every vendor's knobs away from their defaults at once, each to a setting the
# connectors serve exactly (the ones they refuse are tested above and per vendor).
ALL_AT_ONCE: dict[Vendor, dict[str, Any]] = {
    Vendor.LIVEVOX: {"notes_list_order": "shuffled", "unknown_account_notes": "empty"},
    Vendor.MOXIWORKS: {
        "date_min_inclusive": True,
        "date_max_inclusive": True,
        "order": "shuffled",
        "unknown_contact": "404",
    },
    Vendor.PROCURIOS: {
        "ties": "id_asc",
        "since_inclusive": False,
        "empty_tags": "list",
        "timezone": "America/New_York",
    },
    Vendor.CRMCOM: {
        "order": "created_desc_id_desc",
        "timezone": "Asia/Nicosia",
        "default_results": 4,
        "unknown_contact": "empty",
    },
}


async def test_merged_walks_are_exact_with_every_vendor_off_its_defaults(
    tmp_path: Path,
) -> None:
    config = tmp_path / "all.toml"
    config.write_text(
        '[vendors.procurios]\ntimezone = "America/New_York"\n'
        '[vendors.crmcom]\ntimezone = "Asia/Nicosia"\n'
    )
    settings = load_settings(
        config, env={"TRUNKLINE_IDENTITY_STORE": str(tmp_path / "links.sqlite3")}
    )
    app = create_app(settings, lazy_simulators=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://g") as http:
            gql = GraphQLClient(http, app)
            for vendor, knobs in ALL_AT_ONCE.items():
                setter(vendor, knobs)(gql)
            await assert_exact_walks(gql)
