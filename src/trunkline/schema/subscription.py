"""The root Subscription: queueEntryChanged, fed by the gateway's queue pollers."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import strawberry
from strawberry.types import Info

from trunkline import queues as q
from trunkline.errors import BadUserInput, ConnectorError, shown
from trunkline.resolvers import queues as resolvers
from trunkline.schema.ids import parse_global_id
from trunkline.schema.queue import Queue, QueueEntry


@strawberry.type(description="A queue entry that is new or changed state.")
class QueueEntryChange:
    entry: QueueEntry
    previous_state: q.QueueEntryState | None = strawberry.field(
        description="Its state before; null for an entry not seen before."
    )
    queue: Queue


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Entries of a queue as they appear or change state (polled; one "
        "poller per queue). A vendor failure arrives as an error naming the vendor, "
        "and the stream goes on."
    )
    async def queue_entry_changed(
        self,
        info: Info,
        queue: strawberry.ID,
        states: list[q.QueueEntryState] | None = None,
    ) -> AsyncGenerator[QueueEntryChange, None]:
        type_name, key = parse_global_id(queue)
        if type_name != "Queue":
            raise BadUserInput(f"ID {shown(queue)} is not a Queue.")
        ref = q.QueueRef.parse(key)
        gateway = info.context.gateway
        source = resolvers.source_for(gateway, ref.vendor)
        wanted = frozenset(states) if states else None
        node = Queue.of(ref)
        async with aclosing(gateway.queue_pollers.subscribe(source, ref)) as events:
            async for event in events:
                if isinstance(event, ConnectorError):
                    error: Any = event  # completed as this event's field error
                    yield error
                elif wanted is None or event.entry.state in wanted:
                    yield QueueEntryChange(
                        entry=QueueEntry.of(event.entry),
                        previous_state=event.previous,
                        queue=node,
                    )


__all__ = ["QueueEntryChange", "Subscription"]
