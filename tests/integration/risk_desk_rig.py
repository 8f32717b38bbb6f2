"""A platform with held rewards for the review desk's tests, and a clock they move."""

from datetime import datetime
from zoneinfo import ZoneInfo

from dacu.bootstrap import Platform, bootstrap
from dacu.domain.rewards import Grant, Reward, RewardKind

NOW = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def desk_platform(engine, clock: Clock | None = None) -> Platform:
    return bootstrap(engine, clock=clock or Clock())


def held_reward(platform: Platform, customer: str, key: str, coins: int = 50) -> str:
    """A coins reward held for review by the rewards service; its id."""
    grant = Grant(
        Reward(RewardKind.COINS, name="50 coins", value=coins, coins=coins),
        customer,
        "c-risk",
        key,
        platform.clock(),
        "lottery",
    )
    platform.rewards.hold(grant)
    return next(r.id for r in platform.rewards.mine(customer) if r.key == key)
