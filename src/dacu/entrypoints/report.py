"""The post-campaign report (活动总结报告): one HTML page that opens offline, the
data behind it as CSV, and a workbook for finance and operations.

The page carries everything inline — ECharts, the data, the styles — so it can
be mailed, archived or opened from file:// years later without any server.
"""

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from dacu.domain.campaigns import Campaign
from dacu.domain.kpis import Figures, SkuFigures, ratio_bp
from dacu.domain.review import Achievement, Case, Dashboard, highlights
from dacu.entrypoints import report_csv, report_xlsx
from dacu.entrypoints.report_figures import (
    CHANNELS_ZH,
    FUNNEL,
    HEADLINE,
    METRICS,
    REFUNDS,
    SEGMENTS_ZH,
    SPEND,
    Unit,
    change_text,
    comparison,
    figures_of,
    show,
    target_label,
    target_line,
    target_unit,
    text,
)
from dacu.services.review import span

_HOUR = timedelta(hours=1)
_TEMPLATE = "report.html"
_STATES = {
    "draft": "草稿 draft",
    "live": "进行中 live",
    "paused": "已暂停 paused",
    "ended": "已结束 ended",
}


@dataclass(frozen=True, slots=True)
class ReportFiles:
    html: Path
    hourly_csv: Path
    summary_csv: Path
    xlsx: Path

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.html, self.hourly_csv, self.summary_csv, self.xlsx)


def write_report(
    board: Dashboard,
    campaign: Campaign,
    previous: Case | None,
    out_dir: Path,
    zone: tzinfo,
    generated_at: datetime | None = None,
) -> ReportFiles:
    """Write the report of `campaign` into `out_dir`; `previous` is 环比's baseline, if any."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]", "_", campaign.id)
    files = ReportFiles(
        html=out_dir / f"{stem}-report.html",
        hourly_csv=out_dir / f"{stem}-hourly.csv",
        summary_csv=out_dir / f"{stem}-summary.csv",
        xlsx=out_dir / f"{stem}-report.xlsx",
    )
    hours = timeline(board)
    made = generated_at or datetime.now(zone)
    files.html.write_text(
        render_html(board, campaign, previous, zone, made, hours), encoding="utf-8"
    )
    report_csv.write_hourly(files.hourly_csv, hours, zone)
    report_csv.write_summary(files.summary_csv, board, previous)
    report_xlsx.write(files.xlsx, board, previous, hours, zone)
    return files


def timeline(board: Dashboard) -> list[tuple[datetime, Figures]]:
    """Every hour from the first with data to the last, quiet hours as zeros, so charts
    and sheets show the lulls instead of skipping them."""
    if not board.hourly:
        return []
    known = dict(board.hourly)
    hour, last = board.hourly[0][0], board.hourly[-1][0]
    found = []
    while hour <= last:
        found.append((hour, known.get(hour, Figures())))
        hour += _HOUR
    return found


def render_html(
    board: Dashboard,
    campaign: Campaign,
    previous: Case | None,
    zone: tzinfo,
    generated_at: datetime,
    hours: list[tuple[datetime, Figures]],
) -> str:
    starts_at, ends_at = span(campaign)
    figures = figures_of(board)
    # the targets are written out here with their units; the domain's notes add the rest
    good, short = highlights(replace(board, achievements=()), zone)
    met = [target_line(done) for done in board.achievements if done.met]
    missed = [target_line(done) for done in board.achievements if not done.met]
    page = {
        "board": board,
        "campaign": campaign,
        "dates": _dates(starts_at, ends_at, zone, "%Y-%m-%d %H:%M"),
        "generated": f"{generated_at.astimezone(zone):%Y-%m-%d %H:%M}",
        "state": "已结束 ended"
        if generated_at >= ends_at
        else _STATES.get(board.status, board.status),
        "headline": [(METRICS[key], show(key, figures[key])) for key in HEADLINE],
        "targets": [_target(done) for done in board.achievements],
        "met": sum(done.met for done in board.achievements),
        "good": [f"达成 {line}" for line in met] + good,
        "short": [f"未达成 {line}" for line in missed] + short,
        "spend": [(METRICS[key], show(key, figures[key])) for key in SPEND],
        "budget_width": min(board.budget_used_bp, 10000) / 100,
        "refunds": [(METRICS[key], show(key, figures[key])) for key in REFUNDS],
        "previous": previous,
        "previous_dates": _dates(previous.starts_at, previous.ends_at, zone, "%Y-%m-%d")
        if previous
        else "",
        "compared": [
            {
                "metric": row.metric,
                "now": text(row.now, row.metric.unit),
                "before": text(row.before, row.metric.unit),
                "change": change_text(row.change_bp),
                "better": row.better,
            }
            for row in comparison(board, previous)
        ],
        "segments": [
            (SEGMENTS_ZH.get(str(name), str(name)), figures_of_part(part))
            for name, part in board.segments.items()
        ],
        "skus": [_sku(sku, board.totals.gmv) for sku in board.top_skus],
        "alerts": [
            (alert.level, alert.message, f"{alert.raised_at.astimezone(zone):%m-%d %H:%M}")
            for alert in board.alerts
        ],
        "data_hours": bool(hours),
        "echarts": Markup(_echarts()),
        "data": Markup(_script_json(_chart_data(board, hours, zone))),
    }
    return _environment().get_template(_TEMPLATE).render(page)


def figures_of_part(part: Figures) -> dict[str, str]:
    """The figures a table of one channel or segment shows, as text."""
    keys = ("uv", "payers", "payments", "gmv", "aov", "conversion_bp", "refund_rate_bp")
    values = part.snapshot()
    return {key: show(key, values[key]) for key in keys}


def _target(done: Achievement) -> dict[str, Any]:
    unit = target_unit(done)
    return {
        "label": target_label(done),
        "metric": METRICS[done.metric],
        "target": text(done.target, unit),
        "actual": text(done.actual, unit),
        "rate": text(done.achievement_bp, Unit.BP),
        "width": min(done.achievement_bp, 10000) / 100,
        "met": done.met,
    }


def _sku(sku: SkuFigures, total_gmv: int) -> dict[str, str]:
    return {
        "sku": sku.sku,
        "views": f"{sku.views:,}",
        "carts": f"{sku.carts:,}",
        "cart_rate": text(ratio_bp(sku.carts, sku.views), Unit.BP),
        "units": f"{sku.units:,}",
        "gmv": show("gmv", sku.gmv),
        "share": text(ratio_bp(sku.gmv, total_gmv), Unit.BP),
    }


def _dates(starts_at: datetime, ends_at: datetime, zone: tzinfo, shape: str) -> str:
    return f"{starts_at.astimezone(zone):{shape}} — {ends_at.astimezone(zone):{shape}}"


def _chart_data(
    board: Dashboard, hours: list[tuple[datetime, Figures]], zone: tzinfo
) -> dict[str, Any]:
    """Money stays in fen here too; the page's script turns it into yuan text."""
    totals = board.totals.snapshot()
    return {
        "hours": [f"{hour.astimezone(zone):%m-%d %H:00}" for hour, _ in hours],
        "gmv": [figures.gmv for _, figures in hours],
        "payments": [figures.payments for _, figures in hours],
        "visitors": [figures.uv_hour for _, figures in hours],
        "channels": [
            {"name": CHANNELS_ZH.get(str(name), str(name)), "value": part.gmv}
            for name, part in board.channels.items()
        ],
        "funnel": [
            {"name": f"{METRICS[key].zh} {METRICS[key].en}", "value": totals[key]} for key in FUNNEL
        ],
    }


def _script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> element early."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _echarts() -> str:
    source = resources.files("dacu").joinpath("entrypoints/web/static/echarts.min.js")
    return source.read_text("utf-8").replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("dacu", "entrypoints/web/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
