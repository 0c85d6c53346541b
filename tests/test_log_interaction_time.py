"""logInteraction's occurredAt must fall where a history can show it: no later than
a few minutes from now (clock skew), no earlier than the history horizon. Else a
user error on ["occurredAt"] and nothing written."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from support import GraphQLClient
from trunkline.domain import Vendor

LOG = """mutation($i: LogInteractionInput!) { logInteraction(input: $i) {
  interaction { id occurredAt } userErrors { field message code } } }"""


def moment(at: datetime) -> dict[str, str]:
    return {
        "contactId": base64.b64encode(b"Contact:100000").decode(),
        "vendor": "PROCURIOS",
        "momentType": "ContactMomentPhone",
        "subject": "Call",
        "body": "b",
        "occurredAt": at.isoformat(),
    }


def written(gql: GraphQLClient) -> int:
    return len(gql.sim(Vendor.PROCURIOS).state.store.moments)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2030, 1, 1, tzinfo=UTC),
        datetime(1990, 1, 1, tzinfo=UTC),
        datetime.now(UTC) + timedelta(minutes=10),
        datetime.now(UTC) - timedelta(days=1826),  # horizon: 1825 days
    ],
    ids=["2030", "1990", "now+10min", "past-horizon"],
)
async def test_a_time_no_history_shows_is_refused_and_nothing_written(
    gql: GraphQLClient, at: datetime
) -> None:
    before = written(gql)
    gql.reset_calls()
    answer = (await gql.data(LOG, {"i": moment(at)}))["logInteraction"]
    assert answer["interaction"] is None
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [
        (["occurredAt"], "BAD_USER_INPUT")
    ]
    assert written(gql) == before
    assert [m for m, _p, _q in gql.calls(Vendor.PROCURIOS) if m == "POST"] == []


@pytest.mark.parametrize(
    "at",
    [
        datetime.now(UTC) + timedelta(minutes=4),  # within the clock skew
        datetime.now(UTC) - timedelta(days=1824),
    ],
    ids=["now+4min", "inside-horizon"],
)
async def test_a_time_a_history_shows_is_written(
    gql: GraphQLClient, at: datetime
) -> None:
    before = written(gql)
    answer = (await gql.data(LOG, {"i": moment(at)}))["logInteraction"]
    assert answer["userErrors"] == []
    assert written(gql) == before + 1
