"""Judging a campaign: targets vs actuals (达成率), alerts on burn and errors,
highlights and shortfalls, and the comparison with the previous campaign (环比)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from dacu.domain.alerts import Alert
from dacu.domain.campaigns import TARGET_METRICS, Target
from dacu.domain.events import Channel, Segment
from dacu.domain.kpis import Figures, SkuFigures, ratio_bp
from dacu.domain.money import yuan
from dacu.domain.types import Bp, Fen

_ACTUAL = {
    "gmv": lambda f: f.gmv,
    "orders": lambda f: f.orders,
    "paid_orders": lambda f: f.payments,
    "buyers": lambda f: f.payers,
    "uv": lambda f: f.uv,
    "pv": lambda f: f.pv,
    "new_users": lambda f: f.new_users,
    "registrations": lambda f: f.registrations,
    "aov": lambda f: f.aov,
    "conversion_bp": lambda f: f.conversion_bp,
    "coupon_claims": lambda f: f.coupon_claims,
    "coupon_uses": lambda f: f.coupon_uses,
    "shares": lambda f: f.shares,
}
_PER_SKU = {"sku_units": "units", "sku_gmv": "gmv"}
assert set(_ACTUAL) | set(_PER_SKU) == TARGET_METRICS


@dataclass(frozen=True, slots=True)
class Achievement:
    metric: str
    sku: str | None
    target: int
    actual: int

    @property
    def achievement_bp(self) -> Bp:
        """达成率: actual over target."""
        return ratio_bp(self.actual, self.target)

    @property
    def met(self) -> bool:
        return self.actual >= self.target


def achievements(
    targets: Sequence[Target], totals: Figures, skus: Mapping[str, SkuFigures]
) -> list[Achievement]:
    found = []
    for target in targets:
        if target.sku is not None:
            figures = skus.get(target.sku, SkuFigures(target.sku))
            actual = getattr(figures, _PER_SKU[target.metric])
        else:
            actual = _ACTUAL[target.metric](totals)
        found.append(Achievement(target.metric, target.sku, target.value, actual))
    return found


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the live dashboard and the report show of one campaign."""

    campaign_id: str
    theme: str
    status: str
    phase: str | None
    budget: Fen
    totals: Figures
    hourly: tuple[tuple[datetime, Figures], ...]
    channels: Mapping[Channel, Figures]
    segments: Mapping[Segment, Figures]
    top_skus: tuple[SkuFigures, ...]
    achievements: tuple[Achievement, ...]
    alerts: tuple[Alert, ...]
    burn: Fen | None = None  # the budget's burn from the funding ledger, where it is read

    @property
    def budget_used_bp(self) -> Bp:
        spent = self.totals.platform_spend if self.burn is None else self.burn
        return ratio_bp(spent, self.budget)

    @property
    def roi_bp(self) -> Bp:
        """GMV per fen of discount funded, platform and merchants together."""
        return ratio_bp(self.totals.gmv, self.totals.spend)


# --- alerts -----------------------------------------------------------------

BUDGET_STEPS: tuple[tuple[Bp, str, str], ...] = (
    (8000, "budget_80", "warning"),
    (10000, "budget_100", "critical"),
)


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """When an hour's errors count as a rise: enough of them, at a high enough rate."""

    min_errors: int = 20
    max_rate_bp: Bp = 100


def budget_alerts(spend: Fen, budget: Fen) -> list[tuple[str, str, str]]:
    """(kind, level, message) of each budget step that spending has passed."""
    if budget <= 0:
        return []
    used = ratio_bp(spend, budget)
    return [
        (kind, level, f"预算已用 {used / 100:.2f}% (¥{yuan(spend)} / ¥{yuan(budget)})")
        for step, kind, level in BUDGET_STEPS
        if used >= step
    ]


def errors_risen(hour: Figures, policy: ErrorPolicy = ErrorPolicy()) -> bool:
    return hour.errors >= policy.min_errors and hour.error_rate_bp >= policy.max_rate_bp


# --- the review ---------------------------------------------------------------

COMPARED = ("gmv", "payments", "aov", "uv", "conversion_bp", "refund_rate_bp", "new_users")


def change_bp(now: int, before: int) -> Bp | None:
    """环比: the change from `before` to `now`; None when there was nothing before."""
    if before == 0:
        return None
    return (now - before) * 10000 // before


def compare(now: Figures, before: Figures) -> dict[str, Bp | None]:
    return {name: change_bp(getattr(now, name), getattr(before, name)) for name in COMPARED}


def highlights(board: Dashboard, zone: tzinfo) -> tuple[list[str], list[str]]:
    """亮点 and 不足, in the words an operator would write them."""
    good: list[str] = []
    short: list[str] = []
    for done in board.achievements:
        what = done.metric + (f" {done.sku}" if done.sku else "")
        actual, target = _in_unit(done.metric, done.actual), _in_unit(done.metric, done.target)
        line = f"{what}: {actual} / {target} ({done.achievement_bp / 100:.1f}%)"
        (good if done.met else short).append(("达成 " if done.met else "未达成 ") + line)
    if board.hourly:
        hour, best = max(board.hourly, key=lambda item: item[1].gmv)
        if best.gmv:
            good.append(f"峰值小时 {hour.astimezone(zone):%m-%d %H}:00 成交 ¥{yuan(best.gmv)}")
    if board.top_skus and board.top_skus[0].gmv:
        top = board.top_skus[0]
        good.append(f"爆款 {top.sku}: {top.units:,} 件, ¥{yuan(top.gmv)}")
    if board.totals.refund_rate_bp >= 500:
        short.append(f"退款率 {board.totals.refund_rate_bp / 100:.2f}% (≥ 5%)")
    if board.budget and board.budget_used_bp > 10000:
        short.append(f"预算超支: 已用 {board.budget_used_bp / 100:.2f}%")
    return good, short


MONEY_METRICS = frozenset({"gmv", "aov", "sku_gmv"})


def _in_unit(metric: str, value: int) -> str:
    if metric in MONEY_METRICS:
        return f"¥{yuan(value)}"
    if metric.endswith("_bp"):
        return f"{value // 100}.{value % 100:02d}%"
    return f"{value:,}"


# --- the case library (案例库) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """A finished campaign as the library keeps it: enough to compare and to learn from."""

    campaign_id: str
    theme: str
    starts_at: datetime
    ends_at: datetime
    archived_at: datetime
    totals: Mapping[str, int]  # every counter and ratio of `Figures`
    achievements: tuple[Achievement, ...]
    budget: Fen
    highlights: tuple[str, ...]
    shortfalls: tuple[str, ...]

    def figures(self) -> Figures:
        return Figures(**{name: self.totals[name] for name in Figures.__dataclass_fields__})
