"""Queue entries paged through the resolver and the CRM.COM connector, against the
simulator: every page size, both tie orders, and a vendor answering oldest first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from trunkline.config import Settings, VendorSettings
from trunkline.connectors.crmcom import CrmComConnector
from trunkline.connectors.transport import make_client
from trunkline.context import Context, Gateway
from trunkline.domain import Vendor
from trunkline.errors import VendorProtocolError
from trunkline.pagination.args import slice_args
from trunkline.queues import QueueEntryState, QueueRef
from trunkline.resolvers.queues import entries_page
from trunkline.simulators.crmcom import create_app

EXT1 = QueueRef(Vendor.CRMCOM, "external_system", "EXT 1")
SMS = QueueRef(Vendor.CRMCOM, "media", "SMS")


@pytest.fixture(scope="module")
def sim() -> Iterator[Starlette]:
    yield create_app()


def context(app: Starlette) -> Context:
    vs = VendorSettings(name="crmcom")
    connector = CrmComConnector(vs, make_client(vs, app=app))
    gateway = Gateway(
        settings=Settings(vendors={}), connectors={Vendor.CRMCOM: connector}
    )
    return Context(gateway=gateway, loaders=None)  # type: ignore[arg-type]


def expected(app: Starlette, queue: QueueRef, state: str | None) -> list[str]:
    ctx = app.state.ctx
    return [
        e.id
        for e in ctx.ordered(app.state.store.queue)
        if (state is None or e.life_cycle_state == state)
        and (
            e.external_system is not None and e.external_system.name == queue.value
            if queue.kind == "external_system"
            else e.communication.media == queue.value
        )
    ]


async def walk(
    ctx: Context, queue: QueueRef, sizes: list[int], state: Any
) -> list[str]:
    seen: list[str] = []
    after = None
    for n in range(10_000):
        args = slice_args(sizes[n % len(sizes)], after, None, None, max_page_size=500)
        page = await entries_page(ctx, queue, args, state)
        seen += [e.source.vendor_id for e in page.items]
        if not page.has_next:
            return seen
        after = page.cursor_at(len(page.items) - 1)
    raise AssertionError("no end")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sizes=st.lists(st.integers(1, 120), min_size=1, max_size=3),
    order=st.sampled_from(["created_desc_id_asc", "created_desc_id_desc"]),
    queue=st.sampled_from([EXT1, SMS]),
    state=st.sampled_from([None, "PENDING", "COMPLETED", "REJECTED"]),
)
async def test_walks_see_every_entry_once_in_order(
    sim: Starlette, sizes: list[int], order: str, queue: QueueRef, state: str | None
) -> None:
    knobs = sim.state.knobs
    sim.state.knobs = replace(knobs, order=order)
    ctx = context(sim)
    try:
        wanted = QueueEntryState(state) if state else None
        seen = await walk(ctx, queue, sizes, wanted)
    finally:
        sim.state.knobs = knobs
        await ctx.gateway.connectors[Vendor.CRMCOM].aclose()
    assert seen == expected(sim, queue, state)


async def test_a_vendor_answering_oldest_first_is_a_protocol_error(
    sim: Starlette,
) -> None:
    knobs = sim.state.knobs
    sim.state.knobs = replace(knobs, order="created_asc_id_asc")
    ctx = context(sim)
    try:
        args = slice_args(10, None, None, None, max_page_size=500)
        with pytest.raises(VendorProtocolError, match="not newest first"):
            await entries_page(ctx, EXT1, args)
    finally:
        sim.state.knobs = knobs
        await ctx.gateway.connectors[Vendor.CRMCOM].aclose()
