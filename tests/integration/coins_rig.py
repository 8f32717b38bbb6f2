"""A platform with the launch campaign (plan 000) applied and live, for coin and task tests."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dacu.bootstrap import Platform, bootstrap
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAUNCH = Path(__file__).resolve().parents[2] / "src/dacu/examples/launch.yaml"
CAMPAIGN = "launch-2026-09"
DAY_ONE = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def launch_document(**coins: int) -> dict:
    document = load_yaml(LAUNCH.read_text("utf-8"))
    document["growth"]["coins"].update(coins)
    return document


def launch_platform(engine, clock: Clock, **coins: int) -> Platform:
    platform = bootstrap(engine, clock=clock)
    platform.campaigns.apply(*load_campaign(launch_document(**coins)), "ops-lihua", clock())
    return platform


def member(platform: Platform, customer_id: str, verified: bool = True) -> str:
    platform.profiles.put(customer_id, platform.clock(), phone_verified=verified)
    return customer_id
