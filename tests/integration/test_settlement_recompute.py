"""A simulated 双十一 settled end to end on SQLite and PostgreSQL: the crowd of `dacu
simulate` shops, pays and refunds; merchants ship, finance records ad spend, operators
penalize; finance runs the settlement once the campaign has ended. Every shop's
statement is then recomputed from the source tables alone (`recompute_rig`) and must
equal it to the fen, per shop and per kind; the trial balance is zero; every due day
is 7 Chinese working days after the end."""

import csv
import hashlib
import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from dacu.bootstrap import Platform, bootstrap
from dacu.domain.appeals import Claim
from dacu.domain.penalties import PenaltyKind
from dacu.domain.settlement import Statement
from dacu.entrypoints.cli_simulate import example_campaign, world_on
from dacu.entrypoints.settlement_statement import statement_csv
from dacu.services.simulation import simulate
from tests.integration import recompute_rig as recompute

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN = "double11-2026"
CUSTOMERS = 120
ENDED = date(2026, 11, 13)  # the encore's last day
AFTER = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)  # the Monday after
SIZES = {"appliances": "bulky", "apparel": "medium", "digital": "small"}
CARRIERS = ("sf-express", "jd-logistics", "yto-express")  # the last no partner of the plan


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _pick(order_id: str, ways: int) -> int:
    return int(hashlib.sha256(order_id.encode()).hexdigest()[:8], 16) % ways


def size_the_goods(platform: Platform) -> None:
    """Each SKU's size class, by its category, through the catalog."""
    with platform.engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM skus"))]
    skus = platform.goods.skus(ids)
    platform.goods.put(
        [
            replace(sku, size_class=SIZES.get(sku.category.split(".")[0], ""))
            for sku in skus.values()
        ]
    )


def ship_and_deliver(platform: Platform, clock: Clock) -> int:
    """Merchants ship the paid orders' lines — on time, late, with a partner carrier or
    not, some never — and the parcels are delivered after any refund of the order."""
    with platform.engine.connect() as connection:
        orders = connection.execute(
            text("SELECT id, created_at FROM orders WHERE status = 'paid' ORDER BY id")
        ).all()
        last_refund = dict(
            connection.execute(text("SELECT order_id, MAX(at) FROM refunds GROUP BY 1")).all()
        )
    delivered = 0
    for order_id, created in orders:
        way = _pick(order_id, 5)
        if way == 4:
            continue  # not shipped by the settlement
        created = recompute._aware(created)
        clock.now = created + timedelta(hours=20 if way != 3 else 60)  # 3: past the promise
        order = platform.orders.get(order_id)
        for shop in sorted({line.shop for line in order.lines}):
            shipment, _ = platform.shipments.ship(
                order_id, {shop}, CARRIERS[way % 3], f"WB{order_id}", f"m-{shop}", f"s-{order_id}"
            )
            refunded = last_refund.get(order_id)
            clock.now = max(clock.now, recompute._aware(refunded) if refunded else clock.now)
            clock.now += timedelta(days=1)
            platform.shipments.deliver(shipment.id, None)
            delivered += 1
    return delivered


def charge(platform: Platform, clock: Clock, shops: list[str]) -> None:
    """Ad spend past the 5万 cap at one shop, some at another; penalties, one withdrawn,
    one larger than all a small shop is owed."""
    charges = platform.charges
    for n, spend in enumerate((20_000_000, 20_000_000, 10_000_000)):
        clock.now = AFTER - timedelta(hours=3 - n)
        charges.record_spend(CAMPAIGN, shops[0], spend, f"ad-bill-{n}", "fin")
    charges.record_spend(CAMPAIGN, shops[1], 1_234_567, "ad-bill-x", "fin")
    clock.now = AFTER - timedelta(minutes=30)
    charges.penalize(
        CAMPAIGN, shops[1], PenaltyKind.BRUSHING, 50_000, "刷单", "orders …", "risk", "p-1"
    )
    withdrawn, _ = charges.penalize(
        CAMPAIGN, shops[0], PenaltyKind.LATE_SHIPMENT, 30_000, "延迟发货", "waybills", "ops", "p-2"
    )
    charges.withdraw(withdrawn.id, "ops", "the carrier's fault")
    charges.penalize(
        CAMPAIGN, shops[-1], PenaltyKind.FALSE_SHIPMENT, 10_000_000, "虚假发货", "…", "ops", "p-3"
    )


def festival(engine: Engine) -> tuple[Platform, Clock]:
    document, campaign = example_campaign(CUSTOMERS)
    simulate(
        world_on(engine), document, campaign, customers=CUSTOMERS, seed=7, now=AFTER,
        attacks=True,
    )  # fmt: skip
    clock = Clock(AFTER)
    platform = bootstrap(engine, clock=clock)
    size_the_goods(platform)
    assert ship_and_deliver(platform, clock) > 0
    with engine.connect() as connection:
        shops = sorted(recompute.subsidies(connection, CAMPAIGN), key=str)
    charge(platform, clock, shops)
    clock.now = AFTER
    return platform, clock


def appeal_and_settle_again(
    platform: Platform, engine: Engine, issued: tuple[Statement, ...]
) -> tuple[tuple[Statement, ...], list[tuple[str, int]]]:
    """One shop's appeal of its first line accepted in part, another's rejected with a
    report; then the next run. Returns its statements and the appeals table's accepted."""
    owed = [s for s in issued if s.total > 0]
    for n, statement in enumerate(owed[:2]):
        claim = Claim(statement.id, 1, "物流补贴漏算", ("运单 SF1",), 800)
        appeal = platform.appeals.file(f"m-{statement.shop}", {statement.shop}, f"a{n}", claim)
        if n == 0:
            platform.appeals.accept(appeal.id, "fin", 500, "补差")
        else:
            platform.appeals.reject(appeal.id, "ops", "复核：补贴计算无误")
    later = platform.settlement.run(CAMPAIGN, "fin", "after-the-appeals").statements
    with engine.connect() as connection:
        accepted = connection.execute(
            text("SELECT shop, accepted FROM appeals WHERE status = 'accepted'")
        ).all()
    return later, [(shop, int(fen)) for shop, fen in accepted]


def statements_by_shop(engine: Engine) -> dict[str, dict[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT s.shop, l.kind, SUM(l.amount) FROM statement_lines l JOIN statements s "
                "ON s.id = l.statement_id WHERE s.campaign_id = :c GROUP BY 1, 2"
            ),
            {"c": CAMPAIGN},
        ).all()
    found: dict[str, dict[str, int]] = {}
    for shop, kind, amount in rows:
        if amount:
            found.setdefault(shop, {})[kind] = int(amount)
    return found


def test_every_statement_of_a_simulated_festival_equals_its_recomputation(engine):
    # given a simulated festival, its parcels, ad spend and penalties
    platform, _ = festival(engine)
    # when finance settles it after the end
    run = platform.settlement.run(CAMPAIGN, "fin", "after-the-festival")
    # then every shop's statement is what the orders, refunds, shipments, ad spend and
    # penalties say, to the fen, per kind and in total
    with engine.connect() as connection:
        expected = recompute.owed(connection, CAMPAIGN)
    assert {"subsidy", "logistics", "ad_rebate", "penalty"} <= {
        kind for kinds in expected.values() for kind in kinds
    }
    assert statements_by_shop(engine) == expected
    totals = {s.shop: s.total for s in run.statements}
    assert totals == {shop: sum(kinds.values()) for shop, kinds in expected.items()}
    assert min(totals.values()) < 0  # a shop penalized above what it is owed owes it
    # ... the ad rebate stopped at the 5万 cap
    assert max(kinds.get("ad_rebate", 0) for kinds in expected.values()) == 5_000_000
    # ... each line leads to its order or refund, and the CSV says the same in yuan
    for statement in run.statements:
        full = platform.settlement.full(statement.id)
        for line in full.lines:
            if line.kind.value == "subsidy":
                platform.orders.get(line.refs["order_id"])
        rows = list(csv.reader(io.StringIO(statement_csv(full, SHANGHAI).lstrip("\ufeff"))))
        assert rows[4][1].endswith("+08:00")  # issued, in Shanghai time
        amounts = [Decimal(row[7]) for row in rows[9:] if len(row) == 8]
        assert sum(amounts) * 100 == Decimal(full.total) == Decimal(rows[-1][1]) * 100
    # ... the ledger balances, and reconciles with the statements shop by shop
    with engine.connect() as connection:
        assert connection.execute(text("SELECT SUM(amount) FROM journal_postings")).scalar() == 0
    assert platform.ledger.trial_balance() == 0
    assert all(shop.balanced for shop in platform.settlement.reconcile(CAMPAIGN))
    # ... and every statement is due 7 Chinese working days after the end: 11-24
    assert recompute.working_days_after(ENDED, 7) == date(2026, 11, 24)
    assert {s.due_on for s in run.statements} == {date(2026, 11, 24)}
    # a retry answers the same statements; a new run finds nothing new
    again = platform.settlement.run(CAMPAIGN, "fin", "after-the-festival")
    assert again.replayed
    assert again.statements == run.statements
    assert platform.settlement.run(CAMPAIGN, "fin", "once-more").statements == ()
    # an accepted appeal is the shop's next statement, as the appeals table says
    later, accepted = appeal_and_settle_again(platform, engine, run.statements)
    assert [(s.shop, s.total, s.seq) for s in later] == [(shop, fen, 2) for shop, fen in accepted]
    assert platform.ledger.trial_balance() == 0
    assert all(shop.balanced for shop in platform.settlement.reconcile(CAMPAIGN))


def test_the_due_day_crosses_the_national_day_holiday_and_its_make_up_day(engine):
    # given the example campaign moved to end on 2026-09-30, before 国庆 (10-01..10-07;
    # Saturday 10-10 is a 调休 working day)
    _, campaign = example_campaign(CUSTOMERS)
    shift = datetime(2026, 9, 30, tzinfo=SHANGHAI) - datetime(2026, 11, 13, tzinfo=SHANGHAI)
    moved = replace(
        campaign,
        phases=tuple(
            replace(held, window=replace(held.window, starts_at=held.window.starts_at + shift,
                                         ends_at=held.window.ends_at + shift))
            for held in campaign.phases
        ),
    )  # fmt: skip
    platform = bootstrap(engine, clock=Clock(AFTER))
    # then its statements are due on 10-15, as the calendar counts
    due = platform.settlement.due_on(moved, datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    assert due == recompute.working_days_after(date(2026, 9, 30), 7) == date(2026, 10, 15)
