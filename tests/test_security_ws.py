"""The WebSocket transport (graphql-transport-ws) passes the same guard as HTTP:
credentials at connection_init, limits, introspection and scopes per operation."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from security_support import FULL_KEY, READ_KEY, production_settings
from trunkline.app import LazySimulator, create_app, load_simulator
from trunkline.connectors import connector_classes

PROTOCOL = ["graphql-transport-ws"]


def production_app(tmp_path: Path) -> tuple[TestClient, dict[object, object]]:
    sims = {v: LazySimulator(v) for v in connector_classes()}
    app = create_app(production_settings(tmp_path), apps=sims)  # type: ignore[arg-type]
    return TestClient(app), sims  # type: ignore[return-value]


def calls(sims: dict[object, object]) -> int:
    # a simulator never built (lazy) answered no call
    return sum(len(s.state.calls) for s in sims.values() if s.built)  # type: ignore[attr-defined]


def test_no_credentials_closes_4403(tmp_path: Path) -> None:
    client, sims = production_app(tmp_path)
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init"})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403
    assert calls(sims) == 0


def test_operations_over_websocket_are_guarded(tmp_path: Path) -> None:
    client, sims = production_app(tmp_path)
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json(
            {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {READ_KEY}"},
            }
        )
        assert ws.receive_json() == {"type": "connection_ack"}
        cases = {
            "1": (
                "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }",
                "QUERY_TOO_COMPLEX",
            ),
            "2": ("{ __schema { types { name } } }", "GRAPHQL_VALIDATION_FAILED"),
            "3": (
                'mutation { unlinkContact(input: { contactId: "Q29udGFjdDoxMDAwMDA=", vendor: PROCURIOS }) { changed } }',
                "FORBIDDEN",
            ),
            "4": ("query A { __typename } query B { __typename }", "BAD_REQUEST"),
        }
        for op_id, (query, code) in cases.items():
            ws.send_json(
                {"type": "subscribe", "id": op_id, "payload": {"query": query}}
            )
            answer = ws.receive_json()
            assert answer["type"] == "error" and answer["id"] == op_id
            assert answer["payload"][0]["extensions"]["code"] == code, answer
        ws.send_json(
            {"type": "subscribe", "id": "5", "payload": {"query": "{ __typename }"}}
        )
        assert ws.receive_json()["payload"] == {"data": {"__typename": "Query"}}
    assert calls(sims) == 0


def test_the_upgrade_request_header_authenticates(tmp_path: Path) -> None:
    client, _ = production_app(tmp_path)
    with (
        client,
        client.websocket_connect(
            "/graphql",
            subprotocols=PROTOCOL,
            headers={"Authorization": f"Bearer {FULL_KEY}"},
        ) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json() == {"type": "connection_ack"}


def test_a_costly_operation_over_websocket_is_refused_unrun(tmp_path: Path) -> None:
    """The vendor-call estimate applies over WebSocket as over HTTP (cost.py)."""
    client, sims = production_app(tmp_path)
    costly = (
        "{ contacts(first: 100) { edges { node { "
        "interactions(first: 100) { edges { node { id } } } } } } }"
    )
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json(
            {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {READ_KEY}"},
            }
        )
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"type": "subscribe", "id": "c", "payload": {"query": costly}})
        answer = ws.receive_json()
        assert answer["type"] == "error" and answer["id"] == "c"
        [error] = answer["payload"]
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert error["extensions"]["estimate"] > error["extensions"]["limit"]
    assert calls(sims) == 0


def test_a_query_over_websocket_keeps_the_request_deadline(tmp_path: Path) -> None:
    """A query or mutation over WebSocket gets the request deadline (and the running
    call budget) as over HTTP: a vendor slower than it costs the deadline, not the
    vendor's time, and answers a typed timeout naming the vendor."""
    import time

    from trunkline.config import load_settings
    from trunkline.domain import Vendor

    config = tmp_path / "t.toml"
    config.write_text("[gateway]\nrequest_deadline_s = 0.5\n")
    settings = load_settings(
        config, env={"TRUNKLINE_IDENTITY_STORE": str(tmp_path / "l.sqlite3")}
    )
    sims = {v: load_simulator(v) for v in connector_classes()}  # none built in time
    sims[Vendor.LIVEVOX].state.faults.latency_ms = 3000  # type: ignore[attr-defined]
    client = TestClient(create_app(settings, apps=sims))  # type: ignore[arg-type]
    query = "{ contacts(first: 1) { edges { node { id } } } }"
    with client, client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json() == {"type": "connection_ack"}
        started = time.monotonic()
        ws.send_json({"type": "subscribe", "id": "q", "payload": {"query": query}})
        answer = ws.receive_json()
        took = time.monotonic() - started
    assert answer["type"] == "next", answer
    [error] = answer["payload"]["errors"]
    assert error["extensions"]["code"] == "VENDOR_TIMEOUT"
    assert error["extensions"]["vendor"] == "LIVEVOX"
    assert took < 2.5  # the deadline (0.5 s) and a margin, not the vendor's 3 s
