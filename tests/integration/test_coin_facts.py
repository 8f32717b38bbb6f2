"""Coins for yuan paid and taken back by refunds, from the server's facts, on SQLite and
PostgreSQL: once per order and per refund however often a fact comes, never more taken
than earned, never below zero (the rest is debt), and place_order tasks done by payment."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from dacu.domain.coins import CoinBalance, CoinReason
from dacu.domain.events import EventKind
from dacu.domain.facts import Fact
from dacu.services.coin_facts import CoinFacts
from tests.integration.coins_rig import CAMPAIGN, DAY_ONE, SHANGHAI, Clock, launch_platform, member

pytestmark = pytest.mark.integration


def paid(order: str, amount: int, customer: str = "c1", at: datetime = DAY_ONE) -> Fact:
    return Fact(
        f"order:{order}:paid",
        EventKind.PAYMENT,
        customer,
        at,
        placed_at=at,
        order_id=order,
        amount=amount,
    )


def refunded(order: str, refund: str, amount: int, customer: str = "c1") -> Fact:
    return Fact(
        f"order:{order}:refund:{refund}",
        EventKind.REFUND,
        customer,
        DAY_ONE + timedelta(hours=1),
        placed_at=DAY_ONE,
        order_id=order,
        amount=amount,
    )


@pytest.fixture
def rig(engine):
    clock = Clock(DAY_ONE)
    platform = launch_platform(engine, clock)
    member(platform, "c1")
    (listener,) = [found for found in platform.listeners if isinstance(found, CoinFacts)]
    return platform, listener


def test_a_paid_order_earns_a_coin_per_whole_yuan_once(rig):
    platform, listener = rig
    listener.take([paid("o1", 12_345)], DAY_ONE)
    listener.take([paid("o1", 12_345)], DAY_ONE)  # delivered again
    listener.take([paid("o2", 99)], DAY_ONE)  # not a whole yuan
    assert platform.coins.balance("c1").balance == 123 + 1  # and the day's order task
    reasons = [e.reason for e in platform.coins.entries("c1")]
    assert reasons.count(CoinReason.PAID) == 1


def test_partial_refunds_take_back_the_refunded_yuan_cumulatively(rig):
    platform, listener = rig
    listener.take([paid("o1", 1_050)], DAY_ONE)  # 10 coins
    for n in range(7):  # 7 refunds of 1.50 yuan: 10.50 in all
        listener.take([refunded("o1", f"r{n}", 150)], DAY_ONE)
        listener.take([refunded("o1", f"r{n}", 150)], DAY_ONE)  # again: once
    assert platform.coins.balance("c1") == CoinBalance("c1", 1, 0)  # the order task's coin
    taken = [-e.coins for e in platform.coins.entries("c1") if e.reason == CoinReason.REFUND]
    assert sum(taken) == 10
    # after each refund the member keeps the coins of the whole yuan still paid
    assert taken[::-1] == [1, 2, 1, 2, 1, 2, 1]


def test_a_refund_beyond_the_balance_is_debt_not_a_negative_balance(rig):
    platform, listener = rig
    listener.take([paid("o1", 1_000)], DAY_ONE)  # 10 coins, and 1 for the order task
    platform.coins.spend("c1", 9, CoinReason.REDEMPTION, "redeem-1", DAY_ONE)
    listener.take([refunded("o1", "r1", 1_000)], DAY_ONE)
    assert platform.coins.balance("c1") == CoinBalance("c1", 0, 8)


def test_a_refund_seen_before_its_payment_still_earns_only_what_is_still_paid(rig):
    platform, listener = rig
    listener.take([refunded("o1", "r1", 400)], DAY_ONE)
    listener.take([paid("o1", 1_000)], DAY_ONE)
    assert platform.coins.balance("c1").balance == 6 + 1  # and the order task


def test_unverified_members_and_orders_outside_the_campaign_earn_nothing(rig):
    platform, listener = rig
    member(platform, "c2", verified=False)
    listener.take([paid("o1", 5_000, customer="c2")], DAY_ONE)
    october = datetime(2026, 10, 2, tzinfo=SHANGHAI)
    listener.take([paid("o2", 5_000, at=october)], october)
    assert platform.coins.balance("c2").balance == 0
    assert platform.coins.balance("c1").balance == 0


def test_a_paid_order_completes_the_place_order_task(rig):
    platform, listener = rig
    listener.take([paid("o1", 100)], DAY_ONE)
    today = platform.tasks.today(CAMPAIGN, "c1")
    done = {task.id: found for task, found in today.tasks}
    assert done["place-order"] is not None
    assert done["place-order"].source == "order:o1"
    assert platform.coins.balance("c1").balance == 1 + 1  # a yuan paid, a task done


def test_facts_delivered_by_several_workers_at_once_count_once(rig):
    platform, listener = rig
    facts = [paid(f"o{n}", 1_000) for n in range(5)] + [refunded("o0", "r1", 500)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: listener.take(facts, DAY_ONE), range(6)))
    assert platform.coins.balance("c1").balance == 5 * 10 - 5 + 1  # and the order task
    figures = platform.coin_rewards.figures(CAMPAIGN)
    assert figures.outstanding == 46
    assert figures.given == 46
    assert figures.liability == 46 * 1000 // 1500
