"""SOAP 1.1 for connectors: envelopes out, answers and faults in (no vendor specifics).

A call is `POST` with header `SOAPAction: "<operation>"` and an envelope whose Body holds
`<operation xmlns="<namespace>">` with one child per argument; credentials ride as a
WS-Security `UsernameToken` in the Header. The answer's Body holds
`<operationResponse>` with one `<return>` per item, or a `soap:Fault` whose `faultcode`
names the error. Answers are parsed by `trunkline.safe_xml` (a DTD is refused, as SOAP
refuses it, so no entity is declared or expanded): vendor bytes never expand inside the
gateway.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from trunkline.errors import (
    ConnectorError,
    VendorProtocolError,
    VendorRejected,
    VendorUnavailable,
)
from trunkline.safe_xml import parse_xml

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE_NS = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
)
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
CONTENT_TYPE = "text/xml; charset=utf-8"

# Faults every SOAP service may answer; a vendor adds its own codes.
STANDARD_FAULTS: Mapping[str, type[ConnectorError]] = {
    "Server": VendorUnavailable,  # the service's own failure: transient
    "Client": VendorRejected,
    "VersionMismatch": VendorRejected,
    "MustUnderstand": VendorRejected,
    "FailedAuthentication": VendorRejected,  # WS-Security: bad credentials
    "InvalidSecurity": VendorRejected,
}


@functools.lru_cache(maxsize=4096)  # an answer repeats a few tags thousands of times
def local(tag: str) -> str:
    """An element or code name without its namespace or prefix."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        moment: datetime = value.astimezone(UTC)
        return moment.isoformat().replace("+00:00", "Z")
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    if value is None:
        return  # an absent argument is sent as no element (the doc's null)
    if isinstance(value, list | tuple):
        for item in value:
            _append(parent, name, item)
        return
    child = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _append(child, key, inner)
    else:
        child.text = text_of(value)


def envelope(
    operation: str,
    namespace: str,
    args: Mapping[str, Any],
    *,
    credentials: tuple[str, str] | None = None,
) -> bytes:
    """The request envelope: `args` become children (mappings nest, lists repeat)."""
    env = ET.Element(f"{{{SOAP_NS}}}Envelope")
    header = ET.SubElement(env, f"{{{SOAP_NS}}}Header")
    if credentials is not None:
        security = ET.SubElement(header, f"{{{WSSE_NS}}}Security")
        token = ET.SubElement(security, f"{{{WSSE_NS}}}UsernameToken")
        ET.SubElement(token, f"{{{WSSE_NS}}}Username").text = credentials[0]
        password = ET.SubElement(token, f"{{{WSSE_NS}}}Password")
        password.set("Type", PASSWORD_TEXT)
        password.text = credentials[1]
    body = ET.SubElement(env, f"{{{SOAP_NS}}}Body")
    call = ET.SubElement(
        body, f"{{{namespace}}}{operation}" if namespace else operation
    )
    for key, value in args.items():
        _append(call, f"{{{namespace}}}{key}" if namespace else key, value)
    out: bytes = ET.tostring(env, encoding="utf-8", xml_declaration=True)
    return out


def parse(content: bytes, vendor: str) -> ET.Element:
    """The envelope's root, parsed safely; anything else is a protocol error."""
    try:
        root = parse_xml(content)
    except ValueError:
        raise VendorProtocolError(
            vendor, f"{vendor.upper()}: answer was not SOAP XML"
        ) from None
    if local(root.tag) != "Envelope":
        raise VendorProtocolError(vendor, f"{vendor.upper()}: answer was not SOAP")
    return root


def body_child(root: ET.Element, vendor: str) -> ET.Element:
    """The first element inside the envelope's Body (a response or a Fault)."""
    for part in root:
        if local(part.tag) == "Body":
            for child in part:
                return child
    raise VendorProtocolError(vendor, f"{vendor.upper()}: SOAP answer without a body")


def fault_of(element: ET.Element) -> tuple[str, str] | None:
    """(faultcode without prefix, faultstring) when `element` is a Fault."""
    if local(element.tag) != "Fault":
        return None
    code = message = ""
    for child in element:
        name = local(child.tag)
        if name == "faultcode":
            code = local((child.text or "").strip())
        elif name == "faultstring":
            message = (child.text or "").strip()
    return code, message


def fault_error(
    vendor: str,
    code: str,
    message: str,
    codes: Mapping[str, type[ConnectorError]],
    status: int | None = None,
) -> ConnectorError:
    """The hierarchy's error for a fault: by its code, unknown codes as refusals."""
    cls = codes.get(code) or STANDARD_FAULTS.get(code) or VendorRejected
    text = (
        f"{vendor.upper()}: {code}: {message}"
        if message
        else f"{vendor.upper()}: {code}"
    )
    error = cls(vendor, text, status=status)
    error.extensions["vendorCode"] = code
    return error


def response_of(content: bytes, vendor: str, operation: str) -> ET.Element:
    """The `<operationResponse>` element of a successful answer."""
    child = body_child(parse(content, vendor), vendor)
    if local(child.tag) != f"{operation}Response":
        raise VendorProtocolError(
            vendor, f"{vendor.upper()}: expected {operation}Response in the answer"
        )
    return child


def returns(response: ET.Element) -> list[ET.Element]:
    """The response's `<return>` items, in order (one per array item)."""
    return [c for c in response if local(c.tag) == "return"]


def to_value(element: ET.Element) -> Any:
    """An element as plain data: text for a leaf (None when empty), else a dict of its
    children by name, a name given more than once holding a list."""
    if not len(element):
        text = element.text
        return (text.strip() or None) if text is not None else None
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in element:
        name = local(child.tag)
        value = to_value(child)
        if name not in out:
            out[name] = value
        elif name in repeated:
            out[name].append(value)
        else:
            out[name] = [out[name], value]
            repeated.add(name)
    return out


def flat(element: ET.Element) -> dict[str, str | None]:
    """An element's leaves by dotted path (`contact.device.externalId`), the first of a
    repeated one: for records read field by field, cheaper than `to_value`."""
    out: dict[str, str | None] = {}
    _flat(element, "", out)
    return out


def _flat(element: ET.Element, prefix: str, out: dict[str, str | None]) -> None:
    for child in element:
        name = prefix + local(child.tag)
        if len(child):
            _flat(child, name + ".", out)
        elif name not in out:
            text = child.text
            out[name] = (text.strip() or None) if text is not None else None


def as_list(value: Any) -> Sequence[Any]:
    """A child that may repeat, as a list: absent -> [], one -> [it]."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


__all__ = [
    "CONTENT_TYPE",
    "STANDARD_FAULTS",
    "as_list",
    "body_child",
    "envelope",
    "fault_error",
    "fault_of",
    "flat",
    "local",
    "parse",
    "response_of",
    "returns",
    "text_of",
    "to_value",
]
