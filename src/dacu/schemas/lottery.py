"""(placeholder) The campaign file's `growth.lottery`."""

from dacu.domain.lottery import Lottery
from dacu.schemas.bounds import Fen
from dacu.schemas.promotions import In


class LotteryIn(In):
    budget: Fen = 0

    def to_domain(self) -> Lottery:
        return Lottery(self.budget)
