"""The people every simulator agrees on, so identities line up across vendors.

Person `i` is LiveVox account `ACCOUNT_BASE + i`; MoxiWorks knows them by that account as
`partner_contact_id`; Procurios by `relation_id` (LiveVox custom field COL5); CRM.COM by
`crmcom_id` (LiveVox custom field COL6). A few people have long histories so that paging
and window walking are real: person 0 ("heavy") and person 1 ("huge").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

ACCOUNT_BASE = 100000
PEOPLE = 2500
HEAVY = 0  # about 1,200 interactions over all vendors
HUGE = 1  # about 10,000 interactions over all vendors

FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Ana",
    "Li",
    "Wei",
    "Sofia",
    "Lucas",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Ava",
    "Mateo",
    "Isabella",
    "Hugo",
    "Chloe",
    "Arjun",
    "Priya",
    "Kenji",
    "Yuki",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
]
CITIES = (
    ("San Francisco", "CA", "941"),
    ("Austin", "TX", "787"),
    ("Boston", "MA", "021"),
    ("Denver", "CO", "802"),
    ("Seattle", "WA", "981"),
    ("Chicago", "IL", "606"),
)


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    account: str
    first_name: str
    last_name: str
    email: str | None
    phones: tuple[str, ...]
    city: str
    state: str
    postal_code: str
    relation_id: int  # Procurios relation id
    crmcom_id: str  # CRM.COM contact information id

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _person(i: int, rng: random.Random) -> Person:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, state, zip3 = rng.choice(CITIES)
    n_phones = rng.choice((0, 1, 1, 1, 2, 2, 3))  # some contacts have no phone at all
    phones = tuple(
        f"{rng.randint(200, 989)}555{rng.randint(0, 9999):04d}" for _ in range(n_phones)
    )
    email = None if rng.random() < 0.15 else f"{first}.{last}{i}@example.com".lower()
    return Person(
        index=i,
        account=str(ACCOUNT_BASE + i),
        first_name=first,
        last_name=last,
        email=email,
        phones=phones,
        city=city,
        state=state,
        postal_code=f"{zip3}{rng.randint(0, 99):02d}",
        relation_id=400000 + i,
        crmcom_id=f"{rng.getrandbits(128):032X}",
    )


@cache
def people() -> tuple[Person, ...]:
    rng = random.Random(20261123)
    return tuple(_person(i, rng) for i in range(PEOPLE))


def history_size(index: int, rng: random.Random, *, heavy: int, huge: int) -> int:
    """How many entries one vendor holds for a person: a few for most, many for some."""
    if index == HEAVY:
        return heavy
    if index == HUGE:
        return huge
    return rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20))


__all__ = [
    "ACCOUNT_BASE",
    "HEAVY",
    "HUGE",
    "PEOPLE",
    "Person",
    "history_size",
    "people",
]
