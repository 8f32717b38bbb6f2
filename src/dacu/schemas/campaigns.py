"""The campaign file (campaign as code): `dacu campaign apply FILE.yaml`.

Promotions keep the scenario format's promotion schema, with an optional
`phase` that binds them to a phase's window and `killed` for the kill switch.
"""

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from dacu.domain import campaigns as c
from dacu.domain.budgets import check_funded
from dacu.domain.coupons import Audience, CouponTemplate, Validity
from dacu.domain.errors import InvalidRule
from dacu.domain.rules import ALWAYS, Level, Window
from dacu.domain.tier_funding import funded_by_tiers
from dacu.domain.types import MAX_FEN
from dacu.domain.wallet import WalletKind
from dacu.schemas.bounds import Bp, Count, Days, Fen, Id, Moment, Name, Note, Qty, aware
from dacu.schemas.growth import GrowthIn
from dacu.schemas.promotions import In, PromotionIn, ScopeIn, field_path
from dacu.schemas.settlement import SettlementIn

PhaseName = Literal["preparation", "warm_up", "burst", "encore", "review"]
_PROMOTION = TypeAdapter(PromotionIn)


class PhaseIn(In):
    name: PhaseName
    starts_at: Moment
    ends_at: Moment


class TargetIn(In):
    metric: Id
    value: Fen  # fen, a count or basis points: every one fits
    sku: Id | None = None


class BudgetIn(In):
    total: Fen = 0
    contingency_bp: Bp = 0
    departments: dict[Id, Fen] = Field(default_factory=dict, max_length=100)


class ParticipationIn(In):
    members_only: bool = False
    limit_per_user: Qty | None = None


class EligibilityIn(In):
    verified: bool = True
    min_rating_bp: Bp = 0
    violation_free_days: Days = 0
    priority_categories: list[Id] = Field(default_factory=list, max_length=1000)


class ValidityIn(In):
    ends_at: Moment | None = None
    days: Days | None = None


class WindowIn(In):
    starts_at: Moment | None = None
    ends_at: Moment | None = None


class CouponTemplateIn(In):
    id: Id
    name: Name
    kind: Literal["coupon", "red_packet"] = "coupon"
    level: Literal["shop", "platform"] = "platform"
    threshold: Fen = 0
    off: Fen | None = None
    discount_bp: Bp | None = None
    max_off: Fen | None = None
    shop: Id | None = None
    scope: ScopeIn | None = None
    not_first_order: bool = False
    funding_bp: Bp | None = None
    department: Id | None = None  # a key of budget.departments
    budget: Fen | None = Field(default=None, gt=0)  # its own cap on the platform's share
    total_stock: Count
    per_user_limit: Qty = 1
    validity: ValidityIn
    claim_window: WindowIn | None = None
    audience: Literal["all", "new_users", "members"] = "all"

    def to_domain(self, campaign_id: str | None) -> CouponTemplate:
        window = self.claim_window
        return CouponTemplate(
            id=self.id,
            name=self.name,
            kind=WalletKind(self.kind),
            level=Level(self.level),
            threshold=self.threshold,
            off=self.off,
            discount_bp=self.discount_bp,
            max_off=self.max_off,
            shop=self.shop,
            scope=self.scope.to_domain() if self.scope else ScopeIn().to_domain(),
            not_first_order=self.not_first_order,
            funding_bp=self.funding_bp,
            total_stock=self.total_stock,
            per_user_limit=self.per_user_limit,
            validity=Validity(aware(self.validity.ends_at), self.validity.days),
            claim_window=(
                Window(aware(window.starts_at), aware(window.ends_at)) if window else ALWAYS
            ),
            audience=Audience(self.audience),
            campaign_id=campaign_id,
            department=self.department,
            budget=self.budget,
        )


class CampaignIn(In):
    id: Id
    theme: Name
    slogan: Note = ""
    owner: Id
    status: Literal["draft", "live", "paused", "ended"] = "draft"
    phases: list[PhaseIn] = Field(max_length=5)
    targets: list[TargetIn] = Field(default_factory=list, max_length=100)
    budget: BudgetIn = Field(default_factory=BudgetIn)
    participation: ParticipationIn = Field(default_factory=ParticipationIn)
    eligibility: EligibilityIn = Field(default_factory=EligibilityIn)
    promotions: list[dict[str, Any]] = Field(default_factory=list, max_length=100_000)
    coupons: list[CouponTemplateIn] = Field(default_factory=list, max_length=1000)
    growth: GrowthIn = Field(default_factory=GrowthIn)
    settlement: SettlementIn = Field(default_factory=SettlementIn)

    def to_domain(self) -> c.Campaign:
        """The campaign in domain terms; raises InvalidRule naming the field."""
        phases = tuple(
            c.PhaseWindow(c.Phase(p.name), Window(aware(p.starts_at), aware(p.ends_at)))
            for p in self.phases
        )
        promotions = tuple(_promotion(i, raw, phases) for i, raw in enumerate(self.promotions))
        coupons = []
        for i, coupon in enumerate(self.coupons):
            try:
                coupons.append(coupon.to_domain(self.id))
            except InvalidRule as error:
                raise error.within(f"coupons[{i}]") from None
        growth = self.growth.to_domain()
        settlement = self.settlement.to_domain()
        promotions = funded_by_tiers(promotions, settlement)
        campaign = c.Campaign(
            id=self.id,
            theme=self.theme,
            slogan=self.slogan,
            owner=self.owner,
            status=c.Status(self.status),
            phases=phases,
            targets=tuple(c.Target(t.metric, t.value, t.sku) for t in self.targets),
            budget=c.Budget(
                self.budget.total,
                self.budget.contingency_bp,
                dict(self.budget.departments),
                carved=sum(growth.lines().values()),
            ),
            participation=c.Participation(
                self.participation.members_only, self.participation.limit_per_user
            ),
            eligibility=c.Eligibility(
                self.eligibility.verified,
                self.eligibility.min_rating_bp,
                self.eligibility.violation_free_days,
                tuple(self.eligibility.priority_categories),
            ),
            promotions=promotions,
            coupons=tuple(coupons),
            growth=growth,
            settlement=settlement,
        )
        check_funded(campaign)
        return campaign


def _promotion(
    index: int, raw: dict[str, Any], phases: tuple[c.PhaseWindow, ...]
) -> c.CampaignPromotion:
    fields = dict(raw)
    phase = fields.pop("phase", None)
    killed = bool(fields.pop("killed", False))
    where = f"promotions[{index}]"
    department, cap = _level(where, fields.pop("department", None), fields.pop("budget", None))
    try:
        parsed = _PROMOTION.validate_json(json.dumps(fields, default=str))
    except ValidationError as error:
        first = error.errors()[0]
        path = field_path(first["loc"][1:])
        raise InvalidRule(f"{where}.{path}" if path else where, first["msg"]) from None
    try:
        promotion = parsed.to_domain()
    except InvalidRule as error:
        raise error.within(where) from None
    if phase is not None and phase not in {p.phase.value for p in phases}:
        raise InvalidRule(f"{where}.phase", f"{phase} is not one of this campaign's phases")
    return c.CampaignPromotion(
        promotion, c.Phase(phase) if phase else None, killed, department, cap
    )


def _level(where: str, department: Any, cap: Any) -> tuple[str | None, int | None]:
    """A promotion's department (checked against budget.departments with the campaign)
    and its own cap, in fen."""
    if department is not None and (not isinstance(department, str) or not department.strip()):
        raise InvalidRule(f"{where}.department", "must name one of budget.departments")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap <= 0):
        raise InvalidRule(f"{where}.budget", "must be a positive number of fen")
    if cap is not None and cap > MAX_FEN:
        raise InvalidRule(f"{where}.budget", f"must be at most {MAX_FEN} fen")
    return department, cap


def load_campaign(data: Any) -> tuple[dict[str, Any], c.Campaign]:
    """Check a campaign document (as read from YAML or JSON) and build the campaign.

    Returns the document normalised to JSON types, which is what storage keeps.
    Raises InvalidRule naming the first bad field.
    """
    text = json.dumps(data, default=_jsonable, ensure_ascii=False)
    try:
        parsed = CampaignIn.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidRule(field_path(first["loc"]) or "campaign", first["msg"]) from None
    return json.loads(text), parsed.to_domain()


def _jsonable(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a campaign value")
