"""The root Query."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline.errors import BadUserInput, NotFound
from trunkline.pagination.args import slice_args
from trunkline.resolvers import contacts as contact_resolvers
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.contact import Contact
from trunkline.schema.inputs import ContactFilter

NODE_TYPES: dict[str, type[relay.Node]] = {"Contact": Contact}


def _parse_id(raw: str) -> tuple[type[relay.Node], str]:
    try:
        gid = relay.GlobalID.from_id(raw)
    except relay.GlobalIDValueError:
        raise BadUserInput(f"Invalid ID {raw!r}: not an ID this API issued.") from None
    node_type = NODE_TYPES.get(gid.type_name)
    if node_type is None:
        raise BadUserInput(f"Invalid ID {raw!r}: unknown type {gid.type_name!r}.")
    return node_type, gid.node_id


async def _resolve(info: Info, raw: str) -> relay.Node:
    node_type, key = _parse_id(raw)
    [found] = await node_type.resolve_nodes(info=info, node_ids=[key])
    if found is None:
        raise NotFound(f"No {node_type.__name__} with ID {raw!r}.")
    return found


@strawberry.type
class Query:
    @strawberry.field(description="Fetch any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await _resolve(info, id)

    @strawberry.field(description="Fetch many objects by global ID, in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        results = await asyncio.gather(*(_resolve(info, i) for i in ids), return_exceptions=True)
        out: list[relay.Node | None] = []
        for r in results:
            if isinstance(r, NotFound):
                out.append(None)
            elif isinstance(r, BaseException):
                raise r
            else:
                out.append(r)
        return out

    @strawberry.field(description="One contact, by global ID or by account.")
    async def contact(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        account: str | None = None,
    ) -> Contact:
        if (id is None) == (account is None):
            raise BadUserInput("Pass exactly one of 'id' or 'account'.")
        if id is not None:
            node_type, account = _parse_id(id)
            if node_type is not Contact:
                raise BadUserInput(f"ID {id!r} is not a Contact.")
        assert account is not None
        return Contact.of(await contact_resolvers.contact(info.context, account))

    @strawberry.field(description="Contacts in account order, filtered and paged.")
    async def contacts(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[ContactFilter | None, strawberry.argument()] = None,
    ) -> Connection[Contact]:
        args = slice_args(
            first,
            after,
            last,
            before,
            max_page_size=info.context.gateway.settings.max_page_size,
        )
        f = (filter or ContactFilter()).to_domain()
        page = await contact_resolvers.contacts_page(info.context, f, args)
        return to_connection(page, Contact.of)


__all__ = ["NODE_TYPES", "Query"]
