"""A JWT's expiry holds over WebSocket too: the credential is checked once, at
connection_init, so without this a socket opened with a token that then expired kept
its subscriptions and took new operations for as long as it stayed open."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from security_support import production_settings
from trunkline.app import create_app, load_simulator
from trunkline.connectors import connector_classes

PROTOCOL = ["graphql-transport-ws"]
SECRET = "jwt-secret-for-tests-0123456789abcdef"


def client(tmp_path: Path) -> TestClient:
    sims = {v: load_simulator(v) for v in connector_classes()}
    settings = production_settings(
        tmp_path, "[security.jwt]\nleeway_s = 0\n", {"TRUNKLINE_JWT_SECRET": SECRET}
    )
    return TestClient(create_app(settings, apps=sims))  # type: ignore[arg-type]


def token(expires_in: float) -> str:
    now = time.time()
    claims = {"sub": "app-1", "scope": "read", "iat": int(now)}
    return jwt.encode({**claims, "exp": now + expires_in}, SECRET, "HS256")


def test_the_socket_closes_when_its_token_expires(tmp_path: Path) -> None:
    app = client(tmp_path)
    with app, app.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        auth = {"Authorization": f"Bearer {token(1.0)}"}
        ws.send_json({"type": "connection_init", "payload": auth})
        assert ws.receive_json() == {"type": "connection_ack"}
        time.sleep(1.5)  # past the token's expiry
        ws.send_json({"type": "ping"})  # the socket is closed: no pong
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403
        assert closed.value.reason == "Token has expired."


def test_a_token_still_valid_keeps_the_socket(tmp_path: Path) -> None:
    app = client(tmp_path)
    with app, app.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        auth = {"Authorization": f"Bearer {token(300)}"}
        ws.send_json({"type": "connection_init", "payload": auth})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json(
            {"type": "subscribe", "id": "q", "payload": {"query": "{ __typename }"}}
        )
        assert ws.receive_json()["payload"] == {"data": {"__typename": "Query"}}
