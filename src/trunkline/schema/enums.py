"""GraphQL enums, straight from the domain's."""

from __future__ import annotations

import strawberry

from trunkline import domain

Vendor = strawberry.enum(domain.Vendor, description="A vendor behind the graph.")
Channel = strawberry.enum(domain.Channel, description="How an interaction happened.")
Direction = strawberry.enum(domain.Direction, description="Who started it.")

__all__ = ["Channel", "Direction", "Vendor"]
