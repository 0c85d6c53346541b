"""The root Query."""

from __future__ import annotations

import asyncio
import inspect
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline.errors import BadUserInput, NotFound
from trunkline.pagination.args import slice_args
from trunkline.resolvers import contacts as contact_resolvers
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.contact import Contact
from trunkline.schema.ids import contact_account_of, parse_global_id
from trunkline.schema.inputs import ContactFilter, InteractionFilter
from trunkline.schema.interaction import Interaction, interactions_connection
from trunkline.schema.selection import node_fields

NODE_TYPES: dict[str, type[relay.Node]] = {
    "Contact": Contact,
    "Interaction": Interaction,
}


async def _resolve(info: Info, raw: str) -> relay.Node:
    type_name, key = parse_global_id(raw)
    node_type = NODE_TYPES.get(type_name)
    if node_type is None:
        raise BadUserInput(f"Invalid ID {raw!r}: unknown type {type_name!r}.")
    resolved: Any = node_type.resolve_nodes(info=info, node_ids=[key])
    if inspect.isawaitable(resolved):
        resolved = await resolved
    [found] = list(resolved)
    if found is None:
        raise NotFound(f"No {type_name} with ID {raw!r}.")
    node: relay.Node = found
    return node


@strawberry.type
class Query:
    @strawberry.field(description="Fetch any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await _resolve(info, id)

    @strawberry.field(
        description="Fetch many objects by global ID, in order (null where unknown)."
    )
    async def nodes(
        self, info: Info, ids: list[strawberry.ID]
    ) -> list[relay.Node | None]:
        results = await asyncio.gather(
            *(_resolve(info, i) for i in ids), return_exceptions=True
        )
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
        key = contact_account_of(id) if id is not None else account
        assert key is not None
        return Contact.of(
            await contact_resolvers.contact(info.context, key), info.context
        )

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
        page = await contact_resolvers.contacts_page(
            info.context, f, args, with_groups="groups" in node_fields(info)
        )
        return to_connection(page, lambda c: Contact.of(c, info.context))

    @strawberry.field(
        description="The merged interaction history over every vendor, newest first."
    )
    async def interactions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: Annotated[InteractionFilter | None, strawberry.argument()] = None,
    ) -> Connection[Interaction]:
        return await interactions_connection(info, first, after, last, before, filter)


__all__ = ["NODE_TYPES", "Query"]
