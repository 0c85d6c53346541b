"""LiveVox payloads the connector must take in its stride."""

from __future__ import annotations

from trunkline.connectors.livevox import LvContactList


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
    [contact] = LvContactList.model_validate(body).contacts or []
    c = contact.to_domain()
    assert c.account == "100001"
    assert [(p.number, p.ordinal, p.dnd) for p in c.phones] == [
        ("7735551455", 1, False),
        ("3125550000", 5, True),
    ]
