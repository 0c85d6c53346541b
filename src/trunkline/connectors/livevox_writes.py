"""LiveVox contact writes (create, bulk, update, delete, DND, groups, field labels).

A mixin of `LiveVoxConnector`: the wire shapes of the doc's write examples. Creates are
not idempotent at LiveVox (`Endpoint.idempotent=False`: never retried blindly); the
gateway's idempotency keys and read-backs make them happen once. A duplicate create
answers HTTP 202 with code 202: the connector's `refused_statuses` makes it a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from urllib.parse import quote

from trunkline.connectors.base import Connector, Endpoint
from trunkline.errors import VendorProtocolError
from trunkline.writes import ContactSpec, DndSpec

# The doc states no bulk cap; 500 a call stays well under the search cap (1000) that
# the read-back of a chunk shares with the next chunk's pre-check.
BULK_CHUNK = 500

WRITE_ENDPOINTS: Mapping[str, Endpoint] = {
    "create": Endpoint("POST", "/contact/contacts", idempotent=False),
    "bulk_create": Endpoint("POST", "/contact/contacts/bulk", idempotent=False),
    "update": Endpoint("PUT", "/contact/contacts/{account}"),
    "bulk_update": Endpoint("PUT", "/contact/contacts/bulk"),
    "delete": Endpoint("DELETE", "/contact/contacts/{account}"),
    "dnd": Endpoint("PUT", "/contact/contacts/{account}/dnd"),
    "bulk_dnd": Endpoint("POST", "/contact/contacts/dnd"),
    "create_group": Endpoint("POST", "/contact/contactGroups", idempotent=False),
    "rename_group": Endpoint("PUT", "/contact/contactGroups/{id}"),
    "field_labels": Endpoint("PUT", "/contact/contacts/customFields"),
}

_COUNT = re.compile(r"(\d+)\s*$")


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def contact_details(spec: ContactSpec, *, with_account: bool = True) -> dict[str, Any]:
    """A spec as `createContactDetails` / `updateContactDetails`: given fields only."""
    out: dict[str, Any] = {"account": spec.account} if with_account else {}
    person: dict[str, Any] = {}
    for key, value in (
        ("firstName", spec.first_name),
        ("lastName", spec.last_name),
        ("email", spec.email),
        ("zipCode", spec.postal_code),
    ):
        if value is not None:
            person[key] = value
    if spec.date_of_birth is not None:
        person["dateOfBirth"] = _ms(spec.date_of_birth)
    if person:
        out["person"] = person
    if spec.phones is not None:
        phones = []
        for n, p in enumerate(spec.phones, 1):
            item: dict[str, Any] = {"phone": p.number, "ordinal": n}
            if p.sms_consent is not None:
                item["smsConsent"] = p.sms_consent
            if p.cell_consent is not None:
                item["cellConsent"] = p.cell_consent
            phones.append(item)
        out["phone"] = phones
    scalars: tuple[tuple[str, Any], ...] = (
        ("address1", spec.address1),
        ("address2", spec.address2),
        ("city", spec.city),
        ("state", spec.state),
        ("country", spec.country),
        ("balance", spec.balance),
        ("active", spec.active),
        ("groupId", spec.group_id),
    )
    for key, value in scalars:
        if value is not None:
            out[key] = value
    if spec.due_date is not None:
        out["dueDate"] = _ms(spec.due_date)
    if spec.custom_fields is not None:
        out["customFields"] = [{"field": f, "value": v} for f, v in spec.custom_fields]
    return out


def _dnd(spec: DndSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.phones:
        out["updateContactDND"] = [
            {"phone": number, "phoneBlock": block} for number, block in spec.phones
        ]
    if spec.account_block is not None:
        out["accountBlock"] = spec.account_block
    return out


# "Update Contact DND": an action switches the permanent and daily flags on or off.
_FLAGS = {"NONE": (False, False), "DAILY": (False, True), "PERMANENT": (True, False)}
_FLAGS["BOTH"] = (True, True)
_STATE = {flags: name for name, flags in _FLAGS.items()}


class LiveVoxWrites(Connector):
    bulk_chunk: ClassVar[int] = BULK_CHUNK

    def block_after(self, current: str | None, action: str) -> str:
        permanent, daily = _FLAGS.get(current or "NONE", (False, False))
        if action in ("NONE", "BOTH"):
            permanent, daily = _FLAGS[action]
        elif action in ("DAILY", "DAILY_ON"):
            daily = True
        elif action in ("PERMANENT", "PERMANENT_ON"):
            permanent = True
        elif action == "DAILY_OFF":
            daily = False
        elif action == "PERMANENT_OFF":
            permanent = False
        return _STATE[(permanent, daily)]

    def _account_path(self, account: str) -> dict[str, str]:
        return {"account": quote(account, safe="")}

    async def create_contact(self, spec: ContactSpec) -> None:
        await self.call("create", json={"createContactDetails": contact_details(spec)})

    async def bulk_create_contacts(self, specs: Sequence[ContactSpec]) -> int | None:
        body = {"createContactDetails": [contact_details(s) for s in specs]}
        response = await self.call("bulk_create", json=body)
        try:
            message = self.parse(response).get("message")
        except (VendorProtocolError, AttributeError):
            return None
        found = _COUNT.search(message) if isinstance(message, str) else None
        return int(found.group(1)) if found else None

    async def update_contact(self, spec: ContactSpec) -> None:
        details = contact_details(spec, with_account=False)
        await self.call(
            "update",
            path_params=self._account_path(spec.account),
            json={"updateContactDetails": details},
        )

    async def bulk_update_contacts(self, specs: Sequence[ContactSpec]) -> None:
        body = {"updateContactDetails": [contact_details(s) for s in specs]}
        await self.call("bulk_update", json=body)

    async def delete_contact(self, account: str) -> None:
        await self.call("delete", path_params=self._account_path(account))

    async def update_dnd(self, spec: DndSpec) -> None:
        await self.call(
            "dnd", path_params=self._account_path(spec.account), json=_dnd(spec)
        )

    async def bulk_update_dnd(self, specs: Sequence[DndSpec]) -> int | None:
        body = {"contactDnd": [{"account": s.account, **_dnd(s)} for s in specs]}
        response = await self.call("bulk_dnd", json=body)
        try:
            updated = self.parse(response).get("updated")
        except (VendorProtocolError, AttributeError):
            return None
        return updated if isinstance(updated, int) else None

    async def create_group(self, name: str) -> str:
        response = await self.call("create_group", json={"name": name})
        try:
            group_id = self.parse(response).get("id")
        except AttributeError:
            group_id = None
        if group_id in (None, ""):
            raise VendorProtocolError(self.name, "LIVEVOX: group create answered no id")
        return str(group_id)

    async def rename_group(self, group_id: str, name: str) -> None:
        await self.call(
            "rename_group",
            path_params={"id": quote(group_id, safe="")},
            json={"name": name},
        )

    async def update_field_labels(self, labels: Mapping[str, str]) -> None:
        body = {"customFields": [{"field": f, "label": v} for f, v in labels.items()]}
        await self.call("field_labels", json=body)


__all__ = ["BULK_CHUNK", "WRITE_ENDPOINTS", "LiveVoxWrites", "contact_details"]
