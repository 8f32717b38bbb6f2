"""Budgets as hard caps at quote and checkout, and the reserve operators release.

A quote prices as usual; when some of its platform share is funded by a
campaign budget whose cap it would pass (by the hot figure, a quarter of a
second old at most), that campaign's platform-funded promotions and coupons
are left out and the cart priced again — the quote's warnings say which
budget is spent. Checkout draws the shares in the same atomic step that takes
the stock (`OrderIntake.accept`); a draw refused there prices the cart again
without that budget, so a storm of checkouts never spends past the cap.
"""

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import datetime

from dacu.domain.budgets import BudgetFigures, LineFigures, base_of, draws, reserve_of
from dacu.domain.campaigns import Campaign
from dacu.domain.errors import IdempotencyConflict, InvalidRule
from dacu.domain.growth import line_id
from dacu.domain.pricing import PriceResult, PromotionCatalog
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem
from dacu.services.budget_lines import line_bases, line_warning
from dacu.services.ports.budgets import BudgetFigures as HotFigures
from dacu.services.ports.unit_of_work import UnitOfWork

FRESH_S = 0.25
"""How old (seconds) the hot figures a quote trusts may be; checkout checks for real."""


def funders_of(
    result: PriceResult, catalog: PromotionCatalog, wallet: Sequence[WalletItem]
) -> dict[str, str]:
    """Rule id → the campaign whose budget funds its platform share, for the rules applied."""
    funded = {}
    by_coupon: dict[str, str] | None = None
    for share in result.applied:
        if not share.platform:
            continue
        campaign = catalog.budgets.get(share.id)
        if campaign is None:
            if by_coupon is None:
                by_coupon = {w.id: w.budget for w in wallet if w.budget and w.platform_bp}
            campaign = by_coupon.get(share.id)
        if campaign is not None:
            funded[share.id] = campaign
    return funded


def spent_warning(campaign_id: str) -> str:
    return (
        f"budget_spent: the budget of campaign {campaign_id} is spent; "
        "its platform-funded promotions and coupons do not apply"
    )


class BudgetCaps:
    """What a quote needs of the budgets: each capped campaign's base and what is left."""

    def __init__(
        self,
        figures: HotFigures,
        fresh_s: float = FRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._figures, self._fresh_s, self._clock = figures, fresh_s, clock
        self._kept: tuple[float, dict[str, Fen]] = (-1e9, {})
        self._lock = threading.Lock()

    def short(
        self, needs: Mapping[str, Fen], bases: Mapping[str, Fen], spent: AbstractSet[str]
    ) -> set[str]:
        """The capped campaigns of `needs` that cannot fund their part now (or were refused
        at checkout a moment ago)."""
        capped = [c for c in needs if c in bases]
        if not capped:
            return set()
        net = self._net(capped)
        return {c for c in capped if c in spent or net.get(c, 0) + needs[c] > bases[c]}

    def _net(self, campaign_ids: list[str]) -> dict[str, Fen]:
        read_at, kept = self._kept
        now = self._clock()
        if now - read_at < self._fresh_s and all(c in kept for c in campaign_ids):
            return kept
        found = self._figures.net(campaign_ids)
        fresh = {c: found.get(c, 0) for c in campaign_ids}
        with self._lock:
            if self._kept[0] == read_at:
                self._kept = (now, {**(kept if now - read_at < self._fresh_s else {}), **fresh})
        return fresh

    def forget(self) -> None:
        with self._lock:
            self._kept = (-1e9, {})


_kept_bases: tuple[tuple[Campaign, ...], dict[str, Fen]] = ((), {})


def bases_of(campaigns: Sequence[Campaign]) -> dict[str, Fen]:
    """The capped campaigns' bases (what may be drawn before the reserve is released),
    and the caps of their department and promotion lines: worked out again only when
    the campaigns are others than last time (callers only read the mapping)."""
    global _kept_bases
    these = tuple(campaigns)
    kept, bases = _kept_bases
    if len(kept) == len(these) and all(a is b for a, b in zip(kept, these, strict=True)):
        return bases
    found = line_bases(these)
    for campaign in these:
        base = base_of(campaign.budget)
        if base is not None:
            found[campaign.id] = base
    _kept_bases = (these, found)
    return found


def needs_of(
    result: PriceResult,
    funders: Mapping[str, str],
    levels: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Fen]:
    return draws(result.applied, funders, levels)


def with_funders(
    result: PriceResult,
    funders: dict[str, str],
    spent: set[str],
    levels: Mapping[str, tuple[str, ...]] | None = None,
) -> PriceResult:
    warned = tuple(line_warning(c) or spent_warning(c) for c in sorted(spent))
    return replace(
        result, budgets=funders, levels=dict(levels or {}), warnings=(*result.warnings, *warned)
    )


class BudgetService:
    """The finance and operator side: figures, and releasing the contingency reserve."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        figures: HotFigures,
        campaign: Callable[[str], Campaign],
        clock: Callable[[], datetime],
        moved: Callable[[Mapping[str, Fen]], None] = lambda _: None,
    ) -> None:
        self._uow, self._figures, self._campaign = uow, figures, campaign
        self._clock, self._moved = clock, moved

    def figures(self, campaign_id: str) -> BudgetFigures:
        budget = self._campaign(campaign_id).budget
        with self._uow() as uow:
            drawn, released = uow.budgets.drawn(campaign_id)
            burn = uow.budgets.burn(campaign_id)
        return BudgetFigures(
            campaign_id, budget.total, reserve_of(budget), released, drawn, burn, budget.carved
        )

    def lines(self, campaign_id: str) -> list[LineFigures]:
        """The growth mechanics' budget lines, carved out of the campaign's budget."""
        lines = self._campaign(campaign_id).growth.lines()
        with self._uow() as uow:
            return [
                LineFigures(name, amount, uow.budgets.drawn(line_id(campaign_id, name))[0])
                for name, amount in lines.items()
            ]

    def releases(self, campaign_id: str) -> list[tuple[Fen, str, str, datetime]]:
        self._campaign(campaign_id)  # UnknownCampaign first
        with self._uow() as uow:
            return uow.budgets.releases(campaign_id)

    def release(
        self, campaign_id: str, amount: Fen, actor: str, reason: str, key: str
    ) -> BudgetFigures:
        """Open `amount` fen more of the reserve (应急预算), on record and in the audit log
        (one transaction), once per Idempotency-Key; every process sees it within its
        quarter second."""
        if not reason.strip():
            raise InvalidRule("reason", "say why the reserve is opened")
        now = self._clock()
        with self._uow() as uow:
            earlier = uow.budgets.released_by(campaign_id, key)
        if earlier is None:
            self.figures(campaign_id).check_release(amount)
            with self._uow() as uow:
                earlier = uow.budgets.release(campaign_id, amount, actor, reason.strip(), now, key)
        if earlier is not None and earlier != amount:
            raise IdempotencyConflict(f"Idempotency-Key {key} released {earlier} fen already")
        return self.opened(campaign_id, amount)

    def opened(self, campaign_id: str, amount: Fen) -> BudgetFigures:
        """`amount` more of the reserve was opened (here or by an approval's transaction):
        every process sees it within its quarter second."""
        self._figures.forget(campaign_id)
        self._moved({campaign_id: -amount})
        return self.figures(campaign_id)
