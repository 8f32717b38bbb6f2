"""Keeping the case library (案例库) complete: every finished campaign in it, its
figures refreshed while refunds and after-sales can still move them."""

from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.review import Case
from dacu.services.kpis import KpiStore
from dacu.services.ports.alerts import Alerts
from dacu.services.review import Cases, archive, finished

SETTLING = timedelta(days=30)
"""How long after its end a campaign's figures keep moving: 7-day returns, late
refunds and after-sales. Archived once past it, a case is left as it is."""


class CaseLibrary(Cases, Protocol):
    def get(self, campaign_id: str) -> Case | None: ...


class CampaignList(Protocol):
    def ids(self) -> list[tuple[str, str, str, int]]: ...

    def campaign(self, campaign_id: str) -> Campaign: ...


def due(case: Case | None, campaign: Campaign, now: datetime) -> bool:
    """Whether a campaign should be (re-)archived now: finished, and not yet kept as settled."""
    if not finished(campaign, now):
        return False
    return case is None or case.archived_at < case.ends_at + SETTLING


def archive_finished(
    campaigns: CampaignList, store: KpiStore, alerts: Alerts, cases: CaseLibrary, now: datetime
) -> list[Case]:
    """Archive every finished campaign that is missing or still settling; returns those kept."""
    kept = []
    for campaign_id, *_ in campaigns.ids():
        campaign = campaigns.campaign(campaign_id)
        if due(cases.get(campaign_id), campaign, now):
            kept.append(archive(store, alerts, cases, campaign, now)[1])
    return kept
