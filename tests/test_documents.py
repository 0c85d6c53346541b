"""Documents are parsed and validated once per text; the limits hold on every send."""

from __future__ import annotations

import pytest

import trunkline.engine.documents as documents_module
from support import GraphQLClient
from trunkline.engine.documents import Documents


def _deep(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f'node(id: "x") {{ ... on Contact {{ {inner} }} }}'
    return "{ " + inner + " }"


async def test_depth_limit_refused_every_time(gql: GraphQLClient) -> None:
    for _ in range(2):  # the second answer comes from the cache: the same refusal
        body = await gql.query(_deep(13))
        assert "data" not in body or body["data"] is None
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_alias_limit_refused(gql: GraphQLClient) -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(31))
    body = await gql.query("{ " + aliases + " }")
    assert "aliases found" in body["errors"][0]["message"]


@pytest.mark.fast_path
async def test_same_text_parsed_once(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = documents_module.parse

    def counting(text: str) -> object:
        parsed.append(text)
        return real(text)

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
    docs = Documents([], maxsize=2)
    a, b = docs.get("{ a }"), docs.get("{ b }")
    assert docs.get("{ a }") is a  # a is now the most recent
    docs.get("{ c }")  # drops b
    assert docs.get("{ a }") is a
    assert docs.get("{ b }") is not b
