"""The unit of work, the order repository and the coupon repository over one in-memory
shop. Writes go straight to the shop with an undo log: leaving the unit of work by
an exception undoes them, as a rolled-back transaction would. `before_write` runs
just before the next write, so a test can slip a rival's committed work in
between a load and a save (or between a retry's look-up and its insert)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from dacu.domain.coupons import ClaimedCoupon, CouponStatus
from dacu.domain.errors import ConcurrentChange
from dacu.domain.facts import Fact
from dacu.domain.ledger import Entry
from dacu.domain.orders import Order, OrderStatus, Refund, UnknownOrder
from dacu.domain.pricing import Share

_MISSING = object()


@dataclass
class FakeShop:
    orders: dict[str, Order] = field(default_factory=dict)
    keys: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # → id, hash
    refunds: dict[tuple[str, str], tuple[str, Refund]] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    coupons: dict[str, ClaimedCoupon] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)  # the outbox, by key
    budgets: dict[str, tuple[int, int]] = field(default_factory=dict)  # → drawn, released
    journal: dict[str, Entry] = field(default_factory=dict)  # the double-entry ledger, by key
    before_write: list[Callable[[], None]] = field(default_factory=list)
    commits: int = 0

    def funding(self, order_id: str | None = None) -> dict[str, Any]:
        rows = [r for r in self.ledger if order_id is None or r["order_id"] == order_id]
        merchants: dict[str, int] = {}
        for row in rows:
            merchants[row["shop"]] = merchants.get(row["shop"], 0) + row["merchant"]
        return {"platform": sum(r["platform"] for r in rows), "merchants": merchants}


class _Undo:
    def __init__(self, shop: FakeShop) -> None:
        self.shop, self.log = shop, []  # type: list[Callable[[], None]]

    def put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        while self.shop.before_write:
            self.shop.before_write.pop(0)()
        old = table.get(key, _MISSING)
        self.log.append(lambda: table.pop(key) if old is _MISSING else table.update({key: old}))
        table[key] = value

    def append(self, rows: list[dict[str, Any]], row: dict[str, Any]) -> None:
        self.log.append(lambda: rows.remove(row))
        rows.append(row)

    def undo(self) -> None:
        while self.log:
            self.log.pop()()


class FakeOrderRepository:
    def __init__(self, shop: FakeShop, undo: _Undo) -> None:
        self._shop, self._undo = shop, undo

    def add(self, order: Order, key: str, request_hash: str) -> bool:
        while self._shop.before_write:
            self._shop.before_write.pop(0)()
        if (order.customer_id, key) in self._shop.keys or order.id in self._shop.orders:
            return False
        self._undo.put(self._shop.keys, (order.customer_id, key), (order.id, request_hash))
        self._undo.put(self._shop.orders, order.id, replace(order, version=1))
        return True

    def held_by(self, customer_id: str) -> dict[str, int]:
        held: dict[str, int] = {}
        for order in self._shop.orders.values():
            if order.customer_id == customer_id and order.status is not OrderStatus.CANCELLED:
                for sku, units in order.units().items():
                    held[sku] = held.get(sku, 0) + units
        return held

    def find(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        found = self._shop.keys.get((customer_id, key))
        return None if found is None else (self._shop.orders[found[0]], found[1])

    def get(self, order_id: str) -> Order:
        if order_id not in self._shop.orders:
            raise UnknownOrder(order_id)
        return self._shop.orders[order_id]

    def save(self, order: Order) -> Order:
        while self._shop.before_write:
            self._shop.before_write.pop(0)()
        if self._shop.orders[order.id].version != order.version:
            raise ConcurrentChange(f"order {order.id} changed meanwhile; retry")
        saved = replace(order, version=order.version + 1)
        self._undo.put(self._shop.orders, order.id, saved)
        return saved

    def unpaid_before(self, now: datetime) -> list[str]:
        return sorted(
            o.id
            for o in self._shop.orders.values()
            if o.status is OrderStatus.PENDING and o.pay_by < now
        )

    def refund_of(self, order: Order, key: str) -> Refund | None:
        found = self._shop.refunds.get((order.id, key))
        return None if found is None else found[1]

    def add_refund(
        self, order_id: str, refund_id: str, key: str, refund: Refund, now: datetime
    ) -> None:
        if (order_id, key) in self._shop.refunds:
            raise ConcurrentChange(f"refund {key} was made meanwhile")
        self._undo.put(self._shop.refunds, (order_id, key), (refund_id, refund))

    def book(
        self,
        order_id: str,
        refund_id: str | None,
        shop: str,
        shares: Sequence[Share],
        sign: int,
        now: datetime,
        funders: Mapping[str, str] | None = None,
    ) -> None:
        for share in shares:
            row = {
                "order_id": order_id,
                "refund_id": refund_id,
                "rule_id": share.id,
                "shop": shop,
                "platform": sign * share.platform,
                "merchant": sign * share.merchant,
                "budget": (funders or {}).get(share.id),
            }
            self._undo.append(self._shop.ledger, row)

    def funding(self, order_id: str | None = None) -> dict[str, Any]:
        return self._shop.funding(order_id)

    def refunded_money(self, order_id: str) -> int:
        return sum(r.amount for (o, _), (_, r) in self._shop.refunds.items() if o == order_id)


class FakeCouponRepository:
    def __init__(self, shop: FakeShop, undo: _Undo) -> None:
        self._shop, self._undo = shop, undo

    def get_many(self, coupon_ids: Sequence[str]) -> list[ClaimedCoupon]:
        return [self._shop.coupons[i] for i in sorted(set(coupon_ids)) if i in self._shop.coupons]

    def of_order(self, order_id: str) -> list[ClaimedCoupon]:
        return sorted(
            (c for c in self._shop.coupons.values() if c.order_id == order_id), key=lambda c: c.id
        )

    def held_past(self, now: datetime) -> list[ClaimedCoupon]:
        return [
            c
            for c in self._shop.coupons.values()
            if c.status is CouponStatus.HELD and c.expires_at < now
        ]

    def save(self, coupon: ClaimedCoupon, was: CouponStatus) -> None:
        while self._shop.before_write:
            self._shop.before_write.pop(0)()
        if self._shop.coupons[coupon.id].status is not was:
            raise ConcurrentChange(f"coupon {coupon.id} changed meanwhile; retry")
        self._undo.put(self._shop.coupons, coupon.id, coupon)


class FakeOutbox:
    def __init__(self, shop: FakeShop, undo: _Undo) -> None:
        self._shop, self._undo = shop, undo

    def add(self, *facts: Fact) -> None:
        for fact in facts:
            if fact.key not in self._shop.facts:
                self._undo.put(self._shop.facts, fact.key, fact)


class FakeBudgets:
    """The budget book over the shop: draws within a base, gives back, releases."""

    def __init__(self, shop: FakeShop, undo: _Undo) -> None:
        self._shop, self._undo = shop, undo

    def draw(self, campaign_id: str, amount: int, base: int) -> bool:
        drawn, released = self.drawn(campaign_id)
        if drawn + amount - released > base:
            return False
        self._undo.put(self._shop.budgets, campaign_id, (drawn + amount, released))
        return True

    def add(self, draws: Mapping[str, int]) -> None:
        for campaign_id, amount in draws.items():
            drawn, released = self.drawn(campaign_id)
            self._undo.put(self._shop.budgets, campaign_id, (max(0, drawn + amount), released))

    def give(self, draws: Mapping[str, int]) -> None:
        self.add({c: -amount for c, amount in draws.items()})

    def drawn(self, campaign_id: str) -> tuple[int, int]:
        return self._shop.budgets.get(campaign_id, (0, 0))

    def net(self, campaign_ids: Iterable[str]) -> dict[str, int]:
        return {
            c: d - r for c in campaign_ids if c in self._shop.budgets for d, r in [self.drawn(c)]
        }

    def release(
        self, campaign_id: str, amount: int, actor: str, reason: str, now: datetime
    ) -> None:
        drawn, released = self.drawn(campaign_id)
        self._undo.put(self._shop.budgets, campaign_id, (drawn, released + amount))

    def released_by(self, campaign_id: str, key: str) -> int | None:
        return None

    def releases(self, campaign_id: str) -> list[tuple[int, str, str, datetime]]:
        return []

    def burn(self, campaign_id: str) -> int:
        return sum(r["platform"] for r in self._shop.ledger if r.get("budget") == campaign_id)


class FakeLedgerBook:
    """The double-entry ledger over the shop: each entry once per key."""

    def __init__(self, shop: FakeShop, undo: _Undo) -> None:
        self._shop, self._undo = shop, undo

    def post(self, entry: Entry) -> bool:
        if entry.key in self._shop.journal:
            return False
        self._undo.put(self._shop.journal, entry.key, entry)
        return True


class FakeUnitOfWork:
    """A UnitOfWork factory's product: `FakeUnitOfWork(shop)` per use case."""

    def __init__(self, shop: FakeShop) -> None:
        self._shop = shop
        self._undo = _Undo(shop)
        self.orders = FakeOrderRepository(shop, self._undo)
        self.coupons = FakeCouponRepository(shop, self._undo)
        self.outbox = FakeOutbox(shop, self._undo)
        self.budgets = FakeBudgets(shop, self._undo)
        self.ledger = FakeLedgerBook(shop, self._undo)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self._shop.commits += 1
        else:
            self._undo.undo()
