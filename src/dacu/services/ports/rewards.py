"""Giving a reward (`domain/rewards.py`): a coupon into the wallet, coins into the
ledger, a top-up through the provider, a physical prize into the fulfilment queue.

Whoever decided the reward (a lottery draw, a redemption, an invite) has
already drawn its budget line and checked its risk; the giver only delivers,
once per `Grant.key`, however often it is asked.
"""

from typing import Protocol

from dacu.domain.rewards import Given, Grant


class RewardGiver(Protocol):
    def give(self, grant: Grant) -> Given: ...
