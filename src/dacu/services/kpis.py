"""Use cases around KPIs: take in a batch of events, and read a campaign's dashboard."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.errors import InvalidRule
from dacu.domain.events import STOREFRONT_KINDS, Channel, Event, Segment, Sighting, Span, hour_of
from dacu.domain.kpis import Figures, SkuFigures
from dacu.domain.review import BUDGET_STEPS, Dashboard, achievements, budget_alerts, errors_risen
from dacu.services.payment_channels import ALERT_KIND as PAYMENT_SWITCH
from dacu.services.ports.alerts import Alerts

TOP_SKUS = 10
STOCK_KINDS = frozenset({"sold_out", "stock_low"})  # raised per flash sale, shown on every board
STANDING_KINDS = STOCK_KINDS | {PAYMENT_SWITCH}  # and a payment channel's switch, on every board


class KpiStore(Protocol):
    def record(self, batch: Sequence[Event], now: datetime) -> list[Event]: ...

    def cells(self, campaign_id: str) -> list[tuple[datetime, Channel, Segment, Figures]]: ...

    def totals(self, campaign_id: str, hour: datetime | None = None) -> Figures: ...

    def burn(self, campaign_id: str) -> int:
        """The budget's burn, from the funding ledger."""
        ...

    def top_skus(self, campaign_id: str, limit: int = TOP_SKUS) -> list[SkuFigures]: ...

    def skus(self, campaign_id: str, names: Sequence[str]) -> list[SkuFigures]: ...

    def rebuild(self, campaign_id: str) -> int:
        """The campaign's rollups replaced by what its stored events add up to."""
        ...


class Campaigns(Protocol):
    def campaign(self, campaign_id: str) -> Campaign: ...


@dataclass(frozen=True, slots=True)
class Ingested:
    accepted: int
    duplicates: int


def storefront_only(batch: Sequence[Sighting]) -> None:
    """A storefront's batch says only what it alone sees. Registrations, claims, orders,
    payments and refunds are the server's own events (its outbox), never a client's."""
    for i, event in enumerate(batch):
        if event.kind not in STOREFRONT_KINDS:
            allowed = ", ".join(sorted(STOREFRONT_KINDS))
            raise InvalidRule(
                f"events[{i}].kind",
                f"{event.kind} events are the server's own; a storefront sends {allowed}",
            )


def ingest_storefront(
    store: KpiStore, campaigns: Campaigns, alerts: Alerts, batch: Sequence[Event], now: datetime
) -> Ingested:
    """A storefront's batch, recorded at once (the path without an event stream)."""
    storefront_only(batch)
    return ingest(store, campaigns, alerts, batch, now)


def checked(campaigns: Campaigns, batch: Sequence[Sighting]) -> dict[str, Campaign]:
    """The campaigns of a batch whose every event names one and falls within its span;
    raises InvalidRule naming the first event that does not."""
    known: dict[str, Campaign] = {}
    for i, event in enumerate(batch):
        if event.campaign_id not in known:
            try:
                known[event.campaign_id] = campaigns.campaign(event.campaign_id)
            except LookupError:
                raise InvalidRule(
                    f"events[{i}].campaign_id", f"no campaign {event.campaign_id!r}"
                ) from None
    spans = {campaign_id: span_of(campaign) for campaign_id, campaign in known.items()}
    if len(spans) == 1 and _within(next(iter(spans.values())), batch):
        return known  # one campaign, every event within it: nothing to name
    for i, event in enumerate(batch):
        try:
            spans[event.campaign_id].check(event)
        except InvalidRule as error:
            raise error.within(f"events[{i}]") from None
    return known


def _within(span: Span, batch: Sequence[Sighting]) -> bool:
    """Whether every event of one campaign's batch falls within its span, in one sweep."""
    last = min(span.last_for(kind) for kind in {event.kind for event in batch})
    moments = [event.at for event in batch]
    return span.starts_at <= min(moments) and max(moments) <= last


def ingest(
    store: KpiStore, campaigns: Campaigns, alerts: Alerts, batch: Sequence[Event], now: datetime
) -> Ingested:
    """Record a batch (again: nothing more counts), then raise or clear the alerts it moves."""
    return record(store, alerts, checked(campaigns, batch), batch, now)


def record(
    store: KpiStore,
    alerts: Alerts,
    known: dict[str, Campaign],
    batch: Sequence[Event],
    now: datetime,
) -> Ingested:
    """Record a checked batch of `known` campaigns' events, then watch what it moved."""
    fresh = store.record(batch, now)
    for campaign_id in {event.campaign_id for event in fresh}:
        # the hour of the latest event: one hour worked out, not one an event
        latest = hour_of(max(event.at for event in fresh if event.campaign_id == campaign_id))
        watch(store, alerts, known[campaign_id], latest, now)
    return Ingested(len(fresh), len(batch) - len(fresh))


def watch(
    store: KpiStore, alerts: Alerts, campaign: Campaign, hour: datetime, now: datetime
) -> None:
    """Budget burn (from the funding ledger) past 80% / 100%, and an hour whose errors
    rose."""
    spend = store.burn(campaign.id)
    passed = budget_alerts(spend, campaign.budget.total)
    for kind, level, message in passed:
        alerts.raise_alert(campaign.id, kind, level, message, now)
    for _, kind, _ in BUDGET_STEPS[len(passed) :]:
        alerts.clear_alert(campaign.id, kind, now)  # refunds brought the burn back
    this_hour = store.totals(campaign.id, hour)
    if errors_risen(this_hour):
        message = (
            f"{hour.astimezone(now.tzinfo):%Y-%m-%d %H}:00 错误 {this_hour.errors} 次, "
            f"错误率 {this_hour.error_rate_bp / 100:.2f}%"
        )
        alerts.raise_alert(campaign.id, "error_rate", "critical", message, now)
    else:
        alerts.clear_alert(campaign.id, "error_rate", now)


def rebuild(store: KpiStore, campaigns: Campaigns, campaign_id: str) -> int:
    """Rebuild a campaign's rollups from its stored events; returns how many there are."""
    campaigns.campaign(campaign_id)  # an unknown campaign is refused, not rebuilt empty
    return store.rebuild(campaign_id)


def span_of(campaign: Campaign) -> Span:
    return Span.of((held.window.starts_at, held.window.ends_at) for held in campaign.phases)


def dashboard(store: KpiStore, alerts: Alerts, campaign: Campaign, now: datetime) -> Dashboard:
    """Every figure the dashboard shows, from the rollups alone."""
    span = span_of(campaign)
    # an hour outside the span (stored before events were checked) is never shown
    cells = [cell for cell in store.cells(campaign.id) if span.holds_hour(cell[0])]
    hourly: dict[datetime, Figures] = {}
    channels = {channel: Figures() for channel in Channel}
    segments = {segment: Figures() for segment in Segment}
    for hour, channel, segment, figures in cells:
        hourly.setdefault(hour, Figures()).add(figures)
        channels[channel].add(figures)
        segments[segment].add(figures)
    totals = Figures.total(hourly.values())
    target_skus = [target.sku for target in campaign.targets if target.sku]
    by_sku = {found.sku: found for found in store.skus(campaign.id, target_skus)}
    return Dashboard(
        campaign_id=campaign.id,
        theme=campaign.theme,
        status=campaign.status.value,
        phase=(phase.value if (phase := campaign.phase_at(now)) else None),
        budget=campaign.budget.total,
        burn=store.burn(campaign.id),
        totals=totals,
        hourly=tuple(sorted(hourly.items())),
        channels=channels,
        segments=segments,
        top_skus=tuple(store.top_skus(campaign.id)),
        achievements=tuple(achievements(campaign.targets, totals, by_sku)),
        alerts=(
            *alerts.alerts(campaign.id),
            *(a for a in alerts.alerts(standing=True) if a.kind in STANDING_KINDS),
        ),
    )
