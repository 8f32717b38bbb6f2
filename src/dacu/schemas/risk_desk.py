"""What crosses the API's edge for the risk review desk (风控审核): the requests (strict)
and the answers, built from the domain's objects. Identifiers are shown masked."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from dacu.domain.risk_review import ReviewItem
from dacu.schemas.bounds import PRINTABLE, Moment, aware
from dacu.schemas.carts import Strict

Text = Annotated[str, Field(max_length=1000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
Listable = Literal["account", "device", "ip", "address", "payment_account", "phone"]


class DecideIn(Strict):
    decision: Literal["approve", "reject", "reject_blacklist"]
    note: Text = Field("", description="why: required to reject")
    blacklist: list[Listable] = Field(
        default_factory=list, max_length=6, description="with reject_blacklist: what to list"
    )
    until: Moment | None = Field(
        None, strict=False, description="the listing's expiry (ISO 8601); none: until removed"
    )


class AppealIn(Strict):
    item_id: str | None = Field(
        None, min_length=1, max_length=260, pattern=PRINTABLE,
        description="the held item appealed; none: the block of one's own account",
    )  # fmt: skip
    reason: Text = Field(min_length=1)


class ReviewOut(BaseModel):
    id: str
    kind: str
    key: str
    customer_id: str
    shop: str
    campaign_id: str
    amount: int = Field(description="fen")
    reason: str
    score: int
    rules: list[str]
    created_at: datetime
    status: str
    appeal: bool
    appeal_by: str
    appeal_reason: str
    appealed_at: datetime | None
    decision: str | None
    decided_by: str
    decided_at: datetime | None
    note: str
    blacklisted: list[str]

    @classmethod
    def of(cls, item: ReviewItem) -> "ReviewOut":
        return cls(
            id=item.id,
            kind=item.kind.value,
            key=item.key,
            customer_id=item.customer_id,
            shop=item.shop,
            campaign_id=item.campaign_id,
            amount=item.amount,
            reason=item.reason,
            score=item.score,
            rules=list(item.rules),
            created_at=aware(item.created_at),
            status=item.status.value,
            appeal=item.appeal,
            appeal_by=item.appeal_by,
            appeal_reason=item.appeal_reason,
            appealed_at=aware(item.appealed_at),
            decision=None if item.decision is None else item.decision.value,
            decided_by=item.decided_by,
            decided_at=aware(item.decided_at),
            note=item.note,
            blacklisted=list(item.blacklisted),
        )


class PageOut(BaseModel):
    items: list[ReviewOut]
    total: int
    offset: int
    limit: int


class AppealOut(BaseModel):
    """What the appellant sees: the subject, their reason, and the decision."""

    id: str
    kind: str
    amount: int
    appeal_reason: str
    appealed_at: datetime | None
    status: str
    decision: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, item: ReviewItem) -> "AppealOut":
        return cls(
            id=item.id,
            kind=item.kind.value,
            amount=item.amount,
            appeal_reason=item.appeal_reason,
            appealed_at=aware(item.appealed_at),
            status=item.status.value,
            decision=None if item.decision is None else item.decision.value,
            decided_at=aware(item.decided_at),
        )


class EntryOut(BaseModel):
    kind: str
    value: str
    reason: str
    by: str
    at: datetime
    until: datetime | None


class ClusterOut(BaseModel):
    id: str
    size: int
    first_seen: datetime
    members: list[str]


class DeedOut(BaseModel):
    at: datetime
    what: str
    ref: str
    amount: int
    detail: str


class InviteeOut(BaseModel):
    customer_id: str
    referrer: str
    depth: int
    at: datetime
    paid_orders: int


class EvidenceOut(BaseModel):
    item: ReviewOut
    cluster: ClusterOut | None
    shared: list[tuple[str, str, int]] = Field(description="(kind, masked value, accounts)")
    timeline: list[DeedOut]
    invitees: list[InviteeOut]
    listed: list[EntryOut]
