"""Serving: a response leaves in one write; a streamed body still flows as it is made;
a request is stamped with its arrival; the simulators' latency counts from that
stamp and their clock never answers early."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.types import Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.server import ServerState

from trunkline.serving import ARRIVED, CoalescingHttpToolsProtocol
from trunkline.simulators.base import simulator_app
from trunkline.simulators.clock import sleep_until

REQUEST = b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n"


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


def serve(app: Any) -> tuple[CoalescingHttpToolsProtocol, FakeTransport]:
    config = Config(app=app, log_level="warning")
    config.load()
    protocol = CoalescingHttpToolsProtocol(
        config=config, server_state=ServerState(), app_state={}
    )
    transport = FakeTransport()
    protocol.connection_made(transport)
    return protocol, transport


async def test_a_response_leaves_in_one_write() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"5")],
            }
        )
        await send({"type": "http.response.body", "body": b"hello"})

    protocol, transport = serve(app)
    protocol.data_received(REQUEST)
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == b"hello"
    # keep-alive: the next request on the connection is answered the same way
    protocol.data_received(REQUEST)
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(transport.writes) == 2


async def test_a_streamed_body_goes_out_as_it_is_made() -> None:
    second_chunk = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"one", "more_body": True})
        await second_chunk.wait()
        await send({"type": "http.response.body", "body": b"two"})

    protocol, transport = serve(app)
    protocol.data_received(REQUEST)
    for _ in range(5):
        await asyncio.sleep(0)
    sent = b"".join(transport.writes)
    assert b"one" in sent and b"two" not in sent  # not held until the end
    second_chunk.set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert b"two" in b"".join(transport.writes)


async def test_the_latency_clock_never_answers_early() -> None:
    for wait in (0.0, 0.0005, 0.003, 0.012):
        deadline = time.monotonic() + wait
        await sleep_until(deadline)
        assert time.monotonic() >= deadline


def test_the_latency_clock_outlives_a_closed_loop() -> None:
    # A wake-up due after its loop closed is dropped; the clock serves the next loop.
    async def abandon() -> None:
        pending = asyncio.ensure_future(sleep_until(time.monotonic() + 0.001))
        await asyncio.sleep(0)  # it waits on the clock; run() cancels it
        assert not pending.done()

    asyncio.run(abandon())
    time.sleep(0.005)

    async def again() -> float:
        deadline = time.monotonic() + 0.001
        await sleep_until(deadline)
        return time.monotonic() - deadline

    assert asyncio.run(again()) >= 0


async def test_a_request_is_stamped_with_its_arrival() -> None:
    seen: list[float] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["extensions"][ARRIVED]["monotonic"])
        seen.append(time.monotonic())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    protocol, _ = serve(app)
    before = time.monotonic()
    protocol.data_received(REQUEST)
    for _ in range(5):
        await asyncio.sleep(0)
    arrived, app_started = seen
    assert before <= arrived <= app_started
    protocol.data_received(REQUEST)  # keep-alive: each request gets its own stamp
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen[2] >= app_started


async def _answer_time(scope_extensions: dict[str, Any]) -> float:
    app = simulator_app("t", [])
    app.state.faults.latency_ms = 50
    sent: list[float] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(time.monotonic())

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/nowhere",
        "raw_path": b"/nowhere",
        "query_string": b"",
        "headers": [],
        "extensions": scope_extensions,
    }
    await app(scope, receive, send)
    return sent[0]


async def test_simulated_latency_counts_from_the_arrival_stamp() -> None:
    # A call that arrived 40 ms before the app saw it is answered 50 ms after arrival
    # (counted from the app's start, 90 ms or more); without a stamp, 50 ms after the
    # app's start. (40 ms apart, not 20: room for a busy machine's scheduling delay.)
    arrived = time.monotonic() - 0.040
    answered = await _answer_time({ARRIVED: {"monotonic": arrived}})
    assert arrived + 0.050 <= answered < arrived + 0.090
    start = time.monotonic()
    answered = await _answer_time({})
    assert answered >= start + 0.050
