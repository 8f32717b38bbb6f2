"""`kpi_seen` keys its scopes by codes (migration 0065): the fold stores each person's
scopes as the codes of the scopes the domain names, on every database; migrating down
and up again keeps every row; and every scope a code stands for reads back as itself."""

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text

from dacu.adapters.db import alembic_config
from dacu.adapters.kpi_scopes import CODES, HOURS, code_of, counter_of, scope_of
from dacu.domain.kpis import DISTINCT, HOURLY_UV, fold
from dacu.schemas.events import EventBatch
from tests.integration.kpi_events import shoppers
from tests.integration.test_kpis import BURST, CAMPAIGN, _apply, _ingest

pytestmark = pytest.mark.integration

_ROWS = (
    "SELECT campaign_id, scope, customer_id, at, channel, segment FROM kpi_seen ORDER BY 1, 2, 3"
)


def _seen(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(_ROWS))]


def _migrate(engine: Engine, to: str) -> None:
    command_ = command.downgrade if to == "0064" else command.upgrade
    command_(alembic_config(engine.url.render_as_string(hide_password=False)), to)


def test_the_fold_stores_the_codes_of_the_scopes_the_domain_names(engine):
    # given: a day of shoppers, late arrivals included
    campaigns = _apply(engine)
    raw = shoppers(29, CAMPAIGN, 120, BURST)
    # when
    _ingest(engine, campaigns, raw, size=97)
    # then: one row per person and scope, each scope's code
    events = EventBatch.model_validate({"events": raw}).to_domain()
    expected = {(code_of(scope), who) for (_, scope, who) in fold(events).firsts}
    stored = {(row[1], row[2]) for row in _seen(engine)}
    assert stored == expected
    assert any(code >= HOURS for code, _ in stored)


def test_migrating_down_and_up_keeps_every_row(engine):
    # given: rows of every scope
    campaigns = _apply(engine)
    _ingest(engine, campaigns, shoppers(31, CAMPAIGN, 80, BURST), size=200)
    coded = _seen(engine)
    assert {row[1] for row in coded} >= set(CODES.values())
    # when: back to text scopes
    _migrate(engine, "0064")
    engine.dispose()
    # then: each row's scope is the text its code stands for
    as_text = _seen(engine)
    assert sorted(as_text) == sorted((c, scope_of(s), *rest) for c, s, *rest in coded)
    assert all(isinstance(row[1], str) for row in as_text)
    # and when: codes again
    _migrate(engine, "head")
    engine.dispose()
    # then: the very rows, and on PostgreSQL the primary key a rebuild drops by name
    assert _seen(engine) == coded
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = connection.execute(
                text(
                    "SELECT conname FROM pg_constraint "
                    "WHERE conrelid = CAST('kpi_seen' AS regclass) AND contype = 'p'"
                )
            ).scalar_one()
            collations = connection.execute(
                text(
                    "SELECT column_name, collation_name FROM information_schema.columns "
                    "WHERE table_name = 'kpi_seen' AND table_schema = current_schema() "
                    "AND column_name IN ('campaign_id', 'customer_id')"
                )
            ).all()
        assert key == "pk_kpi_seen"
        assert dict(collations) == {
            "campaign_id": "C",
            "customer_id": "C",
        }


@pytest.mark.parametrize("hours", [0, 1, 23, 24 * 365 * 56 + 13, 24 * 365 * 200])
def test_every_scope_reads_back_from_its_code(hours):
    hour = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    hourly = f"{HOURLY_UV}:{hour:%Y%m%d%H}"
    assert code_of(hourly) == HOURS + hours
    assert scope_of(code_of(hourly)) == hourly
    assert counter_of(code_of(hourly)) == HOURLY_UV
    for scope in DISTINCT:
        assert scope_of(code_of(scope)) == scope
        assert counter_of(code_of(scope)) == scope
    assert len(set(CODES.values())) == len(DISTINCT) == len(CODES)
    assert max(CODES.values()) < HOURS
