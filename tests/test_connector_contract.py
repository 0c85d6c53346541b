"""The contract every registered connector keeps, checked against its own simulator.

Parametrised over `connector_classes()`: a new vendor's connector is checked here
without a line of this file changing. The simulators' fault knobs (`app.state.faults`)
drive the failures; the reads go through the ports only (`ContactSource`,
`InteractionSource`), the calls through each connector's declared endpoints.

- auth: refused credentials (`reject_auth`) are a typed error (VENDOR_REJECTED, 401)
  that carries no secret;
- errors: 5xx is VENDOR_UNAVAILABLE, 429 is VENDOR_RATE_LIMITED with `retryAfter` (a
  short Retry-After is retried, and the read succeeds), another 4xx is VENDOR_REJECTED;
  every error names its vendor;
- retries: an idempotent endpoint is tried `retry_attempts` times on a 5xx, any other
  exactly once;
- paging caps: no call asks beyond its endpoint's declared cap, even when a read asks
  for far more, and `call` refuses to (before anything is sent);
- batch paths: a connector that batches reads (`batch_reads`) declares the endpoint
  and parameter (`batch_key`), and reads that arrive together share one call;
- secrets: no credential, session or token in any error's message, extensions or repr,
  nor in the connector's or its settings' repr, nor in the log.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import fields
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from graphql import GraphQLUnionType
from starlette.applications import Starlette

import trunkline.details
from trunkline.config import Secrets, VendorSettings
from trunkline.connectors import connector_classes
from trunkline.connectors.base import Connector, Endpoint
from trunkline.connectors.transport import make_client
from trunkline.domain import ContactFilter, Detail, InteractionFilter, Vendor
from trunkline.errors import (
    ConnectorError,
    VendorRateLimited,
    VendorRejected,
    VendorUnavailable,
)
from trunkline.resolvers.identity import apply_rule, contact_rule
from trunkline.schema import schema
from trunkline.schema.vendors import detail_types
from trunkline.simulators import embedded_app
from trunkline.simulators.base import Faults
from trunkline.simulators.seed import ACCOUNT_BASE, HEAVY
from trunkline.sources import ContactSource, HistoryRead, InteractionSource

VENDORS = sorted(connector_classes(), key=lambda v: v.value)
SECRET = "s3cr3t-Wr0ng-7f1c9d"  # every credential of the wrong-credentials case
# people every vendor knows (the first: a long history everywhere)
ACCOUNTS = [str(ACCOUNT_BASE + HEAVY + n) for n in range(4)]
EVERYTHING = InteractionFilter()


class WrongSecrets(Secrets):
    """Every credential a connector asks for, with the same wrong value."""

    def __init__(self) -> None:
        super().__init__({})

    def __getitem__(self, key: str) -> str:
        return SECRET


def connector(vendor: Vendor, app: Starlette, secrets: Secrets | None = None) -> Any:
    vs = VendorSettings(name=vendor.value, secrets=secrets or Secrets({}))
    return connector_classes()[vendor](vs, make_client(vs, app=app))


@pytest.fixture(scope="module")
def sims() -> dict[Vendor, Starlette]:
    """One simulator per vendor for this module (seeding takes a moment); each test
    resets its faults and call log."""
    return {v: embedded_app(v.value) for v in VENDORS}


@pytest.fixture(scope="module")
def people_keys(sims: dict[Vendor, Starlette]) -> dict[Vendor, list[str | None]]:
    """Each vendor's ids for the people, by its own identity rule (as the gateway
    does): the contact source's records, then each vendor's `contact_key` rule."""

    async def find() -> dict[Vendor, list[str | None]]:
        conns = {v: connector(v, sims[v]) for v in VENDORS}
        try:
            [source] = [c for c in conns.values() if isinstance(c, ContactSource)]
            found = await source.get_contacts(ACCOUNTS)
            contacts = [found[a] for a in ACCOUNTS]
            return {
                v: [apply_rule(contact_rule(c), p) for p in contacts]
                if isinstance(c, InteractionSource)
                else [None]
                for v, c in conns.items()
            }
        finally:
            await asyncio.gather(*(c.aclose() for c in conns.values()))

    return asyncio.run(find())


@pytest.fixture(scope="module")
def keys(people_keys: dict[Vendor, list[str | None]]) -> dict[Vendor, str | None]:
    """Each vendor's id for the first person."""
    return {v: found[0] for v, found in people_keys.items()}


@pytest.fixture(params=VENDORS, ids=lambda v: v.value)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    value: Vendor = request.param
    return value


@pytest.fixture
def sim(sims: dict[Vendor, Starlette], vendor: Vendor) -> Iterator[Starlette]:
    app = sims[vendor]
    reset(app)
    yield app
    reset(app)


def reset(app: Starlette) -> None:
    faults: Faults = app.state.faults  # the middleware holds this very object
    for f in fields(Faults):
        setattr(faults, f.name, f.default)
    app.state.calls.clear()


@pytest.fixture
async def conn(vendor: Vendor, sim: Starlette) -> AsyncIterator[Any]:
    c = connector(vendor, sim)
    await c.ready()  # logged in where the vendor has sessions
    sim.state.calls.clear()
    yield c
    await c.aclose()


async def read(conn: Any, key: str | None, limit: int = 5) -> None:
    """One read through the ports: a page of contacts, else one history read."""
    if isinstance(conn, ContactSource):
        await conn.list_contacts(ContactFilter(), 0, limit)
        return
    assert isinstance(conn, InteractionSource)
    assert conn.history_applies(key, EVERYTHING)
    [answer] = await conn.read_histories(
        [HistoryRead(key, EVERYTHING, frozenset(), None, limit)]
    )
    if isinstance(answer, BaseException):
        raise answer


def endpoint_of(
    cls: type[Connector], method: str, path: str, query: str = ""
) -> tuple[str, Endpoint]:
    """The declared endpoint a logged call went to (a SOAP operation: by the
    SOAPAction the simulator logs as its query)."""
    # literal paths first: `/contacts/customFields` is not `/contacts/{account}`
    for name, ep in sorted(cls.endpoints.items(), key=lambda e: e[1].path.count("{")):
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(ep.path))
        soap = ep.soap_action is None or query == f"SOAPAction={ep.soap_action}"
        if ep.method == method and re.fullmatch(pattern, path) and soap:
            return name, ep
    raise AssertionError(f"{method} {path}: no declared endpoint")


def secrets_in_use(conn: Any) -> set[str]:
    """What authenticates the connector's calls now: headers, signed params and body."""
    headers = {k: v for k, v in conn.auth_headers().items() if k.lower() != "accept"}
    values = [*headers.values(), *conn.sign_params({"token": None}).values()]
    body = conn.sign_body({})
    if isinstance(body, dict):
        values += body.values()
    found = {str(v) for v in values if v}
    for value in list(found):  # "Basic xxx", "k=v; k2=v2": the credential parts too
        found.update(part.rpartition("=")[2] for part in re.split(r"[\s;]+", value))
    return {v for v in found if len(v) >= 8}


def assert_clean(exc: ConnectorError, vendor: Vendor, secrets: set[str]) -> None:
    assert exc.vendor == vendor.value
    assert exc.graphql_extensions()["vendor"] == vendor.name
    shown = " ".join([str(exc), repr(exc), exc.message, repr(exc.graphql_extensions())])
    for secret in secrets:
        assert secret not in shown, f"{vendor.name} error shows a credential"


# ---- auth ---------------------------------------------------------------------------


async def test_wrong_credentials_are_a_typed_error_without_the_secret(
    vendor: Vendor,
    sim: Starlette,
    keys: dict[Vendor, str | None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim.state.faults.reject_auth = True  # the simulators take any credentials
    c = connector(vendor, sim, WrongSecrets())
    try:
        with pytest.raises(ConnectorError) as caught:
            await read(c, keys[vendor])
        assert type(caught.value) is VendorRejected
        assert caught.value.code == "VENDOR_REJECTED"
        assert caught.value.status == 401
        assert_clean(caught.value, vendor, {SECRET} | secrets_in_use(c))
        assert SECRET not in repr(c.settings) and SECRET not in repr(c)
        assert SECRET not in caplog.text
        assert sim.state.calls.entries, "the vendor was asked"
    finally:
        await c.aclose()


# ---- errors -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_vendor_unavailable(
    conn: Any,
    sim: Starlette,
    vendor: Vendor,
    keys: dict[Vendor, str | None],
    status: int,
) -> None:
    secrets = secrets_in_use(conn)
    sim.state.faults.error_rate = 1.0
    sim.state.faults.error_status = status
    with pytest.raises(VendorUnavailable) as caught:
        await read(conn, keys[vendor])
    assert type(caught.value) is VendorUnavailable
    assert caught.value.code == "VENDOR_UNAVAILABLE"
    assert caught.value.status == status
    assert_clean(caught.value, vendor, secrets)


async def test_429_with_a_long_retry_after_is_rate_limited(
    conn: Any, sim: Starlette, vendor: Vendor, keys: dict[Vendor, str | None]
) -> None:
    secrets = secrets_in_use(conn)
    sim.state.faults.burst_429 = 100
    sim.state.faults.retry_after_s = 30
    with pytest.raises(VendorRateLimited) as caught:
        await read(conn, keys[vendor])
    assert caught.value.code == "VENDOR_RATE_LIMITED"
    assert caught.value.graphql_extensions()["retryAfter"] == 30
    assert len(sim.state.calls) == 1  # not retried: the vendor asked for 30 s
    assert_clean(caught.value, vendor, secrets)


async def test_429_with_a_short_retry_after_is_retried(
    conn: Any, sim: Starlette, vendor: Vendor, keys: dict[Vendor, str | None]
) -> None:
    sim.state.faults.burst_429 = 1
    sim.state.faults.retry_after_s = 0
    await read(conn, keys[vendor])
    first, second = sim.state.calls.entries[:2]
    assert first == second  # the same call again, and it answered


@pytest.mark.parametrize("status", [400, 422])
async def test_other_4xx_is_vendor_rejected_and_not_retried(
    conn: Any,
    sim: Starlette,
    vendor: Vendor,
    keys: dict[Vendor, str | None],
    status: int,
) -> None:
    secrets = secrets_in_use(conn)
    sim.state.faults.error_rate = 1.0
    sim.state.faults.error_status = status
    with pytest.raises(VendorRejected) as caught:
        await read(conn, keys[vendor])
    assert type(caught.value) is VendorRejected
    assert caught.value.code == "VENDOR_REJECTED"
    assert caught.value.status == status
    assert len(sim.state.calls) == 1
    assert_clean(caught.value, vendor, secrets)


# ---- retries ------------------------------------------------------------------------


async def test_only_idempotent_endpoints_are_retried(
    conn: Any, sim: Starlette, vendor: Vendor
) -> None:
    sim.state.faults.down = True  # 503 on every call
    for name, ep in type(conn).endpoints.items():
        sim.state.calls.clear()
        holes = dict.fromkeys(re.findall(r"\{(\w+)\}", ep.path), "x")
        with pytest.raises(VendorUnavailable):
            await conn.call(name, path_params=holes)
        expected = conn.retry_attempts if ep.idempotent else 1
        assert len(sim.state.calls) == expected, f"{vendor.name} {name}"
        assert {
            endpoint_of(type(conn), m, p, q)[0] for m, p, q in sim.state.calls.entries
        } == {name}


@pytest.mark.parametrize(
    ("failure", "every_endpoint"),
    [
        (httpx.ConnectError("no connection"), True),  # nothing sent: writes too
        (httpx.WriteError("request not all written"), True),
        (httpx.ReadError("the vendor hung up"), False),  # fate unknown: reads only
    ],
    ids=["connect", "write", "read"],
)
async def test_a_request_that_never_reached_the_vendor_is_sent_again(
    conn: Any, sim: Starlette, vendor: Vendor, failure: Exception, every_endpoint: bool
) -> None:
    real = conn.http.request
    failed: list[str] = []

    async def flaky(method: str, path: str, **kw: Any) -> Any:
        if not failed:
            failed.append(path)
            raise failure
        return await real(method, path, **kw)

    conn.http.request = flaky
    sim.state.faults.down = True  # after the failed try, 503: a write stops there
    for name, ep in type(conn).endpoints.items():
        sim.state.calls.clear()
        failed.clear()
        holes = dict.fromkeys(re.findall(r"\{(\w+)\}", ep.path), "x")
        with pytest.raises(VendorUnavailable):
            await conn.call(name, path_params=holes)
        # the failed try never reached the simulator
        if ep.idempotent:
            expected = conn.retry_attempts - 1
        else:
            expected = 1 if every_endpoint else 0
        assert len(sim.state.calls) == expected, f"{vendor.name} {name}"


async def test_every_call_of_a_read_goes_to_a_declared_endpoint(
    conn: Any, sim: Starlette, vendor: Vendor, keys: dict[Vendor, str | None]
) -> None:
    await read(conn, keys[vendor])
    assert sim.state.calls.entries
    for method, path, query in sim.state.calls.entries:
        endpoint_of(type(conn), method, path, query)


# ---- paging caps --------------------------------------------------------------------


def test_paged_endpoints_declare_their_style_and_cap(vendor: Vendor) -> None:
    for name, ep in connector_classes()[vendor].endpoints.items():
        if ep.paging in ("offset", "page"):
            assert ep.max_page_size, f"{vendor.name} {name}: no cap"
        if ep.paging == "offset":
            assert ep.size_param, f"{vendor.name} {name}: no size parameter"
        if ep.size_param is not None:
            assert ep.max_page_size is not None


async def test_call_refuses_to_ask_beyond_a_cap(conn: Any, sim: Starlette) -> None:
    capped = {n: ep for n, ep in type(conn).endpoints.items() if ep.size_param}
    for name, ep in capped.items():
        assert ep.max_page_size is not None and ep.size_param is not None
        with pytest.raises(ValueError, match="cap"):
            await conn.call(name, params={ep.size_param: ep.max_page_size + 1})
    assert len(sim.state.calls) == 0  # refused before anything was sent


async def test_no_call_asks_beyond_its_cap(
    conn: Any, sim: Starlette, vendor: Vendor, keys: dict[Vendor, str | None]
) -> None:
    await read(conn, keys[vendor], limit=100_000)
    for method, path, query in sim.state.calls.entries:
        name, ep = endpoint_of(type(conn), method, path, query)
        if ep.size_param is None or ep.max_page_size is None:
            continue
        [asked] = parse_qs(query)[ep.size_param]
        assert 1 <= int(asked) <= ep.max_page_size, f"{vendor.name} {name}: {asked}"


# ---- batch paths --------------------------------------------------------------------


def test_a_batching_connector_declares_its_batch_path(vendor: Vendor) -> None:
    cls = connector_classes()[vendor]
    batched = [n for n, ep in cls.endpoints.items() if ep.batch_key]
    if getattr(cls, "batch_reads", False):
        assert batched, f"{vendor.name} batches reads without a declared batch path"


@pytest.mark.parametrize(
    "vendor",
    [v for v in VENDORS if connector_classes()[v].batch_reads],
    ids=lambda v: v.value,
    indirect=True,
)
async def test_reads_arriving_together_share_a_batch_call(
    conn: Any,
    sim: Starlette,
    vendor: Vendor,
    people_keys: dict[Vendor, list[str | None]],
) -> None:
    wanted = [k for k in people_keys[vendor] if k is not None]
    assert len(wanted) == len(ACCOUNTS)
    reads = [HistoryRead(k, EVERYTHING, frozenset(), None, 5) for k in wanted]
    answers = await conn.read_histories(reads)
    assert not [a for a in answers if isinstance(a, BaseException)]
    batch_params = {
        ep.batch_key
        for _, ep in type(conn).endpoints.items()
        if ep.batch_key and ep.method == "GET"
    }
    firsts = [
        parse_qs(q)
        for m, p, q in sim.state.calls.entries
        if endpoint_of(type(conn), m, p, q)[1].batch_key in batch_params
    ]
    assert firsts, "no call went through the batch path"
    [param] = batch_params
    asked = set(",".join(firsts[0][param]).split(","))
    assert asked >= set(wanted)  # the first call asked for every contact at once


# ---- a vendor's own files -----------------------------------------------------------


def test_every_connector_has_its_simulator(sims: dict[Vendor, Starlette]) -> None:
    """Found by the vendor's name alone (`simulators/<vendor>.py`), with fault knobs."""
    assert set(sims) == set(connector_classes())
    for app in sims.values():
        assert isinstance(app.state.faults, Faults)


def test_every_vendor_detail_has_its_graphql_type_in_the_union() -> None:
    records = {
        obj
        for info in pkgutil.iter_modules(trunkline.details.__path__)
        for obj in vars(
            importlib.import_module(f"trunkline.details.{info.name}")
        ).values()
        if isinstance(obj, type) and issubclass(obj, Detail) and obj is not Detail
    }
    declared = detail_types()
    assert {d.record for d in declared} == records
    union = schema._schema.type_map["InteractionDetail"]
    assert isinstance(union, GraphQLUnionType)
    names = [d.graphql.__strawberry_definition__.name for d in declared]  # type: ignore[attr-defined]
    assert [t.name for t in union.types] == names
    for d in declared:  # a detail and its rendering sit in files of one vendor name
        assert (
            d.record.__module__.rpartition(".")[2]
            == d.render.__module__.rpartition(".")[2]
        )
