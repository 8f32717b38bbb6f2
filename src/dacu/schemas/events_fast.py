"""A batch of the event stream read back into domain events, without pydantic.

What the stream carries was validated when it was accepted: a storefront's body by
`EventBatch` (and the kinds, fields and spans checked on it) before it was appended,
the server's own events built as domain events. Reading a batch back through the
models again costs a writer more than a tenth of its time; here the JSON is parsed
once and each `Event` built straight from it (the domain's own checks still run).

Only the plain form is taken this way: every field of the type the models would
give, times as `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]`. A batch holding anything
else — a time as a number, an amount as "12", a date without a time — is decoded by
`QueuedEvents.decode`, so the events are exactly those the models give, and a batch
the models refuse is refused alike.
"""

import json
import re
from datetime import datetime
from typing import Any

from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.schemas.bounds import SHANGHAI
from dacu.schemas.events import QueuedEvents

_KINDS = {kind.value: kind for kind in EventKind}
_CHANNELS = {channel.value: channel for channel in Channel}
_SEGMENTS = {segment.value: segment for segment in Segment}
_PLAIN_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?")


class _NotPlain(ValueError):
    """A field the fast path does not take as it is: the models decide."""


def decode(sent: bytes) -> list[Event]:
    """The events of a stream entry, as `QueuedEvents.decode` gives them."""
    try:
        raw = json.loads(sent)["events"]
        if type(raw) is not list:
            raise _NotPlain("events")
        return [_event(event) for event in raw]
    except (ValueError, KeyError, TypeError, AttributeError):
        # anything but the plain form (or a batch the models refuse): the models decide
        return QueuedEvents.decode(sent)


def _event(raw: dict[str, Any]) -> Event:
    get = raw.get
    lines = get("lines", [])
    if type(lines) is not list:
        raise _NotPlain("lines")
    return Event(
        id=_text(raw["id"]),
        kind=_KINDS[raw["kind"]],
        campaign_id=_text(raw["campaign_id"]),
        customer_id=_text(raw["customer_id"]),
        channel=_CHANNELS[raw["channel"]],
        segment=_SEGMENTS[raw["segment"]],
        at=_moment(raw["at"]),
        sku=_maybe_text(get("sku")),
        order_id=_maybe_text(get("order_id")),
        coupon=_maybe_text(get("coupon")),
        amount=_whole(get("amount", 0)),
        platform_funded=_whole(get("platform_funded", 0)),
        merchant_funded=_whole(get("merchant_funded", 0)),
        lines=tuple(_line(line) for line in lines) if lines else (),
    )


def _line(raw: dict[str, Any]) -> Line:
    if type(raw) is not dict:
        raise _NotPlain("line")
    return Line(_text(raw["sku"]), _whole(raw["qty"]), _whole(raw["amount"]))


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _NotPlain(value)
    return value


def _maybe_text(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise _NotPlain(value)
    return value


def _whole(value: Any) -> int:
    if type(value) is not int:  # not a bool, a float or a string of digits
        raise _NotPlain(value)
    return value


def _moment(value: Any) -> datetime:
    if type(value) is not str or not _PLAIN_AT.fullmatch(value):
        raise _NotPlain(value)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)
