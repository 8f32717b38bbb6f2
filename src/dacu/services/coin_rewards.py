"""Every coin earned (智慧币, plan 000 §4) goes through `CoinRewards`.

An earning is kept once per key, whatever became of it (`coin_awards`): only
a phone-verified member earns; the risk check is asked (allow gives, review
holds — recorded, no coins —, block refuses); the campaign's `coins` budget
line is drawn by the coins' cash value in the same transaction as the coins
(`CoinRules.draw`: exactly worth(given after) − worth(given before)), and once
the line is spent the earning is refused (recorded as `budget_spent`, no
coins). Invite coins come through `for_invite`; sign-ins, tasks and paid
orders through the services that decide them.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign, CampaignStateError, CampaignStatus
from dacu.domain.coins import CoinReason
from dacu.domain.coins_rules import Award, CoinFigures, CoinRules, Earning
from dacu.domain.growth import line_id
from dacu.domain.risk import Action, RiskQuery, Verdict
from dacu.domain.tasks import day_of, day_start
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.tasks import TaskBook, TaskBooks

FRESH_S = 1.0  # a campaign's rules as read at most this long ago


class CampaignSource(Protocol):
    def campaign(self, campaign_id: str) -> Campaign: ...

    def is_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool: ...

    def ids(self) -> list[tuple[str, str, str, int]]: ...


class CampaignRules:
    """This process's copy of the campaigns' rules, read again when `fresh_s` old."""

    def __init__(self, source: CampaignSource, fresh_s: float = FRESH_S) -> None:
        self.source, self._fresh_s = source, fresh_s
        self._one: dict[str, tuple[float, Campaign]] = {}
        self._all: tuple[float, list[Campaign]] = (float("-inf"), [])
        self._stamped: dict[str, tuple[tuple[int, str], Campaign]] = {}
        self._lock = threading.Lock()

    def campaign(self, campaign_id: str) -> Campaign:
        found = self._one.get(campaign_id)
        if found is not None and time.monotonic() - found[0] < self._fresh_s:
            return found[1]
        campaign = self.source.campaign(campaign_id)
        with self._lock:
            self._one[campaign_id] = (time.monotonic(), campaign)
        return campaign

    def every(self) -> list[Campaign]:
        """Every campaign that is not a draft, by id; the list `fresh_s` old at most, and a
        campaign loaded again only when its version or status moved."""
        read_at, known = self._all
        if time.monotonic() - read_at < self._fresh_s:
            return known
        found = []
        for campaign_id, _, status, version in sorted(self.source.ids()):
            if status == CampaignStatus.DRAFT:
                continue
            stamp = (version, status)
            held = self._stamped.get(campaign_id)
            if held is None or held[0] != stamp:
                held = (stamp, self.source.campaign(campaign_id))
                self._stamped[campaign_id] = held
            found.append(held[1])
        self._all = (time.monotonic(), found)
        return found

    def open(self, campaign_id: str, now: datetime) -> Campaign:
        """The campaign, live now; CampaignStateError if it is not."""
        if not self.source.is_open(campaign_id, now):
            raise CampaignStateError(f"campaign {campaign_id} is not live")
        return self.campaign(campaign_id)


def coin_rules(campaign: Campaign) -> CoinRules:
    if campaign.growth.coins is None:
        raise CampaignStateError(f"campaign {campaign.id} gives no coins")
    return campaign.growth.coins


class CoinRewards:
    def __init__(
        self,
        books: TaskBooks,
        risk: RiskCheck,
        campaigns: CampaignRules,
        clock: Callable[[], datetime],
    ) -> None:
        self.books, self._risk, self.campaigns, self._clock = books, risk, campaigns, clock

    def earn(
        self,
        book: TaskBook,
        campaign: Campaign,
        customer_id: str,
        reason: CoinReason,
        coins: int,
        key: str,
        at: datetime,
        action: Action = Action.COIN_EARN,
    ) -> Earning:
        """Earn `coins` in the caller's transaction, once per `key`: what became of it."""
        earlier = book.claim(key, campaign.id, customer_id, reason, coins, at)
        if earlier is not None:
            return earlier
        status, fen = self._decide(book, campaign, customer_id, coins, key, at, action)
        if status is Award.GIVEN:
            book.coins.earn(customer_id, coins, reason, key, at, campaign.id)
        book.settle(key, status, coins, fen)
        return Earning(key, status, coins, at)

    def _decide(
        self,
        book: TaskBook,
        campaign: Campaign,
        customer_id: str,
        coins: int,
        key: str,
        at: datetime,
        action: Action,
    ) -> tuple[Award, int]:
        rules = campaign.growth.coins
        if rules is None or coins <= 0:
            return Award.NOTHING, 0
        if not book.verified(customer_id):
            return Award.UNVERIFIED, 0
        query = RiskQuery(action, customer_id, at, campaign.id, rules.worth(coins), key)
        verdict = self._risk.assess(query).verdict
        if verdict is Verdict.BLOCK:
            return Award.BLOCKED, 0
        if verdict is Verdict.REVIEW:
            return Award.HELD, 0
        before, after = book.issue(campaign.id, coins)
        fen = rules.draw(before, after)
        if fen and not book.draw(line_id(campaign.id, "coins"), fen, rules.budget):
            book.issue(campaign.id, -coins)
            return Award.BUDGET_SPENT, 0
        return Award.GIVEN, fen

    def take_back(
        self,
        book: TaskBook,
        campaign: Campaign,
        customer_id: str,
        coins: int,
        key: str,
        at: datetime,
    ) -> int:
        """Take back up to `coins` (floor at zero, the rest the member's debt) in the
        caller's transaction, once per `key`; the line is given back what they were worth."""
        rules = coin_rules(campaign)
        book.issue(campaign.id, 0)  # the campaign's row first, as every earning holds it
        taken = book.coins.take_back(customer_id, coins, CoinReason.REFUND, key, at, campaign.id)
        if taken:
            before, after = book.issue(campaign.id, -taken)
            back = -rules.draw(before, after)
            if back:
                book.give_back(line_id(campaign.id, "coins"), back)
        return taken

    def give(
        self,
        campaign_id: str,
        customer_id: str,
        reason: CoinReason,
        coins: int,
        key: str,
        at: datetime | None = None,
        action: Action = Action.COIN_EARN,
    ) -> Earning:
        """Earn in a transaction of its own (for the other mechanics), once per `key`."""
        campaign = self.campaigns.campaign(campaign_id)
        with self.books.transaction() as book:
            return self.earn(
                book, campaign, customer_id, reason, coins, key, at or self._clock(), action
            )

    def for_invite(
        self, campaign_id: str, inviter_id: str, invitee_id: str, at: datetime | None = None
    ) -> Earning:
        """The inviter's coins for a member who joined by their code: once per invitee."""
        rules = coin_rules(self.campaigns.campaign(campaign_id))
        key = f"invite:{campaign_id}:{invitee_id}"
        return self.give(campaign_id, inviter_id, CoinReason.INVITE, rules.per_invite, key, at)

    def figures(self, campaign_id: str) -> CoinFigures:
        """The campaign's coins for finance: outstanding, liability, by reason and day."""
        rules = coin_rules(self.campaigns.source.campaign(campaign_id))
        since = day_start(day_of(self._clock()))
        worth = (rules.value_coins, rules.value_fen)
        return self.books.figures(campaign_id, since, worth, rules.budget)
