"""The README's example document: each operation runs, with the README's variables,
against the embedded gateway without an error."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from support import GraphQLClient

README = Path(__file__).resolve().parent.parent / "README.md"


def example_blocks() -> tuple[str, dict[str, Any]]:
    """The first ```graphql block under "## Example queries" and the ```json after it."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Example queries", 1)[1].split("\n## ", 1)[0]
    document = re.search(r"```graphql\n(.*?)```", section, re.S)
    variables = re.search(r"```json\n(.*?)```", section, re.S)
    assert document and variables, "README: the example document or its variables"
    assert document.start() < variables.start()
    return document.group(1), json.loads(variables.group(1))


def operations() -> list[tuple[str, list[str]]]:
    document, _ = example_blocks()
    found = []
    for d in parse(document).definitions:
        assert isinstance(d, OperationDefinitionNode) and d.name, "named operations"
        declared = [v.variable.name.value for v in d.variable_definitions]
        found.append((d.name.value, declared))
    return found


def test_the_example_is_one_document_of_named_operations() -> None:
    names = [name for name, _ in operations()]
    assert len(names) >= 5 and len(set(names)) == len(names)
    _, variables = example_blocks()
    needed = {v for _, declared in operations() for v in declared}
    # every variable without a default in the document has a value
    assert {"id", "account", "ids", "contactId"} <= set(variables) <= needed


@pytest.mark.parametrize("name", [name for name, _ in operations()])
async def test_each_example_operation_runs(gql: GraphQLClient, name: str) -> None:
    document, variables = example_blocks()
    r = await gql.http.post(
        "/graphql",
        json={"query": document, "operationName": name, "variables": variables},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body["errors"]
    data = body["data"]
    assert data and all(v is not None for v in data.values()), data
    if name == "ContactHistory":  # the README's word on the scalars' wire format
        edges = data["contact"]["interactions"]["edges"]
        assert edges
        stamp = edges[0]["node"]["occurredAt"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", stamp)
    if name == "NodesByIds":
        assert [n and n["__typename"] for n in data["nodes"]] == [
            "Contact",
            None,
            "Contact",
        ]
