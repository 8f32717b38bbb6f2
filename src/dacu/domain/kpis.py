"""KPIs of a campaign (数据分析与效果评估): what is counted, and what is derived.

Everything the dashboard shows is a sum of counters kept per hour, channel and
new/returning segment, so no query ever reads raw events. Counts of distinct
people (UV, buyers…) are counted once, in the hour the person first did the
thing; a person who buys a second time counts once more, as a repeat buyer.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime

from dacu.domain.events import VIEWS, Channel, Event, EventKind, Segment
from dacu.domain.types import FULL_BP, Bp, Fen

# counters fed straight from events
_PER_KIND = {
    EventKind.PAGE_VIEW: "pv",
    EventKind.SKU_VIEW: "sku_views",
    EventKind.ADD_TO_CART: "carts",
    EventKind.ORDER: "orders",
    EventKind.PAYMENT: "payments",
    EventKind.REFUND: "refunds",
    EventKind.ORDER_CANCELLED: "cancellations",
    EventKind.COUPON_CLAIM: "coupon_claims",
    EventKind.COUPON_USE: "coupon_uses",
    EventKind.REGISTRATION: "registrations",
    EventKind.LOGIN: "logins",
    EventKind.SHARE: "shares",
    EventKind.ERROR: "errors",
}

# distinct people: scope → the kinds that make someone count in it
DISTINCT: Mapping[str, frozenset[EventKind]] = {
    "uv": VIEWS,
    "active": frozenset(EventKind) - {EventKind.ERROR},
    "carters": frozenset({EventKind.ADD_TO_CART}),
    "orderers": frozenset({EventKind.ORDER}),
    "payers": frozenset({EventKind.PAYMENT}),
    "claimers": frozenset({EventKind.COUPON_CLAIM}),
    "new_users": frozenset({EventKind.REGISTRATION}),
}
HOURLY_UV = "uv_hour"  # distinct visitors within one hour, for the hourly chart


def ratio_bp(part: int, whole: int) -> Bp:
    """part / whole in basis points, rounded down; 0 when there is no whole."""
    return part * FULL_BP // whole if whole > 0 else 0


@dataclass(slots=True)
class Figures:
    """The counters of one cell (or the sum of many) and the ratios built on them."""

    events: int = 0
    pv: int = 0
    sku_views: int = 0
    carts: int = 0
    orders: int = 0
    ordered: Fen = 0
    payments: int = 0
    gmv: Fen = 0
    refunds: int = 0
    refunded: Fen = 0
    cancellations: int = 0
    coupon_claims: int = 0
    coupon_uses: int = 0
    registrations: int = 0
    logins: int = 0
    shares: int = 0
    errors: int = 0
    platform_spend: Fen = 0  # discounts the platform funded, net of refunds' claw-back
    merchant_spend: Fen = 0
    uv: int = 0
    uv_hour: int = 0
    active: int = 0
    carters: int = 0
    orderers: int = 0
    payers: int = 0
    claimers: int = 0
    new_users: int = 0
    repeat_buyers: int = 0

    def add(self, other: "Figures | Mapping[str, int]") -> None:
        values = other if isinstance(other, Mapping) else other.as_dict()
        for name, value in values.items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def snapshot(self) -> dict[str, int]:
        """Every counter and every ratio, by name."""
        return {**self.as_dict(), **{name: getattr(self, name) for name in RATIOS}}

    @classmethod
    def total(cls, parts: Iterable["Figures"]) -> "Figures":
        found = cls()
        for part in parts:
            found.add(part)
        return found

    # ratios, all in basis points, all rounded down
    @property
    def aov(self) -> Fen:
        """客单价: GMV per paid order."""
        return self.gmv // self.payments if self.payments else 0

    @property
    def conversion_bp(self) -> Bp:
        """Visitors who paid."""
        return ratio_bp(self.payers, self.uv)

    @property
    def view_to_cart_bp(self) -> Bp:
        return ratio_bp(self.carters, self.uv)

    @property
    def cart_to_order_bp(self) -> Bp:
        return ratio_bp(self.orderers, self.carters)

    @property
    def order_to_pay_bp(self) -> Bp:
        return ratio_bp(self.payers, self.orderers)

    @property
    def refund_rate_bp(self) -> Bp:
        """Money refunded per money paid."""
        return ratio_bp(self.refunded, self.gmv)

    @property
    def claim_rate_bp(self) -> Bp:
        """Visitors who claimed a coupon."""
        return ratio_bp(self.claimers, self.uv)

    @property
    def use_rate_bp(self) -> Bp:
        """Claimed coupons used (核销率)."""
        return ratio_bp(self.coupon_uses, self.coupon_claims)

    @property
    def repurchase_bp(self) -> Bp:
        """Buyers who paid more than once."""
        return ratio_bp(self.repeat_buyers, self.payers)

    @property
    def error_rate_bp(self) -> Bp:
        return ratio_bp(self.errors, self.events)

    @property
    def spend(self) -> Fen:
        return self.platform_spend + self.merchant_spend


RATIOS = (
    "aov",
    "conversion_bp",
    "view_to_cart_bp",
    "cart_to_order_bp",
    "order_to_pay_bp",
    "refund_rate_bp",
    "claim_rate_bp",
    "use_rate_bp",
    "repurchase_bp",
    "error_rate_bp",
)
COUNTERS = tuple(f.name for f in fields(Figures))


@dataclass(frozen=True, slots=True)
class SkuFigures:
    sku: str
    views: int = 0
    carts: int = 0
    units: int = 0
    gmv: Fen = 0


CellKey = tuple[str, datetime, Channel, Segment]  # campaign, hour, channel, segment


@dataclass
class Fold:
    """What a batch of new events adds: counters per cell and per SKU, and the
    candidates for distinct counts, which only the store can settle."""

    cells: dict[CellKey, Figures] = field(default_factory=dict)
    skus: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    firsts: dict[tuple[str, str, str], Event] = field(default_factory=dict)
    payments: dict[tuple[str, str], list[Event]] = field(default_factory=dict)

    def cell(self, event: Event) -> Figures:
        key = cell_key(event)
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = Figures()
        return found


def cell_key(event: Event) -> CellKey:
    return (event.campaign_id, event.hour, event.channel, event.segment)


def scopes_of(event: Event) -> list[str]:
    """The distinct-people scopes an event may count its customer in."""
    found = [scope for scope, kinds in DISTINCT.items() if event.kind in kinds]
    if event.kind in VIEWS:
        found.append(f"{HOURLY_UV}:{event.hour:%Y%m%d%H}")
    return found


def fold(events: Iterable[Event]) -> Fold:
    """Add new events up; the earliest event of a person wins each distinct scope."""
    found = Fold()
    for event in events:
        figures = found.cell(event)
        figures.events += 1
        counter = _PER_KIND[event.kind]
        setattr(figures, counter, getattr(figures, counter) + 1)
        _add_money(figures, event)
        _add_skus(found, event)
        for scope in scopes_of(event):
            key = (event.campaign_id, scope, event.customer_id)
            earlier = found.firsts.get(key)
            if earlier is None or event.at < earlier.at:
                found.firsts[key] = event
        if event.kind is EventKind.PAYMENT:
            found.payments.setdefault((event.campaign_id, event.customer_id), []).append(event)
    for paid in found.payments.values():
        paid.sort(key=lambda e: e.at)
    return found


def second_payment(paid_before: int, new: list[Event]) -> Event | None:
    """The payment that makes a buyer a repeat buyer, if it is among `new`."""
    if paid_before >= 2 or paid_before + len(new) < 2:
        return None
    return new[1 - paid_before]


def _add_money(figures: Figures, event: Event) -> None:
    if event.kind is EventKind.ORDER:
        figures.ordered += event.amount
    elif event.kind is EventKind.PAYMENT:
        figures.gmv += event.amount
        figures.platform_spend += event.platform_funded
        figures.merchant_spend += event.merchant_funded
    elif event.kind is EventKind.REFUND:
        figures.refunded += event.amount
        figures.platform_spend -= event.platform_funded
        figures.merchant_spend -= event.merchant_funded


def _add_skus(found: Fold, event: Event) -> None:
    def bump(sku: str, **values: int) -> None:
        row = found.skus.setdefault((event.campaign_id, sku), {})
        for name, value in values.items():
            row[name] = row.get(name, 0) + value

    if event.kind is EventKind.SKU_VIEW and event.sku:
        bump(event.sku, views=1)
    elif event.kind is EventKind.ADD_TO_CART and event.sku:
        bump(event.sku, carts=1)
    elif event.kind is EventKind.PAYMENT:
        for line in event.lines:
            bump(line.sku, units=line.qty, gmv=line.amount)


COUNTED_AS: Mapping[EventKind, str] = _PER_KIND
"""The counter each kind of event adds one to (besides `events`)."""
