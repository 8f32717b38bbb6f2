"""`dacu kpi rebuild` while the storefronts keep sending: batches folded during a
rebuild are neither lost nor counted twice (PostgreSQL, where the rebuild is set-based
and takes `events` in SHARE mode)."""

import threading

import pytest

from dacu.adapters.kpi_store import SqlKpiStore
from dacu.services import kpis
from tests.integration.conftest import NO_POSTGRES, POSTGRES_URL, postgres_engine
from tests.integration.kpi_events import shoppers
from tests.integration.test_kpi_rebuild import _rollups
from tests.integration.test_kpis import BURST, CAMPAIGN, _apply, _board, _check_against_raw, _ingest

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)]


def test_batches_folded_while_the_rollups_are_rebuilt_count_once():
    with postgres_engine() as engine:
        # given: half a day of events folded, the other half still to come
        campaigns = _apply(engine)
        raw = sorted(shoppers(23, CAMPAIGN, 500, BURST), key=lambda e: (e["at"], e["id"]))
        half = len(raw) // 2
        _ingest(engine, campaigns, raw[:half], size=97)
        rebuilt: list[int] = []
        failed: list[BaseException] = []

        def rebuild_again_and_again() -> None:
            try:
                while not folding.is_set():
                    rebuilt.append(kpis.rebuild(SqlKpiStore(engine), campaigns, CAMPAIGN))
            except BaseException as error:  # reported by the test below
                failed.append(error)

        # when: the rest arrives in small batches while rebuilds run one after another
        folding = threading.Event()
        rebuilding = threading.Thread(target=rebuild_again_and_again)
        rebuilding.start()
        try:
            _ingest(engine, campaigns, raw[half:], size=37)
        finally:
            folding.set()
            rebuilding.join(timeout=120)
        # then: the rebuilds ran among the batches, and every event counts exactly once
        assert not failed, failed
        assert len(rebuilt) >= 2  # the first one done before the last batch came
        assert half <= rebuilt[0] <= len(raw)
        folded = _rollups(engine)
        _check_against_raw(engine, _board(engine, campaigns))
        assert kpis.rebuild(SqlKpiStore(engine), campaigns, CAMPAIGN) == len(raw)
        assert _rollups(engine) == folded
