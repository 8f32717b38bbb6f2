"""The composition root's part for coins, sign-ins and daily tasks: `CoinRewards` (every
coin earned), `TaskService` and the listener of the paid and refunded facts."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.task_store import SqlTaskBooks
from dacu.services.campaigns import CampaignService
from dacu.services.coin_facts import CoinFacts
from dacu.services.coin_rewards import CampaignRules, CoinRewards
from dacu.services.goods import GoodsService
from dacu.services.ports.risk import RiskCheck
from dacu.services.tasks import OnAllDone, TaskService


@dataclass(frozen=True, slots=True)
class Tasking:
    risk: RiskCheck
    rewards: CoinRewards
    tasks: TaskService
    facts: CoinFacts  # a listener of the outbox's facts

    def fields(self) -> dict[str, Any]:
        """The `Platform` fields this part fills."""
        return {
            "risk": self.risk,
            "coin_rewards": self.rewards,
            "tasks": self.tasks,
            "listeners": (self.facts,),
        }


def tasks_of(
    engine: Engine,
    campaigns: CampaignService,
    risk: RiskCheck,
    goods: GoodsService,
    clock: Callable[[], datetime],
    on_all_done: OnAllDone | None = None,
) -> Tasking:
    """`on_all_done(campaign_id, customer_id, day)` is called for a day with every task
    done (the lottery's draw chance); nothing by default."""
    rewards = CoinRewards(SqlTaskBooks(engine), risk, CampaignRules(campaigns), clock)
    tasks = TaskService(rewards, clock, sku_exists=lambda sku: sku in goods.skus([sku]))
    if on_all_done is not None:
        tasks.on_all_done = on_all_done
    return Tasking(risk, rewards, tasks, CoinFacts(rewards, tasks))


__all__ = ["Tasking", "tasks_of"]
