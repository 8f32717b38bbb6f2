"""What readers of the database see of orders taken in by Redis and not yet written.

Between the moment Redis takes an order in and the moment a checkout writer
writes it (milliseconds, at festival load), the database does not know the
order. Three readers must not be misled meanwhile: a quote must not offer a
coupon that such an order holds, a customer with such an order is no longer
before their first order (and has bought its units), and a stock figure
rebuilt from the database must not count units such an order took.
"""

import json
from collections import Counter
from dataclasses import replace
from datetime import datetime

from dacu.adapters.redis_checkout import RedisOrderIntake, unwritten_key
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_stock import Load, reachable
from dacu.domain.cart import Customer
from dacu.domain.wallet import WalletItem
from dacu.services.ports.customers import CustomerFacts
from dacu.services.ports.stock import StockReservations
from dacu.services.ports.wallets import QuoteReads


class FreeCoupons:
    """QuoteReads without the coupons an order taken in already holds."""

    def __init__(self, reads: QuoteReads, intake: RedisOrderIntake) -> None:
        self._reads, self._intake = reads, intake

    def read(self, customer_id: str, now: datetime) -> tuple[dict[str, int], list[WalletItem]]:
        revisions, held = self._reads.read(customer_id, now)
        return revisions, self._free(held)

    def held(self, customer_id: str, now: datetime) -> list[WalletItem]:
        return self._free(self._reads.held(customer_id, now))

    def _free(self, held: list[WalletItem]) -> list[WalletItem]:
        locked = self._intake.locked([item.id for item in held])
        return [item for item in held if item.id not in locked] if locked else held


class WithUnwritten:
    """CustomerFacts counting the customer's orders not yet written too."""

    def __init__(self, facts: CustomerFacts, intake: RedisOrderIntake) -> None:
        self._facts, self._intake = facts, intake

    def facts(self, customer_id: str) -> Customer:
        # Redis first: an order written in between is then counted twice for a moment
        # (the writers take it out of Redis after they commit), never missed.
        unwritten = self._intake.unwritten_units(customer_id)
        known = self._facts.facts(customer_id)
        if not unwritten:
            return known
        bought = Counter(known.bought)
        bought.update(unwritten)
        return replace(known, first_order=False, bought=dict(bought))


def database_figure(client: Client, slot: str, book: StockReservations) -> Load:
    """How Redis rebuilds a SKU's figure: the database's, less what orders taken in and
    not yet written hold. The database is read first, so an order written meanwhile
    is counted twice (a figure too low for a moment), never missed (an oversell)."""

    def load(sku: str) -> int | None:
        found = book.available(sku)
        if found is None:
            return None
        with reachable():
            records = client.hvals(unwritten_key(slot))
        held = sum(
            int(line["qty"])
            for record in records
            for line in json.loads(record)["document"]["lines"]
            if line["sku"] == sku
        )
        return found - held

    return load
