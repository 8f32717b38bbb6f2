"""The ledger's invariants under any sequence of checkouts and payments, partial
refunds and settlement transfers, on real SQLite and PostgreSQL with the double 11
campaign: after every step the trial balance is zero and, per shop, what the
`merchant:<shop>:subsidy` account was credited by orders and refunds is the
platform's funding of that shop in the funding table (`ledger`), the settled part
of it sitting in the shop's wallet."""

import itertools
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dacu.adapters.tables import ledger as funding_table
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.coupons import Claimant
from dacu.domain.ledger import (
    DUE_KINDS,
    Entry,
    EntryKind,
    MerchantAccount,
    Posting,
    kind_of,
    merchant,
)
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.test_orders import BURST, WARM_UP

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SHOPS = ("digital-flagship", "north-wear")
LINES = (
    CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),
    CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),
    CartLine("A-SCARF", "north-wear", 12900, 2, "apparel"),
)
_ids = itertools.count()

buy = st.tuples(st.just("buy"), st.sets(st.integers(0, 2), min_size=1), st.booleans())
refund = st.tuples(st.just("refund"), st.integers(0, 50), st.integers(0, 2), st.integers(1, 3))
settle = st.tuples(st.just("settle"), st.integers(0, 1), st.none())
steps = st.lists(st.one_of(buy, buy, refund, refund, settle), min_size=1, max_size=7)


@pytest.fixture
def platform(engine) -> Platform:
    found = bootstrap(engine, ids=lambda: f"id-{next(_ids)}", clock=lambda: BURST)
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    loaded = load_campaign(json.loads(json.dumps(document, default=str)))
    found.campaigns.apply(*loaded, "ops", WARM_UP)
    return found


def _buy(platform: Platform, lines: set[int], coupon: bool, bought: list) -> None:
    n = next(_ids)
    who = Customer(f"u-{n}", phone_verified=True)
    if coupon:
        platform.coupons.claim("warm-up-300-30", Claimant(who.id), f"c-{n}", WARM_UP)
    cart = Cart(tuple(LINES[i] for i in sorted(lines)))
    order = platform.orders.checkout(cart, who, f"k-{n}", BURST)
    platform.orders.pay(order.id, BURST + timedelta(minutes=1))
    bought.append({line.sku: line.qty for line in cart.lines} | {"": order.id})


def _refund(platform: Platform, which: int, line: int, qty: int, bought: list) -> None:
    if not bought:
        return
    left = bought[which % len(bought)]
    sku = LINES[line].sku
    qty = min(qty, left.get(sku, 0))
    if qty == 0:
        return
    n = next(_ids)
    platform.orders.refund(left[""], sku, qty, f"r-{n}", BURST + timedelta(hours=1), f"rf-{n}")
    left[sku] -= qty


def settlement(platform: Platform, shop: str) -> Entry | None:
    """The shop's due balances (each campaign's) moved to its wallet, as a settlement
    does (`domain/ledger.py`)."""
    due: dict[tuple[str, str], int] = {}
    for line in platform.ledger.lines(f"merchant:{shop}:"):
        if kind_of(line.account) in DUE_KINDS:
            key = (line.account, line.campaign_id)
            due[key] = due.get(key, 0) + line.amount
    postings = [Posting(account, -n, c) for (account, c), n in sorted(due.items()) if n]
    wallet = merchant(shop, MerchantAccount.WALLET)
    by_campaign: dict[str, int] = {}
    for (_, c), n in due.items():
        by_campaign[c] = by_campaign.get(c, 0) + n
    postings += [Posting(wallet, n, c) for c, n in sorted(by_campaign.items()) if n]
    if not postings:
        return None
    key = f"settlement:{shop}:{next(_ids)}"
    return Entry(key, EntryKind.SETTLEMENT, BURST + timedelta(days=7), tuple(postings))


def _funded(platform: Platform, engine) -> dict[str, int]:
    query = select(funding_table.c.shop, func.sum(funding_table.c.platform)).group_by(
        funding_table.c.shop
    )
    with engine.connect() as connection:
        return {shop: int(n) for shop, n in connection.execute(query)}


def _holds(platform: Platform, engine) -> None:
    assert platform.ledger.trial_balance() == 0
    funded = _funded(platform, engine)
    assert sum(funded.values()) == platform.orders.funding()["platform"]
    balances = platform.ledger.balances("merchant:")
    for shop in SHOPS:
        subsidy = merchant(shop, MerchantAccount.SUBSIDY)
        credited = sum(
            line.amount
            for line in platform.ledger.lines(subsidy)
            if line.kind is not EntryKind.SETTLEMENT and line.account == subsidy
        )
        assert -credited == funded.get(shop, 0)
        wallet = balances.get(merchant(shop, MerchantAccount.WALLET), 0)
        assert -(balances.get(subsidy, 0) + wallet) == funded.get(shop, 0)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_every_step_keeps_the_ledger_balanced_and_the_subsidy_equal_to_the_funding(
    platform, engine, steps
):
    bought: list[dict[str, object]] = []
    for step in steps:
        match step:
            case ("buy", lines, coupon):
                _buy(platform, lines, coupon, bought)
            case ("refund", which, line, qty):
                _refund(platform, which, line, qty, bought)
            case ("settle", shop, _):
                entry = settlement(platform, SHOPS[shop])
                if entry is not None:
                    assert platform.ledger.post(entry)
                    assert not platform.ledger.post(entry)  # once per key
        _holds(platform, engine)


def test_a_settled_shop_keeps_its_subsidy_in_the_wallet_and_a_later_refund_owes_it_back(
    platform, engine
):
    # given: a paid order with the platform's coupon, north-wear settled
    bought: list[dict[str, object]] = []
    _buy(platform, {0, 1, 2}, True, bought)
    funded = _funded(platform, engine)
    assert funded["north-wear"] > 0
    entry = settlement(platform, "north-wear")
    assert entry is not None
    assert platform.ledger.post(entry)
    wallet = merchant("north-wear", MerchantAccount.WALLET)
    assert platform.ledger.balances(wallet) == {wallet: -funded["north-wear"]}

    # when: a coat comes back after the settlement
    _refund(platform, 0, 1, 1, bought)

    # then: the clawback is a debit the shop owes against its next settlement
    subsidy = merchant("north-wear", MerchantAccount.SUBSIDY)
    owed_back = funded["north-wear"] - _funded(platform, engine)["north-wear"]
    assert owed_back > 0
    assert platform.ledger.balances(subsidy) == {subsidy: owed_back}
    _holds(platform, engine)
