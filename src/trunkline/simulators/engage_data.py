"""The Engage simulator's seeded records: orgs, campaigns, sub-campaigns with passes and
states, scripts, outreach strategies, compliance rules, contact batches, and contact
attempts for the shared people (a contact's `externalId` is their LiveVox account).

One contact (`BUSY`) has more attempts in each of the last two days than
listContactAttempts answers at once (500), so a day's window must be split. Seeding is
plain dicts and costs a few milliseconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from trunkline.simulators.seed import ACCOUNT_BASE, people

ENTERPRISE_ID = "1000"
ACCOUNT_ID = "1001"  # the account every record belongs to
ACCOUNT_EXTERNAL_ID = "acme-collections"
# People 20..139 have attempts (the first 20, whose nested histories the other
# vendors' call counts are asserted on, have none here: Engage adds one empty read
# each and moves no other vendor's count).
ATTEMPT_PEOPLE = range(20, 140)
BUSY = 27  # person 27 (account 100027): 1,300 attempts over the last 48 hours
BUSY_ATTEMPTS = 1300
BUSY_ACCOUNT = str(ACCOUNT_BASE + BUSY)

# The doc's SubCampaign states, and the synthetic ones of listSubCampaignStates.
STATES = (
    "Loading",
    "Running",
    "Paused",
    "Pending",
    "Stopping",
    "Awaiting",
    "Cancelled",
    "Completing",
    "Done",
)
SYNTHETIC = {
    "Active": {"Loading", "Running", "Paused", "Pending", "Stopping"},
    "Completed": {"Awaiting", "Cancelled", "Completing", "Done"},
    "Done": {"Awaiting", "Cancelled", "Done"},
    "All": set(STATES),
}
CHANNELS = ("Voice", "SMS", "Email")
RESULTS = {
    "Voice": ("Answered", "NoAnswer", "Busy", "AnsweringMachine", "Failed"),
    "SMS": ("Delivered", "Failed", "OptOut"),
    "Email": ("Delivered", "Bounced", "Opened"),
}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def ref(internal_id: str, external_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"internalId": internal_id}
    if external_id is not None:
        out["externalId"] = external_id
    return out


@dataclass
class EngageData:
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    sub_campaigns: dict[str, dict[str, Any]] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)  # sub-campaign id -> state
    scripts: list[dict[str, Any]] = field(default_factory=list)
    strategies: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    # contact externalId -> attempts, oldest first; (time, attempt)
    attempts: dict[str, list[tuple[datetime, dict[str, Any]]]] = field(
        default_factory=dict
    )
    devices: dict[str, str] = field(default_factory=dict)  # device -> contact
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)  # attempts
    next_id: int = 900_000


def generate(seed: int, anchor: datetime) -> EngageData:
    rng = random.Random(seed * 7919 + 11)
    d = EngageData()
    d.orgs[ENTERPRISE_ID] = {
        "internalId": ENTERPRISE_ID,
        "externalId": "acme",
        "type": "Enterprise",
        "name": "Acme Enterprise",
    }
    d.orgs[ACCOUNT_ID] = {
        "internalId": ACCOUNT_ID,
        "externalId": ACCOUNT_EXTERNAL_ID,
        "type": "Account",
        "name": "Acme Collections",
        "parent": ref(ENTERPRISE_ID, "acme"),
    }
    owner = ref(ACCOUNT_ID, ACCOUNT_EXTERNAL_ID)
    for n, (name, media) in enumerate(
        (("Payment reminder", "Voice"), ("Balance SMS", "SMS"), ("Statement", "Email"))
    ):
        d.strategies.append(
            {
                "internalId": str(2001 + n),
                "externalId": f"os-{name.lower().replace(' ', '-')}",
                "name": name,
                "channel": media,
                "owner": owner,
            }
        )
    for n, name in enumerate(("Reminder IVR", "Promise to pay", "Survey", "Notice")):
        d.scripts.append(
            {
                "internalId": str(3001 + n),
                "externalId": f"script-{n + 1}",
                "name": name,
                "type": "Voice" if n < 3 else "Email",
                "owner": owner,
            }
        )
    for n, (kind, name) in enumerate(
        (
            ("Date", "Public holidays"),
            ("Region", "State calling hours"),
            ("Time", "Quiet hours"),
        )
    ):
        d.rules.append(
            {
                "internalId": str(4001 + n),
                "type": kind,
                "name": name,
                "description": f"{name} apply to every outreach",
                "owner": owner,
            }
        )
    groups = [ref("5001", "collections-team"), ref("5002", "care-team")]
    sub_id, batch_id = 7001, 8001
    for c in range(12):
        cid = str(6001 + c)
        created = anchor - timedelta(days=10 + 17 * c, hours=rng.randint(0, 23))
        strategy = d.strategies[c % len(d.strategies)]
        d.campaigns[cid] = {
            "internalId": cid,
            "externalId": f"CAMP-{c + 1:02d}",
            "name": f"{('Spring', 'Summer', 'Autumn', 'Winter')[c % 4]} drive {c + 1}",
            "description": f"Outreach wave {c + 1}",
            "createdDate": iso(created),
            "outreachStrategy": ref(strategy["internalId"], strategy["externalId"]),
            "defaultAgentGroup": groups[c % 2],
            "owner": owner,
        }
        for s in range(1 + c % 3):
            sid = str(sub_id)
            sub_id += 1
            start = created + timedelta(days=1 + s)
            media = CHANNELS[(c + s) % 3]
            d.sub_campaigns[sid] = {
                "internalId": sid,
                "externalId": f"SUB-{c + 1:02d}-{s + 1}",
                "name": f"Wave {s + 1}",
                "type": "Outbound",
                "campaign": ref(cid, f"CAMP-{c + 1:02d}"),
                "agentGroup": groups[(c + s) % 2],
                "fromDate": iso(start),
                "pass": [
                    {
                        "name": f"Pass {p + 1}",
                        "channel": media,
                        "pacing": "Auto",
                        "contactsPerMinute": 20 + 10 * p,
                    }
                    for p in range(1 + s % 2)
                ],
            }
            # the newest campaigns still run; older ones are done or stopped
            d.states[sid] = (
                ("Running", "Paused", "Pending", "Running")[s % 4]
                if c < 4
                else ("Done", "Cancelled", "Awaiting")[(c + s) % 3]
            )
        for b in range(2):
            bid = str(batch_id)
            batch_id += 1
            size = rng.randint(50, 400)
            attempted = size if b == 1 or c >= 4 else rng.randint(0, size)
            d.batches[bid] = {
                "internalId": bid,
                "externalId": f"BATCH-{c + 1:02d}-{b + 1}",
                "campaign": ref(cid, f"CAMP-{c + 1:02d}"),
                "owner": owner,
                "state": ("Running" if b == 0 and c < 4 else "Done"),
                "createdDate": iso(anchor - timedelta(hours=3 + 7 * c + 2 * b)),
                "contactCount": size,
                "attemptedCount": attempted,
                "completedCount": attempted - rng.randint(0, attempted // 4),
            }
    subs = list(d.sub_campaigns.values())
    batch_ids = list(d.batches)
    folks = people()
    for i in ATTEMPT_PEOPLE:
        person = folks[i]
        if person.phones:
            d.devices[person.phones[0]] = person.account
        count = BUSY_ATTEMPTS if i == BUSY else rng.choice((0, 1, 2, 3, 5, 8))
        span = 48 * 3600 if i == BUSY else 90 * 86400
        seconds = sorted(rng.sample(range(1, span), count))
        rows: list[tuple[datetime, dict[str, Any]]] = []
        for offset in reversed(seconds):
            at = anchor - timedelta(seconds=offset)
            sub = subs[rng.randrange(len(subs))]
            media = sub["pass"][0]["channel"]
            rows.append(
                (
                    at,
                    _attempt(d, person.account, person, at, media, sub, rng, batch_ids),
                )
            )
        d.attempts[person.account] = rows
        d.by_id.update((a["internalId"], a) for _, a in rows)
    return d


def _attempt(
    d: EngageData,
    account: str,
    person: Any,
    at: datetime,
    media: str,
    sub: dict[str, Any],
    rng: random.Random,
    batch_ids: list[str],
) -> dict[str, Any]:
    d.next_id += 1
    device = person.phones[0] if person.phones and media != "Email" else person.email
    return {
        "internalId": str(d.next_id),
        "contact": {"externalId": account, "device": {"externalId": device}},
        "channel": media,
        "result": rng.choice(RESULTS[media]),
        "startTime": iso(at),
        "duration": rng.randint(5, 300) if media == "Voice" else 0,
        "campaign": sub["campaign"],
        "subCampaign": ref(sub["internalId"], sub["externalId"]),
        "contactBatch": ref(batch_ids[rng.randrange(len(batch_ids))]),
    }


__all__ = [
    "ACCOUNT_BASE",
    "ACCOUNT_ID",
    "BUSY",
    "BUSY_ACCOUNT",
    "BUSY_ATTEMPTS",
    "STATES",
    "SYNTHETIC",
    "EngageData",
    "generate",
    "iso",
    "ref",
]
