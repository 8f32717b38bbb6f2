"""A fake of the campaign store port: records with revisions, conditional saves."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dacu.domain.campaigns import Campaign, CampaignStatus, UnknownCampaign
from dacu.domain.errors import ConcurrentChange
from dacu.services.ports.campaigns import CampaignRecord, Stored, Unloadable

# --- campaigns ------------------------------------------------------------------------


@dataclass
class FakeCampaignStore:
    """CampaignStore in a dict: every save moves the revision, a stale one is refused;
    ids in `broken` load as Unloadable, `loads` counts the campaigns loaded."""

    rows: dict[str, tuple[Campaign, dict[str, Any], int, int]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    loads: list[str] = field(default_factory=list)
    audit: list[tuple[str, str, str]] = field(default_factory=list)

    def apply(self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime) -> int:
        _, _, version, revision = self.rows.get(campaign.id, (campaign, document, 0, 0))
        self.rows[campaign.id] = (campaign, document, version + 1, revision + 1)
        self.audit.append((campaign.id, "campaign.apply", actor))
        return version + 1

    def save(
        self, campaign: Campaign, expected_revision: int, action: str, actor: str, now: datetime
    ) -> int:
        _, document, version, revision = self._row(campaign.id)
        if revision != expected_revision:
            raise ConcurrentChange(f"campaign {campaign.id} was changed meanwhile")
        self.rows[campaign.id] = (campaign, document, version, revision + 1)
        self.audit.append((campaign.id, action, actor))
        return revision + 1

    def touch(self, campaign_id: str) -> None:
        """Move the revision without a change, as an enrollment's approval does."""
        campaign, document, version, revision = self._row(campaign_id)
        self.rows[campaign_id] = (campaign, document, version, revision + 1)

    def get(self, campaign_id: str) -> Stored:
        campaign, _, _, revision = self._row(campaign_id)
        return Stored(campaign, revision)

    def document(self, campaign_id: str) -> dict[str, Any]:
        return self._row(campaign_id)[1]

    def records(self) -> list[CampaignRecord]:
        return [
            CampaignRecord(cid, c.theme, c.status, version, revision)
            for cid, (c, _, version, revision) in sorted(self.rows.items())
        ]

    def live_revisions(self) -> dict[str, int]:
        return {r.id: r.revision for r in self.records() if r.status is CampaignStatus.LIVE}

    def load(self, campaign_ids: Collection[str]) -> dict[str, Stored | Unloadable]:
        found: dict[str, Stored | Unloadable] = {}
        for cid in campaign_ids:
            if cid not in self.rows:
                continue
            self.loads.append(cid)
            stored = self.get(cid)
            broken = cid in self.broken
            found[cid] = Unloadable(cid, stored.revision, "broken") if broken else stored
        return found

    def _row(self, campaign_id: str) -> tuple[Campaign, dict[str, Any], int, int]:
        if campaign_id not in self.rows:
            raise UnknownCampaign(campaign_id)
        return self.rows[campaign_id]


# --- end of campaigns -----------------------------------------------------------------
