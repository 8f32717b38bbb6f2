"""The facts risk rules read, from SQL on SQLite and PostgreSQL: the invite tree below a
customer, their standing, and whether they are tied to a shop's own people."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from dacu.adapters.risk_fact_reads import TreeRead, shapes_many, standing_many
from dacu.adapters.risk_facts import SqlRiskFacts
from dacu.adapters.risk_links import SqlIdentityLinks
from dacu.adapters.tables import customers, orders, principals, referrals, refunds
from dacu.domain.risk import Identity
from dacu.services.ports.risk_links import InviteShape, Standing

pytestmark = pytest.mark.integration
AT = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def _invite(engine: Engine, referrer: str, invitee: str, at: datetime) -> None:
    with engine.begin() as c:
        c.execute(
            insert(referrals).values(customer_id=invitee, kind="invite", referrer=referrer, at=at)
        )


def _order(engine: Engine, oid: str, customer: str, status: str) -> None:
    with engine.begin() as c:
        c.execute(
            insert(orders).values(
                id=oid, customer_id=customer, idempotency_key=oid, request_hash="h",
                status=status, document={}, refunded={}, version=1, created_at=AT, pay_by=AT,
            )
        )  # fmt: skip


def test_the_invite_tree_below_a_customer(engine: Engine) -> None:
    _invite(engine, "boss", "a", AT - timedelta(days=3))
    _invite(engine, "boss", "b", AT - timedelta(hours=2))
    _invite(engine, "boss", "c", AT - timedelta(hours=1))
    _invite(engine, "a", "a1", AT)
    _invite(engine, "a1", "a2", AT)
    _invite(engine, "stranger", "z", AT)
    _order(engine, "o1", "a", "paid")
    _order(engine, "o2", "b", "pending_payment")
    facts = SqlRiskFacts(engine)
    assert facts.invite_shape("boss", AT) == InviteShape(
        fan_out=3, depth=3, never_ordered=2, recent=2, telling=2
    )
    assert facts.invite_shape("nobody", AT) == InviteShape(0, 0, 0, 0)


def test_young_invitees_who_never_ordered_tell_only_on_a_shared_device(engine: Engine) -> None:
    _invite(engine, "boss", "a", AT - timedelta(days=9))  # never ordered, had 9 days
    _invite(engine, "boss", "b", AT - timedelta(days=1))  # too young to tell
    _invite(engine, "boss", "c", AT - timedelta(hours=1))  # young, on a farm's phone
    _invite(engine, "boss", "d", AT - timedelta(days=8))
    _order(engine, "o1", "d", "paid")
    links = SqlIdentityLinks(engine)
    for who in ("c", "c-twin"):
        links.link(who, Identity(device="emulator-1"), AT)
    links.link("b", Identity(device="own-phone", ip="10.0.0.1"), AT)
    shape = SqlRiskFacts(engine).invite_shape("boss", AT, aged_days=7)
    assert (shape.fan_out, shape.never_ordered, shape.telling) == (4, 3, 2)  # a and c


def test_invite_trees_read_together_answer_as_each_read_alone(engine: Engine) -> None:
    # given two trees, one with a shared device and an old invitee, and a customer with none
    for referrer, invitee, ago in (
        ("boss", "a", timedelta(days=9)),
        ("boss", "b", timedelta(hours=2)),
        ("boss", "c", timedelta(hours=30)),
        ("a", "a1", timedelta(0)),
        ("a1", "a2", timedelta(0)),
        ("other", "x", timedelta(days=1)),
    ):
        _invite(engine, referrer, invitee, AT - ago)
    _order(engine, "o1", "b", "paid")
    for who in ("c", "c-twin"):
        SqlIdentityLinks(engine).link(who, Identity(device="emulator-1"), AT)
    asked = [
        TreeRead(who, at, aged)
        for who in ("boss", "other", "nobody", "a")
        for at, aged in ((AT, 0), (AT, 7), (AT - timedelta(hours=3), 7))
    ]
    # when they are read in one batch
    with engine.connect() as connection:
        together = shapes_many(connection, asked)
        alone = {read: read(connection) for read in asked}
    # then each answer is the one read alone
    assert together == alone
    assert together[TreeRead("boss", AT, 7)] == InviteShape(3, 3, 2, 1, 2)


def test_standing_counts_paid_and_refunded_orders(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(insert(customers).values(id="m", phone="+8613800000001", registered_at=AT))
    _order(engine, "o1", "m", "paid")
    _order(engine, "o2", "m", "refunded")
    _order(engine, "o3", "m", "paid")
    _order(engine, "o4", "m", "cancelled")
    with engine.begin() as c:
        c.execute(
            insert(refunds).values(
                id="r1", order_id="o3", idempotency_key="k", sku="s", qty=1, amount=100, at=AT
            )
        )
    facts = SqlRiskFacts(engine)
    assert facts.standing("m") == Standing(AT, paid_orders=3, refunded_orders=2)
    assert facts.standing("ghost") == Standing(None, 0, 0)
    with engine.connect() as c:  # many at once, the same answers
        assert standing_many(c, ["m", "ghost", "m"]) == {
            "m": Standing(AT, 3, 2),
            "ghost": Standing(None, 0, 0),
        }
    # a deed changes the standing: read again behind (many at once), the kept one moves
    _order(engine, "o5", "m", "paid")
    facts.changed("m", AT)
    facts.changed("ghost", AT)
    facts.flush()
    assert facts.standing("m") == Standing(AT, paid_orders=4, refunded_orders=2)
    assert facts.standing("ghost") == Standing(None, 0, 0)


def test_a_customer_linked_to_a_shops_people(engine: Engine) -> None:
    with engine.begin() as c:
        for token, subject, role, shops in (
            ("t1", "owner", "merchant", ["shop-1"]),
            ("t2", "clerk", "merchant", ["shop-1", "shop-2"]),
            ("t3", "ops", "operator", []),
        ):
            c.execute(
                insert(principals).values(
                    token_hash=token, subject=subject, role=role, shops=shops, created_at=AT
                )
            )
    links = SqlIdentityLinks(engine)
    links.link("clerk", Identity(device="clerk-phone", ip="10.0.0.9"), AT)
    links.link("ops", Identity(device="ops-phone"), AT)
    links.link("buyer", Identity(device="clerk-phone"), AT)
    links.link("natted", Identity(ip="10.0.0.9"), AT)
    links.link("near-ops", Identity(device="ops-phone"), AT)
    facts = SqlRiskFacts(engine)
    assert facts.linked_to_shop("buyer", "shop-1")
    assert facts.linked_to_shop("buyer", "shop-2")
    assert facts.linked_to_shop("owner", "shop-1")  # one of its own people
    assert not facts.linked_to_shop("natted", "shop-1")  # an IP ties nobody
    assert not facts.linked_to_shop("near-ops", "shop-1")  # not a merchant's
    assert not facts.linked_to_shop("buyer", "shop-9")
