"""GraphiQL runs queueEntryChanged: headless Chromium against the gateway on uvicorn
(127.0.0.1 only), the subscription over the page's websocket, a mutation over HTTP,
and the change in the result pane."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from typing import Any

import pytest

from node_checks import BROWSER_DIR, CHROMIUM, npm_ci, serve, summary_of
from trunkline.app import create_app
from trunkline.domain import Vendor

pytestmark = pytest.mark.browser


def test_graphiql_runs_a_subscription(settings: Any) -> None:
    if shutil.which("node") is None or not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"node or {CHROMIUM} missing: bash scripts/test installs them")
    npm_ci(BROWSER_DIR, "playwright-core")
    app = create_app(settings)
    app.state.gateway.queue_pollers.interval = 0.05
    store = app.state.simulators[Vendor.CRMCOM].state.store
    entry = next(
        e
        for e in store.queue
        if e.communication.media == "SMS" and e.life_cycle_state == "PENDING"
    )
    entry_id = base64.b64encode(f"QueueEntry:crmcom:{entry.id}".encode()).decode()
    queue_id = base64.b64encode(b"Queue:crmcom:media:SMS").decode()
    subscription = (
        f'subscription {{ queueEntryChanged(queue: "{queue_id}") '
        "{ entry { id state } previousState } }"
    )
    mutation = (
        f'mutation {{ processQueueEntry(input: {{ id: "{entry_id}" }}) '
        "{ queueEntry { state } } }"
    )
    with serve(app) as base_url:
        proc = subprocess.run(
            [
                "node",
                "check-graphiql-subscription.mjs",
                f"{base_url}/graphql",
                "--subscription",
                subscription,
                "--mutation",
                mutation,
                "--expect",
                entry_id,
                "--expect",
                '"previousState": "PENDING"',
            ],
            cwd=BROWSER_DIR,
            env={**os.environ, "CHROMIUM": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    print(proc.stdout)
    summary = summary_of(proc.stdout + "\n" + proc.stderr)
    assert summary["failures"] == []
    assert summary["sockets"] == [f"{base_url.replace('http', 'ws')}/graphql"]
    assert entry.life_cycle_state == "COMPLETED"
