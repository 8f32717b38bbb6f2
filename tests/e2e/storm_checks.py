"""After the storm: wait for the writers to drain, then read what the record holds."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from dacu.adapters.redis_connect import Client
from dacu.adapters.tables import (
    coupon_templates,
    coupons,
    event_outbox,
    flash_orders,
    orders,
    payment_callbacks,
    payments,
)
from dacu.bootstrap import Platform
from dacu.domain.orders import OrderStatus


def until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    why: Callable[[], object] = str,
    pause: float = 0.2,
) -> float:
    """Seconds until `condition` held; fails naming `what` (and `why()`) after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what} {why()}")
        time.sleep(pause)
    return round(time.monotonic() - started, 1)


def streams_drained(client: Client, prefix: str) -> bool:
    """No order stream of the prefix holds an entry unwritten or unacknowledged."""
    for key in client.scan_iter(f"*{prefix}*"):
        if client.type(key) != b"stream":
            continue
        for group in client.xinfo_groups(key):
            if group["pending"] or (group.get("lag") or 0):
                return False
    return True


def outbox_delivered(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.scalar(
            select(func.count())
            .select_from(event_outbox)
            .where(event_outbox.c.delivered_at.is_(None))
        )
    return not waiting


def unsettled(engine: Engine, started: set[str]) -> dict[str, object]:
    """The payments started that are not succeeded: their status and callbacks."""
    with engine.connect() as connection:
        found = dict(
            connection.execute(
                select(payments.c.id, payments.c.status).where(payments.c.id.in_(started))
            ).all()
        )
        waiting = {p for p in started if found.get(p) != "succeeded"}
        calls = connection.execute(
            select(payment_callbacks.c.payment_id, payment_callbacks.c.outcome).where(
                payment_callbacks.c.payment_id.in_(waiting)
            )
        ).all()
    return {p: (found.get(p), [o for i, o in calls if i == p]) for p in sorted(waiting)}


@dataclass
class Record:
    order_ids: list[str]  # every row, duplicates kept if there were any
    paid: dict[str, int]  # paid order → payable
    succeeded: dict[str, list[str]]  # order → its succeeded payments
    units: dict[str, int]  # SKU → units held by orders not cancelled
    issued: int  # the coupon template's counter
    coupon_rows: int


def record(engine: Engine, platform: Platform, coupon: str) -> Record:
    with engine.connect() as connection:
        order_ids = list(connection.scalars(select(orders.c.id)))
        done = connection.execute(
            select(payments.c.order_id, payments.c.id).where(payments.c.status == "succeeded")
        ).all()
        issued = connection.scalar(
            select(coupon_templates.c.issued).where(coupon_templates.c.id == coupon)
        )
        coupon_rows = connection.scalar(
            select(func.count()).select_from(coupons).where(coupons.c.template_id == coupon)
        )
    paid: dict[str, int] = {}
    units: dict[str, int] = {}
    for order_id in order_ids:
        order = platform.orders.get(order_id)
        if order.status is OrderStatus.PAID:
            paid[order_id] = order.payable
        if order.status is not OrderStatus.CANCELLED:
            for sku, qty in order.units().items():
                units[sku] = units.get(sku, 0) + qty
    succeeded: dict[str, list[str]] = {}
    for order_id, payment_id in done:
        succeeded.setdefault(order_id, []).append(payment_id)
    return Record(order_ids, paid, succeeded, units, int(issued or 0), int(coupon_rows or 0))


def flash_holds(engine: Engine, sale_id: str) -> dict[str, object]:
    """The flash orders of a sale by status, each with its full order's status."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(flash_orders.c.status, orders.c.status)
            .select_from(flash_orders.outerjoin(orders, orders.c.id == flash_orders.c.order_id))
            .where(flash_orders.c.sale_id == sale_id)
        ).all()
    counted: dict[str, int] = {}
    for held, order in rows:
        counted[f"{held}/{order}"] = counted.get(f"{held}/{order}", 0) + 1
    return counted


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines a process wrote, to say why it did not do its part."""
    if not path.exists():
        return f"({path.name}: no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
