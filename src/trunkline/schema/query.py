"""The root Query."""

from __future__ import annotations

import asyncio
import inspect
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.types import Info

from trunkline.errors import BadUserInput, shown
from trunkline.resolvers import contacts as contact_resolvers
from trunkline.resolvers.guard import check_node
from trunkline.schema.campaign import NODE_TYPES as CAMPAIGN_NODE_TYPES
from trunkline.schema.campaign import CampaignQueries
from trunkline.schema.connections import Connection, to_connection
from trunkline.schema.contact import Contact
from trunkline.schema.ids import contact_account_of, parse_global_id
from trunkline.schema.inputs import ContactFilter, InteractionFilter
from trunkline.schema.interaction import Interaction, interactions_connection
from trunkline.schema.paging import page_args
from trunkline.schema.queue import Queue, QueueEntry, QueueQuery
from trunkline.schema.selection import node_fields

NODE_TYPES: dict[str, type[relay.Node]] = {
    "Contact": Contact,
    "Interaction": Interaction,
    "Queue": Queue,
    "QueueEntry": QueueEntry,
    **CAMPAIGN_NODE_TYPES,
}


async def _resolve(info: Info, raw: str) -> relay.Node | None:
    """The node a global ID names; None when it names nothing. A malformed ID (or one
    of a type that is not a node) is BAD_USER_INPUT."""
    type_name, key = parse_global_id(raw)
    node_type = NODE_TYPES.get(type_name)
    if node_type is None:
        raise BadUserInput(f"Invalid ID {shown(raw)}: unknown type {shown(type_name)}.")
    check_node(info.context, type_name, key)  # by its vendor's id shape
    resolved: Any = node_type.resolve_nodes(info=info, node_ids=[key])
    if inspect.isawaitable(resolved):
        resolved = await resolved
    [found] = list(resolved)
    node: relay.Node | None = found
    return node


@strawberry.type
class Query(QueueQuery, CampaignQueries):
    @strawberry.field(description="Fetch any object by its global ID.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await _resolve(info, id)

    @strawberry.field(
        description="Fetch many objects by global ID, in order. Each slot answers for "
        "itself: null where the ID names nothing, null with an error at that slot's "
        "path where the ID is malformed."
    )
    def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        limit = info.context.gateway.settings.max_nodes_ids
        distinct = list(dict.fromkeys(ids))  # each ID looked up once
        if len(distinct) > limit:
            raise BadUserInput(
                f"nodes(ids:) takes at most {limit} IDs ([limits] max_nodes_ids).",
                limit=limit,
            )
        # One awaitable per slot: the executor completes each at its own path, so a
        # bad ID nulls its slot (with its error), never the whole list. A repeated ID
        # shares its lookup (a future awaited at each of its slots).
        slots: Any
        if len(distinct) == len(ids):
            slots = [_resolve(info, i) for i in ids]
        else:
            shared = {i: asyncio.ensure_future(_resolve(info, i)) for i in distinct}
            slots = [shared[i] for i in ids]
        return cast(list[relay.Node | None], slots)

    @strawberry.field(
        description="One contact, by global ID or by account; null when there is none."
    )
    async def contact(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        account: str | None = None,
    ) -> Contact | None:
        if (id is None) == (account is None):
            raise BadUserInput("Pass exactly one of 'id' or 'account'.")
        key = contact_account_of(id) if id is not None else account
        assert key is not None
        found = await contact_resolvers.find_contact(info.context, key)
        return Contact.of(found, info.context) if found is not None else None

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
        args = page_args(info, first, after, last, before)
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
