"""The lottery's use cases on SQLite and PostgreSQL: the risk check before every draw
(block: refused, the chance kept; review: the prize drawn and held), chances granted once
per key and only to verified members, and a prize given once even when giving failed and
the draw is retried."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.coin_store import SqlCoinLedger
from dacu.adapters.customer_store import SqlCustomers
from dacu.adapters.lottery_store import SqlDrawEngine, SqlLotteryBook
from dacu.domain.growth import Growth
from dacu.domain.lottery import ChanceReason, Lottery, NoChance, NotVerified, Prize
from dacu.domain.rewards import Given, Grant, Reward, RewardKind
from dacu.domain.risk import RiskBlocked, RiskDecision, RiskQuery, Verdict
from dacu.services.lottery import LotteryService
from dacu.services.lottery_giver import InterimGiver

pytestmark = pytest.mark.integration
AT = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
COINS = Prize("coins-10", "10个智慧币", Reward(RewardKind.COINS, coins=10, value=7), 1, None)
THANKS = Prize("thanks", "谢谢参与", Reward(RewardKind.NOTHING), 1, None)
LOTTERY = Lottery((COINS, THANKS), budget=1_000)


class Campaigns:
    open = True

    def campaign(self, campaign_id: str) -> SimpleNamespace:
        return SimpleNamespace(id=campaign_id, growth=Growth(lottery=LOTTERY))

    def is_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool:
        return self.open


class Risk:
    verdict = Verdict.ALLOW

    def assess(self, query: RiskQuery) -> RiskDecision:
        return RiskDecision(self.verdict)


class Flaky:
    """Fails its first delivery, then gives as the interim giver does."""

    def __init__(self, inner: InterimGiver) -> None:
        self.inner, self.calls = inner, 0

    def give(self, grant: Grant) -> Given:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("the provider is down")
        return self.inner.give(grant)


@pytest.fixture
def rig(engine):
    risk, coins = Risk(), SqlCoinLedger(engine)
    giver = Flaky(InterimGiver(coins, lambda *_: {}))
    giver.calls = 1  # not flaky unless a test says so
    ids = iter(range(10**6))
    service = LotteryService(
        SqlLotteryBook(engine), SqlDrawEngine(engine), Campaigns(), risk, giver,
        lambda: AT, lambda: f"d{next(ids)}", lambda: 0,  # roll 0: the coins, always
    )  # fmt: skip
    profiles = SqlCustomers(engine)
    profiles.put("ann", AT, phone_verified=True)
    profiles.put("bob", AT, phone_verified=False)
    return service, risk, giver, coins


def test_chances_are_granted_once_per_key_and_only_to_verified_members(rig):
    service, *_ = rig
    assert service.grant("c", "ann", 1, ChanceReason.ALL_TASKS, "all_tasks:2026-09-03")
    assert not service.grant("c", "ann", 1, ChanceReason.ALL_TASKS, "all_tasks:2026-09-03")
    assert not service.grant("c", "bob", 1, ChanceReason.ALL_TASKS, "all_tasks:2026-09-03")
    assert service.visit("c", "ann").left == 1 + 3  # the first visit's three besides
    assert service.visit("c", "bob").left == 0


def test_a_blocked_draw_keeps_its_chance(rig):
    service, risk, *_ = rig
    service.visit("c", "ann")
    risk.verdict = Verdict.BLOCK
    with pytest.raises(RiskBlocked):
        service.draw("c", "ann", "k1")
    assert service.visit("c", "ann").left == 3


def test_a_reviewed_draw_is_held_not_given(rig):
    service, risk, _, coins = rig
    service.visit("c", "ann")
    risk.verdict = Verdict.REVIEW
    drawn = service.draw("c", "ann", "k1")
    assert drawn.prize_id == "coins-10"
    assert drawn.status == "held"
    assert coins.balance("ann").balance == 0
    assert service.draw("c", "ann", "k1").status == "held"


def test_a_prize_not_given_is_given_when_the_draw_is_retried(rig):
    service, _, giver, coins = rig
    service.visit("c", "ann")
    giver.calls = 0
    with pytest.raises(ConnectionError):
        service.draw("c", "ann", "k1")
    assert service.draws("c", "ann")[0].status == "drawn"
    again = service.draw("c", "ann", "k1")
    assert again.status == "given"
    assert service.draw("c", "ann", "k1").status == "given"
    assert coins.balance("ann").balance == 10
    assert service.visit("c", "ann").left == 2


def test_no_chance_no_draw(rig):
    service, *_ = rig
    with pytest.raises(NoChance):
        service.draw("c", "ann", "k1")


def test_a_new_day_begins_at_midnight_in_shanghai(rig):
    service, *_ = rig
    utc = ZoneInfo("UTC")
    service._clock = lambda: datetime(2026, 9, 3, 15, 59, tzinfo=utc)  # 23:59 in Shanghai
    assert service.visit("c", "ann").left == 3
    service._clock = lambda: datetime(2026, 9, 3, 16, 1, tzinfo=utc)  # 00:01 on the 4th
    assert service.visit("c", "ann").left == 4
    assert service.visit("c", "ann").left == 4


def test_a_draw_remembers_a_verified_member_but_never_an_unverified_one(rig, engine):
    service, *_ = rig
    asked = []
    book_verified = service._book.verified
    service._book.verified = lambda customer: asked.append(customer) or book_verified(customer)
    with pytest.raises(NotVerified):
        service.draw("c", "bob", "k1")
    SqlCustomers(engine).put("bob", AT, phone_verified=True)
    service.visit("c", "bob")
    asked.clear()
    service.draw("c", "bob", "k1")
    service.draw("c", "bob", "k2")
    service.draw("c", "bob", "k3")
    assert asked == ["bob"]  # verified at once, read once for three draws
