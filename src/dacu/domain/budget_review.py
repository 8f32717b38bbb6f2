"""The weekly budget review (每周预算复盘, 004 财务规划): spend against results.

Per campaign and ISO week (the platform's zone, Asia/Shanghai): what each
department and promotion spent of the platform's budget against the results
of that week — GMV, orders, new customers — with spend per order and ROI
(GMV per yuan spent), and the promotions whose spend per yuan of GMV is worst
flagged for the review. Ratios are basis points or fen, integer throughout.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dacu.domain.errors import InvalidRule
from dacu.domain.types import FULL_BP, Fen

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
FLAGGED = 3  # how many of the worst promotions a review flags
REVIEW_ZONE = ZoneInfo("Asia/Shanghai")  # the review's weeks run Monday to Sunday here


def week_bounds(week: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of an ISO week such as 2026-W45, in `zone`."""
    found = _WEEK.match(week)
    if found is None:
        raise InvalidRule("week", "an ISO week such as 2026-W45")
    year, number = int(found.group(1)), int(found.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InvalidRule("week", f"{year} has no week {number}") from None
    start = datetime.combine(monday, time(), zone)
    return start, datetime.combine(monday + timedelta(days=7), time(), zone)


def week_of(moment: datetime, zone: tzinfo) -> str:
    year, number, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{number:02d}"


@dataclass(frozen=True, slots=True)
class RuleSpend:
    """One promotion's (or coupon template's) spend and what it was paid on."""

    rule: str
    spend: Fen  # the platform's share, paid less clawed back
    orders: int  # paid orders it applied to
    gmv: Fen  # the payable amount of the lines it applied to, on those orders


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One department's or promotion's spend and results in the week."""

    name: str
    spend: Fen
    orders: int
    gmv: Fen
    department: str | None = None
    cap: Fen | None = None
    flagged: bool = False

    @property
    def per_order(self) -> Fen:
        """Spend per order (fen)."""
        return self.spend // self.orders if self.orders else 0

    @property
    def cost_bp(self) -> int | None:
        """Spend per yuan of GMV, in basis points of it (费比); None with no GMV."""
        if not self.gmv:
            return None if self.spend else 0
        return self.spend * FULL_BP // self.gmv

    @property
    def roi_bp(self) -> int | None:
        """GMV per yuan spent, in basis points (ROI 3.5 → 35000); None with no spend."""
        return self.gmv * FULL_BP // self.spend if self.spend > 0 else None


def flag_worst(rows: Sequence[ReviewRow], count: int = FLAGGED) -> list[ReviewRow]:
    """The rows, the `count` with spend whose spend per yuan of GMV is worst flagged
    (spend with no GMV at all worst of all); worst first, then by name."""

    def badness(row: ReviewRow) -> tuple[int, int, str]:
        cost = row.cost_bp
        return (0 if cost is None else 1, -(cost or 0), row.name)

    ordered = sorted(rows, key=badness)
    worst = {row.name for row in ordered if row.spend > 0}
    keep = set([r.name for r in ordered if r.name in worst][:count])
    return [
        ReviewRow(r.name, r.spend, r.orders, r.gmv, r.department, r.cap, r.name in keep)
        for r in ordered
    ]


@dataclass(frozen=True, slots=True)
class WeeklyReview:
    campaign_id: str
    week: str
    starts_at: datetime
    ends_at: datetime
    spend: Fen  # the platform's spend from the campaign's budget, booked that week
    gmv: Fen  # from the KPI rollups
    orders: int
    new_customers: int
    departments: tuple[ReviewRow, ...]
    promotions: tuple[ReviewRow, ...]

    @property
    def per_order(self) -> Fen:
        return self.spend // self.orders if self.orders else 0

    @property
    def roi_bp(self) -> int | None:
        return self.gmv * FULL_BP // self.spend if self.spend > 0 else None

    @property
    def per_new_customer(self) -> Fen:
        return self.spend // self.new_customers if self.new_customers else 0
