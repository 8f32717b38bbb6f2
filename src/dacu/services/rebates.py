"""Merchant rebates (商家返利): accrued from the server's paid and refunded facts, read
as statements per shop, marked settled by the settlement.

`RebateService` is a `FactListener`: the outbox hands it every batch of facts
before marking the batch delivered. Each paid or refunded order is one
transaction that first holds its customer's first-order row, so a fact
delivered twice, or by two workers at once, finds its accruals kept already
(one row per key) and draws the budget line once. An owed rebate posts its
ledger entry in that same transaction (`domain/rebate_entries.py`). See
`domain/rebates.py` for the rules.

Which campaign pays: one with `growth.merchant_codes` whose phases' span holds
the moment the order was placed, live or ended since (a late delivery of an
order placed in the month still counts), the member's referral campaign first
when it is one, else the first by id.
"""

import threading
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from dacu.domain.acquisition import MerchantCodes
from dacu.domain.campaigns import Campaign, CampaignStatus
from dacu.domain.events import EventKind
from dacu.domain.facts import Fact
from dacu.domain.rebate_entries import accrued_entry, reversed_entry
from dacu.domain.rebates import (
    DRAWS,
    Accrual,
    PaidOrder,
    RebateKind,
    RebateStatus,
    ShopTotals,
    first_order_key,
    first_order_shops,
    new_member_key,
    status_for,
    summed,
    totals,
)
from dacu.domain.risk import Action, RiskQuery
from dacu.services.outbox import CampaignDirectory
from dacu.services.ports.rebates import RebateBook, RebateStore
from dacu.services.ports.risk import RiskCheck

COUNTING = (CampaignStatus.LIVE, CampaignStatus.ENDED)


class RebateService:
    def __init__(self, store: RebateStore, campaigns: CampaignDirectory, risk: RiskCheck) -> None:
        self._store, self._campaigns, self._risk = store, campaigns, risk
        # replaced whole, never changed in place: the delivery's thread and the requests'
        # each read the copy they took
        self._known: dict[str, tuple[object, Campaign]] = {}
        self._refreshing = threading.Lock()

    # --- accrual: the outbox's listener -------------------------------------------------

    def take(self, facts: Sequence[Fact], now: datetime) -> None:
        """Accrue for paid first orders and reverse for whole refunds, once per fact key."""
        wanted = [
            f for f in facts if f.order_id and f.kind in (EventKind.PAYMENT, EventKind.REFUND)
        ]
        if not wanted:
            return
        known = self._refresh()
        if not any(self._rules(c) for _, c in known.values()):
            return
        for fact in wanted:
            if fact.kind is EventKind.PAYMENT:
                self._paid(fact, now)
            else:
                self._refunded(fact, now)

    def _paid(self, fact: Fact, now: datetime) -> None:
        assert fact.order_id is not None
        with self._store.book() as book:
            first, refunded = book.claim_first(fact.customer_id, fact.order_id)
            if first != fact.order_id or refunded:
                return  # not the customer's first paid order, or refunded whole already
            order = book.order(fact.order_id)
            if order is None or not book.verified(order.customer_id):
                return
            if order.fully_refunded:
                book.mark_refunded(order.customer_id)
                return
            self._new_member(book, order, now)
            self._first_order(book, order, now)

    def _new_member(self, book: RebateBook, order: PaidOrder, now: datetime) -> None:
        referral = book.merchant_referral(order.customer_id)
        if referral is None:
            return
        campaign = self._paying(order.placed_at, referral.campaign_id)
        if campaign is None:
            return
        rules = self._rules(campaign)
        assert rules is not None
        line = Accrual(
            new_member_key(order.customer_id),
            RebateKind.NEW_MEMBER,
            referral.shop,
            campaign.id,
            order.customer_id,
            order.id,
            order.paid.get(referral.shop, 0),
            rules.new_member_rebate,
            RebateStatus.ACCRUED,
            now,
        )
        self._accrue(book, rules, line)

    def _first_order(self, book: RebateBook, order: PaidOrder, now: datetime) -> None:
        campaign = self._paying(order.placed_at)
        if campaign is None:
            return
        rules = self._rules(campaign)
        assert rules is not None
        for shop in first_order_shops(rules, order.paid):
            line = Accrual(
                first_order_key(order.id, shop),
                RebateKind.FIRST_ORDER,
                shop,
                campaign.id,
                order.customer_id,
                order.id,
                order.paid[shop],
                rules.first_order_rebate,
                RebateStatus.ACCRUED,
                now,
            )
            self._accrue(book, rules, line)

    def _accrue(self, book: RebateBook, rules: MerchantCodes, line: Accrual) -> None:
        """Ask the risk check, keep the line once per key, draw the line's budget."""
        if line.amount <= 0:
            return
        decision = self._risk.assess(
            RiskQuery(
                Action.MERCHANT_REBATE,
                line.shop,
                line.at,
                line.campaign_id,
                line.amount,
                subject=line.key,
                context={"order": line.order_id, "member": line.customer_id},
            )
        )
        line = replace(line, status=status_for(decision.verdict), reason=decision.reason[:64])
        if not book.add(line) or line.status not in DRAWS:
            return
        if not book.draw(line.campaign_id, line.amount, rules.budget):
            book.move(line.key, RebateStatus.UNFUNDED, DRAWS, line.at)
        elif line.status is RebateStatus.ACCRUED:
            book.post(accrued_entry(line, line.at))

    def _refunded(self, fact: Fact, now: datetime) -> None:
        assert fact.order_id is not None
        with self._store.book() as book:
            first, refunded = book.claim_first(fact.customer_id, fact.order_id)
            if first != fact.order_id or refunded:
                return
            order = book.order(fact.order_id)
            if order is None or not order.fully_refunded:
                return  # a part refunded: the first order still stands
            book.mark_refunded(order.customer_id)
            for line in book.of_order(order.id):
                self._reverse(book, line, now)

    @staticmethod
    def _reverse(book: RebateBook, line: Accrual, now: datetime) -> None:
        """Reversed: its budget given back and, when it was owed (posted), its entry too."""
        if book.move(line.key, RebateStatus.REVERSED, (RebateStatus.ACCRUED,), now):
            book.post(reversed_entry(line, now))
        elif not book.move(line.key, RebateStatus.REVERSED, (RebateStatus.HELD,), now):
            return
        book.give(line.campaign_id, line.amount)

    # --- campaigns ------------------------------------------------------------------------

    def _paying(self, placed_at: datetime, preferred: str | None = None) -> Campaign | None:
        """The campaign whose merchant-code line pays for an order placed at `placed_at`."""
        found = [
            campaign
            for _, (_, campaign) in sorted(self._known.items())  # the copy last refreshed
            if self._rules(campaign) is not None
            and campaign.status in COUNTING
            and _spans(campaign, placed_at)
        ]
        chosen = [c for c in found if c.id == preferred] or found
        return chosen[0] if chosen else None

    @staticmethod
    def _rules(campaign: Campaign) -> MerchantCodes | None:
        return campaign.growth.merchant_codes

    def _refresh(self) -> dict[str, tuple[object, Campaign]]:
        """The campaigns as they stand, loading only those that changed since last asked."""
        with self._refreshing:
            known = dict(self._known)
            for record in self._campaigns.list():
                stamp = (record.revision, record.version, record.status)
                held = known.get(record.id)
                if held is None or held[0] != stamp:
                    known[record.id] = (stamp, self._campaigns.campaign(record.id))
            self._known = known
            return known

    # --- statements and settlement ----------------------------------------------------------

    def campaigns(self) -> list[str]:
        """The campaigns that run merchant codes, by id."""
        known = self._refresh()
        return sorted(cid for cid, (_, c) in known.items() if self._rules(c) is not None)

    def statement(self, campaign_id: str, shop: str) -> tuple[ShopTotals, list[Accrual]]:
        """A shop's totals and every accrual line of the campaign, oldest first."""
        lines = self._store.accruals(campaign_id, [shop])
        return totals(shop, campaign_id, lines), lines

    def shops(self, campaign_id: str, shops: Collection[str] | None = None) -> list[ShopTotals]:
        """Each shop's totals in the campaign (only `shops`, when named), by shop."""
        found = self._store.sums(campaign_id, shops)
        return [summed(shop, campaign_id, sums) for shop, sums in sorted(found.items())]

    def burn(self, campaign_id: str) -> tuple[int, int, int]:
        """(owed to shops, drawn from the line, the line's budget) in fen."""
        known = self._refresh().get(campaign_id)
        rules = None if known is None else self._rules(known[1])
        owed = sum(shop.owed for shop in self.shops(campaign_id))
        budget = 0 if rules is None else rules.budget
        return owed, self._store.line_drawn(campaign_id), budget

    def decide_held(self, key: str, allow: bool, now: datetime) -> bool:
        """A risk review's outcome for a held rebate: allowed, it is accrued (its budget
        was set aside when it was held) and posted to the ledger; refused, its budget is
        given back. False when the rebate is not held (decided already, or reversed)."""
        to = RebateStatus.ACCRUED if allow else RebateStatus.REFUSED
        with self._store.book() as book:
            line = book.line(key)
            if line is None or not book.move(key, to, (RebateStatus.HELD,), now):
                return False
            if allow:
                book.post(accrued_entry(line, now))
            else:
                book.give(line.campaign_id, line.amount)
        return True

    def settle(self, campaign_id: str, shop: str, now: datetime) -> int:
        """Mark the shop's accrued rebates of the campaign settled (the settlement's
        step, after the month); returns how many. Held, unfunded, refused and reversed
        lines stay as they are. Paying out is the settlement's own."""
        moved = 0
        with self._store.book() as book:
            for line in self._store.accruals(campaign_id, [shop]):
                if line.status is RebateStatus.ACCRUED:
                    only = (RebateStatus.ACCRUED,)
                    moved += book.move(line.key, RebateStatus.SETTLED, only, now)
        return moved


def _spans(campaign: Campaign, moment: datetime) -> bool:
    try:
        return campaign.span.contains(moment)
    except ValueError:  # no phase with a start and an end
        return False
