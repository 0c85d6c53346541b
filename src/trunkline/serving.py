"""Serving under uvicorn: a response leaves in one write.

uvicorn's httptools protocol writes a response's head and its body with a
`transport.write` each, so a response leaves as two TCP segments and wakes its client
twice. On this kind of machine a loopback write to an idle client cost about 0.35 ms
(bench/NOTES.md), on the path of every answer. `CoalescingHttpToolsProtocol` holds the
writes of a loop turn and writes them at once when the response completes, or when
the turn ends: a streamed body still goes out as it is produced.

It also stamps each request's scope with the time its first bytes were parsed
(`scope["extensions"][ARRIVED]["monotonic"]`): the app starts a loop turn and a
middleware stack later, and a simulator's latency is counted from arrival (0.12 ms
sooner at the median, bench/NOTES.md).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ARRIVED = "trunkline.arrived"  # an ASGI scope extension: {"monotonic": seconds}


class HeldWrites:
    """A transport's writes, held until `flush()` or the end of the loop turn."""

    __slots__ = ("_held", "_loop", "_scheduled", "raw")

    def __init__(self, raw: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self.raw = raw
        self._loop = loop
        self._held: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes) -> None:
        self._held.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._turn_ended)

    def _turn_ended(self) -> None:
        self._scheduled = False
        self.flush()

    def flush(self) -> None:
        held = self._held
        if not held:
            return
        data = held[0] if len(held) == 1 else b"".join(held)
        held.clear()
        if not self.raw.is_closing():
            self.raw.write(data)

    def close(self) -> None:
        self.flush()
        self.raw.close()

    def __getattr__(self, name: str) -> Any:
        # Everything else (is_closing, get_extra_info, pause_reading, ...) is the
        # transport's own.
        return getattr(self.raw, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing each response at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        held = HeldWrites(transport, self.loop)
        super().connection_made(cast(asyncio.Transport, held))

    def on_message_begin(self) -> None:
        super().on_message_begin()  # the parser's first callback for a request
        self.scope["extensions"] = {ARRIVED: {"monotonic": time.monotonic()}}

    def on_response_complete(self) -> None:
        # uvicorn calls this right after the last body write: send it all now.
        transport: object = self.transport
        if isinstance(transport, HeldWrites):
            transport.flush()
        super().on_response_complete()

    def handle_websocket_upgrade(self) -> None:
        # A websocket protocol takes the transport over and writes as it goes.
        transport: object = self.transport
        if isinstance(transport, HeldWrites):
            transport.flush()
            self.transport = transport.raw
        super().handle_websocket_upgrade()


__all__ = ["CoalescingHttpToolsProtocol", "HeldWrites"]
