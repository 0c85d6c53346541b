"""graphql-transport-ws: connection_init's payload is an object or absent/null
(PROTOCOL.md); anything else is an invalid message, closed with 4400 before any
authentication (not 4403, which is for a refused credential)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from security_support import READ_KEY, production_settings
from trunkline.app import create_app, load_simulator
from trunkline.connectors import connector_classes

PROTOCOL = ["graphql-transport-ws"]
NOT_OBJECTS: list[Any] = ["Bearer x", 5, [1], True, ["Authorization"]]


def production_client(tmp_path: Path) -> TestClient:
    sims = {v: load_simulator(v) for v in connector_classes()}
    return TestClient(create_app(production_settings(tmp_path), apps=sims))  # type: ignore[arg-type]


def close_code(client: TestClient, message: dict[str, Any]) -> int:
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        return closed.value.code


@pytest.mark.parametrize("payload", NOT_OBJECTS)
def test_a_payload_not_an_object_closes_4400_without_auth(
    settings: Any, payload: Any
) -> None:
    client = TestClient(create_app(settings))
    assert close_code(client, {"type": "connection_init", "payload": payload}) == 4400


@pytest.mark.parametrize("payload", NOT_OBJECTS)
def test_a_payload_not_an_object_closes_4400_with_auth(
    tmp_path: Path, payload: Any
) -> None:
    client = production_client(tmp_path)
    assert close_code(client, {"type": "connection_init", "payload": payload}) == 4400


def test_a_refused_credential_still_closes_4403(tmp_path: Path) -> None:
    client = production_client(tmp_path)
    init = {"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}
    assert close_code(client, init) == 4403


@pytest.mark.parametrize("extra", [{}, {"payload": None}, {"payload": {}}])
def test_an_absent_null_or_empty_payload_is_acknowledged(
    settings: Any, extra: dict[str, Any]
) -> None:
    client = TestClient(create_app(settings))
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init", **extra})
        assert ws.receive_json() == {"type": "connection_ack"}


def test_an_object_payload_with_a_credential_is_acknowledged(tmp_path: Path) -> None:
    client = production_client(tmp_path)
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        auth = {"Authorization": f"Bearer {READ_KEY}"}
        ws.send_json({"type": "connection_init", "payload": auth})
        assert ws.receive_json() == {"type": "connection_ack"}


def test_a_long_unknown_type_closes_4400(settings: Any) -> None:
    # the close reason quotes the type, within the protocol's 123 bytes
    client = TestClient(create_app(settings))
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "é" * 5000})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4400
    assert 0 < len(closed.value.reason.encode()) <= 123
