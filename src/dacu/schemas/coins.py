"""The campaign file's `growth.coins` (how coins are earned and what they are worth) and
`growth.tasks` (the daily tasks), bounded and turned into the domain's rules."""

from typing import Annotated

from pydantic import Field

from dacu.domain.coins_rules import CoinRules
from dacu.domain.errors import InvalidRule
from dacu.domain.tasks import DailyTask, TaskKind, TaskRules
from dacu.schemas.bounds import Fen, Id, Name
from dacu.schemas.promotions import In

Coins = Annotated[int, Field(ge=0, le=1_000_000, description="coins per deed")]
MAX_TASKS = 20


class CoinsIn(In):
    budget: Fen = 0
    per_sign_in: Coins = 1  # 每天签到 1 个智慧币
    per_task: Coins = 1  # 每完成一项任务 1 个
    per_full_month: Coins = 5  # 连续一个自然月做完每日任务 5 个
    per_yuan: Coins = 1  # 购物满1元得1个
    per_invite: Coins = 2  # 每邀请1名新会员 2 个
    value_coins: int = Field(1500, ge=1, le=10**9, description="this many coins …")
    value_fen: Fen = 1000  # … are worth this many fen (1500 → ¥10)

    def to_domain(self) -> CoinRules:
        return CoinRules(
            budget=self.budget,
            per_sign_in=self.per_sign_in,
            per_task=self.per_task,
            per_full_month=self.per_full_month,
            per_yuan=self.per_yuan,
            per_invite=self.per_invite,
            value_coins=self.value_coins,
            value_fen=self.value_fen,
        )


class DailyTaskIn(In):
    id: Id
    name: Name
    kind: TaskKind
    venue: Id | None = None
    skus: list[Id] = Field(default_factory=list, max_length=1000)
    min_paid: Fen = 0

    def to_domain(self) -> DailyTask:
        return DailyTask(
            id=self.id,
            name=self.name,
            kind=self.kind,
            venue=self.venue or "",
            skus=tuple(self.skus),
            min_paid=self.min_paid,
        )


class TasksIn(In):
    budget: Fen = 0
    tasks: list[DailyTaskIn] = Field(default_factory=list, max_length=MAX_TASKS)

    def to_domain(self) -> TaskRules:
        built = []
        for i, task in enumerate(self.tasks):
            try:
                built.append(task.to_domain())
            except InvalidRule as error:
                raise error.within(f"tasks[{i}]") from None
        return TaskRules(budget=self.budget, tasks=tuple(built))
