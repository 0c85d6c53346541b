"""Bounded parsing: every document a client can send is refused or bounded before any
vendor call, with a stable code naming the limit and the value."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from graphql import parse

from security_support import Gateway, gateway, settings_from
from trunkline.engine.documents import BYTES_PER_CHAR
from trunkline.errors import ConfigError
from trunkline.schema import schema
from trunkline.security_settings import Limits

LIMITS = Limits()
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Gateway]:
    async with gateway(settings_from(tmp_path)) as g:
        yield g


def aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"


def bomb(levels: int) -> str:
    """A fragment doubling at each level: 2**levels fields from a few hundred bytes."""
    frags = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {frags} fragment F{levels} on Query {{ __typename }}"


# (case, document, limit, value, status under application/json)
CASES: list[tuple[str, str, str, int, int]] = [
    (
        "1 MB of aliases",
        aliases(70_000),
        "max_body_bytes",
        len(aliases(70_000)) + len('{"query":""}'),
        413,
    ),
    (
        "64 kB of aliases",
        aliases(4_000),
        "max_document_bytes",
        len(aliases(4_000)),
        413,
    ),
    ("tokens", "{ " + "__typename " * 1_200 + "}", "max_tokens", 1_001, 200),
    (
        "comments",
        "{ __typename }\n" + "#\n" * 1_500,
        "max_tokens",
        1_001,
        200,
    ),
    ("20,000 operations", "{a}" * 20_000, "max_document_bytes", 60_000, 413),
    (
        "operations",
        " ".join(f"query Q{i} {{ __typename }}" for i in range(26)),
        "max_operations",
        26,
        200,
    ),
    ("aliases", aliases(31), "max_aliases", 31, 200),
    ("depth", "{" + " a {" * 16 + " b" + " }" * 16 + " }", "max_depth", 17, 200),
    (
        "directives",
        "{ " + " ".join(f"f{i}: __typename @skip(if: false)" for i in range(21)) + " }",
        "max_directives",
        21,
        200,
    ),
    (
        "directives on one field",
        "{ __typename" + " @aa" * 10 + " }",
        "max_directives_per_location",
        10,
        200,
    ),
    (
        "field duplication",
        "{ " + "__typename " * 500 + "}",
        "max_duplicate_fields",
        500,
        200,
    ),
    ("fragment bomb", bomb(20), "max_duplicate_fields", 2**20, 200),
    (
        "wide input object",
        "{ contacts(first: 1, filter: {"
        + ", ".join(f"f{i}: 1" for i in range(150))
        + "}) { edges { node { id } } } }",
        "max_input_values",
        150,
        200,
    ),
    (
        "long list",
        "{ nodes(ids: [" + ", ".join(f'"{i}"' for i in range(150)) + "]) { id } }",
        "max_input_values",
        150,
        200,
    ),
]


@pytest.mark.parametrize(
    ("document", "limit", "value", "status"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
async def test_over_a_limit_is_refused_before_any_vendor_call(
    gw: Gateway, document: str, limit: str, value: int, status: int
) -> None:
    await gw.http.post("/graphql", json={"query": "{ __typename }"})
    before = gw.calls()
    r = await gw.http.post("/graphql", json={"query": document})
    assert r.status_code == status, r.text
    [error] = r.json()["errors"]
    code = "QUERY_TOO_COMPLEX" if status == 200 else "REQUEST_TOO_LARGE"
    maximum = getattr(LIMITS, limit)
    assert error["extensions"] == {
        "code": code,
        "limit": limit,
        "value": value,
        "max": maximum,
    }
    assert f"[limits] {limit}" in error["message"]
    # the value, or "more than" the limit where counting stopped at it (tokens)
    message = error["message"]
    assert f" {value} " in message or f"more than {maximum} " in message
    assert "data" not in r.json()
    assert gw.calls() == before
    # under the newer media type a request error is a 400 (413 stays 413)
    r = await gw.http.post(
        "/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert r.status_code == (413 if status == 413 else 400)
    assert r.json()["errors"][0]["extensions"]["code"] == code


async def test_a_query_at_the_limits_runs(gw: Gateway) -> None:
    body = (await gw.http.post("/graphql", json={"query": aliases(30)})).json()
    assert body["data"]["a29"] == "Query"
    legit = (Path(__file__).parent.parent / "src/trunkline/example.graphql").read_text()
    r = await gw.http.post(
        "/graphql", json={"query": legit, "operationName": "FirstContacts"}
    )
    assert r.status_code == 200 and "QUERY_TOO_COMPLEX" not in r.text


async def test_several_operations_need_an_operation_name(gw: Gateway) -> None:
    """GraphQL spec 6.1 GetOperation: more than one operation and no name is an error."""
    doc = "query A { contacts(first: 1) { edges { node { account } } } } query B { __typename }"
    for accept, status in (("application/json", 200), (GRAPHQL_RESPONSE, 400)):
        r = await gw.http.post(
            "/graphql", json={"query": doc}, headers={"Accept": accept}
        )
        assert r.status_code == status
        assert r.json() == {
            "errors": [
                {
                    "message": "The document has 2 operations; 'operationName' must "
                    "name the one to run.",
                    "extensions": {"code": "BAD_REQUEST"},
                }
            ]
        }
    assert gw.calls() == 0
    body = (
        await gw.http.post("/graphql", json={"query": doc, "operationName": "B"})
    ).json()
    assert body == {"data": {"__typename": "Query"}}


async def test_limits_come_from_the_config_file(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "[limits]\nmax_aliases = 2\nmax_depth = 3\n")
    assert settings.security.limits.max_aliases == 2
    async with gateway(settings) as g:
        r = await g.http.post("/graphql", json={"query": aliases(3)})
        assert r.json()["errors"][0]["extensions"]["limit"] == "max_aliases"
        r = await g.http.post("/graphql", json={"query": aliases(2)})
        assert r.json() == {"data": {"a0": "Query", "a1": "Query"}}
        r = await g.http.post(
            "/graphql",
            json={"query": "{ contacts(first: 1) { edges { node { id } } } }"},
        )
        assert r.json()["errors"][0]["extensions"]["value"] == 4


@pytest.mark.parametrize(
    "toml",
    [
        "[limits]\nmax_aliasez = 2\n",
        "[limits]\nmax_aliases = 0\n",
        '[limits]\nmax_aliases = "2"\n',
        '[security]\nprofile = "staging"\n',
        "[security]\nintrospektion = false\n",
    ],
)
def test_bad_limits_or_security_keys_are_config_errors(
    tmp_path: Path, toml: str
) -> None:
    with pytest.raises(ConfigError):
        settings_from(tmp_path, toml)


async def test_the_document_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    """Forty distinct documents near the size limit: the cache keeps what its byte
    budget holds, not 512 entries whatever their size."""
    settings = settings_from(tmp_path, f"[limits]\ndocument_cache_bytes = {8 << 20}\n")
    async with gateway(settings) as g:
        for i in range(40):
            doc = "{ " + f"x{i}: __typename " + "#" + "c" * 30_000 + "\n }"
            r = await g.http.post("/graphql", json={"query": doc})
            assert r.json() == {"data": {f"x{i}": "Query"}}
        entries = schema.documents.entries
        assert entries.total <= 8 << 20
        assert 1 < len(entries) < 40


@pytest.mark.parametrize(
    "document",
    [
        aliases(1_000),
        "{ " + "__typename " * 1_000 + "}",
        "{ __typename }\n" + "#" + "c" * 30_000,
        bomb(10),
        "{ contacts(first: 1) { edges { node { id displayName phones { number } } } } }",
    ],
    ids=["aliases", "fields", "a long comment", "fragments", "a page"],
)
def test_a_cache_entry_costs_no_more_than_its_estimate(document: str) -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = parse(document)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept is not None
    assert held <= BYTES_PER_CHAR * len(document) + 1024
