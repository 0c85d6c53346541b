"""Input types: what clients may filter by."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from trunkline import domain


def utc(value: datetime | None) -> datetime | None:
    """Naive datetimes from clients are taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@strawberry.input(description="Contact filters; all optional, combined with AND.")
class ContactFilter:
    account: str | None = strawberry.field(default=None, description="Exact account.")
    account_prefix: str | None = None
    name: str | None = strawberry.field(
        default=None, description="Part of the name (first and last), any case."
    )
    phone: str | None = strawberry.field(default=None, description="Any phone number.")
    email: str | None = None
    postal_code: str | None = None
    balance_min: float | None = None
    balance_max: float | None = None
    modified_since: datetime | None = None

    def to_domain(self) -> domain.ContactFilter:
        return domain.ContactFilter(
            account=self.account,
            account_prefix=self.account_prefix,
            name=self.name,
            phone=self.phone,
            email=self.email,
            postal_code=self.postal_code,
            balance_min=self.balance_min,
            balance_max=self.balance_max,
            modified_since=utc(self.modified_since),
        )


@strawberry.input(description="Interaction filters; all optional, combined with AND.")
class InteractionFilter:
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this contact's history (a Contact ID)."
    )
    vendors: list[domain.Vendor] | None = None
    channels: list[domain.Channel] | None = None
    since: datetime | None = strawberry.field(
        default=None, description="Only interactions at or after this time."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Only interactions before this time."
    )
    direction: domain.Direction | None = None
    text: str | None = strawberry.field(
        default=None, description="Text in the subject or body, any case."
    )

    def to_domain(self, contact_account: str | None) -> domain.InteractionFilter:
        return domain.InteractionFilter(
            contact_account=contact_account,
            vendors=frozenset(self.vendors) if self.vendors else None,
            channels=frozenset(self.channels) if self.channels else None,
            since=utc(self.since),
            until=utc(self.until),
            direction=self.direction,
            text=self.text or None,
        )


__all__ = ["ContactFilter", "InteractionFilter", "utc"]
