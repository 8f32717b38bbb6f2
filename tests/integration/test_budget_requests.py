"""Releases of the reserve by approval on real databases: asked once per key, decided once
even by racing approvers, never by who asked, never past the reserve, all audited."""

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

from dacu.adapters.audit import history
from dacu.bootstrap import bootstrap
from dacu.domain.budget_requests import ReleaseRequestState, SamePerson, UnknownReleaseRequest
from dacu.domain.errors import IdempotencyConflict, InvalidRule
from dacu.schemas.campaigns import load_campaign
from tests.integration.test_budgets import CAMPAIGN, WARM_UP, budgeted

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(engine):
    ids = itertools.count()
    found = bootstrap(engine, clock=lambda: WARM_UP, ids=lambda: f"id-{next(ids)}")
    found.campaigns.apply(*load_campaign(budgeted(100_000, 1000)), "ops", WARM_UP)  # 10,000
    return found


def test_asked_once_per_key_and_decided_by_another(platform):
    asks = platform.budget_requests
    first = asks.request(CAMPAIGN, 4000, "爆发加码", "ops-a", "k1")
    assert asks.request(CAMPAIGN, 4000, "爆发加码", "ops-a", "k1") == first
    with pytest.raises(IdempotencyConflict):
        asks.request(CAMPAIGN, 5000, "爆发加码", "ops-a", "k1")
    with pytest.raises(InvalidRule) as refused:
        asks.request(CAMPAIGN, 10_001, "too much", "ops-a", "k2")
    assert refused.value.field == "amount"
    with pytest.raises(SamePerson):
        asks.approve(CAMPAIGN, first.id, "ops-a")
    with pytest.raises(UnknownReleaseRequest):
        asks.approve(CAMPAIGN, "nope", "fin-b")
    assert platform.budgets.figures(CAMPAIGN).released == 0
    asks.approve(CAMPAIGN, first.id, "fin-b", "同意")
    assert platform.budgets.figures(CAMPAIGN).released == 4000
    with pytest.raises(ReleaseRequestState):
        asks.reject(CAMPAIGN, first.id, "fin-c")
    actions = [e["action"] for e in history(platform.engine, f"budget:{CAMPAIGN}")]
    assert actions == ["budget.release_requested", "budget.release_approved", "budget.release"]


def test_racing_approvals_open_the_reserve_once_and_never_past_it(platform):
    asks = platform.budget_requests
    one = asks.request(CAMPAIGN, 6000, "a", "ops-a", "k1")
    two = asks.request(CAMPAIGN, 6000, "b", "ops-a", "k2")  # each fits, both do not

    def approve(n: int):
        try:
            asks.approve(CAMPAIGN, (one, two)[n % 2].id, f"fin-{n}")
            return "ok"
        except (ReleaseRequestState, InvalidRule) as refused:
            return type(refused).__name__

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(approve, range(12)))
    assert outcomes.count("ok") == 1
    assert platform.budgets.figures(CAMPAIGN).released == 6000
    assert len(platform.budgets.releases(CAMPAIGN)) == 1
