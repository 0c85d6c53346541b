"""Seeded data is built once per process (simulators/seeded.py): every simulator app
gets its own copy, equal to a fresh seeding and changed by nobody else."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import pytest

from trunkline.simulators import crmcom, engage, livevox, procurios
from trunkline.simulators.crmcom_data import CATEGORIES, Store, generate
from trunkline.simulators.engage_data import generate as generate_engage
from trunkline.simulators.seed import people
from trunkline.simulators.seeded import fresh

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Tag:
    name: str


@dataclass
class Box:
    items: list[int] = field(default_factory=list)
    tag: Tag = Tag("t")


def crmcom_state(store: Store) -> Any:
    """The store's data and indexes, comparable between copies."""

    def row(item: Any) -> tuple[Any, ...]:
        values = (getattr(item, f.name) for f in fields(item))
        return tuple(
            getattr(v, "id", v) if f.name == "communication" else v
            for f, v in zip(fields(item), values, strict=True)
        )

    return (
        [row(c) for c in store.comms.values()],
        [row(q) for q in store.queue],
        {k: [c.id for c in v] for k, v in store.by_contact.items()},
        {k: [c.id for c in v] for k, v in store.by_category.items()},
        sorted(store.comms_by_number),
        sorted(store.queue_by_id),
        store.contacts,
        store.comm_seq,
        store.queue_seq,
        store.rng.getstate(),
    )


def test_built_twice_then_copied_and_each_copy_is_its_own() -> None:
    builds: list[int] = []

    def build(n: int) -> Box:
        builds.append(n)
        return Box(list(range(n)))

    boxes = [fresh(build, 3) for _ in range(4)]
    assert builds == [3, 3]  # a process asking once pays for no snapshot
    boxes[2].items.append(99)
    assert [b.items for b in boxes] == [[0, 1, 2]] * 2 + [[0, 1, 2, 99], [0, 1, 2]]
    assert boxes[3].tag is boxes[1].tag  # frozen: shared, not copied
    assert fresh(build, 4).items == [0, 1, 2, 3] and builds == [3, 3, 4]


def test_a_crmcom_copy_is_the_seeded_data_exactly() -> None:
    apps = [crmcom.create_app(seed=5, now=NOW) for _ in range(3)]  # the third is a copy
    seeded, copy = apps[1].state.store, apps[2].state.store
    assert copy is not seeded
    assert crmcom_state(copy) == crmcom_state(seeded)
    one = next(c for c in copy.comms.values() if c.category is not None)
    assert one.category in CATEGORIES and any(one.category is c for c in CATEGORIES)
    assert one.contact.person is people()[one.contact.person.index]
    # seeded communications are shared, read-only: a change goes to the app's own copy
    with pytest.raises(TypeError, match="shared seeded data"):
        one.life_cycle_state = "CHANGED"
    with pytest.raises(TypeError):
        one.udf["udf_string_2"] = "CHANGED"  # type: ignore[index]
    entry = copy.queue[0]
    shared = entry.communication
    mine = copy.own(shared)
    assert mine is not shared and copy.own(mine) is mine
    assert entry.communication is mine and copy.comms[mine.id] is mine
    assert copy.comms_by_number[mine.number] is mine
    assert copy.comms_by_code[mine.code] is mine
    assert sum(c is mine for c in copy.by_contact[mine.contact.id]) == 1
    mine.life_cycle_state = "CHANGED"
    mine.udf["udf_string_2"] = "CHANGED"
    entry.life_cycle_state = "CHANGED"
    copy.by_contact.clear()
    again = crmcom.create_app(seed=5, now=NOW).state.store
    assert again.comms[mine.id].life_cycle_state != "CHANGED"
    assert "udf_string_2" not in again.comms[mine.id].udf
    assert all(q.life_cycle_state != "CHANGED" for q in again.queue)
    assert crmcom_state(again) == crmcom_state(generate(5, NOW))
    assert crmcom_state(seeded) == crmcom_state(generate(5, NOW))


def test_a_livevox_copy_is_the_seeded_data_with_its_own_clock() -> None:
    stores = [livevox.create_app(seed=5, now=NOW).state.store for _ in range(3)]
    seeded, copy = stores[1], stores[2]
    assert copy.contacts.keys() == seeded.contacts.keys()
    assert all(
        copy.contacts[a].record == seeded.contacts[a].record for a in seeded.accounts
    )
    assert copy.notes == seeded.notes and copy.groups == seeded.groups
    assert copy._started > seeded._started  # edits are stamped from its own start
    account = seeded.accounts[0]
    copy.update(account, {"firstName": "Changed"})
    fourth = livevox.create_app(seed=5, now=NOW).state.store
    assert fourth.get(account).record == seeded.get(account).record


def test_a_livevox_app_shares_no_change_with_another() -> None:
    """Apps share the seeded contact records (simulators/livevox.py, `own`): every
    kind of change an app makes stays its own."""
    mine, other = (livevox.create_app(seed=5, now=NOW).state.store for _ in range(2))
    account = mine.accounts[1]
    before = livevox.LiveVoxStore(seed=5, now=NOW)
    phone = mine.get(account).record["phone"][0]["phone"]
    mine.set_dnd(account, [{"phone": phone, "phoneBlock": "PERMANENT"}], "DAILY")
    mine.update(account, {"person": {"firstName": "Changed"}, "city": "Elsewhere"})
    mine.groups[min(mine.groups)]["name"] = "changed"
    mine.custom_fields["COL1"]["listValues"].append("changed")
    mine.notes[account].clear()
    mine.delete(mine.accounts[2])
    assert mine.get(account).record["accountBlock"] == "DAILY"
    assert other.get(account).record == before.get(account).record
    assert other.accounts == before.accounts and other.notes == before.notes
    assert other.groups == before.groups
    assert other.custom_fields == before.custom_fields


def test_an_engage_copy_is_the_seeded_data_and_its_own() -> None:
    datas = [engage.create_app(seed=5, now=NOW).state.data for _ in range(3)]
    seeded, copy = datas[1], datas[2]
    assert copy is not seeded and copy == seeded == generate_engage(5, NOW)
    account, rows = next((a, r) for a, r in copy.attempts.items() if r)
    assert copy.by_id[rows[0][1]["internalId"]] is rows[0][1]  # one object, two indexes
    rows[0][1]["result"] = "CHANGED"
    copy.campaigns.clear()
    again = engage.create_app(seed=5, now=NOW).state.data
    assert again == generate_engage(5, NOW)
    assert again.attempts[account][0][1]["result"] != "CHANGED"


def test_a_procurios_store_is_the_seeded_data_and_its_own() -> None:
    stores = [procurios.build_store(5, NOW) for _ in range(2)]
    first, second = stores
    assert second.moments == first.moments and second.ordered == first.ordered
    assert second.by_relation == first.by_relation
    relation, listed = next(iter(first.by_relation.items()))
    moment = listed[0]
    first.remove(moment)
    assert moment not in first.by_relation[relation] and moment.id not in first.moments
    third = procurios.build_store(5, NOW)
    assert third.by_relation == second.by_relation and moment.id in third.moments
    assert third.ordered == second.ordered and third.next_id == second.next_id
