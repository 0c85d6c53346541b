"""The running gateway (connectors, settings, stores) and the per-request context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from trunkline.config import Settings
from trunkline.domain import ContactGroup, Vendor
from trunkline.errors import ConfigError, ConnectorError
from trunkline.resolvers.queue_pollers import PollerRegistry
from trunkline.sources import (
    CampaignSource,
    ContactSource,
    InteractionSource,
    VendorClient,
)

if TYPE_CHECKING:
    from trunkline.engine.hooks import Hook
    from trunkline.loaders import Loaders
    from trunkline.loaders.campaigns import CampaignLoaders
    from trunkline.store import IdentityStore


@dataclass
class Gateway:
    """What lives for the whole process: settings, one connector per vendor, stores."""

    settings: Settings
    connectors: Mapping[Vendor, VendorClient]
    identity: IdentityStore | None = None
    queue_pollers: PollerRegistry = field(default_factory=PollerRegistry)
    # what every operation passes before it executes, in order (engine/hooks.py)
    hooks: Sequence[Hook] = ()

    def __post_init__(self) -> None:
        # Protocol isinstance checks are slow: sort the connectors once, not per request.
        self._contact_sources: list[ContactSource] = [
            c for c in self.connectors.values() if isinstance(c, ContactSource)
        ]
        self._interaction_sources: list[InteractionSource] = [
            c for c in self.connectors.values() if isinstance(c, InteractionSource)
        ]

    def contact_source(self) -> ContactSource:
        if not self._contact_sources:
            raise ConfigError("no contact source is configured")
        return self._contact_sources[0]

    def interaction_sources(self) -> list[InteractionSource]:
        return self._interaction_sources

    @cached_property
    def _campaign_sources(self) -> list[CampaignSource]:
        return [c for c in self.connectors.values() if isinstance(c, CampaignSource)]

    def campaign_source(self) -> CampaignSource:
        if not self._campaign_sources:
            raise ConfigError("no campaign source is configured")
        return self._campaign_sources[0]


@dataclass
class PartialError:
    """A vendor failure that did not stop the response, reported beside the data."""

    error: ConnectorError
    path: tuple[str | int, ...]


@dataclass
class Context:
    gateway: Gateway
    loaders: Loaders
    request: Any = None
    partial_errors: list[PartialError] = field(default_factory=list)
    # Contact groups by id, when a list resolver fetched them beside its page.
    groups: Mapping[str, ContactGroup] | None = None
    # What a connection field selects below its nodes, by field node: the same
    # field under every contact of a page is read once (schema/selection.py).
    selections: dict[tuple[int, ...], frozenset[str]] = field(default_factory=dict)

    @cached_property
    def campaigns(self) -> CampaignLoaders:
        """The request's campaign loaders, made when first used."""
        from trunkline.loaders.campaigns import CampaignLoaders

        return CampaignLoaders(self.gateway.campaign_source())

    @property
    def hooks(self) -> Sequence[Hook]:
        return self.gateway.hooks

    def report(self, error: ConnectorError, path: tuple[str | int, ...]) -> None:
        self.partial_errors.append(PartialError(error, path))

    def close(self) -> None:
        """Called when the request's answer is ready."""
        self.loaders.close()


__all__ = ["Context", "Gateway", "PartialError"]
