"""Budgets below the campaign's (分部门限额管理, 004 财务规划): departments and promotions.

A campaign's budget is split between its departments (市场 market, 运营
operations, 物流 logistics … — the keys of `budget.departments`), and a
promotion or coupon template may name its department and carry its own cap.
The platform-funded share of such a rule draws, besides the campaign's line,
its promotion line and its department line — each a hard cap drawn in the
same conditional upsert as the campaign's (`budget_draws`), so the first
level that is spent stops the rule. Only the campaign's reserve is released
by approval; the lines below it are fixed by the file.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dacu.domain.errors import InvalidRule
from dacu.domain.growth import line_id
from dacu.domain.types import FULL_BP, Fen

if TYPE_CHECKING:
    from dacu.domain.campaigns import Campaign

DEPARTMENT = "department"
PROMOTION = "promotion"


def department_line(campaign_id: str, department: str) -> str:
    """The budget id of a department's line (`budget_draws.campaign_id`)."""
    return line_id(campaign_id, f"{DEPARTMENT}:{department}")


def promotion_line(campaign_id: str, rule_id: str) -> str:
    """The budget id of a promotion's (or coupon template's) own cap."""
    return line_id(campaign_id, f"{PROMOTION}:{rule_id}")


def rule_levels(
    campaign_id: str, rule_id: str, department: str | None, budget: Fen | None
) -> tuple[str, ...]:
    """The lines a rule's platform share draws besides the campaign's."""
    found = []
    if budget is not None:
        found.append(promotion_line(campaign_id, rule_id))
    if department is not None:
        found.append(department_line(campaign_id, department))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Level:
    """One capped line below the campaign: what it is, and its cap."""

    key: str  # the budget id drawn
    kind: str  # DEPARTMENT or PROMOTION
    name: str  # the department, or the promotion / coupon template id
    cap: Fen
    department: str | None = None  # a promotion's department


def levels_of(campaign: "Campaign") -> list[Level]:
    """Every department and promotion line of the campaign, departments first."""
    found = [
        Level(department_line(campaign.id, name), DEPARTMENT, name, cap)
        for name, cap in sorted(campaign.budget.departments.items())
    ]
    for rule_id, department, budget in _rules(campaign):
        if budget is not None:
            key = promotion_line(campaign.id, rule_id)
            found.append(Level(key, PROMOTION, rule_id, budget, department))
    return found


def rule_map(campaign: "Campaign") -> dict[str, tuple[str, ...]]:
    """Promotion id → the lines its platform share draws besides the campaign's."""
    found = {}
    for held in campaign.promotions:
        lines = rule_levels(campaign.id, held.promotion.id, held.department, held.budget)
        if lines:
            found[held.promotion.id] = lines
    return found


def _rules(campaign: "Campaign") -> Iterable[tuple[str, str | None, Fen | None]]:
    for held in campaign.promotions:
        yield held.promotion.id, held.department, held.budget
    for template in campaign.coupons:
        yield template.id, template.department, template.budget


def check_levels(campaign: "Campaign") -> None:
    """Departments, promotions and coupon templates fit: known departments, and the
    sums within the campaign's total less its reserve (and each department's cap)."""
    budget = campaign.budget
    room = budget.total - budget.total * budget.contingency_bp // FULL_BP
    if sum(budget.departments.values()) > room:
        raise InvalidRule(
            "budget.departments", f"add up to more than the total less its reserve ({room} fen)"
        )
    per_department: dict[str, Fen] = {}
    capped = 0
    wheres = [f"promotions[{i}]" for i in range(len(campaign.promotions))]
    wheres += [f"coupons[{i}]" for i in range(len(campaign.coupons))]
    for where, (_, department, cap) in zip(wheres, _rules(campaign), strict=True):
        _check_rule(where, department, cap, budget.departments)
        capped += cap or 0
        if department is not None and cap is not None:
            per_department[department] = per_department.get(department, 0) + cap
    if capped > room - budget.carved:
        raise InvalidRule(
            "promotions", "their budgets add up to more than the campaign's budget may draw"
        )
    _check_departments(per_department, budget.departments)


def _check_rule(
    where: str, department: str | None, cap: Fen | None, departments: Mapping[str, Fen]
) -> None:
    if department is not None and department not in departments:
        known = ", ".join(sorted(departments)) or "none"
        raise InvalidRule(
            f"{where}.department", f"{department} is not one of budget.departments ({known})"
        )
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap <= 0):
        raise InvalidRule(f"{where}.budget", "must be a positive number of fen")


def _check_departments(drawn: Mapping[str, Fen], departments: Mapping[str, Fen]) -> None:
    for name, amount in sorted(drawn.items()):
        if amount > departments[name]:
            raise InvalidRule(
                f"budget.departments.{name}",
                f"its promotions' budgets add up to {amount} fen, over its {departments[name]}",
            )
