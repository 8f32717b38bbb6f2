"""Daily sign-ins and daily tasks (每日签到, 每日任务), decided by what the server saw.

A sign-in is one per Asia/Shanghai day (a retry that day answers the same),
with its streak of consecutive days. A task is done at most once a day: a
venue visit the server recorded with its own clock, a share the member made,
an order paid (from the paid facts, `services/coin_facts.py`). Each earns its
coins through `CoinRewards`; a day with every task done calls `on_all_done`
(after the commit; it must be idempotent per campaign, member and day — the
lottery grants a draw chance through it), and a calendar month whose every day
within the campaign's span was all done earns the month's coins once.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from dacu.domain.campaigns import Campaign, CampaignStateError
from dacu.domain.coins import CoinReason
from dacu.domain.coins_rules import Award
from dacu.domain.errors import InvalidRule
from dacu.domain.risk import Action, RiskBlocked
from dacu.domain.tasks import (
    DailyTask,
    NotPhoneVerified,
    SignIn,
    TaskDone,
    TaskKind,
    TaskRules,
    day_of,
    days_within,
    month_of,
    yesterday,
)
from dacu.services.coin_rewards import CoinRewards, coin_rules
from dacu.services.ports.tasks import TaskBook

OnAllDone = Callable[[str, str, date], None]


def _nothing(campaign_id: str, customer_id: str, day: date) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Calendar:
    """A member's sign-ins this month and the streak standing today."""

    day: date
    signed_today: bool
    streak: int  # consecutive days up to today (or yesterday, not yet signed today)
    days: tuple[SignIn, ...]


@dataclass(frozen=True, slots=True)
class TaskDay:
    """A member's daily tasks on one day."""

    day: date
    tasks: tuple[tuple[DailyTask, TaskDone | None], ...]
    all_done: bool
    month_days_done: int  # days of this month with every task done
    month_days: int  # days of this month within the campaign: all of them is a full month


class TaskService:
    def __init__(
        self,
        rewards: CoinRewards,
        clock: Callable[[], datetime],
        on_all_done: OnAllDone = _nothing,
        sku_exists: Callable[[str], bool] = lambda sku: True,
    ) -> None:
        self._rewards, self._clock = rewards, clock
        self._books, self._campaigns = rewards.books, rewards.campaigns
        self.on_all_done, self._sku_exists = on_all_done, sku_exists

    def sign_in(self, campaign_id: str, customer_id: str) -> tuple[SignIn, bool]:
        """Today's sign-in and its coin; (the sign-in, whether it is new)."""
        now = self._clock()
        campaign = self._campaigns.open(campaign_id, now)
        rules, day = coin_rules(campaign), day_of(now)
        with self._books.transaction() as book:
            made = book.sign_in(campaign.id, customer_id, day, now)
            if made is None:
                found = book.signed_in(campaign.id, customer_id, day)
                assert found is not None  # kept by an earlier call
                return found, False
            if not book.verified(customer_id):
                raise NotPhoneVerified()
            key = f"sign_in:{campaign.id}:{customer_id}:{day}"
            earning = self._rewards.earn(
                book,
                campaign,
                customer_id,
                CoinReason.SIGN_IN,
                rules.per_sign_in,
                key,
                now,
                Action.TASK_REWARD,
            )
            if earning.status is Award.BLOCKED:
                raise RiskBlocked()
            coins = earning.coins if earning.given else 0
            book.set_sign_in(campaign.id, customer_id, day, coins, earning.status)
            return replace(made, coins=coins, status=earning.status), True

    def calendar(self, campaign_id: str, customer_id: str) -> Calendar:
        """My sign-ins this calendar month, and the streak standing today."""
        today = day_of(self._clock())
        self._campaigns.campaign(campaign_id)  # an unknown campaign is a 404
        first = min(today.replace(day=1), yesterday(today))
        found = self._books.sign_ins(campaign_id, customer_id, first, today)
        by_day = {s.day: s for s in found}
        standing = by_day.get(today) or by_day.get(yesterday(today))
        month = tuple(s for s in found if s.day.month == today.month)
        return Calendar(today, today in by_day, standing.streak if standing else 0, month)

    def visit(self, campaign_id: str, customer_id: str, task_id: str) -> TaskDay:
        """A visit to a browse_venue task's venue, at the server's time; one a day counts."""
        now = self._clock()
        campaign = self._campaigns.open(campaign_id, now)
        task = _rules(campaign).task(task_id)
        if task.kind is not TaskKind.BROWSE_VENUE:
            raise InvalidRule("task_id", f"{task_id} is not a venue to browse")
        self.complete(campaign, customer_id, task, now, f"venue:{task.venue}")
        return self.today(campaign_id, customer_id)

    def share(self, campaign_id: str, customer_id: str, task_id: str, sku: str) -> TaskDay:
        """A share of `sku` the member made, for a share_product task; one a day counts."""
        now = self._clock()
        campaign = self._campaigns.open(campaign_id, now)
        task = _rules(campaign).task(task_id)
        if task.kind is not TaskKind.SHARE_PRODUCT:
            raise InvalidRule("task_id", f"{task_id} is not a product to share")
        if not task.done_by_share(sku):
            raise InvalidRule("sku", f"{task_id} counts shares of other SKUs")
        if not self._sku_exists(sku):
            raise InvalidRule("sku", f"no SKU {sku}")
        self.complete(campaign, customer_id, task, now, f"sku:{sku}")
        return self.today(campaign_id, customer_id)

    def today(self, campaign_id: str, customer_id: str) -> TaskDay:
        """My tasks today and their state."""
        campaign = self._campaigns.campaign(campaign_id)
        rules, day = _rules(campaign), day_of(self._clock())
        done = {d.task_id: d for d in self._books.done(campaign_id, customer_id, day)}
        tasks = tuple((task, done.get(task.id)) for task in rules.tasks)
        return TaskDay(
            day=day,
            tasks=tasks,
            all_done=bool(tasks) and all(d is not None for _, d in tasks),
            month_days_done=self._books.all_done_days(campaign_id, customer_id, month_of(day)),
            month_days=days_within(campaign.span, day),
        )

    def complete(
        self,
        campaign: Campaign,
        customer_id: str,
        task: DailyTask,
        at: datetime,
        source: str,
        strict: bool = True,
    ) -> bool:
        """The task done on `at`'s day (once); whether that day is all done. `strict`
        (a member's request) refuses the unverified and the blocked with an error; the
        paid facts' listener records them instead."""
        day = day_of(at)
        with self._books.transaction() as book:
            if book.mark_done(campaign.id, customer_id, day, task.id, source, at):
                if not book.verified(customer_id):
                    if strict:
                        raise NotPhoneVerified()
                    book.set_done(campaign.id, customer_id, day, task.id, 0, Award.UNVERIFIED)
                else:
                    self._reward(book, campaign, customer_id, task, day, at, strict)
            all_done = book.day_all_done(campaign.id, customer_id, day)
        if all_done:
            self.on_all_done(campaign.id, customer_id, day)
        return all_done

    def _reward(
        self,
        book: TaskBook,
        campaign: Campaign,
        customer_id: str,
        task: DailyTask,
        day: date,
        at: datetime,
        strict: bool,
    ) -> None:
        coins = campaign.growth.coins
        key = f"task:{campaign.id}:{customer_id}:{day}:{task.id}"
        per_task = coins.per_task if coins else 0
        earning = self._rewards.earn(
            book, campaign, customer_id, CoinReason.TASK, per_task, key, at, Action.TASK_REWARD
        )
        if strict and earning.status is Award.BLOCKED:
            raise RiskBlocked()
        given = earning.coins if earning.given else 0
        book.set_done(campaign.id, customer_id, day, task.id, given, earning.status)
        count = book.count_done(campaign.id, customer_id, day)
        if count >= len(_rules(campaign).tasks) and book.all_done(
            campaign.id, customer_id, day, at
        ):
            days = book.month_day(campaign.id, customer_id, month_of(day))
            if days >= days_within(campaign.span, day) and coins is not None:
                month = month_of(day)
                self._rewards.earn(
                    book,
                    campaign,
                    customer_id,
                    CoinReason.FULL_MONTH,
                    coins.per_full_month,
                    f"full_month:{campaign.id}:{customer_id}:{month}",
                    at,
                    Action.TASK_REWARD,
                )

    def order_paid(
        self, campaign: Campaign, customer_id: str, order_id: str, paid: int, at: datetime
    ) -> None:
        """A paid order completes the campaign's place_order tasks it qualifies for."""
        for task in _rules(campaign).of_kind(TaskKind.PLACE_ORDER):
            if task.done_by_payment(paid):
                self.complete(campaign, customer_id, task, at, f"order:{order_id}", strict=False)


def _rules(campaign: Campaign) -> TaskRules:
    if campaign.growth.tasks is None:
        raise CampaignStateError(f"campaign {campaign.id} has no daily tasks")
    return campaign.growth.tasks
