"""Engage SOAP by hand for the baseline: an envelope from a string template, the
answer's `<return>` items read with the standard library's parser (the answers come
from our own simulator process; the gateway's parser also refuses any DTD,
`trunkline.safe_xml`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

PATH = "/engage/api"
NS = "urn:engage"
CONTENT_TYPE = "text/xml; charset=utf-8"
_WSSE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
)
_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordText"
)


class EngageFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def security(username: str, password: str) -> str:
    return (
        f'<w:Security xmlns:w="{_WSSE}"><w:UsernameToken>'
        f"<w:Username>{escape(username)}</w:Username>"
        f'<w:Password Type="{_TEXT}">{escape(password)}</w:Password>'
        "</w:UsernameToken></w:Security>"
    )


def envelope(security_xml: str, operation: str, args: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:e="{NS}"><s:Header>{security_xml}</s:Header><s:Body>'
        f"<e:{operation}>{args}</e:{operation}></s:Body></s:Envelope>"
    ).encode()


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def org(org_id: str) -> str:
    return f"<e:org><internalId>{escape(org_id)}</internalId></e:org>"


def window(start: int, end: int) -> str:
    return f"<e:fromTime>{iso(start)}</e:fromTime><e:toTime>{iso(end)}</e:toTime>"


def attempts_args(org_id: str, contact: str, start: int, end: int) -> str:
    sample = f"<e:sample><contact><externalId>{escape(contact)}</externalId></contact>"
    return org(org_id) + sample + "</e:sample>" + window(start, end)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def returns(answer: bytes) -> list[ET.Element]:
    """The `<return>` items of a response, or EngageFault."""
    root = ET.fromstring(answer)
    body = next(p for p in root if _local(p.tag) == "Body")
    response = next(iter(body))
    if _local(response.tag) == "Fault":
        parts = {_local(c.tag): (c.text or "") for c in response}
        code = parts.get("faultcode", "").rsplit(":", 1)[-1]
        raise EngageFault(code, parts.get("faultstring", ""))
    return [c for c in response if _local(c.tag) == "return"]


def fields(element: ET.Element, names: Iterable[str]) -> dict[str, str | None]:
    """Leaf children by name (the first of each), None where absent or empty."""
    wanted = set(names)
    out: dict[str, str | None] = dict.fromkeys(wanted)
    for child in element:
        name = _local(child.tag)
        if name in wanted and out[name] is None:
            out[name] = (child.text or "").strip() or None
    return out


def child(element: ET.Element, name: str) -> ET.Element | None:
    for c in element:
        if _local(c.tag) == name:
            return c
    return None
