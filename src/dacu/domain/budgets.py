"""Budgets as hard caps (费用预算, 004 财务规划): what the platform's shares may draw.

Every platform-funded share of a campaign's promotion or coupon is drawn from
the campaign's budget when the order is taken in, and given back when the
order is cancelled or the units refunded. The budget may be drawn up to its
total less the contingency reserve (预留 5–10%); the reserve opens only as an
operator releases it, part by part. A campaign stops funding as soon as what
is drawn would pass its cap — its platform-funded promotions and coupons stop
applying, and the quote says so. Only a campaign the platform funds nothing
of may have no budget (`check_funded`, held when its file is read).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from dacu.domain.budget_levels import check_levels
from dacu.domain.campaigns import Budget, Campaign
from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.pricing import Share
from dacu.domain.types import FULL_BP, Fen


class BudgetSpent(DomainError):
    """Drawing these shares would pass the budgets of `campaigns`."""

    code: ClassVar[ErrorCode] = ErrorCode.BUDGET_SPENT

    def __init__(self, campaigns: Iterable[str]) -> None:
        self.campaigns = frozenset(campaigns)
        named = ", ".join(sorted(self.campaigns))
        super().__init__(f"the budget of {named} is spent", "budget")


_FUNDED_AT = datetime(2000, 1, 1, tzinfo=UTC)  # any moment: who funds a coupon is timeless


def check_funded(campaign: Campaign) -> None:
    """Every reward the platform funds draws on a named budget: a campaign that funds any
    promotion or coupon needs one (a campaign only merchants fund may have none)."""
    if campaign.budget.carved > campaign.budget.total - reserve_of(campaign.budget):
        raise InvalidRule(
            "growth", "the mechanics' budgets add up to more than the budget less its reserve"
        )
    check_levels(campaign)
    if campaign.budget.total:
        return
    for i, held in enumerate(campaign.promotions):
        if held.promotion.platform_bp:
            raise InvalidRule(
                "budget.total", f"the platform funds promotions[{i}] ({held.promotion.id})"
            )
    for i, template in enumerate(campaign.coupons):
        if template.issue("check", _FUNDED_AT).platform_bp:
            raise InvalidRule("budget.total", f"the platform funds coupons[{i}] ({template.id})")


def reserve_of(budget: Budget) -> Fen:
    """The contingency reserve: closed until an operator releases it."""
    return budget.total * budget.contingency_bp // FULL_BP


def base_of(budget: Budget) -> Fen | None:
    """What may be drawn before any of the reserve is released; None: not capped."""
    if budget.total == 0:
        return None
    return budget.total - reserve_of(budget) - budget.carved


def draws(
    shares: Iterable[Share],
    funders: Mapping[str, str],
    levels: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Fen]:
    """The platform's part of `shares`, per campaign budget that funds it and per line
    below it (`levels`: rule → its promotion and department lines), positive for an
    order's discounts, negative for a refund's clawbacks read as given back."""
    drawn: dict[str, Fen] = {}
    for share in shares:
        campaign = funders.get(share.id)
        if campaign is not None and share.platform:
            for key in (campaign, *(levels or {}).get(share.id, ())):
                drawn[key] = drawn.get(key, 0) + share.platform
    return drawn


@dataclass(frozen=True, slots=True)
class BudgetFigures:
    """One campaign's budget as it stands: the caps and what is drawn against them."""

    campaign_id: str
    total: Fen
    reserve: Fen
    released: Fen  # of the reserve, by operators
    drawn: Fen  # by orders taken in and not cancelled, net of refunds
    burn: Fen  # paid, from the funding ledger (net of clawbacks)
    carved: Fen = 0  # the growth mechanics' lines, drawn apart

    @property
    def cap(self) -> Fen:
        return self.total - self.reserve - self.carved + self.released

    @property
    def left(self) -> Fen:
        return max(0, self.cap - self.drawn)

    @property
    def drawn_bp(self) -> int:
        return self.drawn * FULL_BP // self.total if self.total else 0

    def check_release(self, amount: Fen) -> None:
        """Releasing `amount` more of the reserve: positive, and within what is closed."""
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidRule("amount", "must be a positive number of fen")
        if self.total == 0:
            raise InvalidRule("amount", f"campaign {self.campaign_id} has no budget")
        closed = self.reserve - self.released
        if amount > closed:
            raise InvalidRule("amount", f"only {closed} fen of the reserve is still closed")


@dataclass(frozen=True, slots=True)
class LineFigures:
    """One growth mechanic's budget line: its amount and what its rewards drew."""

    name: str  # the mechanic: "lottery", "coins" …
    budget: Fen
    drawn: Fen

    @property
    def left(self) -> Fen:
        return max(0, self.budget - self.drawn)
