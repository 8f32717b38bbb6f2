"""Campaigns as the campaign service and the pricing catalog need them stored.

The store loads and saves; which status may follow which is `Campaign`'s to
say. Every save moves the campaign's `revision`, and a save that names the
revision it started from refuses with `ConcurrentChange` when another writer
moved it first. Pricing reads the live campaigns' revisions on every quote
(one cheap query) and loads, in one query, only the campaigns whose revision
it has not compiled yet.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dacu.domain.campaigns import Campaign, CampaignStatus


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    """One campaign as listed: what it is called, where it stands, how often it changed."""

    id: str
    theme: str
    status: CampaignStatus
    version: int  # of the applied document
    revision: int  # of anything that moves its prices


@dataclass(frozen=True, slots=True)
class Stored:
    """A campaign with the revision it was loaded at."""

    campaign: Campaign
    revision: int


@dataclass(frozen=True, slots=True)
class Unloadable:
    """A campaign whose stored form could not be read back; why, for the operators."""

    id: str
    revision: int
    reason: str


class CampaignStore(Protocol):
    def apply(self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime) -> int:
        """Create or replace the campaign from its document, audited; the new version."""
        ...

    def save(
        self, campaign: Campaign, expected_revision: int, action: str, actor: str, now: datetime
    ) -> int:
        """Its status and kills as `campaign` has them, audited; the new revision.
        ConcurrentChange if the stored revision is no longer `expected_revision`."""
        ...

    def get(self, campaign_id: str) -> Stored:
        """UnknownCampaign if no campaign has that id."""
        ...

    def document(self, campaign_id: str) -> dict[str, Any]:
        """The campaign file as it stands (status and kills included); UnknownCampaign."""
        ...

    def records(self) -> list[CampaignRecord]:
        """Every campaign, by id."""
        ...

    def live_revisions(self) -> dict[str, int]:
        """The revision of every live campaign: the one read a quote makes."""
        ...

    def load(self, campaign_ids: Collection[str]) -> dict[str, Stored | Unloadable]:
        """Those campaigns, in one read, each compiled or saying why it is not."""
        ...
