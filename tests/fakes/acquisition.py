"""An in-memory `AcquisitionStore` (services/ports/acquisition.py): one decision per key,
caps and budget lines taken together, under one lock as one transaction would be."""

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from dacu.domain.acquisition import Outcome, Referral, ReferralKind, RewardRecord, Share
from dacu.services.ports.acquisition import Cap, Draw, Figures


class FakeAcquisitionStore:
    def __init__(self, lines: dict[str, int] | None = None) -> None:
        self.codes: dict[ReferralKind, dict[str, str]] = {k: {} for k in ReferralKind}
        self.referrals: dict[str, Referral] = {}
        self.shares: dict[str, Share] = {}
        self.rewards: dict[str, RewardRecord] = {}
        self.counts: dict[str, int] = {}
        self.taken: dict[str, tuple[str, int]] = {}  # key → the line drawn and how much
        self.drawn: dict[str, int] = dict(lines or {})
        self._lock = threading.Lock()

    def _code(self, kind: ReferralKind, owner: str, make: Callable[[], str]) -> str:
        with self._lock:
            mine = {o: c for c, o in self.codes[kind].items()}
            if owner not in mine:
                code = make()
                while code in self.codes[kind]:
                    code = make()
                self.codes[kind][code] = owner
                return code
            return mine[owner]

    def invite_code(self, customer_id: str, make: Callable[[], str], at: datetime) -> str:
        return self._code(ReferralKind.INVITE, customer_id, make)

    def merchant_code(self, shop_id: str, make: Callable[[], str], at: datetime) -> str:
        return self._code(ReferralKind.MERCHANT, shop_id, make)

    def owner_of(self, kind: ReferralKind, code: str) -> str | None:
        return self.codes[kind].get(code)

    def refer(self, referral: Referral) -> bool:
        with self._lock:
            if referral.customer_id in self.referrals:
                return False
            self.referrals[referral.customer_id] = referral
            return True

    def referral(self, customer_id: str) -> Referral | None:
        return self.referrals.get(customer_id)

    def known(self, customer_id: str) -> bool:
        return True  # every id names a customer here

    def invitees(self, referrer: str, limit: int = 200) -> list[Referral]:
        found = [
            r
            for r in self.referrals.values()
            if r.kind is ReferralKind.INVITE and r.referrer == referrer
        ]
        return sorted(found, key=lambda r: r.at, reverse=True)[:limit]

    def invitee_count(self, referrer: str) -> int:
        return len(self.invitees(referrer, 10**9))

    def share(self, share: Share, at: datetime) -> Share:
        with self._lock:
            for held in self.shares.values():
                same = (held.sharer, held.target, held.target_id, held.day)
                if same == (share.sharer, share.target, share.target_id, share.day):
                    return held
            self.shares[share.token] = share
            return share

    def opened(self, token: str) -> Share | None:
        with self._lock:
            found = self.shares.get(token)
            if found is None:
                return None
            self.shares[token] = replace(found, opens=found.opens + 1)
            return self.shares[token]

    def find_share(self, token: str) -> Share | None:
        return self.shares.get(token)

    def decide(
        self, record: RewardRecord, cap: Cap | None, draw: Draw | None
    ) -> tuple[RewardRecord, bool]:
        with self._lock:
            if record.key in self.rewards:
                return self.rewards[record.key], False
            outcome = record.outcome
            if outcome is Outcome.GRANTING and cap is not None:
                if self.counts.get(cap.key, 0) + 1 > cap.limit:
                    outcome = Outcome.CAPPED
                else:
                    self.counts[cap.key] = self.counts.get(cap.key, 0) + 1
            if outcome is Outcome.GRANTING and draw is not None:
                if self.drawn.get(draw.line, 0) + draw.amount > draw.base:
                    outcome = Outcome.BUDGET_SPENT
                    if cap is not None:
                        self.counts[cap.key] -= 1
                else:
                    self.drawn[draw.line] = self.drawn.get(draw.line, 0) + draw.amount
                    self.taken[record.key] = (draw.line, draw.amount)
            self.rewards[record.key] = replace(record, outcome=outcome)
            return self.rewards[record.key], True

    def settle(self, key: str, outcome: Outcome) -> None:
        with self._lock:
            if self.rewards[key].outcome is not Outcome.GRANTING:
                return
            self.rewards[key] = replace(self.rewards[key], outcome=outcome)
            line, amount = self.taken.pop(key, ("", 0))
            if outcome is not Outcome.ISSUED and amount:
                self.drawn[line] -= amount

    def stuck(self, before: datetime, limit: int = 500) -> list[RewardRecord]:
        found = [
            r for r in self.rewards.values() if r.outcome is Outcome.GRANTING and r.at < before
        ]
        return found[:limit]

    def rewards_of(self, customer_id: str) -> list[RewardRecord]:
        return [r for r in self.rewards.values() if r.customer_id == customer_id]

    def figures(self, campaign_id: str, since: datetime, full: bool = True) -> Figures:
        outcomes: dict[str, dict[str, int]] = {}
        for r in self.rewards.values():
            if r.campaign_id == campaign_id:
                by = outcomes.setdefault(r.mechanic.value, {})
                by[r.outcome.value] = by.get(r.outcome.value, 0) + 1
        return Figures(outcomes, [], 0, [], 0, 0)
