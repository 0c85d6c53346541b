"""LiveVox payloads the connector must take in its stride."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from trunkline.connectors.livevox import contacts_of
from trunkline.errors import VendorProtocolError


def test_phone_slots_are_cleaned_and_empty_ones_dropped() -> None:
    body = {
        "listContactDetails": [
            {
                "account": 100001,
                "phone": [
                    {"phone": 7735551455, "ordinal": 1},
                    {"phone": "  ", "ordinal": 2},
                    {"phone": None, "ordinal": 3},
                    {"phone": {"odd": "shape"}, "ordinal": 4},
                    {"phone": " 3125550000 ", "ordinal": 5, "dnd": True},
                ],
            }
        ]
    }
    [c], more = contacts_of(body)
    assert not more
    assert c.account == "100001"
    assert [(p.number, p.ordinal, p.dnd) for p in c.phones] == [
        ("7735551455", 1, False),
        ("3125550000", 5, True),
    ]


def test_contact_list_shapes_and_lenient_fields() -> None:
    body = {
        "findMatchingContactsDetails": [
            {
                "account": "7",
                "balance": "12.5",
                "groupId": 0,
                "customFields": [{"field": "COL1", "value": 813}, {"field": "COL2"}],
                "createdDate": 1651186815000,
                "unknown": {"ignored": True},
            },
            {"account": 8, "balance": "n/a", "groupId": "2202", "customFields": None},
        ],
        "next": "contact/contacts?offset=2",
    }
    (a, b), more = contacts_of(body)
    assert more
    assert (a.balance, a.group_ids, b.account, b.balance, b.group_ids) == (
        12.5,
        (),
        "8",
        None,
        ("2202",),
    )
    assert [(f.field, f.value) for f in a.custom_fields] == [
        ("COL1", "813"),
        ("COL2", None),
    ]
    assert a.custom_field("col1") == "813" and list(b.custom_fields) == []
    assert a.created_at is not None and a.created_at.year == 2022


def test_malformed_contact_list_is_refused() -> None:
    with pytest.raises(ValidationError):
        contacts_of(b'{"listContactDetails": [{"person": {}}]}')
    with pytest.raises(ValidationError):
        contacts_of(
            b'{"listContactDetails": [{"account": "1", "phone": [{"ordinal": "x"}]}]}'
        )


def test_details_are_mapped_when_first_read_and_compare_by_value() -> None:
    body = {
        "listContactDetails": [
            {
                "account": "9",
                "person": {"firstName": " Ann ", "email": " a@example.com "},
                "city": "  ",
                "postalCode": "",
                "customFields": [{"field": "COL1", "value": 1}],
            }
        ]
    }
    [a], _ = contacts_of(body)
    [b], _ = contacts_of(body)
    assert callable(a.more)  # nothing mapped yet
    assert (a.first_name, a.emails, a.address.city, a.address.postal_code) == (
        "Ann",
        ("a@example.com",),
        None,
        None,
    )
    assert not callable(a.more) and a == b and a.custom_fields == [b.custom_fields[0]]


def test_a_malformed_detail_fails_only_that_contacts_details() -> None:
    body = (
        b'{"listContactDetails": ['
        b'{"account": "1", "person": {"firstName": "Ann", "email": 42}},'
        b'{"account": "2", "person": {"firstName": "Bo", "email": "bo@example.com"},'
        b' "customFields": [{"field": "COL1", "value": "x"}]}]}'
    )
    (bad, good), _ = contacts_of(body)
    assert (bad.first_name, good.first_name) == ("Ann", "Bo")  # the page reads
    with pytest.raises(VendorProtocolError, match=r"person\.email"):
        _ = bad.emails
    assert good.emails == ("bo@example.com",)
    assert good.custom_field("COL1") == "x"


def test_a_custom_field_is_read_without_making_the_details() -> None:
    # An identity rule reads one custom field of every contact on a page: that must not
    # cost each contact its whole details, nor fail on a detail it does not read.
    body = (
        b'{"listContactDetails": ['
        b'{"account": "1", "person": {"email": 42},'
        b' "customFields": [{"field": "COL5", "value": 400001}]},'
        b'{"account": "2", "customFields": [{"field": "COL5"}, {"value": "x"}]}]}'
    )
    (a, b), _ = contacts_of(body)
    assert a.custom_field("col5") == "400001"
    assert callable(a.more)  # the details are still to be made
    with pytest.raises(VendorProtocolError, match=r"person\.email"):
        _ = a.emails
    with pytest.raises(VendorProtocolError, match=r"customFields\.1\.field"):
        b.custom_field("COL5")


def test_dnd_follows_the_block_state_where_the_answer_has_no_flag() -> None:
    # List/Read answers: phoneBlock, no dnd or consent (the doc's examples)
    listed = {
        "listContactDetails": [
            {
                "account": "1",
                "phone": [
                    {"phone": "1", "ordinal": 1, "phoneBlock": "PERMANENT"},
                    {"phone": "2", "ordinal": 2, "phoneBlock": "NONE"},
                    {"phone": "3", "ordinal": 3, "phoneBlock": "DAILY"},
                    {"phone": "4", "ordinal": 4, "phoneBlock": "BOTH"},
                    {"phone": "5", "ordinal": 5, "phoneBlock": "SOMETHING_NEW"},
                    {"phone": "6", "ordinal": 6},
                ],
            }
        ]
    }
    [c], _ = contacts_of(listed)
    assert [(p.blocked, p.dnd) for p in c.phones] == [
        ("PERMANENT", True),
        ("NONE", False),
        ("DAILY", False),
        ("BOTH", True),
        ("SOMETHING_NEW", True),  # an unknown block state is not a dialable one
        (None, False),
    ]
    assert {(p.sms_consent, p.cell_consent) for p in c.phones} == {(None, None)}
    # Search answers: the flags, no phoneBlock (the doc's search examples)
    searched = {
        "findMatchingContactsDetails": [
            {
                "account": "1",
                "phone": [
                    {
                        "phone": "1",
                        "ordinal": 1,
                        "dnd": True,
                        "dndDaily": False,
                        "smsConsent": True,
                        "cellConsent": False,
                    },
                    {
                        "phone": "2",
                        "ordinal": 2,
                        "dnd": False,
                        "dndDaily": True,
                        "smsConsent": False,
                        "cellConsent": True,
                    },
                    {"ordinal": 3, "dnd": False, "dndDaily": False},
                ],
            }
        ]
    }
    [c], _ = contacts_of(searched)
    assert [(p.blocked, p.dnd, p.sms_consent, p.cell_consent) for p in c.phones] == [
        ("PERMANENT", True, True, False),
        ("DAILY", False, False, True),
    ]


def test_dates_before_1970_are_dates_and_zero_is_none() -> None:
    body = {
        "listContactDetails": [
            {
                "account": "1",
                "person": {"dateOfBirth": -278_208_000_000},
                "dueDate": 0,
                "createDate": "1501587068000",
            }
        ]
    }
    [c], _ = contacts_of(body)
    assert c.date_of_birth == date(1961, 3, 9)
    assert c.due_date is None  # LiveVox's 0: no date
    assert c.created_at is not None and c.created_at.year == 2017
