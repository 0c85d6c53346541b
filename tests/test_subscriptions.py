"""queueEntryChanged over graphql-transport-ws, against uvicorn on 127.0.0.1 with a
real websocket client (the `websockets` package)."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from trunkline.app import create_app
from trunkline.domain import Vendor

pytestmark = pytest.mark.e2e

LIST = "/crmapi/rest/v2/communications/queue/list"
EXT1 = base64.b64encode(b"Queue:crmcom:external_system:EXT 1").decode()
SMS = base64.b64encode(b"Queue:crmcom:media:SMS").decode()
SUBSCRIBE = """subscription ($queue: ID!, $states: [QueueEntryState!]) {
  queueEntryChanged(queue: $queue, states: $states) {
    entry { id number state } previousState queue { id }
  }
}"""
PROCESS = """mutation ($id: ID!) {
  processQueueEntry(input: { id: $id }) { queueEntry { state } userErrors { code } }
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Gateway:
    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.url = f"ws://127.0.0.1:{port}/graphql"
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")

    @property
    def sim(self) -> Any:
        return self.app.state.simulators[Vendor.CRMCOM].state

    @property
    def pollers(self) -> Any:
        return self.app.state.gateway.queue_pollers

    def list_calls(self) -> int:
        return sum(1 for _, path, _ in self.sim.calls.entries if path == LIST)

    async def mutate(self, query: str, variables: dict[str, Any]) -> Any:
        r = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        body = r.json()
        assert "errors" not in body, body
        return body["data"]


@asynccontextmanager
async def gateway(settings: Any) -> AsyncIterator[Gateway]:
    app = create_app(settings)
    app.state.gateway.queue_pollers.interval = 0.05
    app.state.gateway.queue_pollers.max_backoff = 0.2
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started)
    gw = Gateway(app, port)
    try:
        yield gw
    finally:
        await gw.http.aclose()
        server.should_exit = True
        await task


@asynccontextmanager
async def client(gw: Gateway) -> AsyncIterator[ClientConnection]:
    async with connect(gw.url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        yield ws


async def subscribe(ws: ClientConnection, op: str, variables: dict[str, Any]) -> None:
    message = {"query": SUBSCRIBE, "variables": variables}
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": message}))


async def receive(ws: ClientConnection) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 5.0))


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def polled(gw: Gateway, more_than: int) -> None:
    """Wait until the queue was read more than `more_than` times."""
    await until(lambda: gw.list_calls() > more_than)


def pending_ext1(gw: Gateway) -> list[Any]:
    return [
        e
        for e in gw.sim.store.queue
        if e.external_system is not None
        and e.external_system.name == "EXT 1"
        and e.life_cycle_state == "PENDING"
    ]


def entry_gid(entry: Any) -> str:
    return base64.b64encode(f"QueueEntry:crmcom:{entry.id}".encode()).decode()


async def test_processing_reaches_two_subscribers_through_one_poller(
    settings: Any,
) -> None:
    async with gateway(settings) as gw, client(gw) as one, client(gw) as two:
        await subscribe(one, "a", {"queue": EXT1})
        await subscribe(two, "b", {"queue": EXT1, "states": ["COMPLETED"]})
        await polled(gw, 0)
        await until(
            lambda: sum(len(p.subscribers) for p in gw.pollers.pollers.values()) == 2
        )
        assert len(gw.pollers.pollers) == 1  # two subscribers, one poller
        start = gw.list_calls()
        await polled(gw, start)  # a baseline read that both share

        entry = pending_ext1(gw)[0]
        data = await gw.mutate(PROCESS, {"id": entry_gid(entry)})
        assert data["processQueueEntry"]["queueEntry"]["state"] == "COMPLETED"
        expected = {
            "entry": {
                "id": entry_gid(entry),
                "number": entry.number,
                "state": "COMPLETED",
            },
            "previousState": "PENDING",
            "queue": {"id": EXT1},
        }
        for ws, op in ((one, "a"), (two, "b")):
            message = await receive(ws)
            assert message == {
                "id": op,
                "type": "next",
                "payload": {"data": {"queueEntryChanged": expected}},
            }
        # One poller's reads, not one per subscriber: each read is one list call.
        poller = gw.pollers.pollers[next(iter(gw.pollers.pollers))]
        assert gw.list_calls() == poller.polls


async def test_vendor_down_is_an_error_event_and_the_stream_resumes(
    settings: Any,
) -> None:
    async with gateway(settings) as gw, client(gw) as ws:
        await subscribe(ws, "s", {"queue": EXT1})
        await polled(gw, 1)  # the baseline is read
        gw.sim.faults.down = True
        message = await receive(ws)
        assert message["type"] == "next" and message["id"] == "s"
        payload = message["payload"]
        assert payload["data"] is None
        [error] = payload["errors"]
        assert error["extensions"]["code"] == "VENDOR_UNAVAILABLE"
        assert error["extensions"]["vendor"] == "CRMCOM"
        assert error["path"] == ["queueEntryChanged"]
        # While down, the entry is processed behind the gateway's back.
        entry = pending_ext1(gw)[0]
        entry.life_cycle_state = "COMPLETED"
        await asyncio.sleep(0.3)  # a few backed-off retries: no more error events
        gw.sim.faults.down = False
        message = await receive(ws)
        change = message["payload"]["data"]["queueEntryChanged"]
        assert change["entry"]["id"] == entry_gid(entry)
        assert (change["previousState"], change["entry"]["state"]) == (
            "PENDING",
            "COMPLETED",
        )


async def test_polling_stops_when_the_last_subscriber_leaves(settings: Any) -> None:
    async with gateway(settings) as gw:
        async with client(gw) as one, client(gw) as two:
            await subscribe(one, "a", {"queue": SMS})
            await subscribe(two, "b", {"queue": SMS})
            await polled(gw, 1)
            [poller] = gw.pollers.pollers.values()
            await one.send(json.dumps({"id": "a", "type": "complete"}))
            await asyncio.sleep(0.2)
            assert list(gw.pollers.pollers.values()) == [poller]  # b still listens
            assert not poller.task.done()
        # the second leaves by closing its socket
        await until(lambda: not gw.pollers.pollers and poller.task.done())
        assert poller.task.done()
        calls = gw.list_calls()
        await asyncio.sleep(0.3)
        assert gw.list_calls() == calls  # no more reads


async def test_protocol_faults_close_with_the_protocols_codes(settings: Any) -> None:
    async with gateway(settings) as gw:
        async with connect(gw.url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await subscribe(ws, "x", {"queue": SMS})  # before connection_init
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        async with client(gw) as ws:
            await ws.send("not json")
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
        async with client(gw) as ws:
            await ws.send(json.dumps({"type": "ping"}))
            assert await receive(ws) == {"type": "pong"}
            # A query runs over the socket too: one next, then complete.
            query = {"query": "{ queues { id } }"}
            await ws.send(
                json.dumps({"id": "q", "type": "subscribe", "payload": query})
            )
            first, second = await receive(ws), await receive(ws)
            assert first["payload"]["data"]["queues"] == [{"id": EXT1}, {"id": SMS}]
            assert second == {"id": "q", "type": "complete"}
            # A request error is an `error` message.
            bad = {"query": "subscription { nope }"}
            await ws.send(json.dumps({"id": "e", "type": "subscribe", "payload": bad}))
            message = await receive(ws)
            assert message["type"] == "error" and message["id"] == "e"
            [error] = message["payload"]
            assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            await ws.send(
                json.dumps({"id": "p", "type": "subscribe", "payload": {"query": "{"}})
            )
            [error] = (await receive(ws))["payload"]
            assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
            # A bad queue ID: the stream's only event is the error, then complete.
            await subscribe(ws, "b", {"queue": "!!"})
            message = await receive(ws)
            assert message["payload"]["errors"][0]["extensions"]["code"] == (
                "BAD_USER_INPUT"
            )
            assert await receive(ws) == {"id": "b", "type": "complete"}


async def test_the_101st_operation_is_refused_alone(settings: Any) -> None:
    """Over 100 operations at once, only the new one is refused (an `error` message
    for its id); the socket and the 100 running subscriptions go on."""
    async with gateway(settings) as gw, client(gw) as ws:
        for n in range(101):
            await subscribe(ws, f"s{n}", {"queue": EXT1})
        message = await receive(ws)
        assert message["type"] == "error" and message["id"] == "s100"
        [error] = message["payload"]
        assert error["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "operations_per_connection",
            "value": 101,
            "max": 100,
        }
        assert "100 operations" in error["message"]

        def subscribers() -> int:
            return sum(len(p.subscribers) for p in gw.pollers.pollers.values())

        await until(lambda: subscribers() == 100)
        await polled(gw, gw.list_calls())  # a baseline read they all share
        entry = pending_ext1(gw)[0]
        await gw.mutate(PROCESS, {"id": entry_gid(entry)})
        events = [await receive(ws) for _ in range(100)]
        assert {e["id"] for e in events} == {f"s{n}" for n in range(100)}
        assert {e["type"] for e in events} == {"next"}
        # Once one completes, a new one runs (the refused id is free to reuse).
        await ws.send(json.dumps({"id": "s0", "type": "complete"}))
        await until(lambda: subscribers() == 99)
        await subscribe(ws, "s100", {"queue": EXT1})
        await until(lambda: subscribers() == 100)
        await ws.send(json.dumps({"type": "ping"}))
        assert await receive(ws) == {"type": "pong"}
