"""(placeholder) The campaign file's `growth.coins` and `growth.tasks`."""

from dacu.domain.coins_rules import CoinRules
from dacu.domain.tasks import TaskRules
from dacu.schemas.bounds import Fen
from dacu.schemas.promotions import In


class CoinsIn(In):
    budget: Fen = 0

    def to_domain(self) -> CoinRules:
        return CoinRules(self.budget)


class TasksIn(In):
    budget: Fen = 0

    def to_domain(self) -> TaskRules:
        return TaskRules(self.budget)
