"""Merchants joining a campaign (商家报名): who qualifies, and the SKUs they enroll.

An operator reviews each enrollment; an approved one puts the SKU on sale at
its campaign price (a merchant-funded item price) with the stock the
merchant committed (core SKUs at 3× expected sales, 002).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dacu.domain.benefits import FlashPrice
from dacu.domain.campaigns import Eligibility
from dacu.domain.errors import ErrorCode, InvalidRule, NotFound, StateError
from dacu.domain.promotions import Promotion
from dacu.domain.rules import Level, Scope, check_amount
from dacu.domain.types import Bp, Fen


class UnknownMerchant(NotFound):
    """No merchant profile for that shop."""

    code = ErrorCode.UNKNOWN_MERCHANT
    noun = "merchant profile for shop"


class UnknownEnrollment(NotFound):
    """No enrollment has that id."""

    code = ErrorCode.UNKNOWN_ENROLLMENT
    noun = "enrollment"


class EnrollmentStateError(StateError):
    """The enrollment is not in a state that allows this."""

    code = ErrorCode.ENROLLMENT_STATE


@dataclass(frozen=True, slots=True)
class Merchant:
    shop: str
    verified: bool
    rating_bp: Bp  # store rating, 10000 = 5.0 stars
    last_serious_violation: datetime | None = None
    categories: tuple[str, ...] = ()


def ineligibility(merchant: Merchant, rules: Eligibility, now: datetime) -> list[str]:
    """Why `merchant` may not enroll; empty when it may."""
    reasons = []
    if rules.verified and not merchant.verified:
        reasons.append("the shop is not verified")
    if merchant.rating_bp < rules.min_rating_bp:
        reasons.append(f"store rating {merchant.rating_bp} bp is below {rules.min_rating_bp} bp")
    violation = merchant.last_serious_violation
    if violation is not None and now - violation < timedelta(days=rules.violation_free_days):
        reasons.append(f"a serious violation within {rules.violation_free_days} days")
    return reasons


def is_priority(merchant: Merchant, rules: Eligibility) -> bool:
    """In a priority category (家电, 数码, 美妆 in 004): reviewed first."""
    return bool(set(merchant.categories) & set(rules.priority_categories))


class Review(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Enrollment:
    id: str
    campaign_id: str
    shop: str
    sku: str
    list_price: Fen
    campaign_price: Fen
    committed_stock: int
    review: Review = Review.PENDING
    note: str = ""

    def __post_init__(self) -> None:
        check_amount("list_price", self.list_price)
        check_amount("campaign_price", self.campaign_price)
        if self.campaign_price >= self.list_price:
            raise InvalidRule("campaign_price", "must be below the list price")
        if self.committed_stock < 1:
            raise InvalidRule("committed_stock", "must be at least 1")

    def promotion(self) -> Promotion:
        """The campaign price as pricing sees it: the merchant's own item price."""
        return Promotion(
            id=f"enrolled:{self.campaign_id}:{self.sku}",
            level=Level.ITEM,
            benefit=FlashPrice(self.campaign_price),
            scope=Scope(skus=frozenset({self.sku})),
            shop=self.shop,
        )
