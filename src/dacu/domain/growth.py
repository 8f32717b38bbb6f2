"""The growth mechanics a campaign runs (plan 000): what its file says under `growth`.

Each mechanic is optional; a campaign without `growth` runs none. Each names
the budget line its rewards draw from (`line`): a part of the campaign's
budget carved out for it, drawn as rewards are given and never past its
amount (`domain/budgets.py`).
"""

from dataclasses import dataclass

from dacu.domain import acquisition, coins_rules, lottery, redemption, tasks
from dacu.domain.acquisition import Invites, MerchantCodes, Welcome
from dacu.domain.coins_rules import CoinRules
from dacu.domain.lottery import Lottery
from dacu.domain.redemption import Redemption
from dacu.domain.tasks import TaskRules


@dataclass(frozen=True, slots=True)
class Growth:
    welcome: Welcome | None = None  # 新人红包 on phone verification
    invites: Invites | None = None  # 邀请码
    merchant_codes: MerchantCodes | None = None  # 商家码 and first-order rebates
    lottery: Lottery | None = None  # 摇摇欲坠
    coins: CoinRules | None = None  # 智慧币 earning and the redemption catalog
    tasks: TaskRules | None = None  # daily tasks, sign-ins, share-to-get
    redemption: Redemption | None = None  # 赚币换购: what coins buy

    def lines(self) -> dict[str, int]:
        """Each mechanic's budget line: name → fen carved out of the campaign's budget."""
        found: dict[str, int] = {}
        for name in (
            "welcome",
            "invites",
            "merchant_codes",
            "lottery",
            "coins",
            "tasks",
            "redemption",
        ):
            mechanic = getattr(self, name)
            if mechanic is not None and mechanic.budget:
                found[name] = mechanic.budget
        return found


def line_id(campaign_id: str, line: str) -> str:
    """The budget id of a campaign's line (`budget_draws.campaign_id`)."""
    return f"{campaign_id}:{line}"


_PARTS = (acquisition, coins_rules, lottery, tasks, redemption)
COMPILED_CLASSES: tuple[type, ...] = (Growth, *(c for m in _PARTS for c in m.CLASSES))
COMPILED_ENUMS: tuple[type, ...] = tuple(e for m in _PARTS for e in m.ENUMS)
