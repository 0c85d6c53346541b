"""LiveVox through the whole gateway, as the doc has it: notes dated by Read Contact
Note, dnd from the block state on every path, dates before 1970, and the behaviours
only CONTRACT.md states varied by the simulator's knobs."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support import GraphQLClient
from trunkline.connectors.base import HistoryRead
from trunkline.domain import InteractionFilter, Vendor
from trunkline.pagination.merge import Batch
from trunkline.simulators.livevox import presented_notes
from trunkline.simulators.seed import people

Json = dict[str, Any]
NOTES = """
query ($id: ID!, $first: Int, $after: String) {
  contact(id: $id) {
    interactions(first: $first, after: $after, filter: { vendors: [LIVEVOX] }) {
      edges { node { occurredAt body source { vendorId } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
PHONES = "account phones { number block dnd smsConsent cellConsent }"


def gid(kind: str, key: str) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def iso(ms: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return moment.isoformat()


def knobs(gql: GraphQLClient) -> Any:
    return gql.sim(Vendor.LIVEVOX).state.knobs


def lv_calls(gql: GraphQLClient) -> list[tuple[str, str, str]]:
    return [c for c in gql.calls(Vendor.LIVEVOX) if c[1] != "/session/login"]


async def walk_notes(
    gql: GraphQLClient, account: str, size: int
) -> tuple[list[Json], list[Json], int]:
    """Every LiveVox note of the account, page by page: (items, errors, pages)."""
    seen: list[Json] = []
    after = None
    pages = 0
    while True:
        body = await gql.query(
            NOTES, {"id": gid("Contact", account), "first": size, "after": after}
        )
        pages += 1
        if body.get("errors"):
            return seen, body["errors"], pages
        conn = body["data"]["contact"]["interactions"]
        seen += [e["node"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return seen, [], pages
        after = conn["pageInfo"]["endCursor"]


def expected_notes(gql: GraphQLClient, account: str) -> list[tuple[str, str]]:
    store = gql.sim(Vendor.LIVEVOX).state.store
    notes = presented_notes(store, account, knobs(gql))
    return [(f"{account}/{n['id']}", iso(n["createDate"])) for n in notes]


# ---- notes carry their real dates, newest first, each once ----------------------

# person 0 has 40 notes, person 1 has 200; the others a handful or none
WALKED = [people()[i].account for i in (0, 3, 4, 6, 9)]


@pytest.mark.parametrize("note_ids", ["rising", "falling", "shuffled"])
@pytest.mark.parametrize("list_order", ["id_desc", "id_asc", "shuffled"])
async def test_notes_walk_is_exact_under_every_knob(
    gql: GraphQLClient, note_ids: str, list_order: str
) -> None:
    knobs(gql).note_ids = note_ids
    knobs(gql).notes_list_order = list_order
    for account in WALKED:
        for size in (3, 7):
            gql.reset_calls()
            seen, errors, pages = await walk_notes(gql, account, size)
            assert not errors, errors
            got = [(n["source"]["vendorId"], n["occurredAt"]) for n in seen]
            expected = expected_notes(gql, account)
            # each note once, dated by its createDate, newest first
            assert sorted(got) == sorted(expected)
            stamps = [t for _, t in got]
            assert stamps == sorted(stamps, reverse=True)
            # bounded: a list and at most size + 1 reads a page while ids rise
            # with time; every note's date a page once they do not
            paths = [c[1] for c in lv_calls(gql)]
            assert paths.count(f"/contact/contacts/{account}/notes/") == pages
            reads = [p for p in paths if "/notes/" in p and not p.endswith("/")]
            per_page = size + 1 if note_ids == "rising" else len(expected)
            assert len(reads) <= pages * per_page


async def test_rising_ids_read_only_the_dates_a_page_needs(gql: GraphQLClient) -> None:
    account = people()[1].account  # 200 notes
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # login
    gql.reset_calls()
    body = await gql.data(NOTES, {"id": gid("Contact", account), "first": 10})
    items = body["contact"]["interactions"]["edges"]
    assert [
        (e["node"]["source"]["vendorId"], e["node"]["occurredAt"]) for e in items
    ] == (expected_notes(gql, account)[:10])
    paths = [c[1] for c in lv_calls(gql)]
    # the contact (one search), its notes list, then the dates of the page's 10 notes
    # and one more (the merge reads first + 1); no other note is read
    assert paths.count(f"/contact/contacts/{account}/notes/") == 1
    assert paths.count("/contact/contacts/search") == 1
    assert len(paths) == 1 + 1 + 11


async def test_ids_that_stop_rising_mid_walk_fail_loudly(gql: GraphQLClient) -> None:
    account = people()[0].account  # 40 notes
    first = await gql.data(NOTES, {"id": gid("Contact", account), "first": 5})
    after = first["contact"]["interactions"]["pageInfo"]["endCursor"]
    knobs(gql).note_ids = "falling"  # the ids no longer follow the dates
    body = await gql.query(
        NOTES, {"id": gid("Contact", account), "first": 5, "after": after}
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "VENDOR_PROTOCOL_ERROR", "vendor": "LIVEVOX"}
    assert "do not grow older as their ids fall" in error["message"]
    assert not body["data"]["contact"]["interactions"]["edges"]


async def test_the_merged_history_keeps_note_dates(gql: GraphQLClient) -> None:
    # the whole history, every vendor: LiveVox notes sit where their dates put them
    account = people()[3].account
    knobs(gql).note_ids = "falling"
    body = await gql.data(
        """query ($id: ID!) { contact(id: $id) { interactions(first: 500) {
             edges { node { occurredAt source { vendor vendorId } } } } } }""",
        {"id": gid("Contact", account)},
    )
    nodes = [e["node"] for e in body["contact"]["interactions"]["edges"]]
    stamps = [n["occurredAt"] for n in nodes]
    assert stamps == sorted(stamps, reverse=True)
    notes = [
        (n["source"]["vendorId"], n["occurredAt"])
        for n in nodes
        if n["source"]["vendor"] == "LIVEVOX"
    ]
    assert sorted(notes) == sorted(expected_notes(gql, account))
    assert all(not t.startswith("1970") for _, t in notes)


async def test_contact_notes_field_is_dated_and_newest_first(
    gql: GraphQLClient,
) -> None:
    account = people()[0].account
    knobs(gql).note_ids = "shuffled"
    data = await gql.data(
        "query ($id: ID!) { node(id: $id) { ... on Contact { notes { id createdAt } } } }",
        {"id": gid("Contact", account)},
    )
    got = [(f"{account}/{n['id']}", n["createdAt"]) for n in data["node"]["notes"]]
    expected = expected_notes(gql, account)
    assert sorted(got) == sorted(expected)
    assert [t for _, t in got] == sorted((t for _, t in got), reverse=True)


# ---- dnd: true for every PERMANENT-blocked number, on every path ---------------------


def blocked_in_store(gql: GraphQLClient, accounts: list[str]) -> dict[str, Json]:
    store = gql.sim(Vendor.LIVEVOX).state.store
    return {
        p["phone"]: p
        for a in accounts
        for p in store.contacts[a].record["phone"]
        if p.get("phone")
    }


def check_phones(
    gql: GraphQLClient, contacts: list[Json], *, consent_known: bool
) -> int:
    """Each phone's dnd against its block state in the store; the permanent ones."""
    record = blocked_in_store(gql, [c["account"] for c in contacts])
    permanent = 0
    for c in contacts:
        for phone in c["phones"]:
            truth = record[phone["number"]]
            is_permanent = truth["phoneBlock"] in ("PERMANENT", "BOTH")
            permanent += is_permanent
            assert phone["dnd"] is is_permanent, (c["account"], phone, truth)
            assert phone["block"] == truth["phoneBlock"]
            if consent_known:  # search answers carry the consent flags
                assert phone["smsConsent"] is truth["smsConsent"]
                assert phone["cellConsent"] is truth["cellConsent"]
            else:  # List Contact's phones do not: the gateway does not pretend
                assert phone["smsConsent"] is None and phone["cellConsent"] is None
    return permanent


async def test_dnd_from_the_contact_list(gql: GraphQLClient) -> None:
    data = await gql.data(f"{{ contacts(first: 50) {{ nodes {{ {PHONES} }} }} }}")
    contacts = data["contacts"]["nodes"]
    assert check_phones(gql, contacts, consent_known=False) >= 5


async def test_dnd_from_a_search(gql: GraphQLClient) -> None:
    accounts = [p.account for p in people()[:50]]
    data = await gql.data(
        f"query ($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Contact {{ {PHONES} }} }} }}",
        {"ids": [gid("Contact", a) for a in accounts]},
    )
    assert check_phones(gql, data["nodes"], consent_known=True) >= 5
    filtered = await gql.data(
        f'{{ contacts(first: 50, filter: {{ accountPrefix: "1000" }}) '
        f"{{ nodes {{ {PHONES} }} }} }}"
    )
    assert check_phones(gql, filtered["contacts"]["nodes"], consent_known=True) >= 5


async def test_dnd_from_node(gql: GraphQLClient) -> None:
    record = blocked_in_store(gql, [p.account for p in people()[:50]])
    accounts = sorted(
        {
            p.account
            for p in people()[:50]
            for n in p.phones
            if record[n]["phoneBlock"] == "PERMANENT"
        }
    )
    assert len(accounts) >= 3
    for account in accounts:
        data = await gql.data(
            f"query ($id: ID!) {{ node(id: $id) {{ ... on Contact {{ {PHONES} }} }} }}",
            {"id": gid("Contact", account)},
        )
        assert check_phones(gql, [data["node"]], consent_known=True) >= 1


# ---- dates of birth before 1970 ---------------------------------------------------------


async def test_a_date_of_birth_before_1970_is_a_date(gql: GraphQLClient) -> None:
    account = people()[3].account  # born 1961-03-09 in the seed
    query = "query ($id: ID!) { node(id: $id) { ... on Contact { dateOfBirth } } }"
    data = await gql.data(query, {"id": gid("Contact", account)})
    assert data["node"]["dateOfBirth"] == "1961-03-09"
    page = await gql.data("{ contacts(first: 5) { nodes { account dateOfBirth } } }")
    assert page["contacts"]["nodes"][3] == {
        "account": account,
        "dateOfBirth": "1961-03-09",
    }


# ---- contacts paging under the list-order knob --------------------------------------

PAGE = """query ($first: Int, $after: String) {
  contacts(first: $first, after: $after) {
    nodes { account } pageInfo { hasNextPage endCursor } } }"""


async def walk_contacts(gql: GraphQLClient, size: int) -> tuple[list[str], list[Json]]:
    seen: list[str] = []
    after = None
    while True:
        body = await gql.query(PAGE, {"first": size, "after": after})
        if body.get("errors"):
            return seen, body["errors"]
        conn = body["data"]["contacts"]
        seen += [n["account"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return seen, []
        after = conn["pageInfo"]["endCursor"]


@pytest.mark.parametrize("order", ["account", "account_desc", "shuffled"])
async def test_contacts_paging_under_every_list_order(
    gql: GraphQLClient, order: str
) -> None:
    knobs(gql).list_order = order
    seen, errors = await walk_contacts(gql, 500)
    if order == "account":  # CONTRACT.md's order: every contact once, in order
        assert not errors
        assert seen == sorted(p.account for p in people())
        return
    [error] = errors  # anything else is detected on the first page, not paged through
    assert error["extensions"] == {"code": "VENDOR_PROTOCOL_ERROR", "vendor": "LIVEVOX"}
    assert "not in account order" in error["message"]
    assert seen == []


async def test_single_item_pages_are_checked_across_pages(gql: GraphQLClient) -> None:
    knobs(gql).list_order = "account_desc"
    gql.reset_calls()
    seen, errors = await walk_contacts(gql, 1)
    # A page of one cannot show an order; the next page reads one item before
    # its own in the same call, and the pair gives the order away.
    assert len(seen) == 1 and len(errors) == 1
    assert errors[0]["extensions"]["code"] == "VENDOR_PROTOCOL_ERROR"
    listed = [q for _, p, q in lv_calls(gql) if p == "/contact/contacts"]
    assert listed == ["offset=0&count=1", "offset=0&count=2"]


# ---- vendor calls per query (the README's table, LiveVox column) ------------------------

NESTED = """{ contacts(first: 20) { edges { node {
  interactions(first: 5) { edges { node { id } } } } } } }"""


async def test_vendor_calls_per_query(gql: GraphQLClient) -> None:
    await gql.data("{ contacts(first: 1) { edges { node { id } } } }")  # login
    gql.reset_calls()
    await gql.data("{ contacts(first: 50) { edges { node { id account } } } }")
    assert len(gql.calls(Vendor.LIVEVOX)) == 1
    gql.reset_calls()
    ids = [gid("Contact", p.account) for p in people()[100:120]]
    data = await gql.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}
    )
    assert len(data["nodes"]) == 20
    assert len(gql.calls(Vendor.LIVEVOX)) == 1
    gql.reset_calls()
    await gql.data(NESTED)
    # 1 list + 20 notes lists + each contact's note dates: min(notes, 5 + 1) reads
    store = gql.sim(Vendor.LIVEVOX).state.store
    reads = sum(min(len(store.notes.get(p.account, [])), 6) for p in people()[:20])
    assert reads == 58
    assert len(gql.calls(Vendor.LIVEVOX)) == 1 + 20 + reads == 79


# ---- an account LiveVox does not know (the doc says nothing of its notes) -----------


@pytest.mark.parametrize("answer", ["404", "empty"])
async def test_an_unknown_accounts_notes_read_alike(
    gql: GraphQLClient, answer: str
) -> None:
    knobs(gql).unknown_account_notes = answer
    connector = gql.app.state.gateway.connectors[Vendor.LIVEVOX]
    assert list(await connector.contact_notes("nobody")) == []
    read = HistoryRead("nobody", InteractionFilter(), frozenset(), None, 5)
    [batch] = await connector.read_histories([read])
    assert isinstance(batch, Batch) and (list(batch.items), batch.next) == ([], None)
    body = await gql.query(
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": gid("Interaction", "livevox:nobody/1489000")},
    )
    assert body["data"] == {"node": None}
    # (null, with or without a NOT_FOUND entry, as the node convention says)
    assert {e["extensions"]["code"] for e in body.get("errors", [])} <= {"NOT_FOUND"}
