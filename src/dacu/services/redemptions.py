"""Coin redemptions (赚币换购, plan 000 §4): coins for a top-up or a fuel card.

The server owns every fact: the client names an item and a quantity; the price in
coins, the value drawn from the `redemption` budget line and the stock are the
campaign file's. The risk check is asked first; then coins, stock, budget and the
rewards are taken in one transaction (`RedemptionStore`), once per Idempotency-Key;
then each reward is given through the `RewardGiver`.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.campaigns import Campaign, CampaignStateError
from dacu.domain.errors import IdempotencyConflict, InvalidRule
from dacu.domain.fulfilment import RewardStatus
from dacu.domain.growth import line_id
from dacu.domain.redemption import NotVerified, Redeemed, Redemption, RedemptionItem, check_qty
from dacu.domain.risk import NOBODY, Action, Identity, RiskBlocked, RiskQuery, Verdict
from dacu.services.ports.fulfilment import RewardStore
from dacu.services.ports.fulfilment_redemptions import RedemptionAsk, RedemptionStore
from dacu.services.ports.risk import RiskCheck
from dacu.services.rewards import FIRST, RewardService

FRESH_S = 0.2  # a campaign read this long ago is read again
LINE = "redemption"


@dataclass(frozen=True, slots=True)
class CatalogItem:
    item: RedemptionItem
    left: int

    @property
    def in_stock(self) -> bool:
        return self.left > 0


@dataclass(frozen=True, slots=True)
class Catalog:
    campaign_id: str
    items: tuple[CatalogItem, ...]
    budget: int  # the line, fen
    drawn: int  # what redemptions drew from it, fen


class RedemptionService:
    def __init__(
        self,
        store: RedemptionStore,
        rewards: RewardService,
        records: RewardStore,
        risk: RiskCheck,
        campaign: Callable[[str], Campaign],
        is_open: Callable[[str, datetime], bool],
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
    ) -> None:
        self._store, self._rewards, self._records, self._risk = store, rewards, records, risk
        self._campaign, self._is_open = campaign, is_open
        self._clock, self._new_id = clock, new_id
        self._seen: dict[str, tuple[float, Campaign]] = {}

    def rules(self, campaign_id: str) -> Redemption:
        """The campaign's catalog, as this process read it at most `FRESH_S` ago."""
        seen = self._seen.get(campaign_id)
        if seen is None or time.monotonic() - seen[0] > FRESH_S:
            seen = (time.monotonic(), self._campaign(campaign_id))
            self._seen[campaign_id] = seen
        found = seen[1].growth.redemption
        if found is None:
            raise InvalidRule("campaign", f"campaign {campaign_id} has no redemption catalog")
        return found

    def catalog(self, campaign_id: str) -> Catalog:
        rules = self.rules(campaign_id)
        taken = self._store.taken(campaign_id)
        items = tuple(CatalogItem(i, max(0, i.stock - taken.get(i.id, 0))) for i in rules.items)
        drawn = self._store.drawn(line_id(campaign_id, LINE))
        return Catalog(campaign_id, items, rules.budget, drawn)

    def redeem(
        self,
        campaign_id: str,
        customer_id: str,
        item_id: str,
        qty: int,
        key: str,
        identity: Identity = NOBODY,
    ) -> Redeemed:
        """Spend coins on `qty` of an item, once per `key` (the customer's
        Idempotency-Key); then give the rewards."""
        now = self._clock()
        rules, qty = self.rules(campaign_id), check_qty(qty)
        item = rules.item(item_id)
        earlier = self._store.find(f"{customer_id}:{key}")
        if earlier is not None:  # a retry: the same answer, whatever has changed since
            if (earlier.campaign_id, earlier.item_id, earlier.qty) != (campaign_id, item_id, qty):
                raise IdempotencyConflict(
                    "this Idempotency-Key was used for another redemption", "Idempotency-Key"
                )
            return self._deliver(earlier, now)
        if not self._is_open(campaign_id, now):
            raise CampaignStateError(f"campaign {campaign_id} is not live", "campaign")
        if self._records.phone_of(customer_id) is None:
            raise NotVerified()
        status = self._assess(campaign_id, customer_id, item, qty, now, identity)
        ask = RedemptionAsk(
            id=self._new_id(),
            key=f"{customer_id}:{key}",
            campaign_id=campaign_id,
            customer_id=customer_id,
            item=item,
            qty=qty,
            line=line_id(campaign_id, LINE),
            line_budget=rules.budget,
            status=status,
            reward_ids=tuple(self._new_id() for _ in range(qty)),
            at=now,
        )
        redeemed, _ = self._store.redeem(ask)
        return self._deliver(redeemed, now)

    def _deliver(self, redeemed: Redeemed, now: datetime) -> Redeemed:
        """Give what was recorded and not given yet (a held redemption waits)."""
        if redeemed.held:
            return redeemed
        for reward_id in redeemed.rewards:
            found = self._records.get(reward_id)
            if found is not None and found.status is RewardStatus.NEW:
                self._rewards.deliver(found, now)
        return redeemed

    def _assess(
        self,
        campaign_id: str,
        customer_id: str,
        item: RedemptionItem,
        qty: int,
        now: datetime,
        identity: Identity,
    ) -> RewardStatus:
        decision = self._risk.assess(
            RiskQuery(
                Action.COIN_REDEMPTION,
                customer_id,
                now,
                campaign_id,
                amount=item.reward.value * qty,
                subject=item.id,
                identity=identity,
            )
        )
        if decision.verdict is Verdict.BLOCK:
            raise RiskBlocked()
        return RewardStatus.HELD if decision.verdict is Verdict.REVIEW else FIRST[item.reward.kind]
