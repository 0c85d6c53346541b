"""A subscription to a queue the vendor does not have: the subscriber gets the
vendor's NOT_FOUND once and the stream completes; the gateway stops asking the vendor
(before, the stream stayed open and its poller asked again every 30 s for as long as
the socket lived, so made-up queue names kept vendor calls going)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from test_subscriptions import client, gateway, receive, subscribe, until

pytestmark = pytest.mark.e2e

NOWHERE = base64.b64encode(b"Queue:crmcom:external_system:NO SUCH SYSTEM").decode()


async def test_an_unknown_queue_is_one_error_then_complete(settings: Any) -> None:
    async with gateway(settings) as gw, client(gw) as ws:
        await subscribe(ws, "s", {"queue": NOWHERE})
        message = await receive(ws)
        assert message["type"] == "next" and message["id"] == "s"
        [error] = message["payload"]["errors"]
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert error["extensions"]["vendor"] == "CRMCOM"
        assert await receive(ws) == {"id": "s", "type": "complete"}
        await until(lambda: not gw.pollers.pollers)
        calls = gw.list_calls()
        await asyncio.sleep(0.5)  # several backoff periods in this test's gateway
        assert gw.list_calls() == calls
