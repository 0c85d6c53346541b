"""The simulators' call log (`GET /_sim/calls`, mounted in dev) never shows a
credential: a secret query parameter's value is `***`; headers and bodies (SOAP's
WS-Security included) are not logged at all."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from security_support import gateway, settings_from
from trunkline.domain import Vendor
from trunkline.simulators import embedded_app

SECRETS = {
    "token": "S-token-1",
    "access_token": "S-access-2",
    "password": "S-password-3",
    "api_key": "S-apikey-4",
    "sessionId": "S-session-5",
    "client_secret": "S-client-6",
}
HEADER_SECRET = "S-header-7"
BODY_SECRET = "S-body-8"


@pytest.mark.parametrize("vendor", [v.value for v in Vendor])
async def test_no_secret_reaches_the_call_log(vendor: str) -> None:
    app = embedded_app(vendor)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as sim:
        params = {**SECRETS, "offset": "5"}
        await sim.get("/some/path", params=params)
        await sim.post(
            "/some/path",
            params=params,
            headers={
                "Authorization": f"Bearer {HEADER_SECRET}",
                "LV-Access": HEADER_SECRET,
                "LV-Session": HEADER_SECRET,
                "Cookie": f"session={HEADER_SECRET}",
                "SOAPAction": '"listScripts"',
            },
            content=(
                "<Envelope><Header><Security><UsernameToken><Password>"
                f"{BODY_SECRET}</Password></UsernameToken></Security></Header>"
                "</Envelope>"
            ),
        )
        log = (await sim.get("/_sim/calls")).text
        calls = (await sim.get("/_sim/calls")).json()["calls"]
    assert calls, vendor
    for value in (*SECRETS.values(), HEADER_SECRET, BODY_SECRET):
        assert value not in log, (vendor, value)
    expected = "&".join(f"{name}=***" for name in SECRETS) + "&offset=5"
    assert [query for _, _, query in calls] == [expected, expected]


async def test_crmcom_session_token_is_not_shown(tmp_path: Path) -> None:
    """The report: the gateway's CRM.COM calls carry the session token in the query
    string; `/simulators/crmcom/_sim/calls` shows `token=***` instead."""
    settings = settings_from(tmp_path, "[security]\nmount_simulators = true\n")
    async with gateway(settings) as g:
        sms = base64.b64encode(b"Queue:crmcom:media:SMS").decode()
        query = "query ($id: ID!) { node(id: $id) { ... on Queue { id } } }"
        body = (await g.post(query, key=None, variables={"id": sms})).json()
        assert body["data"]["node"] == {"id": sms}, body
        query = "{ queues { entries(first: 2) { edges { node { id } } } } }"
        body = (await g.post(query, key=None)).json()
        assert "errors" not in body, body
        tokens = list(g.sims[Vendor.CRMCOM].state.tokens)
        assert tokens  # the gateway logged in
        r = await g.http.get("/simulators/crmcom/_sim/calls")
    assert r.status_code == 200
    for token in tokens:
        assert token not in r.text
    queries = [query for _, _, query in r.json()["calls"]]
    assert any(query.startswith("token=***&") for query in queries), queries
