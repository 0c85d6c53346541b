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


class CampaignLoaders:
    def __init__(self, source: CampaignSource) -> None:
        self.source = source

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


__all__ = ["ALL", "CampaignLoaders"]
