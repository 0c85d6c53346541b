"""Issue #4, Q4: a walk of one contact's merged history makes exactly the vendors'
floor of calls (bench/floor.py), over the embedded simulators."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from bench.floor import q4 as q4_floor

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.seed import HEAVY, people

ROOT = Path(__file__).resolve().parent.parent
Q4 = (ROOT / "bench" / "queries" / "q4_history_walk.graphql").read_text()


def contact_id(account: str) -> str:
    return base64.b64encode(f"Contact:{account}".encode()).decode()


async def walk(
    gql: GraphQLClient, index: int, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    """Follow endCursor to the end with the benchmark's query: (nodes, pages)."""
    query = Q4.replace("first: 100", f"first: {page_size}")
    assert query != Q4 or page_size == 100
    nodes: list[dict[str, Any]] = []
    after = None
    pages = 0
    while True:
        data = await gql.data(
            query, {"id": contact_id(people()[index].account), "after": after}
        )
        conn = data["interactions"]
        nodes += [e["node"] for e in conn["edges"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = conn["pageInfo"]["endCursor"]


def vendor_calls(gql: GraphQLClient) -> dict[str, int]:
    """Calls per vendor, logins left out (as the benchmark counts them)."""
    return {
        vendor.value: sum(
            1 for _, path, _ in gql.calls(vendor) if not path.endswith("/login")
        )
        for vendor in Vendor
        if vendor in gql.app.state.simulators
    }


@pytest.mark.parametrize("page_size", [100, 37])
async def test_q4_walk_makes_the_floor_calls(
    gql: GraphQLClient, page_size: int
) -> None:
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # logins
    gql.reset_calls()
    nodes, pages = await walk(gql, HEAVY, page_size)
    floor = q4_floor(HEAVY, page_size)
    calls = vendor_calls(gql)
    # Engage holds no attempts for this contact: one empty read on the first page,
    # and its stream is done (the floor counts it with the four other vendors)
    assert calls["engage"] == floor.calls["engage"] == 1
    print(f"Q4 walk, pages of {page_size}: {calls}, floor {floor.calls}")
    assert calls == floor.calls
    # For the record, pages of 100 (bench/RESULTS.md before issue #4): trunkline made
    # 91 calls (livevox 21, moxiworks 32, procurios 27, crmcom 11) against a floor of
    # 86 (moxiworks 31, procurios 23). Both now stand at 84: livevox 21, moxiworks
    # 29, procurios 23, crmcom 11 (the seeded data is anchored to today, so a window
    # may move from day to day; the floor is computed, not hard-coded).
    # every item exactly once, newest first, in the floor's pages
    assert len(nodes) == floor.extra["items"]
    assert pages == floor.extra["pages"]
    assert len({n["id"] for n in nodes}) == len(nodes)
    stamps = [n["occurredAt"] for n in nodes]
    assert stamps == sorted(stamps, reverse=True)
