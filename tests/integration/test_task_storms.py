"""Daily tasks under concurrency and the risk check, on SQLite and PostgreSQL: a member's
tasks done at once mark the day all done exactly once (one month's count, one hook per
completion that sees it), review holds the coin, block refuses and keeps nothing."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from dacu.bootstrap_tasks import tasks_of
from dacu.domain.coins_rules import Award
from dacu.domain.risk import RiskBlocked, RiskDecision, RiskQuery, Verdict
from dacu.domain.tasks import day_of
from tests.integration.coins_rig import CAMPAIGN, DAY_ONE, Clock, launch_platform, member
from tests.integration.conftest import stock_example_goods

pytestmark = pytest.mark.integration


class Verdicts:
    def __init__(self, verdict: Verdict) -> None:
        self.verdict, self.asked = verdict, []

    def assess(self, query: RiskQuery) -> RiskDecision:
        self.asked.append(query)
        return RiskDecision(self.verdict, "test")


def test_tasks_done_at_once_make_one_all_done_day(engine):
    clock = Clock(DAY_ONE)
    platform = launch_platform(engine, clock)
    stock_example_goods(platform)
    sku = platform.goods.listing()[0].id
    campaign = platform.campaigns.campaign(CAMPAIGN)
    lock, fired = threading.Lock(), []

    def hook(campaign_id: str, customer_id: str, day) -> None:
        with lock:
            fired.append((campaign_id, customer_id, day))

    platform.tasks.on_all_done = hook
    members = [member(platform, f"c{n}") for n in range(4)]
    deeds = []
    for who in members:
        deeds += [
            lambda w=who: platform.tasks.visit(CAMPAIGN, w, "browse-venue"),
            lambda w=who: platform.tasks.share(CAMPAIGN, w, "share-product", sku),
            lambda w=who: platform.tasks.order_paid(campaign, w, f"o-{w}", 500, DAY_ONE),
        ]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda deed: deed(), deeds * 2))
    for who in members:
        today = platform.tasks.today(CAMPAIGN, who)
        assert today.all_done
        assert today.month_days_done == 1
        assert platform.coins.balance(who).balance == 3
    assert {who for _, who, _ in fired} == set(members)
    assert {day for _, _, day in fired} == {day_of(DAY_ONE)}


def test_review_holds_the_coin_and_block_refuses(engine):
    clock = Clock(DAY_ONE)
    platform = launch_platform(engine, clock)
    member(platform, "c1")
    member(platform, "c2")
    review = Verdicts(Verdict.REVIEW)
    held = tasks_of(engine, platform.campaigns, review, platform.goods, clock)
    signed, _ = held.tasks.sign_in(CAMPAIGN, "c1")
    assert (signed.status, signed.coins) == (Award.HELD, 0)
    assert platform.coins.balance("c1").balance == 0
    assert review.asked[0].customer_id == "c1"
    blocked = tasks_of(engine, platform.campaigns, Verdicts(Verdict.BLOCK), platform.goods, clock)
    with pytest.raises(RiskBlocked):
        blocked.tasks.sign_in(CAMPAIGN, "c2")
    assert platform.tasks.calendar(CAMPAIGN, "c2").days == ()
    assert platform.coins.balance("c2").balance == 0
