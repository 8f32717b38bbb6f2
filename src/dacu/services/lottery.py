"""The lottery 摇摇欲坠: chances granted by the server, draws, and the prizes given.

Chances are never asked for: the server grants them on the first visit of a
phone-verified member (3), on the first visit of each later Asia/Shanghai day
(1), and when the tasks work says all daily tasks are done (`grant`, 1), each
once per natural key. A draw asks the risk check first (block: refused, the
chance kept; review: the prize is drawn and held), then the draw engine (SQL or
Redis), then the reward giver; a retry with the same key returns the same draw
and gives a prize not yet given.
"""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as midnight
from typing import Protocol
from zoneinfo import ZoneInfo

from dacu.domain.campaigns import Campaign
from dacu.domain.lottery import (
    DRAWN,
    ROLL_BITS,
    ChanceReason,
    Draw,
    DrawTicket,
    Lottery,
    LotteryClosed,
    NotVerified,
    Prize,
    chance_key,
    is_nothing,
)
from dacu.domain.rewards import GivenStatus, Grant
from dacu.domain.risk import NOBODY, Action, Identity, RiskBlocked, RiskQuery, Verdict
from dacu.services.ports.lottery import DrawEngine, LotteryBook, LotteryFigures
from dacu.services.ports.rewards import RewardGiver
from dacu.services.ports.risk import RiskCheck

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRESH_S = 0.2  # a campaign file applied again reaches every process's draws within this
VERIFIED_KEPT = 100_000  # customers whose verification a process remembers at most


class Campaigns(Protocol):
    def campaign(self, campaign_id: str) -> Campaign: ...

    def is_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool: ...


@dataclass(frozen=True, slots=True)
class PrizeView:
    prize: Prize
    in_stock: bool
    odds_bp: int  # its chance now, in basis points (0 when out of stock)


@dataclass(frozen=True, slots=True)
class LotteryView:
    campaign_id: str
    open: bool
    verified: bool
    granted: int
    used: int
    prizes: list[PrizeView]

    @property
    def left(self) -> int:
        return self.granted - self.used


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def day_start(moment: datetime) -> datetime:
    return datetime.combine(shanghai_day(moment), midnight(), SHANGHAI)


class LotteryService:
    def __init__(
        self,
        book: LotteryBook,
        engine: DrawEngine,
        campaigns: Campaigns,
        risk: RiskCheck,
        giver: RewardGiver,
        clock: Callable[[], datetime],
        ids: Callable[[], str],
        roll: Callable[[], int] = lambda: secrets.randbits(ROLL_BITS),
    ) -> None:
        self._book, self._engine, self._campaigns = book, engine, campaigns
        self._risk, self.giver, self._clock, self._ids, self._roll = (
            risk, giver, clock, ids, roll,
        )  # fmt: skip
        self._known: dict[str, tuple[float, Lottery | None]] = {}
        self._verified_ones: set[str] = set()

    def lottery(self, campaign_id: str) -> Lottery:
        """The campaign's lottery (UnknownCampaign, or LotteryClosed when it runs none), as
        read at most `FRESH_S` ago by this process."""
        now = time.monotonic()
        cached = self._known.get(campaign_id)
        if cached is not None and now - cached[0] < FRESH_S:
            found = cached[1]
        else:
            found = self._campaigns.campaign(campaign_id).growth.lottery
            self._known[campaign_id] = (now, found)
        if found is None or not found.prizes:
            raise LotteryClosed("this campaign runs no lottery", "campaign_id")
        return found

    def grant(
        self, campaign_id: str, customer_id: str, n: int, reason: ChanceReason, key: str
    ) -> bool:
        """Grant `n` chances for `reason`, once per `key` (per customer and campaign);
        True when granted now. Only phone-verified members are granted any."""
        self.lottery(campaign_id)
        if n <= 0 or not self._book.verified(customer_id):
            return False
        added = self._book.grant([(key, reason.value, n)], campaign_id, customer_id, self._clock())
        if added:
            self._mirror(campaign_id, customer_id)
        return added > 0

    def _mirror(self, campaign_id: str, customer_id: str) -> None:
        self._engine.granted(
            campaign_id, customer_id, self._book.chances(campaign_id, customer_id)[0]
        )

    def visit(self, campaign_id: str, customer_id: str) -> LotteryView:
        """The lottery page: the first visit grants its chances, the first of a day its one."""
        lottery, now = self.lottery(campaign_id), self._clock()
        verified = self._book.verified(customer_id)
        is_open = self._campaigns.is_open(campaign_id, now)
        if verified and is_open:
            self._visit_chances(lottery, campaign_id, customer_id, now)
        granted, used = self._book.chances(campaign_id, customer_id)
        given = self._book.given(campaign_id)
        drawn = sum(p.value * given.get(p.id, 0) for p in lottery.prizes)
        return LotteryView(
            campaign_id, is_open, verified, granted, used, pool(lottery, given, drawn)
        )

    def _visit_chances(
        self, lottery: Lottery, campaign_id: str, customer_id: str, now: datetime
    ) -> None:
        daily = chance_key(ChanceReason.DAILY_LOGIN, shanghai_day(now))
        first = [
            (chance_key(ChanceReason.FIRST_VISIT), ChanceReason.FIRST_VISIT.value,
             lottery.chances.first_visit),
            (daily, ChanceReason.DAILY_LOGIN.value, 0),  # the first day's 1 is in the 3
        ]  # fmt: skip
        added = self._book.grant(first, campaign_id, customer_id, now)
        if not added:
            n = lottery.chances.daily_login
            added = self._book.grant(
                [(daily, ChanceReason.DAILY_LOGIN.value, n)], campaign_id, customer_id, now
            )
        if added:
            self._mirror(campaign_id, customer_id)

    def draw(
        self, campaign_id: str, customer_id: str, key: str, identity: Identity = NOBODY
    ) -> Draw:
        """Use one chance for one prize, once per `key`; the risk check is asked with the
        request's `identity`."""
        lottery = self.lottery(campaign_id)
        found = self._engine.find(campaign_id, customer_id, key)
        if found is not None:
            return self._give(lottery, found)
        now = self._clock()
        if not self._campaigns.is_open(campaign_id, now):
            raise LotteryClosed("the lottery is not open now", "campaign_id")
        if not self._verified(customer_id):
            raise NotVerified
        status = self._ask_risk(campaign_id, customer_id, key, now, identity)
        ticket = DrawTicket(campaign_id, customer_id, key, self._ids(), self._roll(), now, status)
        drawn, _ = self._engine.draw(lottery, ticket)
        return self._give(lottery, drawn)

    def _verified(self, customer_id: str) -> bool:
        """Whether the customer is phone-verified, a yes remembered for good: members are
        verified once and never lose it (registration never takes it back), so a draw
        need not read it each time; a no is never remembered, so a member verified a
        moment ago draws."""
        if customer_id in self._verified_ones:
            return True
        if not self._book.verified(customer_id):
            return False
        if len(self._verified_ones) >= VERIFIED_KEPT:
            self._verified_ones.clear()
        self._verified_ones.add(customer_id)
        return True

    def _ask_risk(
        self, campaign_id: str, customer_id: str, key: str, now: datetime, identity: Identity
    ) -> str:
        query = RiskQuery(
            Action.LOTTERY_DRAW, customer_id, now, campaign_id, subject=key, identity=identity
        )
        verdict = self._risk.assess(query).verdict
        if verdict is Verdict.BLOCK:
            raise RiskBlocked
        return GivenStatus.HELD.value if verdict is Verdict.REVIEW else DRAWN

    def _give(self, lottery: Lottery, drawn: Draw) -> Draw:
        if drawn.status != DRAWN or drawn.prize_id not in {p.id for p in lottery.prizes}:
            return drawn  # given, held, or of a prize the file no longer lists (operators')
        prize = lottery.prize(drawn.prize_id)
        if is_nothing(prize):
            status, reference = GivenStatus.NOTHING.value, ""
        else:
            grant = Grant(
                prize.reward, drawn.customer_id, drawn.campaign_id, f"lottery:{drawn.id}",
                drawn.at, "lottery",
            )  # fmt: skip
            given = self.giver.give(grant)
            status, reference = given.status.value, given.reference
        self._engine.mark(drawn, status, reference)
        return Draw(
            drawn.id, drawn.campaign_id, drawn.customer_id, drawn.key, drawn.prize_id,
            drawn.value, drawn.roll, status, drawn.at, reference,
        )  # fmt: skip

    def draws(self, campaign_id: str, customer_id: str, limit: int = 50) -> list[Draw]:
        self.lottery(campaign_id)
        return self._book.draws(campaign_id, customer_id, limit)

    def figures(self, campaign_id: str) -> LotteryFigures:
        return self._book.figures(campaign_id, day_start(self._clock()))


def pool(lottery: Lottery, given: dict[str, int], drawn: int) -> list[PrizeView]:
    """Each prize, whether a draw may give it now and its odds now (basis points)."""
    open_ids = {p.id for p in lottery.open_prizes(given, lottery.budget - drawn)}
    total = sum(p.weight for p in lottery.prizes if p.id in open_ids)
    return [
        PrizeView(p, p.id in open_ids, p.weight * 10_000 // total if p.id in open_ids else 0)
        for p in lottery.prizes
    ]
