"""Documents are parsed and validated once per text; the limits hold on every send."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError

import trunkline.engine.documents as documents_module
from support import GraphQLClient
from trunkline.engine.documents import BYTES_PER_CHAR, Documents


def _deep(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f'node(id: "x") {{ ... on Contact {{ {inner} }} }}'
    return "{ " + inner + " }"


async def test_depth_limit_refused_every_time(gql: GraphQLClient) -> None:
    for _ in range(2):  # the second answer comes from the cache: the same refusal
        body = await gql.query(_deep(15))  # 16 levels of fields, over the 15
        assert "data" not in body or body["data"] is None
        error = body["errors"][0]
        assert error["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "max_depth",
            "value": 16,
            "max": 15,
        }


async def test_alias_limit_refused(gql: GraphQLClient) -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(31))
    body = await gql.query("{ " + aliases + " }")
    assert body["errors"][0]["message"] == (
        "The document has 31 aliases; the limit is 30 ([limits] max_aliases)."
    )


@pytest.mark.fast_path
async def test_same_text_parsed_once(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = documents_module.parse

    def counting(text: str, **options: object) -> object:
        parsed.append(text)
        return real(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(documents_module, "parse", counting)
    text = "query Once { contacts(first: 2) { edges { node { account } } } }"
    first = await gql.data(text)
    second = await gql.data(text)
    assert first == second and len(first["contacts"]["edges"]) == 2
    assert parsed == [text]


async def test_syntax_error_not_cached_and_reported_each_time(
    gql: GraphQLClient,
) -> None:
    for _ in range(2):
        body = await gql.query("{ contacts(first: 1) { ")
        assert body["errors"][0]["message"].startswith("Syntax Error")


def test_least_recently_used_text_is_dropped() -> None:
    # room for two of these documents' estimated bytes, not three
    docs = Documents([], max_bytes=2 * (BYTES_PER_CHAR * 5 + 1024) + 1)
    a, b = docs.get("{ a }"), docs.get("{ b }")
    assert docs.get("{ a }") is a  # a is now the most recent
    docs.get("{ c }")  # drops b
    assert docs.get("{ a }") is a
    assert docs.get("{ b }") is not b


def test_cache_is_bounded_in_bytes_not_entries() -> None:
    docs = Documents([], max_bytes=900_000)
    small = [docs.get(f"{{ a{i} }}") for i in range(100)]
    assert len(docs.entries) == 100
    big = "{ " + " ".join(f"b{i}: __typename" for i in range(1000)) + " }"  # ~17 kB
    docs.get(big)
    assert docs.entries.total <= 900_000
    assert big not in docs.entries  # alone over the budget: never kept
    half = "{ " + " ".join(f"c{i}: __typename" for i in range(400)) + " }"
    docs.get(half)  # ~0.77 MB estimated: the small ones make room
    assert half in docs.entries and docs.entries.total <= 900_000
    assert len(docs.entries) < 100 and small[0] is not docs.get("{ a0 }")


def test_a_text_is_parsed_again_under_a_lower_token_limit() -> None:
    docs = Documents([])
    text = "{ a b c d }"
    entry = docs.get(text)  # no limit
    with pytest.raises(GraphQLSyntaxError, match="more than 3 tokens"):
        docs.get(text, max_tokens=3)
    assert docs.get(text, max_tokens=10) is entry
