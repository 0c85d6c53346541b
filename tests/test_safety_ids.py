"""Issue #17, point 4: client input never steers a vendor URL. Ids from global IDs,
cursors and links are checked against their vendor's shapes before use, path
segments are escaped, and every call the simulators log is a documented path."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safety_support import codes, gateway, gid, total_calls, undocumented_calls
from support import GraphQLClient
from trunkline.connectors.base import segment
from trunkline.domain import Vendor
from trunkline.errors import BadUserInput
from trunkline.simulators.seed import people

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

NODE = "query ($id: ID!) { node(id: $id) { id } }"
HISTORY = """query ($id: ID!, $after: String) { node(id: $id) { ... on Contact {
  interactions(first: 3, after: $after) { nodes { id }
    pageInfo { endCursor } } } } }"""
BY_CONTACT = """query ($id: ID!) { interactions(first: 2, filter: { contactId: $id })
  { nodes { id } } }"""
LINK = """mutation ($c: ID!, $v: Vendor!, $id: String!) {
  linkContact(input: { contactId: $c, vendor: $v, vendorId: $id }) {
    changed userErrors { code } } }"""
VENDORS = ["livevox", "moxiworks", "procurios", "crmcom", "engage"]


async def test_a_traversing_livevox_id_is_refused_before_any_call(
    gql: GraphQLClient,
) -> None:
    # Measured on main: the gateway called GET /contact/session/login.
    forged = gid("Interaction", "livevox:100000/1489039/../../../../session/login?x=1")
    body = await gql.query(NODE, {"id": forged})
    assert codes(body) == {"BAD_USER_INPUT"}
    assert total_calls(gql) == 0


def test_a_path_segment_is_escaped_and_never_a_dot_segment() -> None:
    assert segment("a/b?c#d") == "a%2Fb%3Fc%23d"
    for bad in ("", ".", ".."):
        with pytest.raises(BadUserInput):
            segment(bad)


async def _history_cursor(gql: GraphQLClient) -> tuple[str, str]:
    contact = gid("Contact", people()[0].account)
    data = await gql.data(HISTORY, {"id": contact})
    return contact, data["node"]["interactions"]["pageInfo"]["endCursor"]


async def test_cursor_positions_of_the_wrong_type_are_bad_input(
    gql: GraphQLClient,
) -> None:
    # Measured on main: INTERNAL_SERVER_ERROR.
    contact, cursor = await _history_cursor(gql)
    gql.reset_calls()
    bad_states: list[dict[str, Any]] = [
        {"s": {"moxiworks": "x"}},
        {"s": {"moxiworks": {"e": {"at": 1}, "i": 0}}},
        {"s": {"crmcom": {"n": 1, "i": ["x" * 500]}}},
        {"s": {"livevox": {"d": [[[[1]]]]}}},
        {"s": {"crmcom": {"n": -4}}},
        {"s": {"procurios": {"n": 1, "p": 2**80}}},
        {"s": {"livevox": [1, 2]}},
        {"h": {"moxiworks": "x"}},
        {"h": {"crmcom": [1, 2, 3]}},
    ]
    for state in bad_states:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        inner = payload["s"]
        inner["s"] = {**inner["s"], **state.get("s", {})}
        inner["h"] = {**inner.get("h", {}), **state.get("h", {})}
        after = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
        body = await gql.query(HISTORY, {"id": contact, "after": after})
        assert codes(body) == {"BAD_USER_INPUT"}, (state, body)
    # Only the contacts themselves were read; no history vendor was called.
    paths = {p for v in gql.app.state.simulators for _m, p, _q in gql.calls(v)}
    assert paths == {"/contact/contacts/search"}


async def test_link_contact_takes_history_vendors_and_their_id_shapes(
    gql: GraphQLClient,
) -> None:
    contact = gid("Contact", people()[5].account)
    refused = [
        ("LIVEVOX", "100005"),  # the contact's own record
        ("PROCURIOS", "not-a-relation"),
        ("PROCURIOS", "4" * 200_000),  # measured on main: stored, then pages broke
        ("CRMCOM", "../../authentication/login"),
        ("MOXIWORKS", "x" * 129),
    ]
    for vendor, vendor_id in refused:
        body = await gql.query(LINK, {"c": contact, "v": vendor, "id": vendor_id})
        payload = (body.get("data") or {}).get("linkContact") or {}
        found = codes(body) | {e["code"] for e in payload.get("userErrors", ())}
        assert found == {"BAD_USER_INPUT"}, (vendor, body)
    accepted = await gql.data(LINK, {"c": contact, "v": "PROCURIOS", "id": "400007"})
    assert accepted["linkContact"]["changed"] is True
    store = gql.app.state.gateway.identity
    assert await store.links_for([people()[5].account]) == {
        people()[5].account: {"procurios": "400007"}
    }


async def test_a_misshapen_stored_link_costs_that_vendor_not_the_page(
    gql: GraphQLClient,
) -> None:
    """A link from before these checks (or a CSV import) that no longer fits its
    vendor's shape is not used: the contact's history still pages."""
    account = people()[2].account
    await gql.app.state.gateway.identity.link(account, "crmcom", "../../x" * 30)
    body = await gql.query(HISTORY, {"id": gid("Contact", account)})
    assert "errors" not in body
    assert body["data"]["node"]["interactions"]["nodes"]
    assert not [c for c in gql.calls(Vendor.CRMCOM) if c[1].endswith("/list")]
    assert undocumented_calls(gql) == []


# ---- decoding fuzz ----------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_gql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One gateway for every example: (run, client), `run` on one event loop."""
    runner = asyncio.Runner()
    context = gateway(Path(tmp_path_factory.mktemp("fuzz")))
    gql = runner.run(context.__aenter__())
    try:
        yield runner.run, gql
    finally:
        runner.run(context.__aexit__(None, None, None))
        runner.close()


def _encoded(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


piece = st.text(
    alphabet=st.sampled_from("0123456789abcXYZ/.|:%?#&=- _\\\x00é"), max_size=40
)
stamp = st.from_regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", fullmatch=True)
token = st.one_of(
    piece,
    st.builds(lambda a, b: f"{a}/{b}", piece, piece),
    st.builds(lambda a, b, c: f"{a}|{b}|{c}", piece, st.one_of(stamp, piece), piece),
    st.builds(lambda a, b: f"{a}|{b}|{a}", st.integers(0, 10**20), piece),
)
global_ids = st.one_of(
    st.builds(
        lambda v, t: _encoded(f"Interaction:{v}:{t}"), st.sampled_from(VENDORS), token
    ),
    st.builds(lambda t: _encoded(f"Contact:{t}"), token),
    st.builds(lambda t: _encoded(t), piece),
    piece,
)


def _check(body: dict[str, Any], gql: GraphQLClient, allowed: set[str]) -> None:
    assert codes(body) <= allowed, body
    assert undocumented_calls(gql) == []
    gql.reset_calls()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=global_ids)
def test_any_global_id_is_bad_input_or_not_found_on_documented_paths(
    fuzz_gql: Any, raw: str
) -> None:
    run, gql = fuzz_gql
    body = run(gql.query(NODE, {"id": raw}))
    _check(body, gql, {"BAD_USER_INPUT", "NOT_FOUND"})
    body = run(gql.query(BY_CONTACT, {"id": raw}))
    _check(body, gql, {"BAD_USER_INPUT", "NOT_FOUND"})


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["n", "p", "e", "i", "t", "d", "k", "id", "x"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=8,
)
positions = st.dictionaries(st.sampled_from(VENDORS), json_value, max_size=4)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=positions, heads=positions)
def test_any_cursor_position_is_bad_input_on_documented_paths(
    fuzz_gql: Any, state: dict[str, Any], heads: dict[str, Any]
) -> None:
    run, gql = fuzz_gql
    contact, cursor = run(_history_cursor(gql))
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    payload = orjson.loads(raw)
    payload["s"] = {"s": {**payload["s"]["s"], **state}, "h": heads, "k": ["a", "b"]}
    after = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    body = run(gql.query(HISTORY, {"id": contact, "after": after}))
    _check(body, gql, {"BAD_USER_INPUT"})
