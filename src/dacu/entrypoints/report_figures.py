"""What the post-campaign report says about each figure: its name in Chinese and
English, its unit, and how it reads as text or as an exact spreadsheet number.

The HTML page, the CSVs and the workbook all draw their rows from here, so a
figure is called and rounded the same way in every file.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dacu.domain.kpis import COUNTERS, RATIOS, ratio_bp
from dacu.domain.money import yuan
from dacu.domain.review import COMPARED, Achievement, Case, Dashboard, compare
from dacu.domain.types import FULL_BP, Bp


class Unit(StrEnum):
    FEN = "fen"  # money, shown as yuan
    BP = "bp"  # a share, shown as a percentage
    COUNT = "count"
    TIMES = "times"  # a ratio of two amounts in bp, shown as a multiple (ROI 12.34×)


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: Unit


_METRICS = (
    Metric("events", "事件数", "events", Unit.COUNT),
    Metric("pv", "浏览量", "PV", Unit.COUNT),
    Metric("sku_views", "商品浏览", "SKU views", Unit.COUNT),
    Metric("carts", "加购次数", "add-to-carts", Unit.COUNT),
    Metric("orders", "下单数", "orders placed", Unit.COUNT),
    Metric("ordered", "下单金额", "amount ordered", Unit.FEN),
    Metric("payments", "支付订单", "paid orders", Unit.COUNT),
    Metric("gmv", "成交额", "GMV", Unit.FEN),
    Metric("refunds", "退款笔数", "refunds", Unit.COUNT),
    Metric("refunded", "退款金额", "amount refunded", Unit.FEN),
    Metric("cancellations", "取消订单", "orders cancelled", Unit.COUNT),
    Metric("coupon_claims", "领券数", "coupons claimed", Unit.COUNT),
    Metric("coupon_uses", "用券数", "coupons used", Unit.COUNT),
    Metric("registrations", "注册数", "registrations", Unit.COUNT),
    Metric("logins", "登录数", "logins", Unit.COUNT),
    Metric("shares", "分享数", "shares", Unit.COUNT),
    Metric("errors", "错误数", "errors", Unit.COUNT),
    Metric("platform_spend", "平台补贴", "platform spend", Unit.FEN),
    Metric("merchant_spend", "商家让利", "merchant spend", Unit.FEN),
    Metric("uv", "访客数", "UV", Unit.COUNT),
    Metric("uv_hour", "当小时访客", "visitors that hour", Unit.COUNT),
    Metric("active", "活跃用户", "active users", Unit.COUNT),
    Metric("carters", "加购人数", "visitors who carted", Unit.COUNT),
    Metric("orderers", "下单人数", "visitors who ordered", Unit.COUNT),
    Metric("payers", "支付买家", "buyers", Unit.COUNT),
    Metric("claimers", "领券人数", "visitors who claimed", Unit.COUNT),
    Metric("new_users", "新用户", "new users", Unit.COUNT),
    Metric("repeat_buyers", "复购买家", "repeat buyers", Unit.COUNT),
    Metric("aov", "客单价", "AOV", Unit.FEN),
    Metric("conversion_bp", "转化率", "conversion", Unit.BP),
    Metric("view_to_cart_bp", "浏览→加购", "view to cart", Unit.BP),
    Metric("cart_to_order_bp", "加购→下单", "cart to order", Unit.BP),
    Metric("order_to_pay_bp", "下单→支付", "order to payment", Unit.BP),
    Metric("refund_rate_bp", "退款率", "refund rate", Unit.BP),
    Metric("claim_rate_bp", "领券率", "claim rate", Unit.BP),
    Metric("use_rate_bp", "核销率", "coupon use rate", Unit.BP),
    Metric("repurchase_bp", "复购率", "repurchase rate", Unit.BP),
    Metric("error_rate_bp", "错误率", "error rate", Unit.BP),
    # target metrics named differently from the counters they read
    Metric("paid_orders", "支付订单", "paid orders", Unit.COUNT),
    Metric("buyers", "支付买家", "buyers", Unit.COUNT),
    Metric("sku_units", "单品销量", "units of a SKU", Unit.COUNT),
    Metric("sku_gmv", "单品成交额", "GMV of a SKU", Unit.FEN),
    # spend and return
    Metric("budget", "补贴预算", "subsidy budget", Unit.FEN),
    Metric("spend", "总投入", "total spend", Unit.FEN),
    Metric("budget_used_bp", "预算使用率", "budget used", Unit.BP),
    Metric("roi_bp", "投入产出比 ROI", "GMV / spend", Unit.TIMES),
    Metric("gmv_per_subsidy_bp", "每元平台补贴带动成交", "GMV per ¥1 of subsidy", Unit.TIMES),
)
METRICS = {metric.key: metric for metric in _METRICS}
assert set(COUNTERS) | set(RATIOS) <= set(METRICS)

HEADLINE = ("gmv", "payments", "payers", "aov", "uv", "conversion_bp", "new_users", "roi_bp")
SPEND = (
    "platform_spend",
    "merchant_spend",
    "spend",
    "budget",
    "budget_used_bp",
    "roi_bp",
    "gmv_per_subsidy_bp",
)
REFUNDS = ("refunds", "refunded", "refund_rate_bp")
FUNNEL = ("uv", "carters", "orderers", "payers")
WORSE_WHEN_UP = frozenset({"refund_rate_bp", "error_rate_bp", "errors", "refunds", "refunded"})
CHANNELS_ZH = {"app": "App", "mini_program": "小程序", "web": "网页", "share_link": "分享链接"}
SEGMENTS_ZH = {"new": "新客", "returning": "老客"}


def _percent(bp: int) -> str:
    sign = "-" if bp < 0 else ""
    whole, part = divmod(abs(bp), 100)
    return f"{sign}{whole:,}.{part:02d}%"


def _times(bp: int) -> str:
    whole, part = divmod(abs(bp), FULL_BP)
    return f"{'-' if bp < 0 else ''}{whole:,}.{part // 100:02d}"


def text(value: int, unit: Unit) -> str:
    """A figure as a person reads it; rates and multiples are cut, never rounded up."""
    if unit is Unit.FEN:
        return f"¥{yuan(value)}"
    if unit is Unit.BP:
        return _percent(value)
    if unit is Unit.TIMES:
        return f"{_times(value)}×"
    return f"{value:,}"


def show(key: str, value: int) -> str:
    return text(value, METRICS[key].unit)


def change_text(bp: Bp | None) -> str:
    """环比 as text: +12.34%, −5.00%, or — when there was nothing to compare with."""
    if bp is None:
        return "—"
    return ("+" if bp >= 0 else "") + _percent(bp)


def exact(value: int, unit: Unit) -> Decimal | int:
    """A figure as a spreadsheet number: yuan and fractions as exact decimals of the integers."""
    if unit is Unit.FEN:
        return Decimal(value) / 100
    if unit in (Unit.BP, Unit.TIMES):
        return Decimal(value) / FULL_BP
    return value


def spend_figures(board: Dashboard) -> dict[str, int]:
    """投入产出: what was spent, against what budget, and what it brought."""
    totals = board.totals
    return {
        "platform_spend": totals.platform_spend,
        "merchant_spend": totals.merchant_spend,
        "spend": totals.spend,
        "budget": board.budget,
        "budget_used_bp": board.budget_used_bp,
        "roi_bp": board.roi_bp,
        "gmv_per_subsidy_bp": ratio_bp(totals.gmv, totals.platform_spend),
    }


def figures_of(board: Dashboard) -> dict[str, int]:
    """Every counter and ratio of the totals, and the spend figures."""
    return {**board.totals.snapshot(), **spend_figures(board)}


def target_label(done: Achievement) -> str:
    name = METRICS[done.metric].zh
    return f"{name} {done.sku}" if done.sku else name


def target_unit(done: Achievement) -> Unit:
    return METRICS[done.metric].unit


def target_line(done: Achievement) -> str:
    """One target in an operator's words: 成交额: ¥1.00 / ¥2.00 (达成率 50.00%)."""
    unit = target_unit(done)
    return (
        f"{target_label(done)}: {text(done.actual, unit)} / {text(done.target, unit)} "
        f"(达成率 {_percent(done.achievement_bp)})"
    )


@dataclass(frozen=True, slots=True)
class Compared:
    """One metric of 环比: this campaign's figure, the previous one's, and the change."""

    metric: Metric
    now: int
    before: int
    change_bp: Bp | None

    @property
    def better(self) -> bool | None:
        if self.change_bp is None or self.change_bp == 0:
            return None
        return (self.change_bp > 0) != (self.metric.key in WORSE_WHEN_UP)


def comparison(board: Dashboard, previous: Case | None) -> list[Compared]:
    if previous is None:
        return []
    changes = compare(board.totals, previous.figures())
    now, before = board.totals.snapshot(), previous.totals
    return [Compared(METRICS[key], now[key], before[key], changes[key]) for key in COMPARED]
