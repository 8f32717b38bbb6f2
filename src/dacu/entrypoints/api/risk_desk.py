"""风控审核 routes: the review queue of held subjects and appeals (risk decides, operators
read), each item's evidence, one-click decisions (reject and blacklist through the rules'
blacklist, whose own routes are `/v1/risk/blacklist`), and appeals by customers (consumer
token) and merchants (their own shops' held rebates and payouts)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from dacu.domain.access import Principal, Role
from dacu.domain.errors import InvalidRule
from dacu.domain.risk_lists import ListEntry
from dacu.domain.risk_review import Decision, ReviewKind, ReviewStatus
from dacu.entrypoints.api.appeals import own_shops
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import aware
from dacu.schemas.risk_desk import (
    AppealIn,
    AppealOut,
    ClusterOut,
    DecideIn,
    DeedOut,
    EntryOut,
    EvidenceOut,
    InviteeOut,
    PageOut,
    ReviewOut,
)
from dacu.services.ports.risk_reviews import QueueFilter
from dacu.services.risk_desk import Evidence

router = APIRouter(prefix="/v1/risk", tags=["risk"])
READERS = (Role.RISK, Role.OPERATOR)
APPELLANTS = (Role.CONSUMER, Role.MERCHANT)
Short = Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")]


@router.get("/reviews", response_model=PageOut)
def review_queue(
    backend: PlatformDep,
    who: PrincipalDep,
    kind: Annotated[ReviewKind | None, Query()] = None,
    campaign_id: Short = None,
    status: Annotated[ReviewStatus | None, Query()] = ReviewStatus.OPEN,
    reason: Short = None,
    appeals: Annotated[bool | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut:
    """The queue, oldest first: open items unless `status` says otherwise."""
    who.require(*READERS)
    where = QueueFilter(kind, campaign_id, status, reason, appeals)
    items, total = backend.risk_desk.queue(where, offset, limit)
    return PageOut(items=[ReviewOut.of(i) for i in items], total=total, offset=offset, limit=limit)


@router.post("/reviews/backfill")
def backfill(backend: PlatformDep, who: PrincipalDep) -> dict[str, int]:
    """Queue every subject its service holds for review that the queue lacks."""
    who.require(Role.RISK)
    return {"added": backend.risk_desk.backfill()}


@router.get("/reviews/{item_id}", response_model=EvidenceOut)
def review_item(item_id: str, backend: PlatformDep, who: PrincipalDep) -> EvidenceOut:
    """The item with its evidence: cluster, shared identifiers (masked), timeline, invite
    tree, the customer's own blacklist entries."""
    who.require(*READERS)
    return evidence_out(backend.risk_desk.evidence(item_id))


@router.post("/reviews/{item_id}/decision", response_model=ReviewOut)
def decide(item_id: str, body: DecideIn, backend: PlatformDep, who: PrincipalDep) -> ReviewOut:
    """approve (released by its service), reject (nothing paid; say why), or
    reject_blacklist (and list `blacklist` until `until`). Audited; once."""
    who.require(Role.RISK)
    until = aware(body.until)
    item = backend.risk_desk.decide(
        item_id, who.subject, Decision(body.decision), body.note, body.blacklist, until
    )
    return ReviewOut.of(item)


@router.post("/appeals", response_model=AppealOut, status_code=201)
def appeal(body: AppealIn, backend: PlatformDep, who: PrincipalDep) -> AppealOut:
    """Appeal a held reward of one's own (`item_id`) or, with none, a block; a merchant
    its own shops' held rebates and payouts. One open appeal per subject; at most 5 an
    hour."""
    who.require(*APPELLANTS)
    shops = _shops(backend, who)
    if shops is not None and body.item_id is None:
        raise InvalidRule("item_id", "a merchant appeals a held rebate or payout by its id")
    item = backend.risk_desk.appeal(who.subject, body.reason, body.item_id, shops)
    return AppealOut.of(item)


@router.get("/appeals/mine", response_model=list[AppealOut])
def my_appeals(backend: PlatformDep, who: PrincipalDep) -> list[AppealOut]:
    who.require(*APPELLANTS)
    return [AppealOut.of(item) for item in backend.risk_desk.appeals_of(who.subject)]


def _shops(backend: PlatformDep, who: Principal) -> frozenset[str] | None:
    found = own_shops(backend, who)
    return None if found is None else frozenset(found)


def entry_out(entry: ListEntry) -> EntryOut:
    until: datetime | None = aware(entry.expires_at)
    return EntryOut(
        kind=entry.kind.value,
        value=entry.value,
        reason=entry.reason,
        by=entry.by,
        at=aware(entry.at),
        until=until,
    )


def evidence_out(found: Evidence) -> EvidenceOut:
    cluster = found.cluster
    return EvidenceOut(
        item=ReviewOut.of(found.item),
        cluster=None
        if cluster is None
        else ClusterOut(
            id=cluster.id,
            size=cluster.size,
            first_seen=aware(cluster.first_seen),
            members=found.members,
        ),
        shared=found.shared,
        timeline=[
            DeedOut(at=aware(d.at), what=d.what, ref=d.ref, amount=d.amount, detail=d.detail)
            for d in found.timeline
        ],
        invitees=[
            InviteeOut(
                customer_id=i.customer_id,
                referrer=i.referrer,
                depth=i.depth,
                at=aware(i.at),
                paid_orders=i.paid_orders,
            )
            for i in found.invitees
        ],
        listed=[entry_out(entry) for entry in found.listed],
    )
