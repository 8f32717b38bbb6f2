"""What `dacu simulate` prints at the end: the KPI summary, the targets, the alerts raised
and where the payment channels stand."""

from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from dacu.domain.review import Dashboard
    from dacu.services.simulation import Outcome

_KPI_ROWS = (
    ("成交额 GMV", "gmv"),
    ("下单数 orders placed", "orders"),
    ("支付订单 paid orders", "payments"),
    ("客单价 AOV", "aov"),
    ("访客 UV", "uv"),
    ("浏览量 PV", "pv"),
    ("转化率 conversion", "conversion_bp"),
    ("退款率 refund rate", "refund_rate_bp"),
    ("领券 coupons claimed", "coupon_claims"),
    ("用券 coupons used", "coupon_uses"),
    ("新用户 new users", "new_users"),
    ("复购买家 repeat buyers", "repeat_buyers"),
    ("平台补贴 platform spend", "platform_spend"),
    ("预算使用 budget used", "budget_used_bp"),
    ("投入产出 ROI", "roi_bp"),
)


def kpi_table(board: "Dashboard") -> Table:
    from dacu.entrypoints.report_figures import show, spend_figures

    figures = {**board.totals.snapshot(), **spend_figures(board)}
    kpis = Table(title="KPI 汇总", box=box.SIMPLE_HEAD, show_header=False)
    kpis.add_column("指标")
    kpis.add_column("", justify="right")
    for label, key in _KPI_ROWS:
        kpis.add_row(label, show(key, figures[key]))
    return kpis


def targets_table(board: "Dashboard") -> Table:
    from dacu.entrypoints.report_figures import Unit, target_label, target_unit, text

    targets = Table(title="目标 targets", box=box.SIMPLE_HEAD)
    for name in ("目标", "实际 actual", "目标值 target", "达成率", ""):
        targets.add_column(name, justify="left" if not name or name == "目标" else "right")
    for done in board.achievements:
        unit = target_unit(done)
        targets.add_row(
            target_label(done),
            text(done.actual, unit),
            text(done.target, unit),
            text(done.achievement_bp, Unit.BP),
            "[green]达成[/]" if done.met else "[red]未达成[/]",
        )
    return targets


def print_alerts(console: Console, outcome: "Outcome", zone: Any) -> None:
    raised = (*outcome.board.alerts, *outcome.stock_alerts)
    alerts = list({alert.id: alert for alert in raised}.values())
    console.print(f"[bold]告警 alerts raised: {len(alerts)}[/]")
    for alert in sorted(alerts, key=lambda a: a.raised_at):
        console.print(
            f"  {alert.raised_at.astimezone(zone):%m-%d %H:%M} [{alert.level}] "
            f"{alert.subject} {alert.kind}: {alert.message}",
            markup=False,
            soft_wrap=True,
        )


def print_channels(console: Console, outcome: "Outcome") -> None:
    channels = outcome.channels
    paid = ", ".join(
        f"{name} {count}"
        for name, count in sorted(outcome.tally.items())
        if name.startswith("paid via ")
    )
    console.print(
        f"[bold]支付通道 payment channels[/]: active {channels.active} "
        f"(primary {channels.primary}, backup {channels.backup}); {paid or 'no new payments'}",
        soft_wrap=True,
    )
