"""Each customer's units in orders not cancelled, kept in Redis for the checkout script.

`{slot}:bought:<customer>` is a hash of SKU → units in the customer's orders
taken in and not cancelled, written or not, with a field "" at 0 so that a
customer with none has one too. The INTAKE script (`checkout_scripts.py`)
checks 新人首单 and 每人限购 against it and adds each order's units in the same
step, so two checkouts of one customer cannot both pass; a cancelled or
expired order's units are taken away when it is given back — once: the
order's record of them (`{slot}:units:<order>`) goes as they do. The checkout
writers leave the hash alone (unlike the `of:` hash of units not yet written).

Missing — a week after the customer's last checkout, or on an empty Redis —
it is rebuilt from the database's `customer_units` and set only if still
absent. The units of orders not yet written (`of:`) are read from Redis first
and added: one written meanwhile is counted twice (too strict), never missed.
No order of the customer is taken in while the hash is missing, so such an
order could only be one taken in just before it vanished.
"""

import json

from sqlalchemy import Engine, select

from dacu.adapters.customer_store import LOCK
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_stock import ORDER_SECONDS, reachable, text
from dacu.adapters.tables import customer_units
from dacu.domain.orders import Order

REBUILD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""

GIVE_BACK = """
local record = redis.call('GET', KEYS[1])
if not record then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local parts = cjson.decode(record)
for i = 2, #parts, 2 do redis.call('HINCRBY', KEYS[2], parts[i], -parts[i + 1]) end
return 1
"""


class RedisCustomerUnits:
    """The customers' units in orders not cancelled, in the checkout's hash slot."""

    def __init__(self, client: Client, engine: Engine, slot: str) -> None:
        self._client, self._engine, self._slot = client, engine, slot
        self._rebuild = client.register_script(REBUILD)
        self._give_back = client.register_script(GIVE_BACK)

    def key(self, customer_id: str) -> str:
        return f"{self._slot}:bought:{customer_id}"

    def record_key(self, order_id: str) -> str:
        """What the order added to its customer's units, until it is given back."""
        return f"{self._slot}:units:{order_id}"

    @staticmethod
    def record(order: Order) -> str:
        units = [x for sku, qty in sorted(order.units().items()) for x in (sku, qty)]
        return json.dumps([order.customer_id, *units], separators=(",", ":"))

    def rebuild(self, customer_id: str, unwritten: str) -> None:
        """Set the customer's units from the database (and `unwritten`, the hash of their
        orders' units not yet written) unless another process set them first."""
        with reachable():
            pending = self._client.hgetall(unwritten)
        units = {LOCK: 0}
        for field, figure in pending.items():
            if int(figure) > 0:
                units[text(field)] = int(figure)
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(customer_units.c.sku, customer_units.c.units).where(
                    customer_units.c.customer_id == customer_id, customer_units.c.units > 0
                )
            )
            for sku, n in rows:
                units[sku] = units.get(sku, 0) + int(n)
        args: list[str | int] = [ORDER_SECONDS]
        for sku, n in units.items():
            args += [sku, n]
        with reachable():
            self._rebuild(keys=[self.key(customer_id)], args=args)

    def give_back(self, order_id: str) -> None:
        """The order was cancelled, expired or dropped: its units are its customer's no more."""
        with reachable():
            record = self._client.get(self.record_key(order_id))
            if record is None:
                return
            customer_id = json.loads(record)[0]
            self._give_back(keys=[self.record_key(order_id), self.key(customer_id)])
