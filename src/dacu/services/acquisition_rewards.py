"""One acquisition reward (a welcome, invite or share red packet), decided once per key.

The order: the risk check (block: none; review: held), the campaign's budget
(what is left must cover the coupon's face value), then one transaction that
records the decision, counts the inviter's or sharer's cap and draws the
mechanic's budget line; only the copy that recorded it issues the coupon, through
the coupon service's idempotent grant under the same key. A decision left
GRANTING a minute on (a crash between the two) is issued by the next ask.
"""

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.acquisition import Mechanic, Outcome, RewardRecord, face_value, reward_key
from dacu.domain.campaigns import Campaign
from dacu.domain.coupons import CouponTemplate, OutOfStock
from dacu.domain.errors import DomainError
from dacu.domain.growth import line_id
from dacu.domain.risk import Action, RiskQuery, Verdict
from dacu.domain.types import Fen
from dacu.services.ports.acquisition import AcquisitionStore, Cap, Draw
from dacu.services.ports.risk import RiskCheck

FRESH_S = 0.2  # how old this process's list of live campaigns may be
STUCK = timedelta(minutes=1)  # a reward still GRANTING this long after is issued again

_VERDICTS = {Verdict.BLOCK: Outcome.BLOCKED, Verdict.REVIEW: Outcome.HELD}
_LINES = {Mechanic.WELCOME: "welcome", Mechanic.INVITE: "invites", Mechanic.SHARE: "invites"}


class CouponGrants(Protocol):
    """The part of the coupon service a reward needs (`CouponService` has it)."""

    def template(self, template_id: str) -> CouponTemplate: ...

    def grant(
        self,
        template_id: str,
        customer_ids: Sequence[str],
        batch: str,
        now: datetime | None = None,
    ) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class Ask:
    """One reward to decide: which mechanic of which campaign, to whom, for whom."""

    mechanic: Mechanic
    campaign: Campaign
    coupon: str  # the template ("" when the mechanic gives no coupon)
    line_budget: Fen  # the mechanic's budget line (0: none carved, the campaign's budget)
    customer_id: str  # who is rewarded
    subject: str  # the new member it is for
    action: Action
    cap: Cap | None = None
    context: tuple[tuple[str, str], ...] = ()  # for the risk check: the referral, the tree


class OpenCampaigns:
    """The live campaigns as this process knows them, read again when 0.2 s old."""

    def __init__(
        self,
        live: Callable[[], list[Campaign]],
        fresh_s: float = FRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._live, self._fresh_s, self._clock = live, fresh_s, clock
        self._kept: tuple[float, list[Campaign]] = (-1e9, [])
        self._lock = threading.Lock()

    def at(self, now: datetime) -> list[Campaign]:
        """Every campaign open at `now` (live, within its phases), by id."""
        read_at, kept = self._kept
        if self._clock() - read_at >= self._fresh_s:
            kept = self._live()
            with self._lock:
                self._kept = (self._clock(), kept)
        return [campaign for campaign in kept if campaign.open_at(now)]


class RewardDesk:
    def __init__(
        self,
        store: AcquisitionStore,
        coupons: CouponGrants,
        risk: RiskCheck,
        left: Callable[[str], Fen],
    ) -> None:
        self._store, self._coupons, self._risk, self._left = store, coupons, risk, left

    def reward(self, ask: Ask, at: datetime) -> RewardRecord:
        """Decide and give the reward once per mechanic, campaign and new member."""
        value = self._value(ask.coupon)
        campaign_id = ask.campaign.id
        query = RiskQuery(
            ask.action, ask.customer_id, at, campaign_id, value, ask.subject, dict(ask.context)
        )
        decision = self._risk.assess(query)
        outcome = _VERDICTS.get(decision.verdict, Outcome.GRANTING)
        if outcome is Outcome.GRANTING and value and self._left(campaign_id) < value:
            outcome = Outcome.BUDGET_SPENT
        key = reward_key(ask.mechanic, campaign_id, ask.subject)
        asked = RewardRecord(
            key, ask.mechanic, campaign_id, ask.customer_id, ask.subject, outcome, ask.coupon,
            value, at,
        )  # fmt: skip
        draw = None
        if ask.line_budget:
            draw = Draw(line_id(campaign_id, _LINES[ask.mechanic]), value, ask.line_budget)
        record, made = self._store.decide(asked, ask.cap, draw)
        if record.outcome is not Outcome.GRANTING:
            return record
        if not made and at - record.at < STUCK:
            return record  # the copy that decided it is issuing it right now
        return self.finish(record, at)

    def finish(self, record: RewardRecord, at: datetime) -> RewardRecord:
        """Issue a GRANTING reward's coupon (once per key) and record how it ended."""
        issued = self._issue(record, at)
        self._store.settle(record.key, issued)
        return replace(record, outcome=issued)

    def finish_stuck(self, now: datetime) -> int:
        """Finish every reward left GRANTING a minute or more (`dacu sweep`); how many."""
        stuck = self._store.stuck(now - STUCK)
        return sum(self.finish(record, now).outcome is Outcome.ISSUED for record in stuck)

    def _value(self, coupon: str) -> Fen:
        if not coupon:
            return 0
        template = self._coupons.template(coupon)
        return face_value(template.off, template.max_off)

    def _issue(self, record: RewardRecord, at: datetime) -> Outcome:
        if not record.coupon:
            return Outcome.ISSUED
        try:
            given = self._coupons.grant(record.coupon, [record.customer_id], record.key, at)
        except DomainError:  # the campaign closed for claims a moment ago, or the like
            return Outcome.REFUSED
        said = given.get(record.customer_id)
        if said == "issued":
            return Outcome.ISSUED
        return Outcome.OUT_OF_STOCK if said == OutOfStock.code else Outcome.REFUSED
