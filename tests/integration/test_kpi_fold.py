"""The fold on PostgreSQL: a batch added onto the rollup rows of a shard no other
transaction holds, so concurrent writers never queue on one row; reads sum the shards."""

import pytest
from sqlalchemy import text

from dacu.adapters.kpi_fold import LOCK_SPACE, SHARDS
from tests.integration.conftest import NO_POSTGRES, POSTGRES_URL, postgres_engine
from tests.integration.kpi_events import shoppers
from tests.integration.test_kpis import BURST, CAMPAIGN, _apply, _board, _check_against_raw, _ingest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES),
]


def _shards(engine) -> set[int]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT DISTINCT shard FROM kpi_hourly WHERE campaign_id = :c"), {"c": CAMPAIGN}
        )
        return {row[0] for row in rows}


def test_a_batch_folded_while_a_shard_is_held_goes_to_another_and_reads_sum_them():
    with postgres_engine() as engine:
        campaigns = _apply(engine)
        raw = shoppers(29, CAMPAIGN, 200, BURST)
        half = len(raw) // 2
        _ingest(engine, campaigns, raw[:half], size=half)
        assert _shards(engine) == {0}
        with engine.connect() as holder, holder.begin():
            # another writer mid-transaction on shard 0
            holder.execute(text(f"SELECT pg_advisory_xact_lock({LOCK_SPACE}, 0)"))
            _ingest(engine, campaigns, raw[half:], size=len(raw) - half)
        shards = _shards(engine)
        assert len(shards) == 2
        assert 0 in shards
        assert max(shards) < SHARDS
        _check_against_raw(engine, _board(engine, campaigns))


def test_a_batch_folded_again_adds_nothing():
    with postgres_engine() as engine:
        campaigns = _apply(engine)
        raw = shoppers(31, CAMPAIGN, 120, BURST)
        first = _ingest(engine, campaigns, raw, size=len(raw))
        again = _ingest(engine, campaigns, raw, size=len(raw))
        assert (first[0].accepted, first[0].duplicates) == (len(raw), 0)
        assert (again[0].accepted, again[0].duplicates) == (0, len(raw))
        _check_against_raw(engine, _board(engine, campaigns))


def test_people_seen_first_at_a_later_time_move_to_their_earlier_events_cells():
    with postgres_engine() as engine:
        campaigns = _apply(engine)
        raw = shoppers(37, CAMPAIGN, 150, BURST)
        newest_first = sorted(raw, key=lambda event: str(event["at"]), reverse=True)
        _ingest(engine, campaigns, newest_first, size=97)  # each batch earlier than the last
        _check_against_raw(engine, _board(engine, campaigns))
