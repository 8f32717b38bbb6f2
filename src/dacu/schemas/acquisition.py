"""(placeholder) The campaign file's `growth.welcome`, `growth.invites` and
`growth.merchant_codes`."""

from dacu.domain.acquisition import Invites, MerchantCodes, Welcome
from dacu.schemas.bounds import Fen
from dacu.schemas.promotions import In


class WelcomeIn(In):
    budget: Fen = 0

    def to_domain(self) -> Welcome:
        return Welcome(self.budget)


class InvitesIn(In):
    budget: Fen = 0

    def to_domain(self) -> Invites:
        return Invites(self.budget)


class MerchantCodesIn(In):
    budget: Fen = 0
    new_member_rebate: Fen = 1000  # 10元 per new member whose first order is paid
    first_order_rebate: Fen = 100  # 1元 per paid first order at the shop …
    first_order_min: Fen = 3000  # … of at least 30元 there, inclusive

    def to_domain(self) -> MerchantCodes:
        return MerchantCodes(
            self.budget, self.new_member_rebate, self.first_order_rebate, self.first_order_min
        )
