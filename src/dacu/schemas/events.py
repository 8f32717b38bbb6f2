"""Events as senders write them: a batch of at most 1,000, each with its own id."""

from collections.abc import Sequence

from pydantic import BaseModel, Field

from dacu.domain.errors import InvalidRule
from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.schemas.bounds import Fen, Id, Moment, Qty, aware

MAX_BATCH = 1000


class LineIn(BaseModel):
    sku: Id
    qty: Qty
    amount: Fen = Field(description="fen paid for these units")


class EventIn(BaseModel):
    id: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="chosen by the sender; the same id again is a duplicate",
    )
    kind: EventKind
    campaign_id: Id
    customer_id: Id
    channel: Channel
    segment: Segment = Field(description="new: the customer's first purchase period (新客)")
    at: Moment = Field(description="when it happened; without an offset, Asia/Shanghai")
    sku: Id | None = None
    order_id: Id | None = None
    coupon: Id | None = None
    amount: Fen = Field(0, description="fen: ordered, paid or refunded")
    platform_funded: Fen = Field(0, description="fen of discount the platform paid")
    merchant_funded: Fen = Field(0, description="fen of discount merchants paid")
    lines: list[LineIn] = Field(default_factory=list, max_length=200)

    def to_domain(self) -> Event:
        return Event(
            id=self.id,
            kind=self.kind,
            campaign_id=self.campaign_id,
            customer_id=self.customer_id,
            channel=self.channel,
            segment=self.segment,
            at=aware(self.at),
            sku=self.sku,
            order_id=self.order_id,
            coupon=self.coupon,
            amount=self.amount,
            platform_funded=self.platform_funded,
            merchant_funded=self.merchant_funded,
            lines=tuple(Line(line.sku, line.qty, line.amount) for line in self.lines),
        )


class EventBatch(BaseModel):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)

    def to_domain(self) -> list[Event]:
        found = []
        for i, event in enumerate(self.events):
            try:
                found.append(event.to_domain())
            except InvalidRule as error:
                raise error.within(f"events[{i}]") from None
        return found


class QueuedEvents(BaseModel):
    """A batch as the event stream keeps it: a storefront's body as sent, or the server's
    own events (any kind, any number), read back by the writers."""

    events: list[EventIn]

    @classmethod
    def encode(cls, batch: Sequence[Event]) -> bytes:
        """The server's own events: built by the server, so not checked again here."""
        return cls.model_construct(events=[_event_in(e) for e in batch]).model_dump_json().encode()

    @classmethod
    def decode(cls, sent: bytes) -> list[Event]:
        return [event.to_domain() for event in cls.model_validate_json(sent).events]


def _event_in(event: Event) -> EventIn:
    return EventIn.model_construct(
        id=event.id,
        kind=event.kind,
        campaign_id=event.campaign_id,
        customer_id=event.customer_id,
        channel=event.channel,
        segment=event.segment,
        at=event.at,
        sku=event.sku,
        order_id=event.order_id,
        coupon=event.coupon,
        amount=event.amount,
        platform_funded=event.platform_funded,
        merchant_funded=event.merchant_funded,
        lines=[LineIn.model_construct(sku=x.sku, qty=x.qty, amount=x.amount) for x in event.lines],
    )
