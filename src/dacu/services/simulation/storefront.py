"""The storefront: each planned visit and what follows it, through the platform's services.

Visits log in (or register), browse, claim coupons and fill a cart; checkout
goes through the real order service, which prices the cart with the
campaign's promotions and picks the best of the shopper's coupons. Payments
start through the payment service and are settled by the simulated
provider's signed callback, handed over in process; refunds go through the
provider too, and cancellations through the order service, as the HTTP API
does. Each action leaves its event.
"""

from datetime import datetime, timedelta

from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.coupons import Claimant, ClaimRefused
from dacu.domain.errors import InvalidRule
from dacu.domain.events import EventKind, Line, Segment
from dacu.domain.orders import Order, OrderStateError, OrderStatus
from dacu.domain.payments import PaymentUnavailable
from dacu.services.simulation.caches import CachedPricing, Prices, Templates
from dacu.services.simulation.catalog import BY_SKU
from dacu.services.simulation.crowd import Crowd
from dacu.services.simulation.journal import Trail
from dacu.services.simulation.plan import PayPlan, Shopper, Visit

CLICK = timedelta(seconds=20)  # between one click of a visit and the next
RETRY_PAYMENT = timedelta(seconds=40)


class Storefront:
    def __init__(self, crowd: Crowd, prices: Prices, coupons: Templates) -> None:
        self._crowd = crowd
        # Checkout prices with the hour's cached campaigns and templates.
        self._orders = crowd.world.orders.priced_by(CachedPricing(prices, coupons))

    # --- a visit ---------------------------------------------------------------

    def visit(self, shopper: Shopper, visit: Visit) -> None:
        trail = self._crowd.journal.step(f"{shopper.id}-v{visit.n}", shopper)
        at = visit.at
        new = visit.n == 1 and shopper.segment is Segment.NEW
        trail.add(EventKind.REGISTRATION if new else EventKind.LOGIN, at)
        for _ in range(visit.pages):
            at += CLICK
            trail.add(EventKind.PAGE_VIEW, at)
        for sku in visit.viewed:
            at += CLICK
            trail.add(EventKind.SKU_VIEW, at, sku=sku)
        for template_id in visit.claims:
            at += CLICK
            self._claim(shopper, template_id, trail, at)
        if visit.shares:
            trail.add(EventKind.SHARE, at)
        for sku, _ in visit.carted:
            at += CLICK
            trail.add(EventKind.ADD_TO_CART, at, sku=sku)
        if visit.page_error:
            trail.add(EventKind.ERROR, at)
        self._crowd.tally["visits"] += 1
        if visit.purchase is not None:
            self._checkout(shopper, visit, trail, at + CLICK)

    def _claim(self, shopper: Shopper, template_id: str, trail: Trail, at: datetime) -> None:
        account = self._crowd.account(shopper)
        coupon_id = f"{shopper.id}-{template_id}"
        claimant = Claimant(shopper.id, account.first_order, shopper.member_tier)
        try:
            claimed = self._crowd.world.coupons.claim(
                template_id, claimant, coupon_id, at, coupon_id=coupon_id
            )
        except ClaimRefused:
            self._crowd.tally["claims refused"] += 1
            return
        account.coupons[claimed.id] = template_id
        trail.add(EventKind.COUPON_CLAIM, at, coupon=template_id)
        self._crowd.tally["claims"] += 1

    def _checkout(self, shopper: Shopper, visit: Visit, trail: Trail, at: datetime) -> None:
        purchase = visit.purchase
        assert purchase is not None
        account = self._crowd.account(shopper)
        lines = []
        for sku, qty in visit.carted:
            product = BY_SKU[sku]
            lines.append(CartLine(sku, product.shop, product.list_price, qty, product.category))
        customer = Customer(
            shopper.id,
            account.first_order,
            shopper.phone_verified,
            shopper.member_tier,
            dict(account.bought),
        )
        order_id = f"{shopper.id}-v{visit.n}"
        try:
            order = self._orders.checkout(
                Cart(tuple(lines)), customer, order_id, at, order_id=order_id
            )
        except InvalidRule:  # 每人限购: the storefront shows why
            trail.add(EventKind.ERROR, at)
            self._crowd.tally["checkouts refused"] += 1
            return
        trail.add(EventKind.ORDER, at, order_id=order.id, amount=order.payable, lines=_lines(order))
        self._crowd.tally["orders"] += 1
        due = at + purchase.pay_after
        if purchase.pay in (PayPlan.PAY, PayPlan.RETRY):
            retry = purchase.pay is PayPlan.RETRY
            self._crowd.schedule(due, lambda now: self._pay(shopper, visit, order, now, retry))
        elif purchase.pay is PayPlan.CANCEL:
            self._crowd.schedule(due, lambda now: self._cancel(order, now))
        else:
            self._crowd.tally["left unpaid"] += 1

    # --- after checkout ----------------------------------------------------------

    def _pay(self, shopper: Shopper, visit: Visit, order: Order, at: datetime, retry: bool) -> None:
        trail = self._crowd.journal.step(f"{order.id}-pay", shopper)
        if retry:  # the payment channel failed once; the shopper tries again
            trail.add(EventKind.ERROR, at)
            at += RETRY_PAYMENT
        try:
            self._crowd.world.payments.start(order.id, shopper.id, at)
            paid = self._orders.get(order.id)
            if paid.status is not OrderStatus.PAID:
                raise OrderStateError(f"order {order.id} was not paid")
        except (OrderStateError, PaymentUnavailable):
            earlier = self._paid_before(shopper, order)
            if earlier is None:
                trail.add(EventKind.ERROR, at)
                return
            paid = earlier
        funding = self._orders.funding(paid.id)
        trail.add(
            EventKind.PAYMENT,
            at,
            order_id=paid.id,
            amount=paid.payable,
            platform_funded=funding["platform"],
            merchant_funded=sum(funding["merchants"].values()),
            lines=_lines(paid),
        )
        account = self._crowd.account(shopper)
        for coupon_id in paid.coupons:
            trail.add(EventKind.COUPON_USE, at, coupon=account.coupons.get(coupon_id, coupon_id))
        account.first_order = False
        account.bought.update({line.sku: line.qty for line in paid.lines})
        self._crowd.tally["payments"] += 1
        purchase = visit.purchase
        if purchase is not None and purchase.refund_after is not None:
            line = paid.lines[purchase.refund_line % len(paid.lines)]
            self._crowd.schedule(
                at + purchase.refund_after, lambda now: self._refund(shopper, paid, line.sku, now)
            )

    def _paid_before(self, shopper: Shopper, order: Order) -> Order | None:
        """The order as an earlier run left it, if it paid (and perhaps refunded it since)."""
        found = self._orders.find(shopper.id, order.id)
        if found is None or found.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
            return None
        return found

    def _cancel(self, order: Order, at: datetime) -> None:
        self._orders.cancel(order.id, at)
        self._crowd.tally["cancelled"] += 1

    def _refund(self, shopper: Shopper, order: Order, sku: str, at: datetime) -> None:
        key = f"{order.id}-r1"
        refund = self._crowd.world.payments.refund(order.id, sku, 1, key, at, refund_id=key)
        self._crowd.journal.step(key, shopper).add(
            EventKind.REFUND,
            at,
            order_id=order.id,
            amount=refund.amount,
            platform_funded=sum(share.platform for share in refund.clawbacks),
            merchant_funded=sum(share.merchant for share in refund.clawbacks),
            lines=(Line(sku, 1, refund.amount),),
        )
        self._crowd.tally["refunds"] += 1


def _lines(order: Order) -> tuple[Line, ...]:
    return tuple(Line(line.sku, line.qty, line.payable) for line in order.lines)
