"""Large-subsidy reviews (单笔超过1万元风控审核) and payouts (打款).

Reviews: finance and risk list the held lines (optionally holding a campaign's
statements' lines first), see one with its evidence (the order's payments and
waybills), prepare it, and decide it — never the preparer. Payouts: finance pays a
statement (every payable part, or one), lists payouts and downloads each bank file;
a merchant reads its own shops' payouts."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dacu.domain.access import Role
from dacu.domain.reviews import ReviewStatus
from dacu.entrypoints.api.appeals import own_shops
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.appeals import PartOut, PayIn, PayoutOut, PrepareIn, ReviewDecisionIn, ReviewOut
from dacu.schemas.bounds import Id

router = APIRouter(prefix="/v1", tags=["payouts"])
REVIEWERS = (Role.FINANCE, Role.RISK)
PAYERS = (Role.FINANCE,)
PAYOUT_READERS = (Role.FINANCE, Role.MERCHANT)


@router.get("/reviews", response_model=list[ReviewOut])
def list_reviews(
    backend: PlatformDep,
    who: PrincipalDep,
    status: Annotated[list[ReviewStatus] | None, Query()] = None,
    statement_id: Annotated[str | None, Query(max_length=200)] = None,
    campaign_id: Annotated[Id | None, Query(description="this campaign's only")] = None,
) -> list[ReviewOut]:
    """The held lines, oldest first; reading holds the lines over the limit of every
    statement issued since (of the campaign, when named)."""
    who.require(*REVIEWERS)
    if campaign_id is not None:
        backend.reviews.hold_campaign(campaign_id)
    else:
        backend.reviews.hold_all()
    found = backend.reviews.reviews(statement_id, status)
    if campaign_id is not None:
        found = [review for review in found if review.campaign_id == campaign_id]
    return [ReviewOut.of(review) for review in found]


@router.get("/reviews/{review_id}", response_model=ReviewOut)
def get_review(review_id: str, backend: PlatformDep, who: PrincipalDep) -> ReviewOut:
    """The review with its evidence: the order's payments and waybills."""
    who.require(*REVIEWERS)
    review = backend.reviews.review(review_id)
    return ReviewOut.of(review, backend.reviews.evidence(review))


@router.post("/reviews/{review_id}/prepare", response_model=ReviewOut)
def prepare_review(
    review_id: str, body: PrepareIn, backend: PlatformDep, who: PrincipalDep
) -> ReviewOut:
    """The first person: the evidence is checked."""
    who.require(*REVIEWERS)
    return ReviewOut.of(backend.reviews.prepare(review_id, who.subject, body.note))


@router.post("/reviews/{review_id}/decision", response_model=ReviewOut)
def decide_review(
    review_id: str, body: ReviewDecisionIn, backend: PlatformDep, who: PrincipalDep
) -> ReviewOut:
    """The second person (never the preparer: SAME_PERSON, 403) approves or rejects."""
    who.require(*REVIEWERS)
    review = backend.reviews.decide(review_id, who.subject, body.approve, body.report)
    return ReviewOut.of(review)


@router.post("/statements/{statement_id}/payouts", response_model=list[PayoutOut])
def pay_statement(
    statement_id: str, body: PayIn, backend: PlatformDep, who: PrincipalDep
) -> list[PayoutOut]:
    """Pay the statement: one part (`main`, `line-<no>`) or every payable part. Each
    part is paid once (key `payout:<statement id>:<part>`): a retry returns it."""
    who.require(*PAYERS)
    if body.part is None:
        made = backend.payouts.pay_statement(statement_id, who.subject)
    else:
        made = [backend.payouts.pay(statement_id, body.part, who.subject)]
    return [PayoutOut.of(payout) for payout in made]


@router.get("/statements/{statement_id}/parts", response_model=list[PartOut])
def statement_parts(statement_id: str, backend: PlatformDep, who: PrincipalDep) -> list[PartOut]:
    """The statement's parts: paid, payable, held in review, rejected."""
    who.require(*PAYOUT_READERS)
    statement = backend.reviews.statement(statement_id, own_shops(backend, who))
    return [
        PartOut(
            name=part.name,
            lines=list(part.lines),
            amount=part.amount,
            state=part.state,
            payout=None if part.payout is None else PayoutOut.of(part.payout),
        )
        for part in backend.payouts.parts(statement)
    ]


@router.get("/payouts", response_model=list[PayoutOut])
def list_payouts(
    backend: PlatformDep,
    who: PrincipalDep,
    statement_id: Annotated[str | None, Query(max_length=200)] = None,
) -> list[PayoutOut]:
    """Newest first; a merchant's own shops' only."""
    who.require(*PAYOUT_READERS)
    found = backend.payouts.payouts(statement_id, own_shops(backend, who))
    return [PayoutOut.of(payout) for payout in found]


@router.get("/payouts/{key}/bank-file")
def bank_file(key: str, backend: PlatformDep, who: PrincipalDep) -> Response:
    """The payout's bank file (CSV: payee shop, amount in yuan to the fen, reference)."""
    who.require(*PAYERS)
    name, body = backend.payouts.bank_file(key)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
