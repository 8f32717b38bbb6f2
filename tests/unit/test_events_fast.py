"""A batch read back from the event stream without pydantic gives exactly the events
the models give: the same fields, the same instants and offsets; and whatever the
models refuse is refused alike."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.schemas import events_fast
from dacu.schemas.events import QueuedEvents

_ZONES = [None, UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5, minutes=30))]
_NEEDS_SKU = {EventKind.SKU_VIEW, EventKind.ADD_TO_CART}
_NEEDS_ORDER = {EventKind.ORDER, EventKind.PAYMENT, EventKind.REFUND, EventKind.ORDER_CANCELLED}
_NEEDS_COUPON = {EventKind.COUPON_CLAIM, EventKind.COUPON_USE}
_HAS_LINES = {EventKind.ORDER, EventKind.PAYMENT, EventKind.REFUND}

ids = st.from_regex(r"[A-Za-z0-9_.:\-]{1,12}", fullmatch=True)
names = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x4E2D, blacklist_characters="\x7f"),
    min_size=1,
    max_size=8,
)
moments = st.datetimes(
    datetime(2000, 1, 1), datetime(2200, 12, 31), timezones=st.sampled_from(_ZONES)
)


def _written(moment: datetime, form: int) -> Any:
    """A time as a sender may write it: plain forms first, then others the models take."""
    if form == 0:
        return moment.isoformat()
    if form == 1:
        return moment.replace(microsecond=0).isoformat()
    if form == 2:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if form == 3:
        return moment.isoformat(sep=" ")
    return moment.timestamp() if moment.tzinfo else moment.isoformat()


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(EventKind))
    event: dict[str, Any] = {
        "id": draw(ids),
        "kind": kind.value,
        "campaign_id": draw(names),
        "customer_id": draw(names),
        "channel": draw(st.sampled_from(Channel)).value,
        "segment": draw(st.sampled_from(Segment)).value,
        "at": _written(draw(moments), draw(st.sampled_from([0, 0, 1, 2, 3, 4]))),
    }
    if kind in _NEEDS_SKU or draw(st.booleans()):
        event["sku"] = draw(names)
    if kind in _NEEDS_ORDER:
        event["order_id"] = draw(names)
    if kind in _NEEDS_COUPON:
        event["coupon"] = draw(names)
    if kind in _HAS_LINES and draw(st.booleans()):
        lines = draw(
            st.lists(
                st.tuples(names, st.integers(1, 50), st.integers(0, 10**6)), min_size=1, max_size=3
            )
        )
        event["lines"] = [{"sku": s, "qty": q, "amount": a} for s, q, a in lines]
        event["amount"] = sum(a for _, _, a in lines)
        event["platform_funded"] = draw(st.integers(0, 10**5))
    return event


def _odd(event: dict[str, Any], how: int) -> dict[str, Any]:
    """The same event written in a way only the models read (or refuse)."""
    if how == 1:
        return {**event, "amount": str(event.get("amount", 0))}
    if how == 2:
        return {**event, "merchant_funded": float(event.get("merchant_funded", 0))}
    if how == 3:
        return {**event, "note": "a field no model has"}
    if how == 4:
        return {k: v for k, v in event.items() if k != "segment"}
    if how == 5:
        return {**event, "amount": True}
    if how == 6:
        return {**event, "sku": 12}
    return event


def _outcome(decode: Any, body: bytes) -> Any:
    try:
        found = decode(body)
    except Exception as error:  # what the models refuse, the fast path refuses alike
        return type(error)
    return [(event, event.at.utcoffset()) for event in found]


def _body(batch: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": batch}, ensure_ascii=False).encode()


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(), min_size=1, max_size=20))
def test_a_batch_decodes_to_the_events_the_models_give(batch):
    body = _body(batch)
    assert _outcome(events_fast.decode, body) == _outcome(QueuedEvents.decode, body)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(), min_size=1, max_size=5), st.integers(0, 6), st.data())
def test_a_batch_written_otherwise_decodes_as_the_models_say(batch, how, data):
    at = data.draw(st.integers(0, len(batch) - 1))
    batch[at] = _odd(batch[at], how)
    body = _body(batch)
    assert _outcome(events_fast.decode, body) == _outcome(QueuedEvents.decode, body)


@pytest.mark.parametrize(
    "body", [b"", b"[]", b'{"events": {}}', b'{"events": [1]}', b'{"events": [{}]}', b"{"]
)
def test_a_body_that_is_no_batch_is_refused_as_the_models_refuse_it(body):
    assert _outcome(events_fast.decode, body) == _outcome(QueuedEvents.decode, body)


def test_the_servers_own_events_read_back_as_they_were(sample_events):
    body = QueuedEvents.encode(sample_events)
    assert events_fast.decode(body) == sample_events


def test_a_plain_batch_is_read_without_the_models(monkeypatch, sample_events):
    body = QueuedEvents.encode(sample_events)
    monkeypatch.setattr(QueuedEvents, "decode", _refuse)
    assert events_fast.decode(body) == sample_events


def _refuse(_sent: bytes) -> list[Event]:
    raise AssertionError("the models were asked")


@pytest.fixture
def sample_events() -> list[Event]:
    at = datetime(2026, 11, 11, 0, 0, 5, 120_000, tzinfo=timezone(timedelta(hours=8)))
    return [
        Event("e1", EventKind.PAGE_VIEW, "d11", "c1", Channel.APP, Segment.NEW, at),
        Event("e2", EventKind.SKU_VIEW, "d11", "c1", Channel.WEB, Segment.NEW, at, sku="S1"),
        Event(
            "e3",
            EventKind.PAYMENT,
            "d11",
            "c2",
            Channel.MINI_PROGRAM,
            Segment.RETURNING,
            at.astimezone(UTC),
            order_id="o1",
            amount=300,
            platform_funded=20,
            lines=(Line("S1", 1, 100), Line("S2", 2, 200)),
        ),
        Event(
            "e4",
            EventKind.COUPON_CLAIM,
            "d11",
            "c3",
            Channel.SHARE_LINK,
            Segment.NEW,
            at,
            coupon="C1",
        ),
    ]
