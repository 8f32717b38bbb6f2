"""The campaign file's `growth` section: the launch month's mechanics (plan 000).

Each mechanic's part is read by its own module; this one puts them together
and checks that their budget lines fit in the campaign's budget.
"""

from collections.abc import Callable
from typing import Any

from dacu.domain.errors import InvalidRule
from dacu.domain.growth import Growth
from dacu.schemas.acquisition import InvitesIn, MerchantCodesIn, WelcomeIn
from dacu.schemas.coins import CoinsIn, TasksIn
from dacu.schemas.lottery import LotteryIn
from dacu.schemas.promotions import In
from dacu.schemas.redemption import RedemptionIn


class GrowthIn(In):
    welcome: WelcomeIn | None = None
    invites: InvitesIn | None = None
    merchant_codes: MerchantCodesIn | None = None
    lottery: LotteryIn | None = None
    coins: CoinsIn | None = None
    tasks: TasksIn | None = None
    redemption: RedemptionIn | None = None

    def to_domain(self) -> Growth:
        """The mechanics in domain terms; raises InvalidRule naming `growth.<mechanic>…`."""
        return Growth(
            welcome=_part("welcome", self.welcome),
            invites=_part("invites", self.invites),
            merchant_codes=_part("merchant_codes", self.merchant_codes),
            lottery=_part("lottery", self.lottery),
            coins=_part("coins", self.coins),
            tasks=_part("tasks", self.tasks),
            redemption=_part("redemption", self.redemption),
        )


def _part(name: str, section: Any) -> Any:
    if section is None:
        return None
    build: Callable[[], Any] = section.to_domain
    try:
        return build()
    except InvalidRule as error:
        raise error.within(f"growth.{name}") from None
