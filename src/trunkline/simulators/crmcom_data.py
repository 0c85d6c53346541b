"""Seeded data of the CRM.COM simulator: records, their wire shapes, the store.

Records are small mutable dataclasses; the wire objects (shaped like the examples of
`crmcom-communications.txt`) are rendered on demand, field by field, so that
`fields_set` costs nothing and 20,000 communications stay cheap to seed.
"""

from __future__ import annotations

import bisect
import functools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, TypeVar

from trunkline.simulators.seed import Person, history_size, people

JSON = dict[str, Any]
T = TypeVar("T")

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"  # as in the doc; no zone (the vendor's own)
# `viewed_on` in the set_as_viewed example: "Mon May 22 12:42:03 EEST 2017".
JAVA_DATE_FORMAT = "%a %b %d %H:%M:%S %Z %Y"
MEDIA = ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
DIRECTIONS = ("INCOMING", "OUTGOING")
DRAFT, COMPLETED = "DRAFT", "COMPLETED"
PENDING, REJECTED, REMOVED = "PENDING", "REJECTED", "COMPLETED_AND_REMOVED"
QUEUE_STATES = (PENDING, REJECTED, COMPLETED, REMOVED)
QUEUE_SIZE = 300
QUEUE_DAYS = 120
HISTORY_DAYS = 3 * 365

# The identifier fields each kind of record can be named by.
COMM_KEYS = ("id", "number", "code")
CONTACT_KEYS = ("id", "id_number")
CATEGORY_KEYS = ("id", "name", "code")
QUEUE_KEYS = ("id", "number")
SYSTEM_KEYS = ("id", "name")
TEMPLATE_KEYS = ("id", "name")
GROUP_KEYS = ("id", "name", "alternative_code")

COMPANY = {"EMAIL": "info@crm.com", "SMS": "CRMCOM", "PHONE": "18005550100"}
UDF_NAMES = (
    *(f"udf_string_{i}" for i in range(1, 9)),
    *(f"udf_float_{i}" for i in range(1, 5)),
    *(f"udf_date_{i}" for i in range(1, 5)),
)
REFERRING_TO_KEYS = [
    "payment_gateway_card",
    "service_request",
    "payment",
    "bill",
    "notification",
    "activity",
    "spend_reward_transaction",
    "award_reward_transaction",
    "buy_in_advance_request",
    "accounts_receivable",
    "communication",
    "rewards_participant",
    "payment_gateway_request",
    "lead",
    "subscription",
    "job",
]
REJECTIONS = (
    ("01", "Communication definition is not configured."),
    ("03", "Recipient address is not valid."),
    ("05", "Error with life cycle state."),
)

UNIT: JSON = {
    "community_name": "Internal Community",
    "id": "48305F8849E3C18B227C5BE3A27BA6DF",
    "name": "Admin Unit",
    "group_name": "Main Group",
    "description": "r1",
    "alternative_code": "MG",
}
GROUP: JSON = {
    "community_name": "Internal Community",
    "id": "84F33366CB592BAAE7E2044D93611C6A",
    "name": "Main Group",
    "description": "Main Group",
    "alternative_code": "MG1",
}
USERS: tuple[JSON, ...] = (
    {"person_name": "MPAdministrator", "username": "MPAdministrator", "id": "1"},
    {
        "person_name": "Marios Lannister",
        "username": "mlannister",
        "id": "63ACDBBC5B39AD2DF5B167FA70EE57DD",
    },
    {
        "person_name": "Eleni Michael",
        "username": "emichael",
        "id": "1F0C9A3B7D2E4F6A8B1C3D5E7F9A0B2C",
    },
)
COUNTRY: JSON = {
    "three_character_code": "USA",
    "two_character_code": "US",
    "id": "127",
    "name": "UNITED STATES",
    "alternative_code": None,
}


def fmt_date(value: datetime | None, tz: tzinfo = UTC) -> str | None:
    """The doc's zone-less date, as a clock in `tz` shows it."""
    return None if value is None else value.astimezone(tz).strftime(DATE_FORMAT)


def java_date(value: datetime | None, tz: tzinfo = UTC) -> str | None:
    """The doc's other date style (Java's Date.toString), zone named."""
    return None if value is None else value.astimezone(tz).strftime(JAVA_DATE_FORMAT)


def parse_date(text: str, tz: tzinfo = UTC) -> datetime:
    """Parse the doc's date format; a value without zone is in `tz`."""
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=tz)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    description: str
    code: str

    def as_json(self) -> JSON:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class ExternalSystem:
    id: str
    name: str
    media: str  # which media it delivers
    alternative_code: str

    def as_json(self) -> JSON:
        return {
            "id": self.id,
            "name": self.name,
            "alternative_code": self.alternative_code,
        }


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    direction: str
    media: str
    subject: str
    content: str


CATEGORIES = (
    Category(
        "E7A5682FD665927F9C04723E9E79C42D",
        "Customer Care Information",
        "Customer Care Information",
        "cci",
    ),
    Category(
        "85ED9457795B97D0AD826E1D8EBBB8AF", "Billing", "Bills and payments", "bill"
    ),
    Category(
        "3B1F0C2D4E5A69788796A5B4C3D2E1F0", "Marketing", "Offers and campaigns", "mkt"
    ),
    Category(
        "9A8B7C6D5E4F30211203F4E5D6C7B8A9",
        "Technical Support",
        "Faults and repairs",
        "tech",
    ),
    Category(
        "C0FFEE00112233445566778899AABBCC", "Complaints", "Customer complaints", "cmp"
    ),
)
EXTERNAL_SYSTEMS = (
    ExternalSystem("DC30CF64A5F4426A84F1E9E76281443A", "EXT 1", "EMAIL", "E1"),
    ExternalSystem(
        "234CC2ED054D47BF6C70088A777513C2", "External SMS System", "SMS", "SMS1"
    ),
)
TEMPLATES = (
    Template(
        "5E1D2C3B4A59687786950A1B2C3D4E5F",
        "Payment Reminder",
        "OUTGOING",
        "EMAIL",
        "Payment reminder",
        "Dear customer, your bill is due. Please pay to avoid disconnection.",
    ),
    Template(
        "6F2E3D4C5B6A79889706A1B2C3D4E5F6",
        "Welcome SMS",
        "OUTGOING",
        "SMS",
        "Welcome",
        "Welcome aboard! Reply HELP for assistance.",
    ),
)
SUBJECTS = {
    "cci": ("Information for your account", "Your service details", "Opening hours"),
    "bill": ("Your monthly bill", "Payment received", "Payment reminder"),
    "mkt": ("A new offer for you", "Upgrade your plan", "Loyalty rewards"),
    "tech": ("Fault report", "Technician visit", "Service restored"),
    "cmp": ("Complaint received", "About your complaint", "Complaint resolved"),
}


@dataclass(frozen=True, slots=True)
class Contact:
    """A seed person as CRM.COM's contact information."""

    person: Person
    title: str | None
    middle_name: str | None
    gender: str | None
    birth: tuple[int, int, int]  # year, month, day
    id_number: str
    life_cycle_state: str

    @property
    def id(self) -> str:
        return self.person.crmcom_id

    def as_json(self, *, nested: bool = False) -> JSON:
        """As the doc shows it; `nested` (in a queue entry): no name, no country."""
        year, month, day = self.birth
        demographics: JSON = {
            "gender": self.gender,
            "passport_issued_by_country": None,
            "social_security_number": None,
            "passport_number": None,
            "industry_sector": None,
            "country_of_residence": dict(COUNTRY),
            "name_day": {"month": None, "day": None},
            "date_of_birth": {"month": month, "day": day, "year": year},
            "id_number": self.id_number,
            "industry": None,
            "id_issued_by_country": None,
        }
        if nested:
            del demographics["country_of_residence"]
        return {
            "last_name": self.person.last_name,
            "middle_name": self.middle_name,
            "life_cycle_state": self.life_cycle_state,
            "company_profile": None,
            "title": self.title,
            "first_name": self.person.first_name,
            "type": "PERSON",
            "id": self.id,
            "name": None if nested else self.person.name,
            "company_name": None,
            "demographics": demographics,
        }


@dataclass(slots=True, eq=False)
class Communication:
    id: str
    number: str
    code: str
    contact: Contact
    direction: str
    media: str
    subject: str | None
    content: str | None
    sender: str | None  # "from" on the wire
    recipient: str | None  # "to" on the wire
    category: Category | None
    life_cycle_state: str
    created: datetime
    updated: datetime
    created_by: JSON
    updated_by: JSON
    viewed_on: datetime | None = None
    notes: str | None = None
    external_system: ExternalSystem | None = None
    udf: dict[str, Any] = field(default_factory=dict)


class SharedCommunication(Communication):
    """A seeded communication shared by every app's store of its seed and day (see
    `seeded_store`): read it freely; to change it, `Store.own` it first, which puts
    the store's own copy in its place. Writing to it is refused, so no change ever
    reaches another app; its `udf` is read-only too."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise TypeError(
            f"communication {self.id} is shared seeded data: Store.own() it "
            f"before changing {name}"
        )


@dataclass(slots=True, eq=False)
class QueueEntry:
    id: str
    number: str
    communication: Communication
    life_cycle_state: str
    created: datetime
    updated: datetime
    external_system: ExternalSystem | None
    error_code: str | None = None
    error_description: str | None = None
    updated_by: JSON = field(default_factory=lambda: USERS[0])


def order_key(item: Communication | QueueEntry) -> tuple[float, str]:
    """List order: created date descending, then id ascending."""
    return (-item.created.timestamp(), item.id)


# --- wire shapes ---------------------------------------------------------------
# Each renderer takes the record and the zone the vendor's clock is in (zone-less
# dates are written as that clock shows them).

Renderer = Callable[[T, tzinfo], Any]


def _log(
    created: datetime, updated: datetime, by: JSON, upd_by: JSON, tz: tzinfo
) -> JSON:
    return {
        "created_date": fmt_date(created, tz),
        "updated_date": fmt_date(updated, tz),
        "created_by_unit": dict(UNIT),
        "updated_by_unit": dict(UNIT),
        "created_by_user": dict(by),
        "updated_by_user": dict(upd_by),
    }


def _comm_log(c: Communication, tz: tzinfo) -> JSON:
    return _log(c.created, c.updated, c.created_by, c.updated_by, tz)


def _udf(name: str) -> Renderer[Communication]:
    if name.startswith("udf_date"):
        return lambda c, tz: _udf_date(c.udf.get(name), tz)
    return lambda c, tz: c.udf.get(name)


def _udf_date(value: Any, tz: tzinfo) -> Any:
    return fmt_date(value, tz) if isinstance(value, datetime) else value


COMM_FIELDS: dict[str, Renderer[Communication]] = {
    "id": lambda c, tz: c.id,
    "number": lambda c, tz: c.number,
    "code": lambda c, tz: c.code,
    "life_cycle_state": lambda c, tz: c.life_cycle_state,
    "direction": lambda c, tz: c.direction,
    "media": lambda c, tz: c.media,
    "subject": lambda c, tz: c.subject,
    "content": lambda c, tz: c.content,
    "from": lambda c, tz: c.sender,
    "to": lambda c, tz: c.recipient,
    "notes": lambda c, tz: c.notes,
    "viewed_on": lambda c, tz: java_date(c.viewed_on, tz),
    "viewed": lambda c, tz: int(c.viewed_on is not None),
    "contact_information": lambda c, tz: c.contact.as_json(),
    "category": lambda c, tz: c.category.as_json() if c.category else None,
    "communication_queue_external_system": (
        lambda c, tz: c.external_system.as_json() if c.external_system else None
    ),
    "privacy_level": lambda c, tz: None,
    "owned_by_group": lambda c, tz: dict(GROUP),
    "follow_up_set": lambda c, tz: [],
    "unrestricted_parameter_set": lambda c, tz: [],
    "referring_to": lambda c, tz: dict.fromkeys(REFERRING_TO_KEYS),
    "log_information": _comm_log,
    **{name: _udf(name) for name in UDF_NAMES},
}

# The fields each call answers: exactly those of the doc's examples for that call
# (crmcom-communications.txt). `communications/show` shows every stored field but
# `viewed`/`viewed_on` (only set_as_viewed's example has them) and
# `unrestricted_parameter_set` (only create's and update's examples have it).
SHOW_FIELDS: tuple[str, ...] = tuple(
    n
    for n in COMM_FIELDS
    if n not in ("viewed", "viewed_on", "unrestricted_parameter_set")
)
LIST_FIELDS = tuple(n for n in SHOW_FIELDS if n != "notes")  # its example has none
SAVE_FIELDS = (*SHOW_FIELDS, "unrestricted_parameter_set")  # create, update
COMPLETE_FIELDS = ("life_cycle_state", "number", "id", "contact_information")
VIEWED_FIELDS = (
    "viewed_on",
    "number",
    "subject",
    "viewed",
    "contact_information",
    "id",
    "life_cycle_state",
)


def _comm_summary(c: Communication) -> JSON:
    """A communication as nested in a queue entry (the doc's nested shape)."""
    return {
        "life_cycle_state": c.life_cycle_state,
        "number": c.number,
        "id": c.id,
        "subject": c.subject,
        "contact_information": c.contact.as_json(nested=True),
    }


QUEUE_FIELDS: dict[str, Renderer[QueueEntry]] = {
    "id": lambda q, tz: q.id,
    "number": lambda q, tz: q.number,
    "life_cycle_state": lambda q, tz: q.life_cycle_state,
    "error_code": lambda q, tz: q.error_code,
    "error_description": lambda q, tz: q.error_description,
    "communication": lambda q, tz: _comm_summary(q.communication),
    "communication_queue_external_system": (
        lambda q, tz: q.external_system.as_json() if q.external_system else None
    ),
    "log_information": lambda q, tz: _log(
        q.created, q.updated, q.communication.created_by, q.updated_by, tz
    ),
}


def render(
    item: T,
    renderers: dict[str, Renderer[T]],
    fields: Sequence[str] | None,
    *,
    names: Sequence[str] | None = None,
    tz: tzinfo = UTC,
) -> JSON:
    """The wire object: the call's `names` (default: every renderer), or with
    `fields` (fields_set) only those of them named; other names are ignored."""
    shown = list(renderers) if names is None else names
    if fields is not None:
        shown = [n for n in fields if n in shown]
    return {name: renderers[name](item, tz) for name in shown}


# --- the store -----------------------------------------------------------------


@dataclass
class Store:
    """Everything the simulator knows, with the indexes its calls need."""

    rng: random.Random
    contacts: dict[str, Contact] = field(default_factory=dict)
    contacts_by_id_number: dict[str, Contact] = field(default_factory=dict)
    comms: dict[str, Communication] = field(default_factory=dict)
    comms_by_number: dict[str, Communication] = field(default_factory=dict)
    comms_by_code: dict[str, Communication] = field(default_factory=dict)
    by_contact: dict[str, list[Communication]] = field(default_factory=dict)
    by_category: dict[str, list[Communication]] = field(default_factory=dict)
    queue: list[QueueEntry] = field(default_factory=list)  # in list order
    queue_by_id: dict[str, QueueEntry] = field(default_factory=dict)
    queue_by_number: dict[str, QueueEntry] = field(default_factory=dict)
    comm_seq: int = 0
    queue_seq: int = 0

    def new_id(self) -> str:
        return f"{self.rng.getrandbits(128):032X}"

    def next_comm_number(self) -> tuple[str, str]:
        self.comm_seq += 1
        return f"CM{self.comm_seq:06d}", str(self.comm_seq)

    def next_queue_number(self) -> str:
        self.queue_seq += 1
        return str(self.queue_seq)

    def add_contact(self, contact: Contact) -> None:
        self.contacts[contact.id] = contact
        self.contacts_by_id_number[contact.id_number] = contact
        self.by_contact[contact.id] = []

    def add_comm(self, comm: Communication) -> None:
        self._index_comm(comm)
        bisect.insort(self.by_contact[comm.contact.id], comm, key=order_key)
        if comm.category is not None:
            listed = self.by_category.setdefault(comm.category.id, [])
            bisect.insort(listed, comm, key=order_key)

    def add_seeded(self, comms: Iterable[Communication]) -> None:
        """Bulk add: append everywhere, then sort each list once (fast seeding)."""
        for comm in comms:
            self._index_comm(comm)
            self.by_contact[comm.contact.id].append(comm)
            if comm.category is not None:
                self.by_category.setdefault(comm.category.id, []).append(comm)
        for listed in (*self.by_contact.values(), *self.by_category.values()):
            listed.sort(key=order_key)

    def _index_comm(self, comm: Communication) -> None:
        self.comms[comm.id] = comm
        self.comms_by_number[comm.number] = comm
        self.comms_by_code[comm.code] = comm

    def add_queue_entry(self, entry: QueueEntry) -> None:
        self.queue_by_id[entry.id] = entry
        self.queue_by_number[entry.number] = entry
        bisect.insort(self.queue, entry, key=order_key)

    def own(self, comm: Communication) -> Communication:
        """This store's own, changeable `comm`: itself, or for a shared seeded one a
        copy put in its place in every index and queue entry."""
        if not isinstance(comm, SharedCommunication):
            return comm
        values = {f.name: getattr(comm, f.name) for f in fields(Communication)}
        values["udf"] = dict(comm.udf)
        mine = Communication(**values)
        self._index_comm(mine)
        _swap(self.by_contact[comm.contact.id], comm, mine)
        if comm.category is not None:
            _swap(self.by_category[comm.category.id], comm, mine)
        for entry in self.queue:
            if entry.communication is comm:
                entry.communication = mine
        return mine

    def find_comm(self, key: str, value: str) -> Communication | None:
        if key == "id":
            return self.comms.get(value)
        if key == "number":
            return self.comms_by_number.get(value)
        return self.comms_by_code.get(value)

    def find_contact(self, key: str, value: str) -> Contact | None:
        index = self.contacts if key == "id" else self.contacts_by_id_number
        return index.get(value)

    def find_queue_entry(self, key: str, value: str) -> QueueEntry | None:
        index = self.queue_by_id if key == "id" else self.queue_by_number
        return index.get(value)


def find_named(items: Iterable[T], key: str, value: str) -> T | None:
    """Look up a small fixed set (categories, systems, templates) by one field."""
    return next((i for i in items if getattr(i, key, None) == value), None)


# --- seeding -------------------------------------------------------------------


def _contact(person: Person, rng: random.Random) -> Contact:
    gender = rng.choice(("MALE", "FEMALE", None))
    title = {"MALE": "Mr", "FEMALE": "Mrs"}.get(gender or "")
    return Contact(
        person=person,
        title=title,
        middle_name=rng.choice((None, None, "A.", "J.", "S.", "M.")),
        gender=gender,
        birth=(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        id_number=f"{rng.randint(10, 99)}{person.index:06d}",  # unique
        life_cycle_state="FINANCIAL" if rng.random() < 0.8 else "MARKETING",
    )


def _media(person: Person, rng: random.Random) -> str:
    weights = {"EMAIL": 45, "SMS": 20, "PHONE": 20, "LETTER": 8, "FACE_TO_FACE": 7}
    if person.email is None:
        del weights["EMAIL"]
    if not person.phones:
        del weights["SMS"], weights["PHONE"]
    return rng.choices(list(weights), list(weights.values()))[0]


def contact_address(person: Person, media: str) -> str | None:
    if media == "EMAIL":
        return person.email
    return person.phones[0] if media in ("SMS", "PHONE") else None


def _content(person: Person, subject: str, direction: str) -> str:
    if direction == "INCOMING":
        return f"{person.name} wrote about: {subject.lower()}."
    return f"Dear {person.first_name}, {subject.lower()}. Regards, Customer Care"


def _communication(
    contact: Contact, created: datetime, now: datetime, rng: random.Random
) -> Communication:
    person = contact.person
    media = _media(person, rng)
    direction = "OUTGOING" if rng.random() < 0.7 else "INCOMING"
    category = None if rng.random() < 0.1 else rng.choice(CATEGORIES)
    subject = rng.choice(SUBJECTS[category.code if category else "cci"])
    ours, theirs = COMPANY.get(media), contact_address(person, media)
    state = DRAFT if direction == "OUTGOING" and rng.random() < 0.04 else COMPLETED
    viewed = state == COMPLETED and rng.random() < 0.5
    viewed_on = min(now, created + timedelta(minutes=rng.randint(1, 4000)))
    user = rng.choice(USERS)
    return Communication(
        id=f"{rng.getrandbits(128):032X}",
        number="",  # numbered once all are seeded, in creation order
        code="",
        contact=contact,
        direction=direction,
        media=media,
        subject=subject,
        content=_content(person, subject, direction),
        sender=ours if direction == "OUTGOING" else theirs,
        recipient=theirs if direction == "OUTGOING" else ours,
        category=category,
        life_cycle_state=state,
        created=created,
        updated=viewed_on if viewed else created,
        created_by=user,
        updated_by=user,
        viewed_on=viewed_on if viewed else None,
        udf={"udf_string_1": "PROMO"} if category and category.code == "mkt" else {},
    )


def _history(
    contact: Contact, count: int, now: datetime, rng: random.Random
) -> list[Communication]:
    out: list[Communication] = []
    for _ in range(count):
        # Some share a second with the previous one, so the id tie-break matters.
        if out and rng.random() < 0.05:
            created = out[-1].created
        else:
            ago = rng.randint(60, HISTORY_DAYS * 86400)
            created = now - timedelta(seconds=ago)
        out.append(_communication(contact, created, now, rng))
    return out


def _queue_entry(
    store: Store, comm: Communication, now: datetime, rng: random.Random
) -> QueueEntry:
    state = rng.choices(QUEUE_STATES, (70, 10, 12, 8))[0]
    system = find_named(EXTERNAL_SYSTEMS, "media", comm.media)
    comm.external_system = system
    created = comm.created + timedelta(seconds=rng.randint(1, 30))
    handled = min(now, created + timedelta(minutes=rng.randint(1, 600)))
    error = rng.choice(REJECTIONS) if state == REJECTED else (None, None)
    return QueueEntry(
        id=store.new_id(),
        number="",
        communication=comm,
        life_cycle_state=state,
        created=created,
        updated=created if state == PENDING else handled,
        external_system=system,
        error_code=error[0],
        error_description=error[1],
    )


def _seed_queue(store: Store, now: datetime, rng: random.Random) -> None:
    # The queue holds what was sent lately, by email or SMS.
    since = now - timedelta(days=QUEUE_DAYS)
    candidates = [
        c
        for c in store.comms.values()
        if c.created >= since
        and c.direction == "OUTGOING"
        and c.life_cycle_state == COMPLETED
        and c.media in ("EMAIL", "SMS")
    ]
    picked = rng.sample(candidates, min(QUEUE_SIZE, len(candidates)))
    entries = sorted(
        (_queue_entry(store, c, now, rng) for c in picked),
        key=lambda q: (q.created, q.id),
    )
    for entry in entries:
        entry.number = store.next_queue_number()
        store.add_queue_entry(entry)


def _swap(listed: list[Communication], old: Communication, new: Communication) -> None:
    at = bisect.bisect_left(listed, order_key(old), key=order_key)
    while listed[at] is not old:  # same created date and id: never, but be exact
        at += 1
    listed[at] = new


@functools.lru_cache(maxsize=4)
def _shared(seed: int, now: datetime) -> Store:
    """The seeding of a seed and day, its communications made shared (read-only)."""
    store = generate(seed, now)
    for comm in store.comms.values():
        comm.udf = MappingProxyType(comm.udf)  # type: ignore[assignment]
        comm.__class__ = SharedCommunication
    return store


def seeded_store(seed: int, now: datetime) -> Store:
    """A store equal to `generate(seed, now)`, seeded once per process: each gets its
    own indexes, queue entries and random state, over the seeded communications,
    which stores share until one `own`s one to change it (copying all 21,000 for
    every app cost a tenth of a second, and a test suite builds many apps)."""
    base = _shared(seed, now)
    rng = random.Random()
    rng.setstate(base.rng.getstate())
    entries = {id(e): replace(e) for e in base.queue}
    return Store(
        rng=rng,
        contacts=dict(base.contacts),
        contacts_by_id_number=dict(base.contacts_by_id_number),
        comms=dict(base.comms),
        comms_by_number=dict(base.comms_by_number),
        comms_by_code=dict(base.comms_by_code),
        by_contact={k: list(v) for k, v in base.by_contact.items()},
        by_category={k: list(v) for k, v in base.by_category.items()},
        queue=[entries[id(e)] for e in base.queue],
        queue_by_id={k: entries[id(e)] for k, e in base.queue_by_id.items()},
        queue_by_number={k: entries[id(e)] for k, e in base.queue_by_number.items()},
        comm_seq=base.comm_seq,
        queue_seq=base.queue_seq,
    )


def generate(seed: int, now: datetime) -> Store:
    """Seed contacts, their communications (~3 years before `now`) and the queue."""
    rng = random.Random(seed)
    store = Store(rng=random.Random(seed + 1))
    contact_rng = random.Random(seed + 2)
    seeded: list[Communication] = []
    for person in people():
        contact = _contact(person, contact_rng)
        store.add_contact(contact)
        count = history_size(person.index, rng, heavy=350, huge=3000)
        seeded.extend(_history(contact, count, now, rng))
    seeded.sort(key=lambda c: (c.created, c.id))
    for comm in seeded:  # numbers grow with creation time, as the vendor's do
        comm.number, comm.code = store.next_comm_number()
    store.add_seeded(seeded)
    _seed_queue(store, now, rng)
    return store


__all__ = [
    "CATEGORIES",
    "EXTERNAL_SYSTEMS",
    "TEMPLATES",
    "Communication",
    "Contact",
    "QueueEntry",
    "SharedCommunication",
    "Store",
    "generate",
    "render",
    "seeded_store",
]
