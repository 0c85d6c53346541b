"""Global IDs: `base64("<Type>:<key>")`, decoded with clear errors."""

from __future__ import annotations

from strawberry import relay

from trunkline.errors import BadUserInput, shown


def parse_global_id(raw: str) -> tuple[str, str]:
    try:
        gid = relay.GlobalID.from_id(raw)
    except relay.GlobalIDValueError:
        raise BadUserInput(
            f"Invalid ID {shown(raw)}: not an ID this API issued."
        ) from None
    return gid.type_name, gid.node_id


def contact_account_of(raw: str) -> str:
    type_name, key = parse_global_id(raw)
    if type_name != "Contact":
        raise BadUserInput(f"ID {shown(raw)} is not a Contact.")
    return key


__all__ = ["contact_account_of", "parse_global_id"]
