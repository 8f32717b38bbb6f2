"""Coupon and red-packet templates (券模板): who may claim, how many, valid until when.

A template is the rule; a claimed coupon is a `WalletItem` in one customer's
wallet. Stock and per-user counts are enforced atomically by storage; this
module decides everything that needs no counter.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from dacu.domain.budget_levels import rule_levels
from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.rules import ALWAYS, EVERYTHING, Level, Scope, Window, check_amount, check_rate
from dacu.domain.types import Bp, Fen
from dacu.domain.wallet import WalletItem, WalletKind

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Audience(StrEnum):
    ALL = "all"
    NEW_USERS = "new_users"  # 新人: before their first paid order
    MEMBERS = "members"  # 会员: any member tier


class UnknownTemplate(NotFound):
    """No coupon template has that id."""

    code = ErrorCode.UNKNOWN_COUPON_TEMPLATE
    noun = "coupon template"


class ClaimRefused(DomainError):
    """A claim the template's rules do not allow; `code` is stable for API clients."""

    code = ErrorCode.CLAIM_REFUSED


class ClaimWindowClosed(ClaimRefused):
    """The template cannot be claimed at this moment."""

    code = ErrorCode.CLAIM_WINDOW_CLOSED


class NotInAudience(ClaimRefused):
    """The customer is not in the template's audience."""

    code = ErrorCode.NOT_IN_AUDIENCE


class PerUserLimitReached(ClaimRefused):
    """The customer already holds as many as one may claim."""

    code = ErrorCode.PER_USER_LIMIT_REACHED


class OutOfStock(ClaimRefused):
    """Every coupon of the template has been issued."""

    code = ErrorCode.OUT_OF_STOCK


class UnknownCode(ClaimRefused):
    """No activity code is spelled like that."""

    code = ErrorCode.UNKNOWN_ACTIVITY_CODE


class CouponUnavailable(ClaimRefused):
    """A coupon the order names is not held by the customer, usable and free."""

    code = ErrorCode.COUPON_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class Claimant:
    """What a claim needs to know about the customer."""

    id: str
    first_order: bool = False
    member_tier: str | None = None


@dataclass(frozen=True, slots=True)
class Validity:
    """Fixed dates, or `days` after the claim (capped by `ends_at` when both are given)."""

    ends_at: datetime | None = None
    days: int | None = None

    def __post_init__(self) -> None:
        if self.ends_at is None and self.days is None:
            raise InvalidRule("validity", "give ends_at, days after claim, or both")
        if self.days is not None and self.days < 1:
            raise InvalidRule("validity.days", "must be at least 1")

    def expires_at(self, claimed_at: datetime) -> datetime:
        if self.days is None:
            assert self.ends_at is not None
            return self.ends_at
        relative = claimed_at + timedelta(days=self.days)
        return relative if self.ends_at is None else min(relative, self.ends_at)


@dataclass(frozen=True, slots=True)
class CouponTemplate:
    id: str
    name: str
    kind: WalletKind
    level: Level
    threshold: Fen
    total_stock: int
    per_user_limit: int
    validity: Validity
    claim_window: Window = ALWAYS
    audience: Audience = Audience.ALL
    off: Fen | None = None
    discount_bp: Bp | None = None
    max_off: Fen | None = None
    shop: str | None = None
    scope: Scope = EVERYTHING
    not_first_order: bool = False
    funding_bp: Bp | None = None
    campaign_id: str | None = None
    department: str | None = None  # a key of budget.departments: its share draws that line
    budget: Fen | None = None  # its own cap (fen) on the platform's share

    def __post_init__(self) -> None:
        if self.total_stock < 0:
            raise InvalidRule("total_stock", "must not be negative")
        if self.per_user_limit < 1:
            raise InvalidRule("per_user_limit", "must be at least 1")
        check_amount("threshold", self.threshold)
        if self.discount_bp is not None:
            check_rate("discount_bp", self.discount_bp)
        # The wallet item carries the money rules; building one checks them once.
        self.issue("template-check", _EPOCH)

    def check_claim(self, claimant: Claimant, now: datetime) -> None:
        """Raise the reason a claim is refused, stock and per-user counts aside."""
        if not self.claim_window.contains(now):
            raise ClaimWindowClosed(f"{self.id} can be claimed only within its claim window")
        if self.validity.expires_at(now) <= now:
            raise ClaimWindowClosed(f"{self.id}'s coupons are no longer valid: none is issued")
        if self.audience is Audience.NEW_USERS and not claimant.first_order:
            raise NotInAudience(f"{self.id} is for new users before their first order")
        if self.audience is Audience.MEMBERS and claimant.member_tier is None:
            raise NotInAudience(f"{self.id} is for members")

    def issue(self, coupon_id: str, claimed_at: datetime) -> WalletItem:
        """The wallet item a claim at `claimed_at` puts in the customer's wallet."""
        return self.wallet_item(coupon_id, self.validity.expires_at(claimed_at))

    def wallet_item(self, coupon_id: str, expires_at: datetime) -> WalletItem:
        """A claimed coupon of this template, as pricing sees it."""
        return WalletItem(
            id=coupon_id,
            kind=self.kind,
            level=self.level,
            threshold=self.threshold,
            expires_at=expires_at,
            off=self.off,
            discount_bp=self.discount_bp,
            max_off=self.max_off,
            shop=self.shop,
            scope=self.scope,
            not_first_order=self.not_first_order,
            funding_bp=self.funding_bp,
            budget=self.campaign_id,
            levels=rule_levels(self.campaign_id, self.id, self.department, self.budget)
            if self.campaign_id
            else (),
        )


class CouponStatus(StrEnum):
    """Where a claimed coupon stands: in the wallet, held by an order, spent, or run out."""

    HELD = "held"  # in the wallet, free to use
    LOCKED = "locked"  # named by an unpaid order
    REDEEMED = "redeemed"  # 核销: the order was paid
    EXPIRED = "expired"  # its time ran out while held


@dataclass(frozen=True, slots=True)
class ClaimedCoupon:
    """A coupon in one customer's wallet; each move returns the coupon as it becomes."""

    id: str
    template_id: str
    customer_id: str
    claimed_at: datetime
    expires_at: datetime
    status: CouponStatus = CouponStatus.HELD
    order_id: str | None = None  # the order that locked or redeemed it

    def lock(self, customer_id: str, order_id: str, now: datetime) -> "ClaimedCoupon":
        """Held for an order at checkout: only the holder's, only while usable and free."""
        usable = self.status is CouponStatus.HELD and self.expires_at >= now
        if self.customer_id != customer_id or not usable:
            raise CouponUnavailable(f"coupon {self.id} cannot be used on this order")
        return replace(self, status=CouponStatus.LOCKED, order_id=order_id)

    def redeem(self, order_id: str) -> "ClaimedCoupon":
        """核销: the order that locked it is paid."""
        self._check_order(order_id, CouponStatus.LOCKED)
        return replace(self, status=CouponStatus.REDEEMED)

    def release(self, order_id: str) -> "ClaimedCoupon":
        """Back to the wallet: the order was cancelled, expired or refunded whole."""
        self._check_order(order_id, CouponStatus.LOCKED, CouponStatus.REDEEMED)
        return replace(self, status=CouponStatus.HELD, order_id=None)

    def expire(self, now: datetime) -> "ClaimedCoupon":
        """Run out: only a held coupon past its time expires."""
        if self.status is not CouponStatus.HELD or self.expires_at >= now:
            raise CouponUnavailable(f"coupon {self.id} is {self.status}; it cannot expire now")
        return replace(self, status=CouponStatus.EXPIRED)

    def follow(self, order_id: str, status: CouponStatus) -> "ClaimedCoupon":
        """The coupon as its order's new state wants it (see `Order.coupon_status`)."""
        if status is self.status:
            return self
        if status is CouponStatus.REDEEMED:
            return self.redeem(order_id)
        if status is CouponStatus.HELD:
            return self.release(order_id)
        raise CouponUnavailable(f"coupon {self.id} cannot follow its order to {status}")

    def _check_order(self, order_id: str, *states: CouponStatus) -> None:
        if self.order_id != order_id or self.status not in states:
            raise CouponUnavailable(f"coupon {self.id} is {self.status}, not for {order_id}")


@dataclass(frozen=True, slots=True)
class TemplateCounts:
    """Live claim counts of a template (实时领取数)."""

    total_stock: int
    issued: int

    @property
    def left(self) -> int:
        return self.total_stock - self.issued
