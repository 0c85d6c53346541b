"""contactAttempts without since/until (the doc's last 24 hours, as in the README's
Supervisor example) pages on: its endCursor is taken by the next request. Before, the
cursor was bound to a window ending at the request's own "now", so every next page was
refused as 'issued for different arguments'."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from support import GraphQLClient
from trunkline.domain import Vendor
from trunkline.simulators.engage_data import BUSY_ACCOUNT, iso

KEY = "PROBE-1"
PAGE = """query($after: String) {
  contactAttempts(contactKey: "PROBE-1", first: 20, after: $after) {
    edges { node { id startedAt } } pageInfo { hasNextPage endCursor } } }"""


def seed(gql: GraphQLClient, now: datetime) -> set[str]:
    """75 attempts over the last 25 hours (the seed's are dated before midnight)."""
    data = gql.sim(Vendor.ENGAGE).state.data
    model = data.attempts[BUSY_ACCOUNT][0][1]
    rows = []
    for n in range(75):
        at = (now - timedelta(minutes=20 * (75 - n) - 10)).replace(microsecond=0)
        data.next_id += 1
        attempt = copy.deepcopy(model)
        attempt["internalId"] = str(data.next_id)
        attempt["startTime"] = iso(at)
        attempt["contact"]["externalId"] = KEY
        rows.append((at, attempt))
        data.by_id[attempt["internalId"]] = attempt
    data.attempts[KEY] = rows
    return {a["internalId"] for at, a in rows if at >= now - timedelta(hours=24)}


async def test_the_default_window_pages_every_attempt_once(gql: GraphQLClient) -> None:
    await gql.data("{ campaigns(first: 1) { totalCount } }")  # the simulator is built
    start = datetime.now(UTC)
    expected = seed(gql, start)
    seen: list[str] = []
    times: list[str] = []
    after = None
    for _ in range(30):
        page = (await gql.data(PAGE, {"after": after}))["contactAttempts"]
        seen += [e["node"]["id"] for e in page["edges"]]
        times += [e["node"]["startedAt"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    else:
        raise AssertionError("the walk did not end")
    assert len(seen) == len(set(seen))
    assert times == sorted(times, reverse=True)
    # every attempt of the first page's window, [its now - 24 h, its now), once
    assert len(expected) == 72
    assert set(seen) == expected
