"""A reward giver for the lottery until the platform's own (top-ups through the provider,
the physical fulfilment queue) is wired: coins and coupons are given at once, a top-up
is left pending and a physical prize awaits its address."""

from collections.abc import Callable, Sequence
from datetime import datetime

from dacu.domain.coins import CoinReason
from dacu.domain.errors import DomainError
from dacu.domain.rewards import Given, GivenStatus, Grant, RewardKind
from dacu.services.ports.coins import CoinLedger

CouponGrant = Callable[[str, Sequence[str], str, datetime | None], dict[str, str]]
"""`CouponService.grant(template_id, customer_ids, batch, now)`."""


class InterimGiver:
    """`RewardGiver`: once per `Grant.key`, as the coin ledger and coupon batches are."""

    def __init__(self, coins: CoinLedger, coupons: CouponGrant) -> None:
        self._coins, self._coupons = coins, coupons

    def give(self, grant: Grant) -> Given:
        reward = grant.reward
        if reward.kind is RewardKind.COINS:
            self._coins.earn(
                grant.customer_id,
                reward.coins,
                CoinReason.LOTTERY,
                grant.key,
                grant.at,
                grant.campaign_id,
            )
            return Given(grant.key, GivenStatus.GIVEN, f"coins:{reward.coins}")
        if reward.kind is RewardKind.COUPON:
            assert reward.coupon is not None
            try:
                outcome = self._coupons(reward.coupon, [grant.customer_id], grant.key, grant.at)
            except DomainError as refused:  # e.g. the template's campaign is paused
                return Given(grant.key, GivenStatus.PENDING, refused.code.value)
            found = outcome.get(grant.customer_id, "")
            status = GivenStatus.GIVEN if found == "issued" else GivenStatus.PENDING
            return Given(grant.key, status, found)
        if reward.kind is RewardKind.TOP_UP:
            return Given(grant.key, GivenStatus.PENDING)
        if reward.kind is RewardKind.PHYSICAL:
            return Given(grant.key, GivenStatus.AWAITING_ADDRESS)
        return Given(grant.key, GivenStatus.NOTHING)
