"""The simulation's journal: a visit begun just before the campaign's end leaves no click
after it (the storefront is closed), while the server's money may still follow."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dacu.domain.events import Channel, EventKind, Segment
from dacu.services.simulation.journal import Journal
from dacu.services.simulation.plan import Shopper, phone_of

END = datetime(2026, 11, 13, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
SHOPPER = Shopper("sim5-c000042", Segment.NEW, Channel.APP, None, True, ())


def test_clicks_after_the_end_are_not_sent_and_ids_stay_put():
    journal = Journal(None, "c1", 100, END)  # type: ignore[arg-type]  # nothing sent here
    trail = journal.step("sim5-c000042-v3", SHOPPER)
    trail.add(EventKind.PAGE_VIEW, END - timedelta(seconds=10))
    trail.add(EventKind.SKU_VIEW, END + timedelta(seconds=10), sku="A-COAT")
    trail.add(EventKind.ERROR, END + timedelta(seconds=30))
    assert [(e.id, e.kind) for e in journal.pending] == [("sim5-c000042-v3:1", EventKind.PAGE_VIEW)]


def test_each_shopper_of_a_run_has_a_mainland_mobile_of_their_own():
    phones = {phone_of(f"sim5-c{n:06d}") for n in range(1000)}
    assert len(phones) == 1000
    assert all(len(p) == 11 and p.startswith("19") and p.isdigit() for p in phones)
    assert phone_of("sim5-c000001") != phone_of("sim6-c000001")
