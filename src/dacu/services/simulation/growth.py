"""The growth mechanics in the simulation (plan 000): the same services the API calls.

A new shopper joins as a member (their phone verified) — some with the invite code of a
shopper who came before, as people share codes with friends — and the welcome red
packet and the inviter's reward follow. Every visit of a verified member signs in for
the day, browses the venue (a daily task), opens the lottery (the first visit's three
chances, a chance a day) and draws every chance it holds, and redeems coins once they
are enough for the cheapest item. Coins for yuan paid and the place-an-order task come
from the server's facts, as for every order. The services read a virtual clock that the
run sets before each step.
"""

import copy
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from dacu.domain.acquisition import SignUpCodes
from dacu.domain.campaigns import Campaign
from dacu.domain.errors import DomainError
from dacu.domain.types import FULL_BP
from dacu.services.acquisition import AcquisitionService
from dacu.services.lottery import LotteryService
from dacu.services.ports.coins import CoinLedger
from dacu.services.redemptions import RedemptionService
from dacu.services.simulation.plan import Shopper
from dacu.services.tasks import TaskService

INVITED_BP = 3000  # of new shoppers, joined with an earlier shopper's invite code
VENUE = "main-venue"
LINE_BP = {"lottery": 300, "coins": 200, "redemption": 200}  # of the orders' budget, added

_TOP_UP = {"kind": "top_up"}
_PRIZES = [
    {
        "id": "phone-10",
        "name": "10元话费",
        "weight": 300,
        "stock": 5000,
        "reward": {**_TOP_UP, "name": "10元话费", "value": 1000},
    },
    {
        "id": "coins-10",
        "name": "10个智慧币",
        "weight": 2500,
        "reward": {"kind": "coins", "name": "10个智慧币", "coins": 10, "value": 7},
    },
    {
        "id": "fuel-100",
        "name": "100元加油卡",
        "weight": 5,
        "stock": 20,
        "reward": {"kind": "physical", "name": "100元加油卡", "value": 10000},
    },
    {
        "id": "thanks",
        "name": "谢谢参与",
        "weight": 7195,
        "reward": {"kind": "nothing", "name": "谢谢参与"},
    },
]  # fmt: skip  (no coupon prizes: a draw is the server's CSPRNG, and a coupon it gave
#     would price later carts, so one seed would no longer make one campaign)
_INVITE_RED = {
    "id": "invite-red-5",
    "name": "邀请奖励5元红包",
    "kind": "red_packet",
    "level": "platform",
    "threshold": 0,
    "off": 500,
    "total_stock": 1_000_000,
    "per_user_limit": 1000,
    "validity": {"days": 30},
    "claim_window": {
        "starts_at": "2000-01-01T00:00:00+08:00",
        "ends_at": "2000-01-01T00:00:01+08:00",
    },
}  # fmt: skip  (given to inviters only: nobody claims it)


def with_growth(document: dict[str, Any]) -> dict[str, Any]:
    """The campaign file with plan 000's mechanics turned on: welcome packets (its
    newcomers' red packet), invites, coins, daily tasks, the lottery and redemptions, each
    line added to the budget so the orders' share of it stays as it was."""
    found = copy.deepcopy(document)
    budget = found.setdefault("budget", {})
    base = int(budget.get("total", 0))
    lines = {name: max(100_000, base * bp // FULL_BP) for name, bp in LINE_BP.items()}
    carved, reserve_bp = sum(lines.values()), int(budget.get("contingency_bp", 0))
    # a small crowd's lines (at least 1000元 each) must still fit under the reserve
    budget["total"] = max(base + carved, -(-carved * FULL_BP // (FULL_BP - reserve_bp)))
    coupons = found.setdefault("coupons", [])
    if not any(c.get("id") == _INVITE_RED["id"] for c in coupons):
        coupons.append(dict(_INVITE_RED))
    welcome = next((c["id"] for c in coupons if c.get("kind") == "red_packet"), None)
    found["growth"] = {
        **({"welcome": {"coupon": welcome}} if welcome else {}),
        "invites": {"coupon": "invite-red-5", "coins": 2, "max_rewarded": 50},
        "coins": {"per_sign_in": 1, "per_task": 1, "per_full_month": 5, "per_yuan": 1,
                  "per_invite": 2, "value_coins": 1500, "value_fen": 1000,
                  "budget": lines["coins"]},
        "tasks": {"tasks": [
            {"id": "browse-venue", "name": "逛一逛主会场", "kind": "browse_venue", "venue": VENUE},
            {"id": "place-order", "name": "下一单", "kind": "place_order", "min_paid": 100},
        ]},
        "lottery": {"budget": lines["lottery"], "prizes": _PRIZES,
                    "chances": {"first_visit": 3, "daily_login": 1, "all_tasks": 1}},
        "redemption": {"budget": lines["redemption"], "items": [
            {"id": "topup-10", "name": "10元话费", "coins": 1500, "stock": 1000,
             "reward": {**_TOP_UP, "name": "10元话费", "value": 1000}},
        ]},
    }  # fmt: skip
    return found


@dataclass(frozen=True, slots=True)
class GrowthWorld:
    """The growth services as the simulation drives them, over a clock it sets."""

    acquisition: AcquisitionService
    tasks: TaskService
    lottery: LotteryService
    redemptions: RedemptionService
    coins: CoinLedger
    tick: Callable[[datetime], None]  # the services' clock, set to the step's time


class Growing:
    def __init__(self, world: GrowthWorld, campaign: Campaign, tally: Counter[str], seed: int):
        self._world, self._campaign, self._tally = world, campaign, tally
        self._random = random.Random(seed)
        self._members: list[str] = []
        # A run again on the same database: its members, chances and draws stand already;
        # leftover chances drawn now would count as new, so the mechanics sit this one out.
        self._again = campaign.growth.lottery is not None and bool(
            world.lottery.figures(campaign.id).draws
        )
        if self._again:
            tally["growth already run"] += 1

    def joined(self, shopper: Shopper, at: datetime) -> None:
        """A new member's phone verified: perhaps with a friend's invite code."""
        if not shopper.phone_verified or self._again:
            return
        world, codes = self._world, SignUpCodes()
        world.tick(at)
        if self._members and self._random.randrange(FULL_BP) < INVITED_BP:
            inviter = self._random.choice(self._members)
            codes = SignUpCodes(invite_code=world.acquisition.invite(inviter).code)
            self._tally["invited members"] += 1
        notes = world.acquisition.joined(shopper.id, True, codes, at)
        self._tally["members joined (growth)"] += 1
        if notes.get("invite_code") == "accepted":
            self._tally["invites accepted"] += 1
        self._members.append(shopper.id)

    def visit(self, shopper: Shopper, at: datetime, n: int) -> None:
        """A verified member's day: sign in, the venue, the lottery, maybe a redemption."""
        if not shopper.phone_verified or not self._campaign.growth.lottery or self._again:
            return
        world, campaign = self._world, self._campaign.id
        world.tick(at)
        self._try("sign-ins", lambda: world.tasks.sign_in(campaign, shopper.id))
        self._try("venue visits", lambda: world.tasks.visit(campaign, shopper.id, "browse-venue"))
        self._draw(shopper.id, n)
        self._redeem(shopper.id, n)

    def _draw(self, customer: str, n: int) -> None:
        world, campaign = self._world, self._campaign.id
        try:
            view = world.lottery.visit(campaign, customer)
        except DomainError:
            self._tally["growth refused"] += 1
            return
        for i in range(view.left):
            key = f"sim-{customer}-v{n}-{i}"
            drawn = self._try("lottery draws", partial(world.lottery.draw, campaign, customer, key))
            if drawn is not None and drawn.prize_id != "thanks":
                self._tally["lottery prizes"] += 1

    def _redeem(self, customer: str, n: int) -> None:
        world, campaign = self._world, self._campaign.id
        balance = world.coins.balance(customer).balance
        items = [i for i in world.redemptions.catalog(campaign).items if i.in_stock]
        affordable = [held.item.id for held in items if held.item.coins <= balance]
        if affordable:
            redeem = world.redemptions.redeem
            key = f"sim-{customer}-v{n}"
            self._try("redemptions", partial(redeem, campaign, customer, affordable[0], 1, key))

    def _try(self, name: str, step: Callable[[], Any]) -> Any:
        try:
            done = step()
        except DomainError:
            self._tally["growth refused"] += 1
            return None
        self._tally[name] += 1
        return done
