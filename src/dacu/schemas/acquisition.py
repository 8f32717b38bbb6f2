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

    def to_domain(self) -> MerchantCodes:
        return MerchantCodes(self.budget)
