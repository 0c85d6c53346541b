"""Per-request loaders for campaign data: one vendor call per list, whoever asks.

A page of campaigns asks each for its sub-campaigns, batches, rules and scripts; these
loaders gather those asks so the vendor sees one listSubCampaignStates for all of the
page's campaigns, one listContactBatchStates per time window, and one list call per
account-wide list (rules, scripts, strategies). Several sub-campaigns or batches by id
(nodes(ids:)) are picked from those lists too, with a show call only for the rest.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cached_property

from trunkline.campaigns import (
    Campaign,
    ComplianceRule,
    ContactBatch,
    OutreachStrategy,
    Script,
    SubCampaign,
)
from trunkline.loaders.base import Loader
from trunkline.sources import CampaignSource

ALL = "all"
RECENT_BATCHES = timedelta(days=7)  # the window nodes(ids:) of batches read first


Window = tuple[datetime, datetime]


class CampaignLoaders:
    def __init__(self, source: CampaignSource) -> None:
        self.source = source
        self._now: datetime | None = None
        self._batch_lists: dict[Window, asyncio.Future[Sequence[ContactBatch]]] = {}

    def now(self) -> datetime:
        """The request's "now", in whole minutes: every field that defaults a window
        to it asks for the same window (one loader key, one vendor call)."""
        if self._now is None:
            self._now = datetime.now(UTC).replace(second=0, microsecond=0)
        return self._now

    def batch_list(self, window: Window) -> asyncio.Future[Sequence[ContactBatch]]:
        """The account's batches in a window: one listContactBatchStates a request,
        started by whoever asks first (the campaign list, beside its own read, when
        its nodes select their batches). A failed read is the answer of every field
        that asks in this request, as one batch of loads would have it, not read
        again for each."""
        found = self._batch_lists.get(window)
        if found is None:
            found = self._batch_lists[window] = self.batches.load(window)
            found.add_done_callback(_retrieved)
        return found

    @cached_property
    def campaigns(self) -> Loader[str, Mapping[str, Campaign]]:  # ALL -> by id
        source = self.source

        async def load(keys: Sequence[str]) -> list[Mapping[str, Campaign]]:
            found = {c.id: c for c in await source.list_campaigns()}
            return [found for _ in keys]

        return Loader(load)

    @cached_property
    def sub_campaigns(self) -> Loader[str, Sequence[SubCampaign]]:  # by campaign id
        source = self.source

        async def load(ids: Sequence[str]) -> list[Sequence[SubCampaign]]:
            known = await self.campaigns.load(ALL)
            wanted = [known[i] for i in ids if i in known]
            found = await source.sub_campaigns(wanted)
            return [found.get(i, ()) for i in ids]

        return Loader(load)

    @cached_property
    def sub_campaign(self) -> Loader[str, SubCampaign | None]:  # by id
        source = self.source

        async def load(ids: Sequence[str]) -> list[SubCampaign | BaseException | None]:
            listed: dict[str, SubCampaign] = {}
            if len(ids) > 1:
                # several: the account's list (one read, shared with the page's
                # subCampaigns) holds them; a show only for any it does not
                known = await self.campaigns.load(ALL)
                every = await self.sub_campaigns.load_many(list(known))
                listed = {s.id: s for subs in every for s in subs}
            rest = [i for i in ids if i not in listed]
            got = await asyncio.gather(
                *(source.get_sub_campaign(i) for i in rest), return_exceptions=True
            )
            shown = dict(zip(rest, got, strict=True))
            return [listed[i] if i in listed else shown[i] for i in ids]

        return Loader(load)

    @cached_property
    def batches(
        self,
    ) -> Loader[tuple[datetime, datetime], Sequence[ContactBatch]]:  # by window
        source = self.source

        async def load(
            windows: Sequence[tuple[datetime, datetime]],
        ) -> list[Sequence[ContactBatch] | BaseException]:
            got = await asyncio.gather(
                *(source.contact_batches(s, u) for s, u in windows),
                return_exceptions=True,
            )
            return list(got)

        return Loader(load)

    @cached_property
    def contact_batch(self) -> Loader[str, ContactBatch | None]:  # by externalId
        source = self.source

        async def load(ids: Sequence[str]) -> list[ContactBatch | BaseException | None]:
            listed: dict[str, ContactBatch] = {}
            if len(ids) > 1:
                # several: the last week's list (one read) holds the recent ones; a
                # show for the rest, and for an externalId the list holds twice
                until = datetime.now(UTC)
                recent = await self.batches.load((until - RECENT_BATCHES, until))
                seen = Counter(b.external_id for b in recent)
                listed = {b.external_id: b for b in recent if seen[b.external_id] == 1}
            rest = [i for i in ids if i not in listed]
            got = await asyncio.gather(
                *(source.get_contact_batch(i) for i in rest), return_exceptions=True
            )
            shown = dict(zip(rest, got, strict=True))
            return [listed[i] if i in listed else shown[i] for i in ids]

        return Loader(load)

    @cached_property
    def rules(self) -> Loader[str, Sequence[ComplianceRule]]:
        source = self.source

        async def load(keys: Sequence[str]) -> list[Sequence[ComplianceRule]]:
            found = await source.compliance_rules()
            return [found for _ in keys]

        return Loader(load)

    @cached_property
    def scripts(self) -> Loader[str, Sequence[Script]]:
        source = self.source

        async def load(keys: Sequence[str]) -> list[Sequence[Script]]:
            found = await source.scripts()
            return [found for _ in keys]

        return Loader(load)

    @cached_property
    def strategies(self) -> Loader[str, Mapping[str, OutreachStrategy]]:
        source = self.source

        async def load(keys: Sequence[str]) -> list[Mapping[str, OutreachStrategy]]:
            found = {s.id: s for s in await source.outreach_strategies()}
            return [found for _ in keys]

        return Loader(load)


def _retrieved(future: asyncio.Future[Sequence[ContactBatch]]) -> None:
    # a read started early may fail with no field left to ask for it (its page
    # failed or came out empty): not an "exception never retrieved"
    if not future.cancelled():
        future.exception()


__all__ = ["ALL", "CampaignLoaders"]
