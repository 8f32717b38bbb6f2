"""A dashboard as JSON: what the API returns, the console draws and the report embeds."""

from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel, Field, create_model

from dacu.domain.alerts import Alert
from dacu.domain.kpis import COUNTERS, RATIOS, Figures
from dacu.domain.review import Dashboard

FiguresOut: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "FiguresOut", **dict.fromkeys((*COUNTERS, *RATIOS), (int, ...))
)
HourOut: type[BaseModel] = create_model("HourOut", hour=(str, ...), __base__=FiguresOut)


class SkuOut(BaseModel):
    sku: str
    views: int
    carts: int
    units: int
    gmv: int


class AchievementOut(BaseModel):
    metric: str
    sku: str | None
    target: int
    actual: int
    achievement_bp: int
    met: bool


class AlertOut(BaseModel):
    id: int
    subject: str
    kind: str
    level: str
    message: str
    raised_at: datetime
    cleared_at: datetime | None


class DashboardOut(BaseModel):
    campaign_id: str
    theme: str
    status: str
    phase: str | None
    budget: int
    burn: int = Field(description="fen: the budget's burn on paid orders, from the funding ledger")
    budget_used_bp: int
    roi_bp: int
    totals: FiguresOut
    hourly: list[HourOut]
    channels: dict[str, FiguresOut]
    segments: dict[str, FiguresOut]
    top_skus: list[SkuOut]
    achievements: list[AchievementOut]
    alerts: list[AlertOut]


def figures_json(figures: Figures) -> dict[str, int]:
    return figures.snapshot()


def alert_json(alert: Alert, zone: tzinfo) -> dict[str, Any]:
    return {
        "id": alert.id,
        "subject": alert.subject,
        "kind": alert.kind,
        "level": alert.level,
        "message": alert.message,
        "raised_at": alert.raised_at.astimezone(zone).isoformat(),
        "cleared_at": alert.cleared_at.astimezone(zone).isoformat() if alert.cleared_at else None,
    }


def dashboard_json(board: Dashboard, zone: tzinfo) -> dict[str, Any]:
    """Times in `zone`; money in fen; rates in basis points."""
    return {
        "campaign_id": board.campaign_id,
        "theme": board.theme,
        "status": board.status,
        "phase": board.phase,
        "budget": board.budget,
        "burn": board.totals.platform_spend if board.burn is None else board.burn,
        "budget_used_bp": board.budget_used_bp,
        "roi_bp": board.roi_bp,
        "totals": figures_json(board.totals),
        "hourly": [
            {"hour": hour.astimezone(zone).isoformat(), **figures_json(figures)}
            for hour, figures in board.hourly
        ],
        "channels": {str(k): figures_json(v) for k, v in board.channels.items()},
        "segments": {str(k): figures_json(v) for k, v in board.segments.items()},
        "top_skus": [
            {"sku": s.sku, "views": s.views, "carts": s.carts, "units": s.units, "gmv": s.gmv}
            for s in board.top_skus
        ],
        "achievements": [
            {
                "metric": a.metric,
                "sku": a.sku,
                "target": a.target,
                "actual": a.actual,
                "achievement_bp": a.achievement_bp,
                "met": a.met,
            }
            for a in board.achievements
        ],
        "alerts": [alert_json(alert, zone) for alert in board.alerts],
    }


class LagOut(BaseModel):
    streamed: bool = Field(description="false: no event stream, batches are recorded at once")
    batches: int = Field(description="batches on the stream not yet folded")
    events: int = Field(description="events in those batches")
    pending: int = Field(description="batches a writer has taken and not yet marked done")
    oldest_age_ms: int = Field(description="how long the oldest batch not yet folded has waited")
    writers: int = Field(description="writers (consumers) the stream's group has known")
    outbox_pending: int = Field(description="the server's facts not yet delivered")


def lag_json(events: Any, outbox_pending: int, now: datetime) -> dict[str, Any]:
    """The stream's lag (an EventIntake's), zeros without a stream."""
    lag = None if events is None else events.lag(now)
    found = {"batches": 0, "events": 0, "pending": 0, "oldest_age_ms": 0, "writers": 0}
    if lag is not None:
        found = {name: getattr(lag, name) for name in found}
    return {"streamed": lag is not None, **found, "outbox_pending": outbox_pending}
