"""Coupons (领券 to 核销): claims by the template's rules, then the atomic take from
stock; grants and activity codes; the sweep that expires what ran out.

Locking, redeeming and releasing follow the order that uses a coupon and are
driven by the order service in the order's own transaction.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from dacu.domain.campaigns import CampaignStateError
from dacu.domain.coupons import (
    Claimant,
    ClaimedCoupon,
    ClaimRefused,
    ClaimWindowClosed,
    CouponTemplate,
    TemplateCounts,
)
from dacu.domain.rules import ALWAYS, Window
from dacu.services.ports.coupons import ActivityCodes, CouponStore
from dacu.services.ports.unit_of_work import UnitOfWork


def claim_coupon(
    store: CouponStore,
    template_id: str,
    claimant: Claimant,
    request_id: str,
    now: datetime,
    new_id: Callable[[], str],
) -> ClaimedCoupon:
    """Give `claimant` one coupon of the template, once per `request_id`.

    A retried request gets the coupon it already got, even once the claim
    window has closed or the stock has run out since.
    """
    earlier = store.find_claim(template_id, claimant.id, request_id)
    if earlier is not None:
        return earlier
    template = store.template(template_id)
    template.check_claim(claimant, now)
    return _once(store, template, claimant.id, request_id, new_id(), now)


def _once(
    store: CouponStore,
    template: CouponTemplate,
    customer_id: str,
    request_id: str,
    coupon_id: str,
    now: datetime,
    code: str | None = None,
) -> ClaimedCoupon:
    """One take from stock; a copy of the request that lost the race to itself (the
    limit or the stock already taken by the copy that won) gets the winner's coupon."""
    try:
        return store.claim(template, customer_id, request_id, coupon_id, now, code=code)
    except ClaimRefused:
        won = store.find_claim(template.id, customer_id, request_id)
        if won is None:
            raise
        return won


def claim_with_code(
    store: CouponStore,
    code: str,
    claimant: Claimant,
    now: datetime,
    new_id: Callable[[], str],
) -> ClaimedCoupon:
    """活动码: a code claims its template's coupon, once per customer, within its uses."""
    template_id, window = store.code(code)
    request_id = f"code:{code}"
    earlier = store.find_claim(template_id, claimant.id, request_id)
    if earlier is not None:
        return earlier
    if not window.contains(now):
        raise ClaimWindowClosed(f"activity code {code} is not valid now")
    template = store.template(template_id)
    template.check_claim(claimant, now)
    return _once(store, template, claimant.id, request_id, new_id(), now, code)


def grant(
    store: CouponStore,
    template_id: str,
    customer_ids: Sequence[str],
    batch: str,
    now: datetime,
    new_id: Callable[[], str],
) -> dict[str, str]:
    """Bulk grant (定向发券): one coupon to each customer, as far as stock and limits go.

    Granting the same `batch` again gives nobody a second coupon. Returns each
    customer's outcome: "issued" or the refusal code. The claim window and
    audience do not apply: the operator chose these customers.
    """
    template = store.template(template_id)
    outcomes: dict[str, str] = {}
    for customer_id in dict.fromkeys(customer_ids):
        try:
            store.claim(template, customer_id, f"grant:{batch}", new_id(), now)
        except ClaimRefused as refused:
            outcomes[customer_id] = refused.code
        else:
            outcomes[customer_id] = "issued"
    return outcomes


class CouponService:
    """The coupon use cases over the claim store, activity codes and the unit of work."""

    def __init__(
        self,
        store: CouponStore,
        codes: ActivityCodes,
        uow: Callable[[], UnitOfWork],
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
        campaign_live: Callable[[str, datetime], bool] | None = None,
    ) -> None:
        self._campaign_live = campaign_live
        self._store, self._codes, self._uow = store, codes, uow
        self._clock, self._new_id = clock, new_id

    def add_template(self, template: CouponTemplate, now: datetime | None = None) -> None:
        self._store.add_template(template, now or self._clock())

    def template(self, template_id: str) -> CouponTemplate:
        """UnknownTemplate if no template has that id."""
        return self._store.template(template_id)

    def counts(self, template_id: str) -> TemplateCounts:
        return self._store.counts(template_id)

    def wallet(self, customer_id: str) -> list[ClaimedCoupon]:
        """Every coupon the customer was given, in whatever state it is."""
        return self._store.wallet(customer_id)

    def claim(
        self,
        template_id: str,
        claimant: Claimant,
        request_id: str,
        now: datetime | None = None,
        *,
        coupon_id: str | None = None,
    ) -> ClaimedCoupon:
        """One coupon of the template, once per `request_id` (see `claim_coupon`)."""
        now = now or self._clock()
        self._open_for_claims(template_id, now)
        new_id = self._new_id if coupon_id is None else (lambda: coupon_id)
        return claim_coupon(self._store, template_id, claimant, request_id, now, new_id)

    def _open_for_claims(self, template_id: str, now: datetime) -> None:
        """A coupon of a campaign that is paused, ended (by hand or by time) or not yet
        live cannot be claimed."""
        if self._campaign_live is None:
            return
        campaign_id = self._store.template(template_id).campaign_id
        if campaign_id is not None and not self._campaign_live(campaign_id, now):
            raise CampaignStateError(f"campaign {campaign_id} is not live: claims are closed")

    def claim_with_code(
        self, code: str, claimant: Claimant, now: datetime | None = None
    ) -> ClaimedCoupon:
        """活动码: closed with its template's campaign, like any other claim."""
        now = now or self._clock()
        template_id, _window = self._store.code(code)
        self._open_for_claims(template_id, now)
        return claim_with_code(self._store, code, claimant, now, self._new_id)

    def grant(
        self,
        template_id: str,
        customer_ids: Sequence[str],
        batch: str,
        now: datetime | None = None,
    ) -> dict[str, str]:
        now = now or self._clock()
        return grant(self._store, template_id, customer_ids, batch, now, self._new_id)

    def add_code(self, code: str, template_id: str, max_uses: int, window: Window = ALWAYS) -> None:
        """An activity code for an existing template (UnknownTemplate otherwise)."""
        self._store.template(template_id)
        self._codes.add_code(code, template_id, max_uses, window)

    def expire(self, now: datetime | None = None) -> int:
        """Mark every held coupon past its time as expired (one sweep); how many."""
        now = now or self._clock()
        with self._uow() as uow:
            due = uow.coupons.held_past(now)
            for coupon in due:
                uow.coupons.save(coupon.expire(now), coupon.status)
        return len(due)
