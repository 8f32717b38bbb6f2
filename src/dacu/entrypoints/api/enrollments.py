"""Merchant routes: profiles (operators), enrollments (merchants, own shops), reviews."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dacu.domain.access import Forbidden, Role
from dacu.domain.enrollment import Enrollment, Merchant
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import TEXT, Bp, Count, Fen, Id, Moment
from dacu.services.enrollments import Listed

router = APIRouter(prefix="/v1", tags=["merchants"])


class MerchantIn(BaseModel):
    verified: bool
    rating_bp: Bp
    last_serious_violation: Moment | None = None
    categories: list[Id] = Field(default_factory=list, max_length=1000)


class EnrollmentIn(BaseModel):
    shop: Id
    sku: Id
    list_price: Fen
    campaign_price: Fen
    committed_stock: Count


class EnrollmentOut(BaseModel):
    id: str
    campaign_id: str
    shop: str
    sku: str
    list_price: int
    campaign_price: int
    committed_stock: int
    review: str
    note: str
    priority: bool = False


class ReviewIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=500, pattern=TEXT)


@router.put("/merchants/{shop}", status_code=204)
def put_merchant(shop: str, body: MerchantIn, backend: PlatformDep, who: PrincipalDep) -> None:
    """A merchant's profile as the platform knows it (verification, rating, violations)."""
    who.require(Role.OPERATOR)
    backend.enrollments.put_merchant(
        Merchant(
            shop, body.verified, body.rating_bp, body.last_serious_violation, tuple(body.categories)
        )
    )


@router.post("/campaigns/{campaign_id}/enrollments", response_model=EnrollmentOut, status_code=201)
def enroll(
    campaign_id: str, body: EnrollmentIn, backend: PlatformDep, who: PrincipalDep
) -> EnrollmentOut:
    """Enroll one of your shop's SKUs with its campaign price and committed stock."""
    who.require(Role.MERCHANT)
    if body.shop not in who.shops:
        raise Forbidden(f"{who.subject} does not run shop {body.shop}")
    terms = Enrollment(
        backend.new_id(),
        campaign_id,
        body.shop,
        body.sku,
        body.list_price,
        body.campaign_price,
        body.committed_stock,
    )
    return _out(backend.enrollments.enroll(terms, backend.clock()))


@router.get("/campaigns/{campaign_id}/enrollments", response_model=list[EnrollmentOut])
def list_enrollments(
    campaign_id: str, backend: PlatformDep, who: PrincipalDep
) -> list[EnrollmentOut]:
    """Operators see every enrollment, priority categories first; merchants their own."""
    who.require(Role.OPERATOR, Role.MERCHANT)
    shops = who.shops if who.role is Role.MERCHANT else None
    return [_out(listed) for listed in backend.enrollments.listing(campaign_id, shops)]


@router.post("/enrollments/{enrollment_id}/review", response_model=EnrollmentOut)
def review(
    enrollment_id: str, body: ReviewIn, backend: PlatformDep, who: PrincipalDep
) -> EnrollmentOut:
    """Approve (the SKU goes on sale at its campaign price) or reject, with a note."""
    who.require(Role.OPERATOR)
    decided = backend.enrollments.review(
        enrollment_id, body.approve, who.subject, body.note, backend.clock()
    )
    return _out(Listed(decided))


def _out(listed: Listed) -> EnrollmentOut:
    enrollment = listed.enrollment
    return EnrollmentOut(
        id=enrollment.id,
        campaign_id=enrollment.campaign_id,
        shop=enrollment.shop,
        sku=enrollment.sku,
        list_price=enrollment.list_price,
        campaign_price=enrollment.campaign_price,
        committed_stock=enrollment.committed_stock,
        review=enrollment.review.value,
        note=enrollment.note,
        priority=listed.priority,
    )
