"""GraphQL enums: the domain's enums, registered with Strawberry."""

from __future__ import annotations

import strawberry

from trunkline import domain

strawberry.enum(domain.Vendor, description="A vendor behind the graph.")
strawberry.enum(domain.Channel, description="How an interaction happened.")
strawberry.enum(domain.Direction, description="Who started it.")

Vendor = domain.Vendor
Channel = domain.Channel
Direction = domain.Direction

__all__ = ["Channel", "Direction", "Vendor"]
