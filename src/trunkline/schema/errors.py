"""Errors, mapped once: TrunklineErrors keep their message and get `extensions.code`
(and `vendor`); anything else is masked and logged. Partial vendor failures collected on
the context are added as error entries beside the data."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.relay import GlobalIDValueError

from trunkline.errors import BadUserInput, TrunklineError

log = logging.getLogger("trunkline.errors")

MASKED = "Unexpected error."


def _original(error: GraphQLError) -> BaseException | None:
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def map_error(error: GraphQLError) -> GraphQLError:
    original = _original(error)
    if original is None:  # parse/validation errors: already safe
        return error
    if isinstance(original, GraphQLError):  # e.g. variable coercion: the client's input
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
        return error
    if isinstance(original, GlobalIDValueError):
        original = BadUserInput(f"Invalid global ID: {original}")
    if isinstance(original, TrunklineError) and original.expose:
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=original.graphql_extensions(),
        )
    log.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


def mapped_errors(
    errors: Iterable[GraphQLError] | None, context: object
) -> list[GraphQLError] | None:
    """A result's errors as answered: mapped, then the vendor failures the request's
    context collected beside its data."""
    out = [map_error(e) for e in errors or ()]
    for partial in getattr(context, "partial_errors", ()):
        out.append(
            GraphQLError(
                partial.error.message,
                path=list(partial.path),
                extensions=partial.error.graphql_extensions(),
            )
        )
    return out or None


class ErrorMapping(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        result.errors = mapped_errors(result.errors, self.execution_context.context)


__all__ = ["MASKED", "ErrorMapping", "map_error", "mapped_errors"]
