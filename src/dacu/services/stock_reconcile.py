"""Stock reconciliation: the gate, the order stream and the record, compared and repaired.

The record (the database) is the truth. Repairs write orders the record
lacks (from the gate's holds or the stream), then make the gate agree with
the record — holds it lost are put back, states follow the record — and
recount its stock and buyers' counts, all in one atomic step of the gate.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from dacu.domain.flashsale import PAID, RESERVED, FlashSale, Hold, HoldState, StockGate, UnknownSale
from dacu.services.ports.flash import FlashStore


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str
    detail: str
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    sale_id: str
    stock: int  # all ever put on sale (the record)
    on_sale: int  # what the gate will still sell
    held: int  # units the gate holds or has paid
    recorded: int  # units the record's live orders hold
    differences: list[Difference]

    @property
    def clean(self) -> bool:
        return not self.differences


StreamReader = Callable[[str], list[Hold]]


def reconcile(
    store: FlashStore,
    gate: StockGate,
    sale_id: str,
    stream: StreamReader | None = None,
    fix: bool = False,
) -> tuple[Reconciliation, Reconciliation | None]:
    """Compare gate, stream and record; with `fix`, repair and compare again.

    Repairs: orders missing from the record are written from the gate's holds
    or the stream; then the gate is made to agree with the record (holds it
    lost are put back, states follow the record) and its stock and buyers'
    counts are recounted.
    """
    sale = store.get(sale_id)
    if sale is None:
        raise UnknownSale(sale_id)
    before = _compare(store, gate, sale, stream)
    if not fix or before.clean:
        return before, None
    missing = {hold.request_id: hold for hold in (stream(sale_id) if stream else [])}
    missing.update({h.request_id: h for h in gate.holds(sale_id)})
    recorded = {order.request_id for order in store.orders(sale_id)}
    store.write_missing(sale_id, [h for r, h in missing.items() if r not in recorded])
    gate_holds = {hold.request_id: hold for hold in gate.holds(sale_id)}
    wanted = [order.as_hold() for order in store.orders(sale_id)]
    gate.repair(sale, [h for h in wanted if gate_holds.get(h.request_id) != h])
    return before, _compare(store, gate, sale, stream)


def _compare(
    store: FlashStore, gate: StockGate, sale: FlashSale, stream: StreamReader | None
) -> Reconciliation:
    differences: list[Difference] = []
    holds = {hold.request_id: hold for hold in gate.holds(sale.id)}
    orders = {order.request_id: order for order in store.orders(sale.id)}
    streamed = {hold.request_id for hold in stream(sale.id)} if stream else None
    for request, hold in sorted(holds.items()):
        order = orders.get(request)
        if order is None:
            if hold.state is HoldState.RELEASED:
                continue
            in_stream = streamed is not None and request in streamed
            kind = "order_unwritten" if in_stream else "order_missing"
            detail = "in the stream, not yet written" if in_stream else "held, no order, no entry"
            differences.append(Difference(kind, detail, request))
        elif order.as_hold().state is not hold.state:
            differences.append(
                Difference(
                    "state_differs", f"gate {hold.state.value}, record {order.status}", request
                )
            )
    for request, order in sorted(orders.items()):
        if request not in holds and order.status in (RESERVED, PAID):
            differences.append(Difference("gate_lost_hold", f"record {order.status}", request))
        if streamed is not None and request not in streamed:
            differences.append(Difference("not_in_stream", f"record {order.status}", request))
    if streamed is not None:
        for request in sorted(streamed - holds.keys() - orders.keys()):
            differences.append(Difference("stream_only", "in the stream only", request))
    live = [hold for hold in holds.values() if hold.state is not HoldState.RELEASED]
    held = sum(hold.qty for hold in live)
    on_sale = gate.remaining(sale.id)
    if on_sale + held != sale.stock:
        differences.append(
            Difference("stock_differs", f"gate {on_sale} on sale + {held} held != {sale.stock}")
        )
    counted: Counter[str] = Counter()
    for hold in live:
        counted[hold.user_id] += hold.qty
    for user, units in sorted((Counter(gate.buyers(sale.id)) - counted).items()):
        differences.append(Difference("count_differs", f"{user} counted {units} too many"))
    for user, units in sorted((counted - Counter(gate.buyers(sale.id))).items()):
        differences.append(Difference("count_differs", f"{user} counted {units} too few"))
    recorded = sum(o.qty for o in orders.values() if o.status in (RESERVED, PAID))
    return Reconciliation(sale.id, sale.stock, on_sale, held, recorded, differences)
