"""`dacu kpi rebuild`: a campaign's rollups rebuilt from its stored events in set-based
SQL are the very rollups the fold built event by event — late arrivals included."""

import random

import pytest
from sqlalchemy import Engine, text

from dacu.adapters.kpi_scopes import CODES
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.domain.kpis import COUNTERS
from dacu.services import kpis
from tests.integration.kpi_events import shoppers
from tests.integration.test_kpis import BURST, CAMPAIGN, _apply, _board, _check_against_raw, _ingest

pytestmark = pytest.mark.integration


def _rollups(engine: Engine, placed_by_arrival: tuple[str, ...] = ()) -> dict[str, list]:
    """Every rollup row of the campaign; `placed_by_arrival` counters summed, not by cell."""
    cells = ", ".join(name for name in COUNTERS if name not in placed_by_arrival)
    found = {}
    for table, columns, order in (
        ("kpi_hourly", f"hour, channel, segment, {cells}", "hour, channel, segment"),
        ("kpi_skus", "sku, views, carts, units, gmv", "sku"),
        ("kpi_seen", "scope, customer_id, at, channel, segment", "scope, customer_id"),
        ("kpi_buyers", "customer_id, payments", "customer_id"),
    ):
        with engine.connect() as connection:
            rows = connection.execute(
                text(f"SELECT {columns} FROM {table} WHERE campaign_id = :c ORDER BY {order}"),
                {"c": CAMPAIGN},
            )
            found[table] = [tuple(row) for row in rows]
    for name in placed_by_arrival:
        with engine.connect() as connection:
            found[name] = connection.execute(
                text(f"SELECT sum({name}) FROM kpi_hourly WHERE campaign_id = :c"), {"c": CAMPAIGN}
            ).all()
    return found


def _damage(engine: Engine) -> None:
    with engine.begin() as connection:  # a bad deploy, a lost write
        connection.execute(text("UPDATE kpi_hourly SET gmv = gmv + 1, uv = 0"))
        connection.execute(text("DELETE FROM kpi_seen WHERE scope = :s"), {"s": CODES["payers"]})


def test_rebuilding_gives_the_rollups_the_fold_built(engine):
    # given: a day of events taken in, in time order, in batches cut anywhere
    campaigns = _apply(engine)
    raw = sorted(shoppers(17, CAMPAIGN, 350, BURST), key=lambda e: (e["at"], e["id"]))
    _ingest(engine, campaigns, raw, size=113)
    before = _rollups(engine)
    assert all(before[table] for table in ("kpi_hourly", "kpi_seen", "kpi_buyers"))
    _damage(engine)
    # when
    done = kpis.rebuild(SqlKpiStore(engine), campaigns, CAMPAIGN)
    # then
    assert done == len(raw)
    assert _rollups(engine) == before
    _check_against_raw(engine, _board(engine, campaigns))


def test_rebuilding_after_late_arrivals_moves_only_repeat_buyers_to_their_second_payment(
    engine,
):
    # given: events arriving out of order (phones sending late): the fold moves people
    # to their earliest cell, and counts a repeat buyer where the second payment it
    # received fell; the rebuild, where the second payment in time fell
    campaigns = _apply(engine)
    raw = shoppers(17, CAMPAIGN, 350, BURST)
    random.Random(3).shuffle(raw)
    _ingest(engine, campaigns, raw, size=113)
    before = _rollups(engine, placed_by_arrival=("repeat_buyers",))
    _damage(engine)
    assert kpis.rebuild(SqlKpiStore(engine), campaigns, CAMPAIGN) == len(raw)
    assert _rollups(engine, placed_by_arrival=("repeat_buyers",)) == before
    _check_against_raw(engine, _board(engine, campaigns))


def test_rebuilding_an_unknown_campaign_is_refused(engine):
    campaigns = _apply(engine)
    with pytest.raises(LookupError):
        kpis.rebuild(SqlKpiStore(engine), campaigns, "no-such")
