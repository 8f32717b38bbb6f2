"""Campaigns (大促活动): phases, targets, budget, who may take part, and their rules.

A campaign frames its promotions and coupons: nothing applies outside its phase's window,
a paused campaign prices nothing, a wrong rule is killed at once (活动规则错误 → 立即修改).
"""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from dacu.domain.coupons import CouponTemplate
from dacu.domain.errors import ErrorCode, InvalidRule, NotFound, StateError
from dacu.domain.growth import Growth
from dacu.domain.promotions import Promotion
from dacu.domain.rules import Window, check_rate
from dacu.domain.settlement_policy import SettlementPolicy
from dacu.domain.types import Bp, Fen


class Phase(StrEnum):
    PREPARATION = "preparation"  # 筹备
    WARM_UP = "warm_up"  # 预热: pre-announcements, coupon pre-issue, countdown
    BURST = "burst"  # 正式 / 爆发: flash sales, 整点 waves
    ENCORE = "encore"  # 返场 / 收尾
    REVIEW = "review"  # 总结


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    PAUSED = "paused"
    ENDED = "ended"


Status = CampaignStatus  # the name most callers know it by

# Which status may follow which: an ended campaign is over for good.
_MOVES: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.LIVE, CampaignStatus.ENDED}),
    CampaignStatus.LIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.ENDED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.LIVE, CampaignStatus.ENDED}),
    CampaignStatus.ENDED: frozenset(),
}


class UnknownCampaign(NotFound):
    """No campaign has that id."""

    code = ErrorCode.UNKNOWN_CAMPAIGN
    noun = "campaign"


class UnknownPromotion(NotFound):
    """The campaign has no promotion with that id."""

    code = ErrorCode.UNKNOWN_PROMOTION
    noun = "promotion"


class CampaignStateError(StateError):
    """The campaign is not in a state that allows this."""

    code = ErrorCode.CAMPAIGN_STATE


@dataclass(frozen=True, slots=True)
class PhaseWindow:
    phase: Phase
    window: Window

    def __post_init__(self) -> None:
        if self.window.starts_at is None or self.window.ends_at is None:
            raise InvalidRule("phases", f"{self.phase} needs both starts_at and ends_at")


TARGET_METRICS = frozenset(
    {
        "gmv",  # fen paid
        "orders",  # orders placed
        "paid_orders",
        "buyers",
        "uv",
        "pv",
        "new_users",
        "registrations",
        "aov",  # 客单价, fen
        "conversion_bp",  # visitors who paid
        "coupon_claims",
        "coupon_uses",
        "shares",
        "sku_units",  # units of one SKU (needs `sku`)
        "sku_gmv",
    }
)


@dataclass(frozen=True, slots=True)
class Target:
    """A SMART figure checked live and at the end, e.g. GMV 150% of a normal day."""

    metric: str
    value: int
    sku: str | None = None

    def __post_init__(self) -> None:
        if self.metric not in TARGET_METRICS:
            known = ", ".join(sorted(TARGET_METRICS))
            raise InvalidRule("targets.metric", f"{self.metric!r} is not one of {known}")
        if self.metric.startswith("sku_") != (self.sku is not None):
            raise InvalidRule("targets.sku", f"{self.metric} needs a sku exactly when per SKU")
        if self.value <= 0:
            raise InvalidRule("targets.value", "must be positive")


@dataclass(frozen=True, slots=True)
class Budget:
    total: Fen
    contingency_bp: Bp = 0  # 预留 5–10% 应急
    departments: Mapping[str, Fen] = field(default_factory=dict)
    carved: Fen = 0  # the growth mechanics' budget lines, carved out of the total

    def __post_init__(self) -> None:
        if self.total < 0:
            raise InvalidRule("budget.total", "must not be negative")
        check_rate("budget.contingency_bp", self.contingency_bp)
        if sum(self.departments.values()) > self.total:
            raise InvalidRule("budget.departments", "add up to more than the total")


@dataclass(frozen=True, slots=True)
class Participation:
    members_only: bool = False
    limit_per_user: int | None = None  # 每人限购


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Which merchants may enroll (004 补贴对象资格)."""

    verified: bool = True
    min_rating_bp: Bp = 0  # store rating, 10000 = 5.0 stars
    violation_free_days: int = 0
    priority_categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CampaignPromotion:
    """A promotion as the campaign holds it: bound to a phase, and killable."""

    promotion: Promotion
    phase: Phase | None = None
    killed: bool = False
    department: str | None = None  # a key of budget.departments: its share draws that line
    budget: Fen | None = None  # its own cap (fen) on the platform's share


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    theme: str
    owner: str
    phases: tuple[PhaseWindow, ...]
    slogan: str = ""
    targets: tuple[Target, ...] = ()
    budget: Budget = Budget(0)
    participation: Participation = Participation()
    eligibility: Eligibility = Eligibility()
    promotions: tuple[CampaignPromotion, ...] = ()
    coupons: tuple[CouponTemplate, ...] = ()
    status: Status = Status.DRAFT
    growth: Growth = field(default_factory=Growth)  # red packets, invites, lottery …
    settlement: SettlementPolicy = field(default_factory=SettlementPolicy)  # plan 004

    def __post_init__(self) -> None:
        if not self.phases:
            raise InvalidRule("phases", "a campaign needs at least one phase")
        ordered = sorted(self.phases, key=_start)
        for earlier, later in itertools.pairwise(ordered):
            assert earlier.window.ends_at is not None
            assert later.window.starts_at is not None
            if later.window.starts_at < earlier.window.ends_at:
                raise InvalidRule("phases", f"{earlier.phase} and {later.phase} overlap")
        named = {p.phase for p in self.phases}
        ids: set[str] = set()
        for i, held in enumerate(self.promotions):
            if held.phase is not None and held.phase not in named:
                raise InvalidRule(f"promotions[{i}].phase", f"{held.phase} is not a phase here")
            if held.promotion.id in ids:
                raise InvalidRule(f"promotions[{i}].id", f"{held.promotion.id} is used twice")
            ids.add(held.promotion.id)

    def window_of(self, phase: Phase) -> Window:
        for held in self.phases:
            if held.phase is phase:
                return held.window
        raise KeyError(phase)

    def phase_at(self, now: datetime) -> Phase | None:
        for held in self.phases:
            if held.window.contains(now):
                return held.phase
        return None

    def live_promotions(self, now: datetime) -> list[Promotion]:
        """What prices carts at `now`: nothing while paused or outside every phase (before
        the first, after the last: a campaign ends by time), never a killed promotion."""
        if self.status is not Status.LIVE or self.phase_at(now) is None:
            return []
        found = []
        for held in self.promotions:
            if held.killed:
                continue
            if held.phase is not None and not self.window_of(held.phase).contains(now):
                continue
            found.append(held.promotion)
        return found

    @property
    def span(self) -> Window:
        """From the start of its first phase to the end of its last."""
        starts = [held.window.starts_at for held in self.phases if held.window.starts_at]
        ends = [held.window.ends_at for held in self.phases if held.window.ends_at]
        return Window(min(starts), max(ends))

    def open_at(self, now: datetime) -> bool:
        """Whether claims, flash attempts and checkout may go on at `now`: live, and
        between the start of its first phase and the end of its last."""
        return self.status is Status.LIVE and self.span.contains(now)

    def admits(self, member_tier: str | None) -> bool:
        """Whether a customer takes part at all (会员专享 campaigns admit members only)."""
        return not self.participation.members_only or member_tier is not None

    def over_limit(self, bought: int, qty: int) -> bool:
        """Whether buying `qty` more of a campaign SKU breaks 每人限购."""
        limit = self.participation.limit_per_user
        return limit is not None and bought + qty > limit

    def with_status(self, status: Status) -> "Campaign":
        return replace(self, status=status)

    # --- lifecycle: each move returns the campaign after it, or refuses ----------------

    def moved_to(self, status: CampaignStatus) -> "Campaign":
        """The campaign in `status`; asking for the status it has already changes nothing."""
        if status is not self.status and status not in _MOVES[self.status]:
            raise CampaignStateError(f"campaign {self.id} is {self.status}, it cannot be {status}")
        return replace(self, status=status)

    def go_live(self) -> "Campaign":
        return self.moved_to(CampaignStatus.LIVE)

    def pause(self) -> "Campaign":
        if self.status is not CampaignStatus.LIVE:
            raise CampaignStateError(f"campaign {self.id} is {self.status}, not live")
        return self.moved_to(CampaignStatus.PAUSED)

    def resume(self) -> "Campaign":
        if self.status is not CampaignStatus.PAUSED:
            raise CampaignStateError(f"campaign {self.id} is {self.status}, not paused")
        return self.moved_to(CampaignStatus.LIVE)

    def end(self) -> "Campaign":
        return self.moved_to(CampaignStatus.ENDED)

    def revised(self, document: "Campaign") -> "Campaign":
        """The campaign as a corrected file states it; an ended campaign stays as it ended."""
        if self.status is CampaignStatus.ENDED:
            raise CampaignStateError(f"campaign {self.id} has ended, it cannot be changed")
        if document.id != self.id:
            raise InvalidRule("id", f"the file is for {document.id}, not {self.id}")
        return document

    def kill(self, promotion_id: str, killed: bool = True) -> "Campaign":
        """The same campaign with one promotion switched off (or back on)."""
        if promotion_id not in {held.promotion.id for held in self.promotions}:
            raise UnknownPromotion(promotion_id)
        if self.status is CampaignStatus.ENDED:
            raise CampaignStateError(f"campaign {self.id} has ended, it cannot be changed")
        promotions = tuple(
            replace(held, killed=killed) if held.promotion.id == promotion_id else held
            for held in self.promotions
        )
        return replace(self, promotions=promotions)

    @property
    def killed(self) -> list[str]:
        """Ids of the promotions switched off, sorted."""
        return sorted(held.promotion.id for held in self.promotions if held.killed)


def _start(held: PhaseWindow) -> datetime:
    assert held.window.starts_at is not None
    return held.window.starts_at


def phase_windows(items: Sequence[tuple[Phase, datetime, datetime]]) -> tuple[PhaseWindow, ...]:
    return tuple(PhaseWindow(phase, Window(start, end)) for phase, start, end in items)
