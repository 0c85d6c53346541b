"""The benchmark's query set: the committed `.graphql` files, what each needs, and the
vendor-call floor derived by hand (see RESULTS.md for the derivations)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
PEER_QUERIES = HERE / "peer" / "queries"

ALL_VENDORS = frozenset({"livevox", "moxiworks", "procurios", "crmcom", "engage"})


def contact_id(account: str) -> str:
    return base64.b64encode(f"Contact:{account}".encode()).decode()


@dataclass(frozen=True)
class BenchQuery:
    name: str
    title: str
    file: str
    needs: frozenset[str]  # vendors whose connectors the query needs
    variables: dict[str, Any] = field(default_factory=dict)
    walk: list[str] | None = None  # walked connection (Q4), under "data"
    peer: bool = False  # the peer serves it (bench/peer/queries/<name>.graphql)
    baseline: bool = True
    skip_reason: str | None = None  # set when the query cannot run at all yet
    peer_note: str | None = None  # why the peer does not serve it
    # A write: `unique` is a text in the body that the load generator replaces with a
    # token of its own per request (fresh keys and accounts each time); `fresh` names
    # the simulators restarted before each run of requests (their state stays bounded
    # by one run's writes); `max_requests` caps a run.
    unique: str | None = None
    fresh: frozenset[str] = frozenset()
    max_requests: int | None = None
    # measured over these vendor transports / baseline clients only (None: all)
    variants: frozenset[str] | None = None

    @property
    def text(self) -> str:
        return (QUERIES / self.file).read_text(encoding="utf-8")

    def body(self, **variables: Any) -> dict[str, Any]:
        return {
            "query": self.text,
            "operationName": self.name,
            "variables": {**self.variables, **variables},
        }

    def peer_body(self) -> dict[str, Any]:
        text = (PEER_QUERIES / f"{self.name}.graphql").read_text(encoding="utf-8")
        return {"query": text, "operationName": self.name, "variables": self.variables}


Q1 = BenchQuery(
    "Q1",
    "one contact by id, with phones",
    "q1_contact.graphql",
    frozenset({"livevox"}),
    peer=True,
)
Q2 = BenchQuery(
    "Q2",
    "a page of 50 contacts with phones and groups",
    "q2_contacts_page.graphql",
    frozenset({"livevox"}),
    peer=True,
)
Q3 = BenchQuery(
    "Q3",
    "20 contacts, each with its 10 latest interactions over every vendor",
    "q3_contacts_interactions.graphql",
    ALL_VENDORS,
    peer=True,
)
Q4 = BenchQuery(
    "Q4",
    "walk person 0's merged history (1,000+ interactions) in pages of 100",
    "q4_history_walk.graphql",
    ALL_VENDORS,
    variables={"id": contact_id("100000"), "after": None},
    walk=["interactions"],
    baseline=False,
)


def _day_anchor() -> datetime:
    """The simulators' "now" (today 00:00 UTC): their seeded data is anchored to it."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


Q5 = BenchQuery(
    "Q5",
    "supervisor dashboard: active campaigns with sub-campaign states, a week's "
    "batch counts, and a busy contact's last 50 attempts",
    "q5_campaigns.graphql",
    frozenset({"engage"}),
    variables={
        "since": _iso(_day_anchor() - timedelta(days=7)),
        "until": _iso(_day_anchor()),
    },
    # the peer's Q5 is hand-written (no SOAP source without a WSDL): RESULTS says so
    peer=True,
)

BULK_SIZE = 2500
UNIQUE = "U0U0U"  # replaced per request by the load generator (letters and digits)


def bulk_input(size: int = BULK_SIZE, token: str = UNIQUE) -> dict[str, Any]:
    """`size` new contacts, each with a name, an e-mail and a phone; accounts and the
    idempotency key carry `token`."""
    return {
        "idempotencyKey": f"q6-{token}",
        "contacts": [
            {
                "account": f"q6-{token}-{n:05d}",
                "firstName": "Bulk",
                "lastName": f"Contact {n}",
                "email": f"bulk.{n}@example.com",
                "phones": [{"number": f"415{n:07d}"}],
            }
            for n in range(size)
        ],
    }


Q6 = BenchQuery(
    "Q6",
    "bulk create of 2,500 contacts (chunks of 500, each item read back)",
    "q6_bulk_create.graphql",
    frozenset({"livevox"}),
    variables={"input": bulk_input()},
    peer_note="a write: the peer is a read-only composition of the vendors' REST "
    "reads (its JSON-schema sources declare no LiveVox write)",
    unique=UNIQUE,
    fresh=frozenset({"livevox"}),
    max_requests=128,
    # a request is seconds of CPU: the fastest transport and client only (the
    # others' share is measured on Q1-Q3)
    variants=frozenset({"aiohttp"}),
)

QUERY_SET = (Q1, Q2, Q3, Q4, Q5, Q6)
BY_NAME = {q.name: q for q in QUERY_SET}

# Q4's memory check walks a person with ten times the history.
HEAVY_ACCOUNT = "100000"  # about 1,200 interactions over every vendor
HUGE_ACCOUNT = "100001"  # about 10,000


__all__ = [
    "ALL_VENDORS",
    "BULK_SIZE",
    "BY_NAME",
    "HEAVY_ACCOUNT",
    "HUGE_ACCOUNT",
    "QUERY_SET",
    "BenchQuery",
    "bulk_input",
    "contact_id",
]
