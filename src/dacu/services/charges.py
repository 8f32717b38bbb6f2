"""Merchant charges recorded by operators: main-venue ad spend and its rebate
(广告费返现), and violation penalties (违规罚款), each with its ledger entry in the
transaction that records it (`domain/penalties.py` holds the rules).

Ad spend is idempotent by its reference (one record per campaign, shop and
reference); the shop's total earned row is held while a record is computed, so
concurrent records of one shop never pass the cap. A penalty is idempotent by
its Idempotency-Key; its withdrawal posts a reversal and is audited.
"""

import hashlib
from collections.abc import Callable, Collection
from datetime import datetime

from dacu.domain.campaigns import Campaign
from dacu.domain.errors import IdempotencyConflict, InvalidRule
from dacu.domain.penalties import (
    AdSpend,
    NoAdRebate,
    Penalty,
    PenaltyKind,
    UnknownPenalty,
    ad_rebate_entry,
    penalty_entry,
    rebate_of,
    withdrawal_entry,
)
from dacu.domain.shipments import check_text
from dacu.services.ports.shipping import ChargeStore


class ChargeService:
    def __init__(
        self,
        store: ChargeStore,
        campaign: Callable[[str], Campaign],
        shop_exists: Callable[[str], object],
        clock: Callable[[], datetime],
    ) -> None:
        self._store, self._campaign, self._shop, self._clock = store, campaign, shop_exists, clock

    # --- ad spend ---------------------------------------------------------------------

    def record_spend(
        self, campaign_id: str, shop: str, spend: int, reference: str, actor: str
    ) -> tuple[AdSpend, bool]:
        """Record the shop's ad spend once per reference; (record, created). The same
        reference with another amount is refused."""
        reference = check_text("reference", reference)
        policy = self._campaign(campaign_id).settlement.ad_rebate
        if policy is None:
            raise NoAdRebate(f"campaign {campaign_id} has no ad_rebate policy", "campaign_id")
        self._shop(shop)
        now = self._clock()
        with self._store.book() as book:
            earned = book.hold_earned(campaign_id, shop)
            record = AdSpend(campaign_id, shop, reference, spend, 0, actor, now)
            found = book.spend(record.key)
            if found is not None:
                if found.spend != spend:
                    raise IdempotencyConflict(
                        f"reference {reference} recorded {found.spend} fen already", "reference"
                    )
                return found, False
            record = AdSpend(
                campaign_id, shop, reference, spend, rebate_of(spend, policy, earned), actor, now
            )
            book.add_spend(record)
            entry = ad_rebate_entry(record)
            if entry is not None:
                book.ledger.post(entry)
            return record, True

    def spends(self, campaign_id: str, shops: Collection[str] | None = None) -> list[AdSpend]:
        self._campaign(campaign_id)
        return self._store.spends(campaign_id, shops)

    # --- penalties --------------------------------------------------------------------

    def penalize(
        self,
        campaign_id: str,
        shop: str,
        kind: PenaltyKind,
        amount: int,
        reason: str,
        evidence: str,
        actor: str,
        key: str,
    ) -> tuple[Penalty, bool]:
        """Record a violation's penalty once per Idempotency-Key; (penalty, created)."""
        self._campaign(campaign_id)
        self._shop(shop)
        request_hash = _hash(campaign_id, shop, kind.value, str(amount), reason, evidence)
        penalty_id = "pen-" + _hash(actor, key)[:20]
        penalty = Penalty(
            penalty_id, campaign_id, shop, kind, amount, reason.strip(), evidence, actor,
            self._clock(),
        )  # fmt: skip
        with self._store.book() as book:
            found = book.penalty_by_key(actor, key)
            if found is None and book.add_penalty(penalty, actor, key, request_hash):
                book.ledger.post(penalty_entry(penalty))
                return penalty, True
            found = found or book.penalty_by_key(actor, key)
        assert found is not None
        if found[1] != request_hash:
            raise IdempotencyConflict("this Idempotency-Key recorded a different penalty")
        return found[0], False

    def withdraw(self, penalty_id: str, actor: str, reason: str) -> Penalty:
        """Withdraw (撤销) a penalty: its reversal posted, the change audited. Withdrawing
        a withdrawn penalty gives it back unchanged."""
        reason = reason.strip()
        if not reason:
            raise InvalidRule("reason", "say why the penalty is withdrawn")
        with self._store.book() as book:
            penalty = book.held_penalty(penalty_id)
            if penalty is None:
                raise UnknownPenalty(penalty_id)
            after = penalty.withdraw(actor, reason, self._clock())
            if after is penalty:
                return penalty
            if book.withdrawn(penalty, after):
                book.ledger.post(withdrawal_entry(after))
            return after

    def penalties(self, campaign_id: str, shops: Collection[str] | None = None) -> list[Penalty]:
        self._campaign(campaign_id)
        return self._store.penalties(campaign_id, shops)

    def penalty(self, penalty_id: str, shops: Collection[str] | None = None) -> Penalty:
        found = self._store.penalty(penalty_id)
        if found is None or (shops is not None and found.shop not in shops):
            raise UnknownPenalty(penalty_id)
        return found


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
