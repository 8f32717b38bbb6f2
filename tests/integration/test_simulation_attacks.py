"""The labelled attack set in a small seeded run on SQLite: every kind acts through the
services, households and offices are not stopped, and with the rules engine wired each
kind gets less than it tried."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dacu.entrypoints.cli_simulate import example_campaign, world_on
from dacu.services.simulation import simulate
from dacu.services.simulation.attackers import ATTACKS, SIZES, GroupKind
from tests.integration.conftest import sqlite_engine

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CUSTOMERS = 150


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    with sqlite_engine(folder) as engine:
        world = world_on(engine)
        document, campaign = example_campaign(CUSTOMERS)
        done = simulate(
            world, document, campaign, customers=CUSTOMERS, seed=5, now=NOW, attacks=True
        )
        yield done, _wired(engine, world)


def _wired(engine, world):
    """The rules engine is the platform's check."""
    from dacu.bootstrap import bootstrap
    from dacu.services.risk import AllowAll

    return world.risk is not None and not isinstance(bootstrap(engine).risk, AllowAll)


def test_every_attack_kind_acts_and_its_money_is_counted(outcome):
    done, _ = outcome
    found = done.attacks
    assert found is not None
    by = {k.kind: k for k in found.kinds}
    assert set(by) == set(ATTACKS)
    for kind in ATTACKS:
        assert by[kind].accounts == SIZES[kind]
        assert by[kind].tried > 0
        assert 0 <= by[kind].got <= by[kind].tried
    assert done.tally["attack set sign-ups"] == sum(SIZES.values())
    assert found.honest == CUSTOMERS + found.sharing


def test_households_and_offices_are_not_stopped(outcome):
    done, _ = outcome
    assert done.attacks.sharing_stopped == 0
    assert done.attacks.honest_blocked == 0


def test_the_brushing_ring_is_refused_at_checkout_and_the_sharer_not_held(outcome):
    done, wired = outcome
    if not wired:
        pytest.skip("the platform's risk check allows everything: no rules engine wired")
    ring = {k.kind: k for k in done.attacks.kinds}[GroupKind.BRUSHING_RING]
    assert ring.blocked == ring.accounts  # its merchant's device, wallet and address
    assert ring.got * 10 <= ring.tried
    assert done.attacks.honest_held == 0  # a sharer's young invitees have not ordered yet


def test_with_the_rules_engine_each_kind_gets_less_than_it_tried(outcome):
    done, wired = outcome
    if not wired:
        pytest.skip("the platform's risk check allows everything: no rules engine wired")
    for kind in done.attacks.kinds:
        assert kind.got < kind.tried, kind
