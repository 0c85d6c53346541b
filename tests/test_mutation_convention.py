"""Every mutation follows the convention (schema/payloads.py):
`verbNoun(input: VerbNounInput!): VerbNounPayload!`, the input with clientMutationId,
the payload with clientMutationId and userErrors { field message code }."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    parse,
    validate,
)

from trunkline.schema import schema


def test_every_mutation_follows_the_convention() -> None:
    gql = schema._schema
    mutation = gql.mutation_type
    assert mutation is not None and mutation.fields
    for name, field in mutation.fields.items():
        stem = name[0].upper() + name[1:]
        assert list(field.args) == ["input"], name
        arg = field.args["input"].type
        assert isinstance(arg, GraphQLNonNull), name
        assert isinstance(arg.of_type, GraphQLInputObjectType), name
        assert arg.of_type.name == f"{stem}Input"
        cmid = arg.of_type.fields["clientMutationId"].type
        assert isinstance(cmid, GraphQLScalarType) and cmid.name == "String", name

        out = field.type
        assert isinstance(out, GraphQLNonNull), name
        payload = out.of_type
        assert isinstance(payload, GraphQLObjectType), name
        assert payload.name == f"{stem}Payload"
        cmid_out = payload.fields["clientMutationId"].type
        assert isinstance(cmid_out, GraphQLScalarType) and cmid_out.name == "String"
        errors = payload.fields["userErrors"].type
        assert isinstance(errors, GraphQLNonNull), name
        assert isinstance(errors.of_type, GraphQLList), name
        item = errors.of_type.of_type
        assert isinstance(item, GraphQLNonNull), name
        assert isinstance(item.of_type, GraphQLObjectType), name
        assert item.of_type.name == "UserError"
        assert set(item.of_type.fields) == {"field", "message", "code"}


def test_the_walk_sees_every_mutation() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    assert set(mutation.fields) >= {
        "linkContact",
        "unlinkContact",
        "processQueueEntry",
        "rejectQueueEntry",
        "removeQueueEntry",
    }


def test_every_graphql_block_of_the_readme_is_valid() -> None:
    """tests/test_readme_examples.py runs the example document; this also covers the
    subscription, which HTTP does not run."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    assert any("subscription" in b for b in blocks)
    for block in blocks:
        assert validate(schema._schema, parse(block)) == [], block
