"""Orders taken in by one Redis script and written to the database behind (写后).

The festival's checkout: one script, atomic on the Redis server, checks the
customer's Idempotency-Key, that no other order holds the order's coupons,
that every campaign budget it draws from can fund its share
(`redis_budgets.py`), that the customer is still before their first order
if it was priced as one and within 每人限购 with their orders not cancelled
(`redis_customers.py`), and that every tracked line is in stock (the Lua
in `checkout_scripts.py`); then draws the budgets, counts the order's units
for the customer, takes the stock (the same figures and order records as
`RedisStockReservations`), locks the coupons, stands the order for the key,
keeps it among the unwritten and queues its id on the checkouts stream — or
does none of it. The checkout writers
(`checkout_writer.py`) write the queued orders in batches; anything that
wants an order before they get to it (paying, cancelling, refunding) writes
it through first. Every write books the order's units and coupon locks in
the database too, so the database stays the truth that figures are rebuilt
from.

Every key shares the stock's hash slot, so the script also runs on a Redis
Cluster. Keys and locks are kept a week; after that an Idempotency-Key is
remembered by the database alone (a reused key there is refused by the
writer, and the order's stock and coupons given back).
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.checkout_holds import StockHolds
from dacu.adapters.checkout_records import accepted_from, order_record
from dacu.adapters.checkout_scripts import INTAKE, UNLOCK
from dacu.adapters.order_batches import Accepted, write_accepted
from dacu.adapters.redis_budgets import RedisBudgetFigures
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_customers import RedisCustomerUnits
from dacu.adapters.redis_stock import (
    ORDER_SECONDS,
    RedisStockReservations,
    held_lines,
    reachable,
    summed,
    text,
)
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.domain.budgets import BudgetSpent
from dacu.domain.coupons import CouponUnavailable
from dacu.domain.errors import ConcurrentChange, IdempotencyConflict
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import (
    FirstOrderTaken,
    Order,
    PurchaseLimitReached,
    SoldOut,
    UnknownOrder,
)
from dacu.domain.types import Fen

log = logging.getLogger(__name__)


class RedisOrderIntake:
    """OrderIntake in Redis over the stock's figures; the database written behind."""

    def __init__(
        self,
        client: Client,
        engine: Engine,
        stock: RedisStockReservations,
        clock: Callable[[], datetime],
    ) -> None:
        self._client, self._engine, self._stock, self._clock = client, engine, stock, clock
        self.client = client
        slot = stock.slot
        self.stream = f"{slot}:checkouts"
        self._unwritten = unwritten_key(slot)
        self.budgets = RedisBudgetFigures(client, engine, slot, self._unwritten)
        self.customers = RedisCustomerUnits(client, engine, slot)
        self._slot = slot
        self.holds = StockHolds(client, stock)
        self._intake = client.register_script(INTAKE)
        self._unlock = client.register_script(UNLOCK)

    def _key(self, customer_id: str, key: str) -> str:
        return f"{self._slot}:key:{len(customer_id)}:{customer_id}:{key}"

    def _mine(self, customer_id: str) -> str:
        """Units of each SKU in the customer's orders taken in and not yet written."""
        return f"{self._slot}:of:{customer_id}"

    def _coupon(self, coupon_id: str) -> str:
        return f"{self._slot}:coupon:{coupon_id}"

    def accept(
        self, order: Order, key: str, fingerprint: str, bases: Mapping[str, Fen] | None = None
    ) -> Order:
        wanted = summed([(line.sku, line.qty) for line in order.lines])
        away = self._stock.by_shard(wanted)
        home = away.pop(0, {})
        held = self.holds.hold(order.id, away) if away else []
        keys = [
            self._stock.available_key,
            self._stock.record_key(order.id),
            self._key(order.customer_id, key),
            self.stream,
            self._unwritten,
            self._mine(order.customer_id),
            self.budgets.key,
            self.customers.key(order.customer_id),
            self.customers.record_key(order.id),
            self.holds.saga_key(order.id),
            *[self._coupon(coupon_id) for coupon_id in order.coupons],
        ]
        args: list[Any] = [ORDER_SECONDS, order.id, fingerprint]
        args += [order_record(order, key, fingerprint), int(bool(held)), len(order.drawn)]
        for campaign, amount in sorted(order.drawn.items()):
            args += [campaign, amount, (bases or {}).get(campaign, 0)]
        args += [int(order.first_order), self.customers.record(order), len(order.limits)]
        for sku, limit in sorted(order.limits.items()):  # the most units held before it
            args += [sku, limit - wanted.get(sku, 0)]
        args.append(len(wanted))
        for part in (wanted, home):  # the units counted for the customer, then those taken
            for sku, qty in sorted(part.items()):
                args += [sku, qty]
        outcome = self._settled(order.id, held, lambda: self._take(keys, args, home, order))
        if outcome == "ok":
            return replace(order, version=1)
        return self._refused(order, outcome, key, fingerprint)

    def _settled(self, order_id: str, held: list[int], take: Callable[[], str]) -> str:
        """The checkout script's answer, the order's holds in other shards confirmed when
        it took the order in and given back when it refused; when its answer was lost
        they are left to the sweep, which tells which it was."""
        try:
            outcome = take()
        except SoldOut:
            with suppress(GateUnavailable):
                self.holds.drop(order_id, held)
            raise
        if held:
            with suppress(GateUnavailable):
                if outcome == "ok":
                    self.holds.confirm(order_id, held)
                else:
                    self.holds.drop(order_id, held)
        return outcome

    def _refused(self, order: Order, outcome: str, key: str, fingerprint: str) -> Order:
        kind, _, detail = outcome.partition(":")
        if kind == "budget":
            raise BudgetSpent([detail])
        if kind == "first_order":
            raise FirstOrderTaken(f"order {order.id} was priced as a first order")
        if kind == "limit":
            raise PurchaseLimitReached(detail, order.limits[detail])
        if kind == "coupon":
            coupon_id = order.coupons[int(detail) - 1]
            raise CouponUnavailable(f"coupon {coupon_id} cannot be used on this order")
        if kind == "fenced":
            raise GateUnavailable(f"order {order.id} waited too long for its stock; try again")
        earlier_id, _, earlier_fingerprint = detail.rpartition("|")
        if earlier_fingerprint != fingerprint:
            raise IdempotencyConflict(f"Idempotency-Key {key} was used for another order")
        return self._order(earlier_id)

    def _take(self, keys: list[str], args: list[Any], wanted: dict[str, int], order: Order) -> str:
        """The script's answer, each budget figure (and the customer's units) it found
        missing rebuilt first."""
        for _ in range(len(order.drawn) + 2):
            outcome = self._stock.run(self._intake, keys, args, wanted)
            kind, _, campaign = outcome.partition(":")
            if kind == "customer_missing":
                self.customers.rebuild(order.customer_id, self._mine(order.customer_id))
            elif kind == "budget_missing":
                self.budgets.rebuild(campaign)
            else:
                return outcome
        raise GateUnavailable("budget figures vanished while drawing; try again")

    def placed(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        with reachable():
            found = self._client.get(self._key(customer_id, key))
        if found is None:
            return None
        order_id, _, fingerprint = text(found).rpartition("|")
        return self._order(order_id), fingerprint

    def unwritten(self, order_id: str) -> Order | None:
        with reachable():
            found = self._client.hget(self._unwritten, order_id)
        return None if found is None else accepted_from(found).order

    def write_through(self, order_id: str) -> None:
        self.write([order_id])

    def locked(self, coupon_ids: Sequence[str]) -> set[str]:
        """Those of the coupons an order taken in holds (written or not)."""
        if not coupon_ids:
            return set()
        with reachable():
            owners = self._client.mget([self._coupon(c) for c in coupon_ids])
        return {c for c, owner in zip(coupon_ids, owners, strict=True) if owner is not None}

    def give_back(
        self,
        order_id: str,
        coupons: Sequence[str],
        stock: bool,
        budgets: Mapping[str, Fen] | None = None,
    ) -> None:
        if budgets:
            self.budgets.give(budgets)
        if coupons:
            with reachable():
                self._unlock(keys=[self._coupon(c) for c in coupons], args=[order_id])
        if stock:
            self._stock.release(order_id)
            self.customers.give_back(order_id)

    def write(self, order_ids: Sequence[str]) -> int:
        """Write those of the orders still unwritten, in one transaction; returns how many.

        An order whose Idempotency-Key the database already knows for another order
        is dropped, and what it took given back."""
        with reachable():
            records = self._client.hmget(self._unwritten, list(order_ids))
        found = [accepted_from(record) for record in records if record is not None]
        batch = [
            a._replace(taken=tuple(held)) for a, held in zip(found, self._held(found), strict=True)
        ]
        if not batch:
            return 0
        clashed = write_accepted(self._engine, batch, self._clock())
        for accepted in batch:
            if accepted.order.id in clashed:
                self._drop(accepted)
        with reachable():
            pipe = self._client.pipeline(transaction=False)
            pipe.hdel(self._unwritten, *[a.order.id for a in batch])
            for accepted in batch:
                mine = self._mine(accepted.order.customer_id)
                for line in accepted.order.lines:
                    pipe.hincrby(mine, line.sku, -line.qty)
            pipe.execute()
        return len(batch) - len(clashed)

    def _held(self, batch: Sequence[Accepted]) -> list[list[tuple[str, int]]]:
        """What each order holds, by its records in home's shard and each of its lines'."""
        shards = [
            sorted({0} | {self._stock.shard_of(line.sku) for line in a.order.lines}) for a in batch
        ]
        with reachable():
            pipe = self._client.pipeline(transaction=False)
            for accepted, theirs in zip(batch, shards, strict=True):
                for shard in theirs:  # GETs, not MGET: a cluster's pipelines refuse MGET
                    pipe.get(self._stock.record_key(accepted.order.id, shard))
            replies = iter(pipe.execute() if batch else [])
        return [[line for _ in theirs for line in held_lines(next(replies))] for theirs in shards]

    def unwritten_units(self, customer_id: str) -> dict[str, int]:
        """Units of each SKU in the customer's orders taken in and not yet written."""
        with reachable():
            found = self._client.hgetall(self._mine(customer_id))
        units = {text(sku): int(n) for sku, n in found.items()}
        return {sku: n for sku, n in units.items() if n > 0}

    def _drop(self, accepted: Accepted) -> None:
        order = accepted.order
        log.error("order %s reuses key %s of another order; not written", order.id, accepted.key)
        self.give_back(order.id, order.coupons, stock=True, budgets=order.drawn)

    def _order(self, order_id: str) -> Order:
        """The order, unwritten or from the database."""
        found = self.unwritten(order_id)
        if found is not None:
            return found
        with SqlUnitOfWork(self._engine) as uow:
            try:
                return uow.orders.get(order_id)
            except UnknownOrder:
                raise ConcurrentChange(f"order {order_id} is being written; retry") from None


def unwritten_key(slot: str) -> str:
    """The hash of orders taken in and not yet written: order id → its record."""
    return f"{slot}:unwritten"
