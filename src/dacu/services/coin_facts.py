"""Coins and tasks the server's payment facts drive (a `FactListener` of the outbox).

A paid order earns 1 coin per whole yuan paid (floor of its paid amount / 100,
once per order) in the campaign that was running when it was placed (not a
draft, its span holding the placing, `growth.coins` set; the first by id if
several), and completes the place_order tasks of the campaigns live when it
was paid. A refund takes back the coins of the yuan no longer paid, counted
cumulatively over the order's refunds (`CoinRules.refund_take`), so partial
refunds never take more than the order earned; what the balance cannot give
back becomes the member's debt. A refund seen before its payment (two
workers, two batches) is noted, and the payment then earns only the yuan
still paid. Each deed is done once per fact key however often a fact comes.
"""

from collections.abc import Sequence
from datetime import datetime

from dacu.domain.campaigns import Campaign
from dacu.domain.coins import CoinReason
from dacu.domain.coins_rules import Award
from dacu.domain.events import EventKind
from dacu.domain.facts import Fact
from dacu.services.coin_rewards import CoinRewards
from dacu.services.tasks import TaskService


class CoinFacts:
    def __init__(self, rewards: CoinRewards, tasks: TaskService) -> None:
        self._rewards, self._tasks = rewards, tasks
        self._books = rewards.books

    def take(self, facts: Sequence[Fact], now: datetime) -> None:
        for fact in facts:
            if fact.order_id is None:
                continue
            if fact.kind is EventKind.PAYMENT:
                self._paid(fact, fact.order_id)
                self._tasks_done(fact, fact.order_id)
            elif fact.kind is EventKind.REFUND:
                self._refunded(fact, fact.order_id)

    def _placed_in(self, fact: Fact) -> Campaign | None:
        for campaign in self._rewards.campaigns.every():
            if campaign.growth.coins is not None and campaign.span.contains(fact.counted_at):
                return campaign
        return None

    def _paid(self, fact: Fact, order_id: str) -> None:
        campaign = self._placed_in(fact)
        if campaign is None or campaign.growth.coins is None:
            return
        rules = campaign.growth.coins
        with self._books.transaction() as book:
            refunded = book.order_paid(order_id, fact.customer_id, campaign.id, fact.amount)
            coins = rules.for_paid(fact.amount - min(refunded, fact.amount))
            earning = self._rewards.earn(
                book,
                campaign,
                fact.customer_id,
                CoinReason.PAID,
                coins,
                f"paid:{order_id}",
                fact.at,
            )
            if earning.given:
                book.order_given(order_id)

    def _refunded(self, fact: Fact, order_id: str) -> None:
        campaign = self._placed_in(fact)
        if campaign is None or campaign.growth.coins is None:
            return
        rules, key = campaign.growth.coins, f"refund:{fact.key}"
        with self._books.transaction() as book:
            earlier = book.claim(key, campaign.id, fact.customer_id, CoinReason.REFUND, 0, fact.at)
            if earlier is not None:
                return  # this refund was taken before
            paid, before, after, given = book.order_refunded(
                order_id, fact.customer_id, campaign.id, fact.amount
            )
            take = rules.refund_take(paid, before, after) if paid is not None and given else 0
            if take:  # what the balance cannot give back is the member's debt (the ledger's)
                self._rewards.take_back(book, campaign, fact.customer_id, take, key, fact.at)
            book.settle(key, Award.TAKEN, -take, 0)

    def _tasks_done(self, fact: Fact, order_id: str) -> None:
        for campaign in self._rewards.campaigns.every():
            if campaign.growth.tasks is not None and campaign.open_at(fact.at):
                self._tasks.order_paid(campaign, fact.customer_id, order_id, fact.amount, fact.at)
