"""Claiming coupons against real SQLite and PostgreSQL: stock, limits, retries, storms."""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.coupon_store import SqlCouponStore
from dacu.domain.coupons import (
    Audience,
    Claimant,
    ClaimRefused,
    ClaimWindowClosed,
    CouponTemplate,
    NotInAudience,
    OutOfStock,
    PerUserLimitReached,
    Validity,
)
from dacu.domain.rules import Level, Window
from dacu.domain.wallet import WalletKind
from dacu.services.coupons import claim_coupon, claim_with_code

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 8, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_ids = itertools.count()
_lock = threading.Lock()


def new_id() -> str:
    with _lock:
        return f"cp-{next(_ids)}"


def template(**overrides) -> CouponTemplate:
    fields = {
        "id": "t-300-30",
        "name": "双十一 满300减30",
        "kind": WalletKind.COUPON,
        "level": Level.PLATFORM,
        "threshold": 30000,
        "off": 3000,
        "total_stock": 50,
        "per_user_limit": 1,
        "validity": Validity(days=7),
        "claim_window": Window(NOW - timedelta(days=1), NOW + timedelta(days=3)),
    } | overrides
    return CouponTemplate(**fields)


@pytest.fixture
def store(engine) -> SqlCouponStore:
    return SqlCouponStore(engine)


def claim(store, who: str, request: str, at=NOW, template_id="t-300-30", **claimant):
    return claim_coupon(store, template_id, Claimant(who, **claimant), request, at, new_id)


def test_a_claim_puts_a_coupon_valid_n_days_in_the_wallet(store):
    store.add_template(template(), NOW)
    coupon = claim(store, "u1", "r1")
    assert coupon.expires_at == NOW + timedelta(days=7)
    assert coupon.claimed_at == NOW
    assert store.counts("t-300-30").issued == 1


def test_a_retried_claim_returns_the_same_coupon_and_takes_no_more_stock(store):
    store.add_template(template(per_user_limit=3), NOW)
    first = claim(store, "u1", "r1")
    again = claim(store, "u1", "r1", at=NOW + timedelta(days=5))  # even after the window
    assert again.id == first.id
    assert store.counts("t-300-30").issued == 1


def test_nobody_claims_beyond_the_per_user_limit(store):
    store.add_template(template(per_user_limit=2), NOW)
    claim(store, "u1", "r1")
    claim(store, "u1", "r2")
    with pytest.raises(PerUserLimitReached):
        claim(store, "u1", "r3")
    # the refused claim took no stock
    assert store.counts("t-300-30").issued == 2


def test_stock_runs_out(store):
    store.add_template(template(total_stock=2), NOW)
    claim(store, "u1", "r1")
    claim(store, "u2", "r1")
    with pytest.raises(OutOfStock):
        claim(store, "u3", "r1")


@pytest.mark.parametrize(
    ("overrides", "claimant", "refusal"),
    [
        ({"claim_window": Window(NOW + timedelta(hours=1), None)}, {}, ClaimWindowClosed),
        ({"audience": Audience.NEW_USERS}, {"first_order": False}, NotInAudience),
        ({"audience": Audience.MEMBERS}, {"member_tier": None}, NotInAudience),
    ],
    ids=["before-window", "new-users-only", "members-only"],
)
def test_rules_refuse_a_claim_with_a_stable_code(store, overrides, claimant, refusal):
    store.add_template(template(**overrides), NOW)
    with pytest.raises(refusal) as refused:
        claim(store, "u1", "r1", **claimant)
    assert refused.value.code != ClaimRefused.code
    assert store.counts("t-300-30").issued == 0


def test_fixed_end_caps_the_days_after_claim(store):
    ends = NOW + timedelta(days=2)
    store.add_template(template(validity=Validity(ends_at=ends, days=7)), NOW)
    assert claim(store, "u1", "r1").expires_at == ends


def test_claim_storm_issues_exactly_the_stock_and_nobody_over_the_limit(store, engine):
    # given: 200 claimers, 50 coupons, one each
    store.add_template(template(total_stock=50, per_user_limit=1), NOW)
    customers = [f"u{i % 150}" for i in range(200)]  # 50 customers try twice, at once
    outcomes: list[str] = []

    def attempt(index: int) -> str:
        try:
            claim(store, customers[index], f"r{index}")
        except ClaimRefused as refused:
            return refused.code
        return "issued"

    # when
    workers = 40 if engine.dialect.name == "sqlite" else 100
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(attempt, range(200)))
    # then
    assert outcomes.count("issued") == 50
    assert store.counts("t-300-30").issued == 50
    held: dict[str, int] = {}
    for customer in set(customers):
        held[customer] = len(store.wallet(customer))
    assert sum(held.values()) == 50
    assert max(held.values()) == 1
    assert set(outcomes) <= {"issued", "out_of_stock", "per_user_limit_reached"}


@pytest.mark.parametrize(
    ("limit", "stock"), [(1, 50), (3, 50), (1, 1)], ids=["limit-1", "limit-3", "last-coupon"]
)
def test_copies_of_one_claim_sent_at_once_all_get_the_one_coupon(store, limit, stock):
    # given: a shopper whose app sends one claim 16 times at once (a flaky network's retries)
    store.add_template(template(total_stock=stock, per_user_limit=limit), NOW)
    start = threading.Barrier(16)

    def copy(_: int) -> str:
        start.wait()
        return claim(store, "u1", "the-one-key").id

    # when
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(copy, range(16)))
    # then: every copy was answered with the same coupon, and only one was taken
    assert len(set(answers)) == 1
    assert store.counts("t-300-30").issued == 1
    assert [coupon.id for coupon in store.wallet("u1")] == answers[:1]


def test_copies_of_one_activity_code_claim_all_get_the_one_coupon(store):
    store.add_template(template(per_user_limit=1), NOW)
    store.add_code("DOUBLE11", "t-300-30", 100)
    start = threading.Barrier(12)

    def copy(_: int) -> str:
        start.wait()
        return claim_with_code(store, "DOUBLE11", Claimant("u1"), NOW, new_id).id

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(copy, range(12)))
    assert len(set(answers)) == 1
    assert store.counts("t-300-30").issued == 1
