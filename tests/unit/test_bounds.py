"""The bounds every input holds: schema types at the edge, ceilings in the domain, event spans."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from dacu.domain.cart import CartLine
from dacu.domain.errors import InvalidRule
from dacu.domain.events import Channel, Event, EventKind, Segment, Span
from dacu.domain.types import MAX_FEN, MAX_QTY
from dacu.schemas.bounds import Bp, Fen, Id, Moment, Name, Note, Qty
from dacu.schemas.events import EventBatch
from dacu.schemas.pricing import BadScenario, CustomerFactsIn, load_scenario

SHANGHAI = ZoneInfo("Asia/Shanghai")
STARTS = datetime(2026, 11, 1, tzinfo=SHANGHAI)
ENDS = datetime(2026, 11, 12, tzinfo=SHANGHAI)
SPAN = Span(STARTS, ENDS)


def _accepts(kind: object, value: object) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Fen, [0, 19900, MAX_FEN], [-1, MAX_FEN + 1, 10**19]),
        (Qty, [1, MAX_QTY], [0, -3, MAX_QTY + 1, 10**19]),
        (Bp, [0, 8500, 10_000], [-1, 10_001]),
    ],
    ids=["fen", "qty", "bp"],
)
def test_numbers_hold_their_bounds(kind, good, bad):
    assert all(_accepts(kind, value) for value in good)
    assert not any(_accepts(kind, value) for value in bad)


@pytest.mark.parametrize("kind", [Id, Name, Note])
def test_strings_refuse_nul_and_control_characters(kind):
    assert _accepts(kind, "双十一-A1")
    assert not _accepts(kind, "A1\x00")
    assert not _accepts(kind, "A\x1b[31m")
    assert not _accepts(kind, "x" * 5000)


def test_ids_are_one_line_and_never_empty_while_notes_may_break_lines():
    assert not _accepts(Id, "")
    assert not _accepts(Id, "a\nb")
    assert not _accepts(Id, "x" * 65)
    assert _accepts(Note, "first line\nsecond\tline")


def test_moments_are_aware_and_within_sane_years():
    moment = TypeAdapter(Moment).validate_python(datetime(2026, 11, 11, 20, 0))
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(hours=8)  # a time without offset is Shanghai's
    assert not _accepts(Moment, datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    assert not _accepts(Moment, datetime(1, 1, 1, tzinfo=UTC))


def _scenario(**item: object) -> str:
    line = {"sku": "A1", "shop": "s1", "price": 19900, "qty": 1, **item}
    return json.dumps(
        {
            "now": "2026-11-11T00:05:00+08:00",
            "customer": {"id": "u1"},
            "cart": {"items": [line]},
        }
    )


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"qty": 10**19}, "cart.items[0].qty"),
        ({"price": 10**15}, "cart.items[0].price"),
        ({"price": -1}, "cart.items[0].price"),
        ({"sku": "A\x00"}, "cart.items[0].sku"),
    ],
    ids=["huge-qty", "huge-price", "negative-price", "nul-sku"],
)
def test_a_scenario_out_of_bounds_is_refused_naming_the_field(item, field):
    with pytest.raises(BadScenario) as error:
        load_scenario(_scenario(**item))
    assert str(error.value).startswith(field)


def test_customer_facts_are_declared_once_and_bounded():
    facts = CustomerFactsIn.model_validate({"first_order": True, "bought": {"A1": 2}})
    customer = facts.to_customer("u1")
    assert (customer.id, customer.first_order, dict(customer.bought)) == ("u1", True, {"A1": 2})
    with pytest.raises(ValidationError):
        CustomerFactsIn.model_validate({"bought": {"A1": -1}})


def test_the_domain_holds_its_own_ceilings():
    with pytest.raises(InvalidRule) as error:
        CartLine("A1", "s1", 100, MAX_QTY + 1)
    assert error.value.field == "qty"
    with pytest.raises(InvalidRule) as error:
        CartLine("A1", "s1", MAX_FEN + 1, 1)
    assert error.value.field == "price"


def _event(kind: EventKind, at: datetime) -> Event:
    money = {"order_id": "o1", "amount": 100} if kind is not EventKind.LOGIN else {}
    return Event("e1", kind, "d11", "c1", Channel.APP, Segment.NEW, at, **money)


def test_an_event_of_year_9999_is_outside_the_campaigns_span():
    with pytest.raises(InvalidRule) as error:
        SPAN.check(_event(EventKind.LOGIN, datetime(9999, 12, 31, 23, tzinfo=UTC)))
    assert error.value.field == "at"
    assert "outside campaign d11's span" in error.value.message


def test_events_keep_within_the_span_but_refunds_may_come_30_days_later():
    SPAN.check(_event(EventKind.LOGIN, STARTS))
    SPAN.check(_event(EventKind.LOGIN, ENDS))
    SPAN.check(_event(EventKind.REFUND, ENDS + timedelta(days=29)))
    SPAN.check(_event(EventKind.PAYMENT, ENDS + timedelta(minutes=15)))
    for kind, at in [
        (EventKind.LOGIN, STARTS - timedelta(seconds=1)),
        (EventKind.LOGIN, ENDS + timedelta(seconds=1)),
        (EventKind.ORDER, ENDS + timedelta(hours=1)),
        (EventKind.REFUND, ENDS + timedelta(days=31)),
    ]:
        with pytest.raises(InvalidRule):
            SPAN.check(_event(kind, at))


def test_the_dashboard_keeps_only_hours_the_campaign_can_hold():
    assert SPAN.holds_hour(datetime(2026, 11, 11, 12, tzinfo=UTC))
    assert SPAN.holds_hour(datetime(2026, 12, 10, 12, tzinfo=UTC))  # a late refund's hour
    assert not SPAN.holds_hour(datetime(9999, 12, 31, 23, tzinfo=UTC))
    assert not SPAN.holds_hour(datetime(2026, 10, 1, tzinfo=UTC))


def test_an_event_batch_refuses_absurd_fields_naming_them():
    good = {
        "id": "e-1",
        "kind": "payment",
        "campaign_id": "d11",
        "customer_id": "c1",
        "channel": "app",
        "segment": "new",
        "at": "2026-11-11T20:00:00+08:00",
        "order_id": "o1",
        "amount": 100,
    }
    EventBatch.model_validate({"events": [good]})
    for bad, name in [
        ({"amount": 10**19}, "amount"),
        ({"at": "9999-12-31T23:00:00+00:00"}, "at"),
        ({"customer_id": "c\x00"}, "customer_id"),
    ]:
        with pytest.raises(ValidationError) as error:
            EventBatch.model_validate({"events": [{**good, **bad}]})
        assert error.value.errors()[0]["loc"] == ("events", 0, name)


def test_a_campaigns_span_runs_from_its_first_start_to_its_last_end():
    phases = ((STARTS + timedelta(days=d), STARTS + timedelta(days=d + 1)) for d in (3, 0, 7))
    assert Span.of(phases) == Span(STARTS, STARTS + timedelta(days=8))
