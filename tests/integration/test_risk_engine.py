"""The rules engine as the platform's risk check on real SQLite, PostgreSQL and Redis:
device farms blocked, households let through, decisions logged with their rules and
identity, blacklist entries and new rule versions seen by every process within about
a second."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from dacu.bootstrap import bootstrap
from dacu.domain.risk import Action, Identity, RiskQuery, Verdict
from dacu.domain.risk_rules import ListKind
from tests.integration.conftest import (
    POSTGRES,
    REDIS_PG,
    intake_of,
    postgres_engine,
    sqlite_engine,
)

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", POSTGRES, REDIS_PG])
def world(request, tmp_path):
    kind = "redis" if request.param == "redis+postgresql" else "sql"
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine, intake_of(kind) as (url, prefix):
        clock = Clock()
        yield engine, (lambda: bootstrap(engine, clock=clock, redis_url=url, redis_prefix=prefix))


def ask(platform, action, customer, at=NOW, amount=0, **identity):
    query = RiskQuery(action, customer, at, "launch", amount, identity=Identity(**identity))
    return platform.risk.assess(query)


def test_a_device_claiming_too_fast_is_blocked_and_logged(world):
    _, make = world
    platform = make()
    verdicts = [
        ask(platform, Action.COUPON_CLAIM, "c0", NOW + timedelta(seconds=i), device="dev-farm")
        for i in range(11)
    ]
    assert [d.verdict for d in verdicts[:10]] == [Verdict.ALLOW] * 10
    assert (verdicts[10].verdict, verdicts[10].reason) == (Verdict.BLOCK, "device_claims_hourly")
    logged = platform.risk_decisions.recent("c0")
    assert logged[0]["verdict"] == "block"
    assert "device_claims_hourly" in logged[0]["rules"]
    assert logged[0]["identity"]["device"] == "dev-farm"
    later = ask(
        platform,
        Action.COUPON_CLAIM,
        "c0",
        NOW + timedelta(hours=1, seconds=10),
        device="dev-farm",
    )
    assert later.verdict is Verdict.ALLOW


def test_a_device_behind_many_accounts_gets_them_no_second_welcome_and_no_coupons(world):
    _, make = world
    platform = make()
    # the first account of a device registers as anyone does; the second gets no rewards
    first = ask(platform, Action.REGISTRATION, "f0", NOW, device="dev-ring")
    second = ask(platform, Action.REGISTRATION, "f1", NOW, device="dev-ring")
    assert first.verdict is Verdict.ALLOW
    assert (second.verdict, second.reason) == (Verdict.BLOCK, "device_second_account")
    ask(platform, Action.LOGIN, "f2", NOW, device="dev-ring")
    # from the third account on the device, none of them claims or grabs
    for customer in ("f0", "f1", "f2"):
        claimed = ask(platform, Action.COUPON_CLAIM, customer, NOW, device="dev-ring")
        assert (claimed.verdict, claimed.reason) == (Verdict.BLOCK, "device_many_accounts")


def test_a_household_sharing_an_address_and_an_ip_is_never_blocked(world):
    _, make = world
    platform = make()
    family = [f"home-{i}" for i in range(6)]
    for i, member in enumerate(family):
        decision = ask(
            platform, Action.REGISTRATION_REWARD, member, NOW + timedelta(minutes=i),
            amount=2000, device=f"phone-{i}", ip="203.0.113.7", address="north-rd-1",
        )  # fmt: skip
        assert decision.verdict is not Verdict.BLOCK
    assert ask(platform, Action.CHECKOUT, "home-0", ip="203.0.113.7").verdict is Verdict.ALLOW


def test_a_blacklist_entry_and_a_new_version_reach_another_process(world):
    _, make = world
    one, two = make(), make()
    assert ask(two, Action.LOTTERY_DRAW, "c1", device="d1").verdict is Verdict.ALLOW
    one.risk_rules.blacklist(ListKind.DEVICE, "d1", "farm", "risk-1", NOW + timedelta(days=1))
    strict = {
        "rules": [
            {"kind": "velocity", "code": "one_a_minute", "actions": ["checkout"],
             "scope": "customer", "window_s": 60, "limit": 1},
        ]
    }  # fmt: skip
    assert one.risk_rules.apply(strict, "risk-1").version == 1
    time.sleep(1.2)  # every process re-reads within about a second
    assert ask(two, Action.CHECKOUT, "c9").verdict is Verdict.ALLOW
    second = ask(two, Action.CHECKOUT, "c9", NOW + timedelta(seconds=1))
    assert (second.verdict, second.reason) == (Verdict.REVIEW, "one_a_minute")
    default_again = {"rules": [strict["rules"][0] | {"code": "bl"} | {"kind": "blacklist",
        "kinds": ["device"], "actions": ["lottery_draw"], "verdict": "block"}]}  # fmt: skip
    for key in ("scope", "window_s", "limit"):
        default_again["rules"][0].pop(key)
    one.risk_rules.apply(default_again, "risk-2")
    time.sleep(1.2)
    blocked = ask(two, Action.LOTTERY_DRAW, "c1", device="d1")
    assert (blocked.verdict, blocked.reason) == (Verdict.BLOCK, "bl")
    assert ask(two, Action.LOTTERY_DRAW, "c1", NOW + timedelta(days=1), device="d1").allowed


def test_an_account_made_on_its_merchants_phone_gets_no_welcome(world):
    _, make = world
    platform = make()
    platform.risk_gate.staff_seen("m-shop", Identity(device="dev-shop", ip="10.9.9.9"))
    made = ask(platform, Action.REGISTRATION, "r0", NOW, device="dev-shop")
    assert (made.verdict, made.reason) == (Verdict.BLOCK, "device_second_account")
