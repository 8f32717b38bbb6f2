"""An order taken in, as the checkout keeps it in Redis until it is written."""

import json
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from dacu.adapters.codec import order_from_row, order_to_json
from dacu.adapters.order_batches import Accepted
from dacu.domain.orders import Order, OrderStatus


def order_record(order: Order, key: str, fingerprint: str) -> str:
    return json.dumps(
        {
            "id": order.id,
            "customer_id": order.customer_id,
            "key": key,
            "fingerprint": fingerprint,
            "created_at": order.created_at.isoformat(),
            "pay_by": order.pay_by.isoformat(),
            "document": order_to_json(order),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def accepted_from(record: Any, taken: Sequence[tuple[str, int]] = ()) -> Accepted:
    fields = json.loads(record)
    row = SimpleNamespace(
        id=fields["id"],
        customer_id=fields["customer_id"],
        document=fields["document"],
        status=OrderStatus.PENDING.value,
        created_at=datetime.fromisoformat(fields["created_at"]),
        pay_by=datetime.fromisoformat(fields["pay_by"]),
        refunded={},
        version=1,
    )
    return Accepted(order_from_row(row), fields["key"], fields["fingerprint"], tuple(taken))
