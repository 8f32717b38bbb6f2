"""After the campaign: `dacu report CAMPAIGN` writes the 活动总结报告, `dacu cases`
lists the case library (案例库); `archive_finished` keeps that library complete."""

from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from dacu.bootstrap import Platform
    from dacu.domain.review import Case, Dashboard
    from dacu.entrypoints.report import ReportFiles

EXIT_BAD_INPUT = 2

review_app = typer.Typer()


def _platform() -> "Platform":
    from dacu.bootstrap import from_settings

    return from_settings()


def _zone() -> tzinfo:
    from dacu.settings import settings

    return ZoneInfo(settings().timezone)


def archive_finished(platform: "Platform", now: datetime) -> "list[Case]":
    """Archive every finished campaign not yet in the case library, or still settling."""
    from dacu.services import case_library

    return case_library.archive_finished(
        platform.campaigns, platform.kpis, platform.alerts, platform.cases, now
    )


def report_campaign(
    platform: "Platform", campaign_id: str, out_dir: Path, now: datetime
) -> "tuple[ReportFiles, Dashboard, Case | None]":
    """Report a campaign as `dacu report` does: archived first if it has finished, compared
    with the case before it. Raises UnknownCampaign (a LookupError) for an unknown id."""
    from dacu.entrypoints.report import write_report
    from dacu.services import kpis, review

    assert now.tzinfo is not None
    campaign = platform.campaigns.campaign(campaign_id)
    store, alerts, cases = platform.kpis, platform.alerts, platform.cases
    if review.finished(campaign, now):
        board, _ = review.archive(store, alerts, cases, campaign, now)
    else:
        board = kpis.dashboard(store, alerts, campaign, now)
    previous = cases.previous(campaign.id, review.span(campaign)[0])
    files = write_report(board, campaign, previous, out_dir, now.tzinfo, generated_at=now)
    return files, board, previous


@review_app.command("report")
def report(
    campaign_id: Annotated[str, typer.Argument(help="the campaign, e.g. double11-2026")],
    out: Annotated[Path, typer.Option("--out", help="folder to write the files into")] = Path(
        "reports"
    ),
) -> None:
    """Write the post-campaign report (活动总结报告): HTML, CSV, XLSX.

    The HTML opens offline, charts and all. A finished campaign is archived in the case
    library first; the latest campaign that ended before this one began gives 环比."""
    from dacu.domain.campaigns import UnknownCampaign

    platform = _platform()
    try:
        files, board, previous = report_campaign(platform, campaign_id, out, datetime.now(_zone()))
    except UnknownCampaign:
        typer.echo(f"no campaign {campaign_id}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        platform.close()
    for path in files.paths:
        typer.echo(str(path))
    _summary(Console(), board, previous, files)


def _summary(
    console: Console, board: "Dashboard", previous: "Case | None", files: "ReportFiles"
) -> None:
    from dacu.domain.review import compare
    from dacu.entrypoints.report_figures import METRICS, change_text, show, spend_figures

    table = Table(title=f"{board.theme} ({board.campaign_id})", show_header=False)
    table.add_column("指标", no_wrap=True)
    table.add_column("数值", justify="right", no_wrap=True)
    figures = {**board.totals.snapshot(), **spend_figures(board)}
    for key in ("gmv", "payments", "aov", "conversion_bp", "refund_rate_bp", "roi_bp"):
        table.add_row(METRICS[key].zh, show(key, figures[key]))
    met = sum(done.met for done in board.achievements)
    table.add_row("目标达成", f"{met} / {len(board.achievements)}")
    if previous is None:
        table.add_row("环比", "无可比活动")
    else:
        change = compare(board.totals, previous.figures())["gmv"]
        table.add_row(f"成交额环比 vs {previous.campaign_id}", change_text(change))
    console.print(table)
    console.print(f"报告 report: {files.html}")


@review_app.command("cases")
def cases() -> None:
    """The case library (案例库): every archived campaign, newest first."""
    from dacu.domain.money import yuan
    from dacu.entrypoints.report_figures import show

    platform = _platform()
    try:
        found = platform.cases.all()
    finally:
        platform.close()
    console = Console()
    if not found:
        console.print("案例库为空 — no finished campaign has been archived yet")
        return
    zone = _zone()
    rows = [
        (
            Text.assemble(case.campaign_id, "\n", (case.theme, "dim")),
            f"{case.starts_at.astimezone(zone):%Y-%m-%d}→{case.ends_at.astimezone(zone):%m-%d}",
            yuan(case.totals["gmv"]),
            f"{case.totals['payments']:,}",
            yuan(case.totals["aov"]),
            show("conversion_bp", case.totals["conversion_bp"]),
            f"{sum(done.met for done in case.achievements)}/{len(case.achievements)}",
        )
        for case in found
    ]

    # on a narrow terminal the other columns give way: the campaign, its dates and
    # its GMV are never cut
    def widest(column: int) -> int:
        return max(len(str(row[column]).split("\n")[0]) for row in rows)

    table = Table(
        title="案例库 case library", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    table.add_column("活动 · 主题", no_wrap=True, min_width=widest(0))
    table.add_column("日期", no_wrap=True, min_width=widest(1))
    table.add_column("成交额 ¥", justify="right", no_wrap=True, min_width=widest(2))
    for heading in ("订单", "客单价", "转化率", "达成"):
        table.add_column(heading, justify="right", no_wrap=True, min_width=4)
    for row in rows:
        table.add_row(*row)
    console.print(table)
