"""The campaign file's `growth.welcome`, `growth.invites` and `growth.merchant_codes`."""

from pydantic import Field

from dacu.domain.acquisition import Invites, MerchantCodes, Welcome
from dacu.schemas.bounds import Count, Fen, Id
from dacu.schemas.promotions import In


class WelcomeIn(In):
    coupon: Id  # the red packet's coupon template, e.g. welcome-red-20
    budget: Fen = 0

    def to_domain(self) -> Welcome:
        return Welcome(coupon=self.coupon, budget=self.budget)


class InvitesIn(In):
    coupon: Id | None = None  # the inviter's red packet per invitee, e.g. invite-red-5
    coins: int = Field(0, ge=0, le=1_000)  # 智慧币 per invitee
    max_rewarded: Count = 0  # invitees rewarded per inviter; 0: no cap
    share_coupon: Id | None = None  # the sharer's coupon per new member
    share_daily_cap: Count = 0  # share rewards per sharer per day; 0: no cap
    budget: Fen = 0

    def to_domain(self) -> Invites:
        return Invites(
            coupon=self.coupon or "",
            coins=self.coins,
            max_rewarded=self.max_rewarded,
            share_coupon=self.share_coupon or "",
            share_daily_cap=self.share_daily_cap,
            budget=self.budget,
        )


class MerchantCodesIn(In):
    budget: Fen = 0
    new_member_rebate: Fen = 1000  # 10元 per new member whose first order is paid
    first_order_rebate: Fen = 100  # 1元 per paid first order at the shop …
    first_order_min: Fen = 3000  # … of at least 30元 there, inclusive

    def to_domain(self) -> MerchantCodes:
        return MerchantCodes(
            self.budget, self.new_member_rebate, self.first_order_rebate, self.first_order_min
        )
