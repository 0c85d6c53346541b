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


__all__ = ["ContactFilter", "utc"]
