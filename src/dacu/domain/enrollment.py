"""Merchants joining a campaign (商家报名): who qualifies, and the SKUs they enroll.

An operator reviews each enrollment once; an approved one puts the SKU on sale
at its campaign price (a merchant-funded item price) with the stock the
merchant committed (core SKUs at 3× expected sales, 002). Until then the shop
may enroll the SKU again with new terms; no other shop may take it.
"""

from dataclasses import dataclass, replace
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


class Ineligible(InvalidRule):
    """The shop may not enroll in the campaign; `reasons` says every why."""

    def __init__(self, shop: str, reasons: list[str]) -> None:
        super().__init__("shop", "; ".join(reasons))
        self.shop = shop
        self.reasons = reasons


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

    def reenrolled(self, terms: "Enrollment") -> "Enrollment":
        """This enrollment with the shop's new terms: only its own shop, only while pending."""
        if terms.shop != self.shop:
            raise EnrollmentStateError(f"{self.sku} is already enrolled by another shop")
        if self.review is not Review.PENDING:
            raise EnrollmentStateError(f"{self.sku} is already enrolled and reviewed")
        return replace(terms, id=self.id, review=Review.PENDING, note="")

    def approve(self, note: str = "") -> "Enrollment":
        """The SKU goes on sale at its campaign price with the committed stock."""
        return self._decide(Review.APPROVED, note)

    def reject(self, note: str = "") -> "Enrollment":
        return self._decide(Review.REJECTED, note)

    def decide(self, approve: bool, note: str = "") -> "Enrollment":
        return self.approve(note) if approve else self.reject(note)

    def _decide(self, verdict: Review, note: str) -> "Enrollment":
        if self.review is not Review.PENDING:
            raise EnrollmentStateError(f"enrollment {self.id} was already {self.review.value}")
        return replace(self, review=verdict, note=note)

    @property
    def on_sale(self) -> int | None:
        """Units its review puts on sale: the committed stock once approved, else none."""
        return self.committed_stock if self.review is Review.APPROVED else None

    def promotion(self) -> Promotion:
        """The campaign price as pricing sees it: the merchant's own item price."""
        return Promotion(
            id=f"enrolled:{self.campaign_id}:{self.sku}",
            level=Level.ITEM,
            benefit=FlashPrice(self.campaign_price),
            scope=Scope(skus=frozenset({self.sku})),
            shop=self.shop,
        )
