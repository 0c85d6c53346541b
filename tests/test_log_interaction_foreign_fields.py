"""logInteraction refuses a field the chosen vendor does not take, rather than
writing without it: MoxiWorks stamps its own creation time (occurredAt was dropped),
CRM.COM took neither occurredAt nor Procurios' reference and actionCode, and only
CRM.COM takes a direction. Nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor

LOG = """mutation($input: LogInteractionInput!) { logInteraction(input: $input) {
  interaction { id } userErrors { field code } } }"""

BASE: dict[str, dict[str, Any]] = {
    "MOXIWORKS": {},
    "PROCURIOS": {"momentType": "ContactMomentPhone"},
    "CRMCOM": {"channel": "PHONE"},
}
SIMULATOR = {
    "MOXIWORKS": Vendor.MOXIWORKS,
    "PROCURIOS": Vendor.PROCURIOS,
    "CRMCOM": Vendor.CRMCOM,
}


def writes(gql: GraphQLClient, vendor: Vendor) -> int:
    return sum(1 for method, _, _ in gql.calls(vendor) if method in ("POST", "PUT"))


@pytest.mark.parametrize(
    ("vendor", "extra", "field"),
    [
        ("MOXIWORKS", {"occurredAt": "2026-11-01T10:00:00Z"}, "occurredAt"),
        ("MOXIWORKS", {"direction": "INBOUND"}, "direction"),
        ("PROCURIOS", {"direction": "INBOUND"}, "direction"),
        ("CRMCOM", {"occurredAt": "2026-11-01T10:00:00Z"}, "occurredAt"),
        ("CRMCOM", {"reference": "R-1"}, "reference"),
        ("CRMCOM", {"actionCode": 2}, "actionCode"),
    ],
)
async def test_a_field_the_vendor_does_not_take_is_refused(
    gql: GraphQLClient, vendor: str, extra: dict[str, Any], field: str
) -> None:
    sim = SIMULATOR[vendor]
    before = writes(gql, sim)
    got = (
        await gql.data(
            LOG,
            {
                "input": {
                    "contactId": "Q29udGFjdDoxMDAwMDA=",
                    "vendor": vendor,
                    "subject": "Call",
                    "body": "Stays a member.",
                    **BASE[vendor],
                    **extra,
                }
            },
        )
    )["logInteraction"]
    assert got == {
        "interaction": None,
        "userErrors": [{"field": [field], "code": "BAD_USER_INPUT"}],
    }
    assert writes(gql, sim) == before
