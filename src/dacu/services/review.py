"""After the campaign: archive it in the case library, and find what to compare it with."""

from datetime import datetime, tzinfo
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.review import Case, Dashboard, highlights
from dacu.services.kpis import KpiStore, dashboard
from dacu.services.ports.alerts import Alerts


class Cases(Protocol):
    def archive(self, case: Case) -> None: ...

    def previous(self, campaign_id: str, starts_at: datetime) -> Case | None: ...

    def all(self) -> list[Case]: ...


def span(campaign: Campaign) -> tuple[datetime, datetime]:
    """From the first phase's start to the last phase's end."""
    starts = [held.window.starts_at for held in campaign.phases if held.window.starts_at]
    ends = [held.window.ends_at for held in campaign.phases if held.window.ends_at]
    return min(starts), max(ends)


def finished(campaign: Campaign, now: datetime) -> bool:
    return span(campaign)[1] <= now


def as_case(board: Dashboard, campaign: Campaign, now: datetime, zone: tzinfo) -> Case:
    good, short = highlights(board, zone)
    starts_at, ends_at = span(campaign)
    return Case(
        campaign_id=campaign.id,
        theme=campaign.theme,
        starts_at=starts_at,
        ends_at=ends_at,
        archived_at=now,
        totals=board.totals.snapshot(),
        achievements=board.achievements,
        budget=board.budget,
        highlights=tuple(good),
        shortfalls=tuple(short),
    )


def archive(
    store: KpiStore, alerts: Alerts, cases: Cases, campaign: Campaign, now: datetime
) -> tuple[Dashboard, Case]:
    """Keep a campaign's figures in the case library (again: replaced, not doubled)."""
    assert now.tzinfo is not None
    board = dashboard(store, alerts, campaign, now)
    case = as_case(board, campaign, now, now.tzinfo)
    cases.archive(case)
    return board, case
