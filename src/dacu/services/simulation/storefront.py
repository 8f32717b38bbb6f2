"""The storefront: each planned visit and what follows it, through the platform's services.

A shopper's first visit registers them with their phone (verified, for most);
visits then log in, browse, claim coupons and fill a cart of catalog SKUs.
Checkout goes through the real order service, which prices the cart from the
catalog with the campaign's promotions, knows the customer from the server's
own facts and picks the best of their coupons. Payments start through the
payment service and are settled by the simulated provider's signed callback,
handed over in process; a shopper whose payment channel fails taps 付款 again,
and the channels fail over as they would. Refunds go through the provider too,
cancellations through the order service, as the HTTP API does.

The storefront reports only what it alone sees — logins, pages, SKUs viewed,
carts, shares and the errors shown — as events; registrations, claims,
orders, payments and refunds reach the KPIs from the server's own outbox.
"""

from datetime import datetime, timedelta

from dacu.domain.coupons import Claimant, ClaimRefused
from dacu.domain.errors import InvalidRule
from dacu.domain.events import EventKind, Segment
from dacu.domain.orders import Order, OrderStateError, OrderStatus
from dacu.domain.payments import PaymentUnavailable
from dacu.services.simulation.caches import CachedPricing, Prices, Templates
from dacu.services.simulation.crowd import Crowd
from dacu.services.simulation.growth import Growing
from dacu.services.simulation.journal import Trail
from dacu.services.simulation.plan import PayPlan, Shopper, Visit, phone_of

CLICK = timedelta(seconds=20)  # between one click of a visit and the next
RETRY_PAYMENT = timedelta(seconds=40)
TAP_AGAIN = timedelta(seconds=10)  # a payment channel failed: the shopper tries again
PAY_TAPS = 6
REFUND_AGAIN = timedelta(hours=1)


class Storefront:
    def __init__(
        self,
        crowd: Crowd,
        prices: Prices,
        coupons: Templates,
        registered_before: datetime,
        growing: Growing | None = None,
    ) -> None:
        self._crowd, self._growing = crowd, growing
        # Checkout prices with the hour's cached campaigns and templates.
        self._orders = crowd.world.orders.priced_by(CachedPricing(prices, coupons))
        self._registered_before = registered_before  # when returning shoppers signed up

    # --- a visit ---------------------------------------------------------------

    def visit(self, shopper: Shopper, visit: Visit) -> None:
        trail = self._crowd.journal.step(f"{shopper.id}-v{visit.n}", shopper)
        at = visit.at
        if visit.n == 1:
            self._register(shopper, at)
        if self._growing is not None:
            if visit.n == 1 and shopper.segment is Segment.NEW:
                self._growing.joined(shopper, at)
            self._growing.visit(shopper, at, visit.n)
        trail.add(EventKind.LOGIN, at)
        for _ in range(visit.pages):
            at += CLICK
            trail.add(EventKind.PAGE_VIEW, at)
        for sku in visit.viewed:
            at += CLICK
            trail.add(EventKind.SKU_VIEW, at, sku=sku)
        for template_id in visit.claims:
            at += CLICK
            self._claim(shopper, template_id, at)
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

    def _register(self, shopper: Shopper, at: datetime) -> None:
        """注册: a new shopper now, a returning one before the campaign (once either way)."""
        new = shopper.segment is Segment.NEW
        self._crowd.world.profiles.put(
            shopper.id,
            at if new else self._registered_before,
            phone=phone_of(shopper.id),
            phone_verified=shopper.phone_verified,
            member_tier=shopper.member_tier,
        )
        self._crowd.tally["registrations" if new else "returning customers"] += 1

    def _claim(self, shopper: Shopper, template_id: str, at: datetime) -> None:
        world = self._crowd.world
        facts = world.customers.facts(shopper.id)
        coupon_id = f"{shopper.id}-{template_id}"
        claimant = Claimant(shopper.id, facts.first_order, facts.member_tier)
        try:
            claimed = world.coupons.claim(template_id, claimant, coupon_id, at, coupon_id=coupon_id)
        except ClaimRefused:
            self._crowd.tally["claims refused"] += 1
            return
        self._crowd.account(shopper).coupons[claimed.id] = template_id
        self._crowd.tally["claims"] += 1

    def _checkout(self, shopper: Shopper, visit: Visit, trail: Trail, at: datetime) -> None:
        purchase = visit.purchase
        assert purchase is not None
        world = self._crowd.world
        order_id = f"{shopper.id}-v{visit.n}"
        try:
            cart = world.goods.cart(visit.carted)  # SKUs and units: the catalog prices them
            customer = world.customers.facts(shopper.id)
            order = self._orders.checkout(cart, customer, order_id, at, order_id=order_id)
        except InvalidRule:  # 每人限购, or a SKU taken off the shelf: the storefront shows why
            trail.add(EventKind.ERROR, at)
            self._crowd.tally["checkouts refused"] += 1
            return
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
        if retry:  # the payment page failed once; the shopper tries again
            trail.add(EventKind.ERROR, at)
            at += RETRY_PAYMENT
        paid = self._settle(shopper, order, trail, at)
        if paid is None:
            earlier = self._paid_before(shopper, order)
            if earlier is None:
                self._crowd.tally["payments failed"] += 1
                return
            paid = earlier
        account = self._crowd.account(shopper)
        account.first_order = False
        account.bought.update({line.sku: line.qty for line in paid.lines})
        self._crowd.tally["payments"] += 1
        purchase = visit.purchase
        if purchase is not None and purchase.refund_after is not None:
            line = paid.lines[purchase.refund_line % len(paid.lines)]
            self._crowd.schedule(
                at + purchase.refund_after, lambda now: self._refund(shopper, paid, line.sku, now)
            )

    def _settle(self, shopper: Shopper, order: Order, trail: Trail, at: datetime) -> Order | None:
        """付款, tapped again while the channel fails; the order once paid, else None."""
        payments = self._crowd.world.payments
        for _ in range(PAY_TAPS):
            try:
                payment = payments.start(order.id, shopper.id, at)
            except PaymentUnavailable:  # the channel timed out: shown, and tapped again
                trail.add(EventKind.ERROR, at)
                at += TAP_AGAIN
                continue
            except OrderStateError:
                return None
            paid = self._orders.get(order.id)
            if paid.status is not OrderStatus.PAID:
                return None
            self._crowd.tally[f"paid via {payment.channel}"] += 1
            return paid
        return None

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
        try:
            self._crowd.world.payments.refund(order.id, sku, 1, key, at, refund_id=key)
        except PaymentUnavailable:  # its channel is down: customer service asks again later
            self._crowd.tally["refunds delayed"] += 1
            retry = at + REFUND_AGAIN
            self._crowd.schedule(retry, lambda now: self._refund(shopper, order, sku, now))
            return
        self._crowd.tally["refunds"] += 1
