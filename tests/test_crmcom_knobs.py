"""CRM.COM under every setting of what its doc leaves open (the simulator's knobs).

CONTRACT.md closes what the doc leaves open: list order (created_date descending,
then id), the zone of zone-less dates (UTC), the default page size (50) and what an
unknown contact answers. The simulator varies each (`CrmcomKnobs`); through GraphQL
paging, a walk of several contacts' CRM.COM histories must give each item exactly
once, newest first, at the vendor's time, or fail loudly (VENDOR_PROTOCOL_ERROR).
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import GraphQLClient
from trunkline.app import create_app
from trunkline.config import load_settings
from trunkline.connectors.base import HistoryRead
from trunkline.connectors.crmcom import CrmComConnector
from trunkline.domain import InteractionFilter, Vendor
from trunkline.errors import ConfigError, VendorProtocolError
from trunkline.pagination.merge import Batch
from trunkline.simulators.crmcom import CrmcomKnobs
from trunkline.simulators.seed import HEAVY, people

HISTORY = """
query ($id: ID!, $first: Int, $after: String) {
  contact(id: $id) {
    interactions(first: $first, after: $after, filter: { vendors: [CRMCOM] }) {
      edges { node { occurredAt source { vendor vendorId } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
LINK = """mutation ($c: ID!, $id: String!) {
  linkContact(input: { contactId: $c, vendor: CRMCOM, vendorId: $id }) { changed } }"""
NESTED = """{ contacts(first: 20) { nodes {
  interactions(first: 5) { edges { node { id occurredAt } } } } } }"""
SIZES = [3, 7, 20, 50]  # page sizes, cycled: page boundaries fall everywhere
UNKNOWN = "0" * 32  # a CRM.COM contact id the vendor does not know


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


@asynccontextmanager
async def gateway(tmp_path: Path, timezone: str | None) -> AsyncIterator[GraphQLClient]:
    """The gateway on its embedded simulators; `timezone`: [vendors.crmcom] timezone."""
    name = (timezone or "default").replace("/", "-")
    config = tmp_path / f"trunkline-{name}.toml"
    config.write_text(
        f'[vendors.crmcom]\ntimezone = "{timezone}"\n' if timezone else ""
    )
    env = {
        "TRUNKLINE_IDENTITY_STORE": str(tmp_path / f"links-{name}.sqlite3"),
        # /simulators/<v>/_sim are served only when asked for ([security])
        "TRUNKLINE_MOUNT_SIMULATORS": "true",
    }
    app = create_app(load_settings(config, env=env), lazy_simulators=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            yield GraphQLClient(http, app)


def contacts(gql: GraphQLClient) -> list[int]:
    """Several contacts: two with same-second communications (ties), one without,
    and the 350-communication one."""
    store = gql.sim(Vendor.CRMCOM).state.store
    sizes = [len(store.by_contact.get(p.crmcom_id, [])) for p in people()[:400]]

    def ties(i: int) -> int:
        comms = store.by_contact[people()[i].crmcom_id]
        return sum(a.created == b.created for a, b in itertools.pairwise(comms))

    tied = [i for i, n in enumerate(sizes) if 8 <= n <= 40 and ties(i)][:2]
    plain = [i for i, n in enumerate(sizes) if 8 <= n <= 40 and not ties(i)][:1]
    large = [max(range(len(sizes)), key=lambda i: (sizes[i] < 1000, sizes[i]))]
    assert len(tied) == 2 and plain and large
    return [*tied, *plain, *large]


async def walk(
    gql: GraphQLClient, index: int
) -> tuple[list[dict[str, Any]], list[Any]]:
    """One contact's CRM.COM history through GraphQL paging: (nodes, errors)."""
    nodes: list[dict[str, Any]] = []
    after = None
    for step in range(1000):
        body = await gql.query(
            HISTORY,
            {
                "id": gid("Contact", people()[index].account),
                "first": SIZES[step % len(SIZES)],
                "after": after,
            },
        )
        if body.get("errors"):
            return nodes, body["errors"]
        page = body["data"]["contact"]["interactions"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, []
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the walk never ended")


def check_walk(gql: GraphQLClient, index: int, nodes: list[dict[str, Any]]) -> None:
    """Each communication exactly once, newest first, at the vendor's own time."""
    comms = gql.sim(Vendor.CRMCOM).state.store.by_contact[people()[index].crmcom_id]
    created = {c.id: c.created for c in comms}
    ids = [n["source"]["vendorId"] for n in nodes]
    assert {n["source"]["vendor"] for n in nodes} <= {"CRMCOM"}
    assert len(ids) == len(set(ids)) == len(created)
    assert set(ids) == set(created)
    times = [datetime.fromisoformat(n["occurredAt"]) for n in nodes]
    assert times == sorted(times, reverse=True)
    assert times == [created[i] for i in ids]


SETTINGS = [
    {"order": order, "default_results": size, "unknown_contact": unknown}
    for order in ("created_desc_id_asc", "created_desc_id_desc")
    for size in (50, 4)
    for unknown in ("not_found", "empty")
]


@pytest.mark.parametrize(
    "timezone",
    [
        "UTC",  # CONTRACT.md's reading (also the default: no option at all)
        "Asia/Nicosia",  # the doc's examples write EEST
        "America/St_Johns",  # a half-hour offset, and DST the other way round
    ],
)
async def test_walks_are_right_under_every_setting(
    tmp_path: Path, timezone: str
) -> None:
    async with gateway(tmp_path, None if timezone == "UTC" else timezone) as gql:
        picked = contacts(gql)
        # One more contact whose CRM.COM id the vendor does not know.
        stranger = 450
        link = {"c": gid("Contact", people()[stranger].account), "id": UNKNOWN}
        assert (await gql.data(LINK, link))["linkContact"]["changed"]
        knobs: CrmcomKnobs = gql.sim(Vendor.CRMCOM).state.knobs
        for setting in SETTINGS:
            gql.sim(Vendor.CRMCOM).state.knobs = replace(
                knobs, timezone=timezone, **setting
            )
            for index in picked:
                nodes, errors = await walk(gql, index)
                assert not errors, (setting, errors)
                check_walk(gql, index, nodes)
            nodes, errors = await walk(gql, stranger)
            assert (nodes, errors) == ([], []), setting


async def test_a_list_that_is_not_newest_first_fails_loudly(tmp_path: Path) -> None:
    """A vendor that lists oldest first cannot be paged into a newest-first merge:
    the walk stops with VENDOR_PROTOCOL_ERROR naming CRM.COM, having shown nothing
    twice and nothing out of order."""
    async with gateway(tmp_path, None) as gql:
        gql.sim(Vendor.CRMCOM).state.knobs.order = "created_asc_id_asc"
        for index in contacts(gql):
            nodes, errors = await walk(gql, index)
            assert len(errors) == 1, errors
            (error,) = errors
            assert error["extensions"]["code"] == "VENDOR_PROTOCOL_ERROR"
            assert error["extensions"]["vendor"] == "CRMCOM"
            assert "not newest first" in error["message"]
            assert nodes == []  # the first page already shows it


async def test_the_timezone_option_makes_occurred_at_right(tmp_path: Path) -> None:
    """The vendor's clock is in Tokyo: without the option, every time is 9 hours off;
    with `[vendors.crmcom] timezone = "Asia/Tokyo"` each is the vendor's own."""
    (index,) = [2]
    for option, shift in ((None, timedelta(hours=9)), ("Asia/Tokyo", timedelta(0))):
        async with gateway(tmp_path, option) as gql:
            gql.sim(Vendor.CRMCOM).state.knobs.timezone = "Asia/Tokyo"
            nodes, errors = await walk(gql, index)
            assert not errors
            comms = gql.sim(Vendor.CRMCOM).state.store.by_contact
            created = {c.id: c.created for c in comms[people()[index].crmcom_id]}
            assert nodes and len(nodes) == len(created)
            for node in nodes:
                at = datetime.fromisoformat(node["occurredAt"])
                assert at == created[node["source"]["vendorId"]] + shift


def test_a_timezone_that_is_not_iana_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[vendors.crmcom]\ntimezone = "Mars/Olympus_Mons"\n')
    with pytest.raises(ConfigError, match="timezone"):
        create_app(load_settings(config, env={}))


async def test_nested_histories_cost_one_crmcom_call_per_contact(
    tmp_path: Path,
) -> None:
    """`contacts(first: 20) { nodes { interactions(first: 5) } }`: CRM.COM has no
    batch form, so one list call per contact with a CRM.COM record, no more."""
    async with gateway(tmp_path, None) as gql:
        first = gid("Contact", people()[0].account)
        await gql.data(HISTORY, {"id": first, "first": 1})  # logins
        for knobs in (
            CrmcomKnobs(),
            CrmcomKnobs(order="created_desc_id_desc", default_results=4),
        ):
            gql.sim(Vendor.CRMCOM).state.knobs = knobs
            gql.reset_calls()
            data = await gql.data(NESTED)
            assert len(data["contacts"]["nodes"]) == 20
            crm = gql.calls(Vendor.CRMCOM)
            print("CRM.COM calls for the nested query:", len(crm))
            assert len(crm) == 20
            assert all(p.endswith("communications/list") for _, p, _ in crm)


async def test_a_list_that_grows_at_its_top_mid_walk_repeats_nothing(
    tmp_path: Path,
) -> None:
    """Offsets shift when a communication is created between two pages: the position
    remembers what it has read, so nothing is shown twice; a shift it cannot account
    for is an error, not a silent repeat."""
    from trunkline.config import VendorSettings
    from trunkline.connectors.transport import make_client
    from trunkline.simulators.crmcom import create_app as create_sim

    sim = create_sim()
    vs = VendorSettings(name="crmcom")
    conn = CrmComConnector(vs, make_client(vs, app=sim))
    key = people()[3].crmcom_id
    comms = sim.state.store.by_contact[key]
    f = InteractionFilter()

    async def page(position: Any, limit: int) -> Any:
        text = None if position is None else orjson.dumps(position).decode()
        (batch,) = await conn.read_histories(
            [HistoryRead(key, f, frozenset(), text, limit)]
        )
        return batch

    async def create() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sim), base_url="http://sim"
        ) as http:
            api = "/crmapi/rest/v2/"
            login = await http.post(
                api + "authentication/login",
                json={"username": "trunkline", "password": "embedded"},
            )
            token = login.json()["data"]["token"]
            made = await http.post(
                api + "communications/create",
                json={
                    "token": token,
                    "contact_information_identifier": {"id": key},
                    "direction": "INCOMING",
                    "media": "PHONE",
                    "subject": "New",
                    "content": "Called in",
                },
            )
            assert made.json()["status"]["code"] == "OK"

    # A first page whose last two items are not of the same second (else the second
    # shift below would be recognised too: the position knows both).
    size = next(k for k in range(3, 20) if comms[k - 2].created > comms[k - 1].created)
    try:
        want = [c.id for c in comms]
        first = await page(None, size)
        await create()  # the list now starts with it: offsets move by one
        rest = await page(first.next, 100)
        assert isinstance(rest, Batch)
        seen = [i.source.vendor_id for i, _ in (*first.items, *rest.items)]
        assert seen == want  # the new one is newer than the walk: not in it

        # `comms` is the vendor's list as it is now (the new one at its top).
        size = next(
            k for k in range(3, 20) if comms[k - 2].created > comms[k - 1].created
        )
        first = await page(None, size)
        await create()
        await create()  # two: the page starts with an item newer than the last
        failed = await page(first.next, 100)  # a read's failure is its answer
        assert isinstance(failed, VendorProtocolError)
        assert "CRMCOM: communications/list is not newest first" in str(failed)
    finally:
        await conn.aclose()


async def test_knobs_are_set_over_http_too(tmp_path: Path) -> None:
    """`PUT /_sim/knobs` on the mounted simulator changes the same knobs."""
    async with gateway(tmp_path, None) as gql:
        sim = "/simulators/crmcom/_sim/knobs"
        assert (await gql.http.get(sim)).json() == {
            "order": "created_desc_id_asc",
            "timezone": "UTC",
            "default_results": 50,
            "unknown_contact": "not_found",
        }
        r = await gql.http.put(sim, json={"order": "created_asc_id_asc"})
        assert r.status_code == 200
        assert gql.sim(Vendor.CRMCOM).state.knobs.order == "created_asc_id_asc"
        nodes, errors = await walk(gql, 2)
        assert (
            nodes == [] and errors[0]["extensions"]["code"] == "VENDOR_PROTOCOL_ERROR"
        )
        r = await gql.http.put(sim, json={"colour": "red"})
        assert r.status_code == 400


@pytest.fixture(scope="module")
def heavy_sim() -> Any:
    from trunkline.simulators.crmcom import create_app as create_sim

    return create_sim()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sizes=st.lists(st.integers(1, 120), min_size=1, max_size=4),
    order=st.sampled_from(["created_desc_id_asc", "created_desc_id_desc"]),
    default_results=st.sampled_from([50, 1, 500]),
)
async def test_connector_walks_follow_the_vendors_order(
    heavy_sim: Any, sizes: list[int], order: str, default_results: int
) -> None:
    """Any page sizes, either tie order: the vendor's list, each item once."""
    from trunkline.config import VendorSettings
    from trunkline.connectors.transport import make_client

    heavy_sim.state.knobs = CrmcomKnobs(order=order, default_results=default_results)
    vs = VendorSettings(name="crmcom")
    conn = CrmComConnector(vs, make_client(vs, app=heavy_sim))
    key = people()[HEAVY].crmcom_id
    seen: list[str] = []
    position: str | None = None
    try:
        for step in range(1000):
            limit = sizes[step % len(sizes)]
            (batch,) = await conn.read_histories(
                [HistoryRead(key, InteractionFilter(), frozenset(), position, limit)]
            )
            assert isinstance(batch, Batch), batch
            seen += [i.source.vendor_id for i, _ in batch.items]
            if batch.next is None:
                break
            position = orjson.dumps(batch.next).decode()
    finally:
        await conn.aclose()
    want = heavy_sim.state.ctx.ordered(heavy_sim.state.store.by_contact[key])
    assert seen == [c.id for c in want]
    assert len(set(seen)) == len(seen) > 300
