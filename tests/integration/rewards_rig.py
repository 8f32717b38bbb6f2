"""The launch campaign (plan 000) applied on a platform, members with verified phones and
coins, and a clock the tests move: shared by the reward and redemption tests."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dacu.adapters.simulated_topups import SimulatedTopUps
from dacu.bootstrap import Platform, bootstrap
from dacu.bootstrap_rewards import redemptions_of, rewards_of
from dacu.domain.coins import CoinReason
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = "launch-2026-09"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MID_SEPTEMBER = datetime(2026, 9, 10, 10, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def launch_document(**redemption: object) -> dict:
    document = load_yaml((ROOT / "src/dacu/examples/launch.yaml").read_text(encoding="utf-8"))
    document["growth"]["redemption"].update(redemption)
    return document


def launched(
    engine, clock: Clock, topups: SimulatedTopUps | None = None, apply: bool = True, **redemption
) -> Platform:
    """A platform with the launch campaign applied (its redemption section changed as
    given; not applied again when `apply` is false) and the simulated top-up provider
    `topups`."""
    platform = bootstrap(engine, clock=clock)
    topups = topups or SimulatedTopUps()
    rewards = rewards_of(
        engine, platform.coupons, platform.coins, platform.alerts, clock, platform.new_id, topups
    )
    platform = replace(
        platform,
        rewards=rewards,
        redemptions=redemptions_of(
            engine, rewards, platform.risk, platform.campaigns, clock, platform.new_id
        ),
    )
    if apply:
        document, campaign = load_campaign(launch_document(**redemption))
        platform.campaigns.apply(document, campaign, "ops-lihua", clock())
    return platform


def member(platform: Platform, customer_id: str, coins: int = 0, phone: str = "") -> str:
    """A member with a verified phone holding `coins`."""
    number = phone or f"+86138{abs(hash(customer_id)) % 10**8:08d}"
    platform.profiles.put(customer_id, platform.clock(), phone=number, phone_verified=True)
    if coins:
        platform.coins.earn(
            customer_id, coins, CoinReason.SIGN_IN, f"seed:{customer_id}", platform.clock()
        )
    return customer_id
