"""Enrollments on real SQLite and PostgreSQL: an approval's stock goes on sale with it, and
racing writes (a second insert of a SKU, a second review) are refused by the database."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.tables import stock
from dacu.domain.enrollment import Enrollment, Merchant, Review
from dacu.domain.errors import ConcurrentChange

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def a_scarf(id_: str = "e1", shop: str = "north-wear") -> Enrollment:
    return Enrollment(id_, "double11-2026", shop, "A-SCARF", 12900, 9900, 300)


def on_sale(engine, sku: str) -> int | None:
    with engine.connect() as connection:
        return connection.execute(
            select(stock.c.available).where(stock.c.sku == sku)
        ).scalar_one_or_none()


def test_an_approval_puts_the_committed_stock_on_sale_in_its_transaction(engine):
    store = SqlEnrollmentStore(engine)
    store.add(a_scarf())
    store.save_review(a_scarf().approve("价格合规"), "ops-lihua", NOW)
    assert store.get("e1").review is Review.APPROVED
    assert store.get("e1").note == "价格合规"
    assert on_sale(engine, "A-SCARF") == 300
    assert [e.id for e in store.of_campaign("double11-2026", Review.APPROVED)] == ["e1"]


def test_a_second_review_and_a_second_insert_are_refused_by_the_database(engine):
    store = SqlEnrollmentStore(engine)
    store.add(a_scarf())
    with pytest.raises(ConcurrentChange):
        store.add(a_scarf("e2", "digital-flagship"))
    store.save_review(a_scarf().reject("rival"), "ops-zhao", NOW)
    with pytest.raises(ConcurrentChange):
        store.save_review(a_scarf().approve(), "ops-lihua", NOW)
    with pytest.raises(ConcurrentChange):
        store.replace_terms(a_scarf())
    assert store.get("e1").review is Review.REJECTED
    assert on_sale(engine, "A-SCARF") is None


def test_merchants_are_read_in_one_go(engine):
    store = SqlEnrollmentStore(engine)
    store.put_merchant(Merchant("north-wear", True, 9400, NOW, ("apparel",)))
    store.put_merchant(Merchant("north-wear", True, 9500, None, ("apparel",)))
    found = store.merchants(["north-wear", "nobody"])
    assert list(found) == ["north-wear"]
    assert found["north-wear"].rating_bp == 9500
    assert found["north-wear"].last_serious_violation is None
