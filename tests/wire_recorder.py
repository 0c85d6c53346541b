"""Record what a simulator answers, as the connector in front of it receives it.

Conformance tests wrap a simulator app in `Recorder` and hand the wrapper to the
connector: every answer of every endpoint the connector calls is kept, whole, and
checked against the keys the vendor's doc documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Answer:
    method: str
    path: str
    status: int
    body: Any  # parsed JSON (None when the body is not JSON)


@dataclass
class Recorder:
    app: ASGIApp
    answers: list[Answer] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        raw = b"".join(chunks)
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = None
        self.answers.append(Answer(scope["method"], scope["path"], status, body))


def assert_keys(value: Any, documented: Iterable[str], where: str) -> None:
    """`value` is an object whose keys are exactly the documented ones."""
    assert isinstance(value, Mapping), f"{where}: not an object: {value!r}"
    want = set(documented)
    extra, missing = set(value) - want, want - set(value)
    assert not extra, f"{where}: undocumented keys {sorted(extra)}"
    assert not missing, f"{where}: documented keys missing {sorted(missing)}"
