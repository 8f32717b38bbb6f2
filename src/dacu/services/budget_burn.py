"""Live burn by level (预算消耗): campaign, departments, promotions and growth lines,
and the weekly review — the budget draws beside the ledger's platform accounts."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

from dacu.domain.budget_levels import DEPARTMENT, levels_of
from dacu.domain.budget_review import (
    ReviewRow,
    RuleSpend,
    WeeklyReview,
    flag_worst,
    week_bounds,
    week_of,
)
from dacu.domain.campaigns import Campaign
from dacu.domain.kpis import Figures
from dacu.domain.types import FULL_BP, Fen
from dacu.services.ports.ledger import Ledger

NO_DEPARTMENT = ""  # the rules that name none


class BudgetReads(Protocol):
    def drawn(self, keys: Iterable[str]) -> dict[str, tuple[Fen, Fen]]: ...

    def spend(
        self, campaign_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> Sequence[RuleSpend]: ...


class KpiCells(Protocol):
    def cells(self, campaign_id: str) -> list[tuple[datetime, Any, Any, Figures]]: ...


@dataclass(frozen=True, slots=True)
class LevelFigures:
    """One line below the campaign's budget (or a rule with no cap of its own)."""

    kind: str  # department, promotion
    name: str
    cap: Fen | None  # None: no cap of its own (it draws the campaign's, or its department's)
    drawn: Fen  # by orders taken in, net of cancels and refunds (capped lines only)
    paid: Fen  # on paid orders, net of clawbacks, from the funding book
    department: str | None = None

    @property
    def left(self) -> Fen | None:
        return None if self.cap is None else max(0, self.cap - self.drawn)

    @property
    def drawn_bp(self) -> int | None:
        return None if not self.cap else self.drawn * FULL_BP // self.cap


class BudgetBurn:
    def __init__(
        self,
        reads: BudgetReads,
        campaign: Callable[[str], Campaign],
        ledger: Ledger,
        kpis: KpiCells,
        zone: tzinfo,
        clock: Callable[[], datetime],
    ) -> None:
        self._reads, self._campaign, self._ledger = reads, campaign, ledger
        self._kpis, self._zone, self._clock = kpis, zone, clock

    def levels(self, campaign_id: str) -> tuple[list[LevelFigures], list[LevelFigures]]:
        """(departments, promotions): cap, drawn, left and paid of each."""
        campaign = self._campaign(campaign_id)
        levels = levels_of(campaign)
        drawn = self._reads.drawn(level.key for level in levels)
        paid = {row.rule: row.spend for row in self._reads.spend(campaign_id)}
        departments_of = _departments(campaign)
        by_department: dict[str, Fen] = {}
        for rule, amount in paid.items():
            name = departments_of.get(rule) or NO_DEPARTMENT
            by_department[name] = by_department.get(name, 0) + amount
        caps = {level.name: level for level in levels if level.kind != DEPARTMENT}
        departments = [
            LevelFigures(
                DEPARTMENT, level.name, level.cap, drawn.get(level.key, (0, 0))[0],
                by_department.get(level.name, 0),
            )
            for level in levels
            if level.kind == DEPARTMENT
        ]  # fmt: skip
        promotions = []
        for rule in sorted({*caps, *paid, *departments_of}):
            level = caps.get(rule)
            promotions.append(
                LevelFigures(
                    "promotion", rule, level.cap if level else None,
                    drawn.get(level.key, (0, 0))[0] if level else 0, paid.get(rule, 0),
                    departments_of.get(rule),
                )
            )  # fmt: skip
        return departments, promotions

    def accounts(self, campaign_id: str) -> Mapping[str, Fen]:
        """The ledger's platform accounts for the campaign: funded discounts, coupons,
        prizes, subsidies … (account → balance)."""
        self._campaign(campaign_id)
        return dict(sorted(self._ledger.balances("platform:", campaign_id=campaign_id).items()))

    def review(self, campaign_id: str, week: str | None = None) -> WeeklyReview:
        """The week's spend by department and promotion against its results."""
        campaign = self._campaign(campaign_id)
        week = week or week_of(self._clock(), self._zone)
        start, end = week_bounds(week, self._zone)
        spent = self._reads.spend(campaign_id, start, end)
        results = Figures.total(f for hour, _, _, f in self._kpis.cells(campaign_id)
                                if start <= hour < end)  # fmt: skip
        departments_of = _departments(campaign)
        caps = {level.name: level.cap for level in levels_of(campaign)}
        promotions = [
            ReviewRow(r.rule, r.spend, r.orders, r.gmv, departments_of.get(r.rule),
                      caps.get(r.rule))
            for r in spent
        ]  # fmt: skip
        return WeeklyReview(
            campaign_id, week, start, end,
            spend=sum(r.spend for r in spent),
            gmv=results.gmv,
            orders=results.payments,
            new_customers=results.new_users,
            departments=tuple(_by_department(promotions, campaign)),
            promotions=tuple(flag_worst(promotions)),
        )  # fmt: skip


def _departments(campaign: Campaign) -> dict[str, str]:
    """Rule (promotion or coupon template) → its department, for those naming one."""
    found = {h.promotion.id: h.department for h in campaign.promotions if h.department}
    found.update({t.id: t.department for t in campaign.coupons if t.department})
    return found


def _by_department(rows: Sequence[ReviewRow], campaign: Campaign) -> list[ReviewRow]:
    totals: dict[str, list[int]] = {name: [0, 0, 0] for name in campaign.budget.departments}
    for row in rows:
        figures = totals.setdefault(row.department or NO_DEPARTMENT, [0, 0, 0])
        figures[0] += row.spend
        figures[1] += row.orders
        figures[2] += row.gmv
    return [
        ReviewRow(name, spend, count, gmv, cap=campaign.budget.departments.get(name))
        for name, (spend, count, gmv) in sorted(totals.items())
    ]
