"""Budgets in depth, pure: the lines below a campaign, draws at every level, release
requests decided by another person, and the weekly review's weeks and flags."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.budget_levels import department_line, promotion_line, rule_levels
from dacu.domain.budget_requests import (
    ReleaseRequest,
    ReleaseRequestState,
    RequestStatus,
    SamePerson,
    check_request,
)
from dacu.domain.budget_review import ReviewRow, flag_worst, week_bounds, week_of
from dacu.domain.budgets import draws
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import Share

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)


def test_a_rule_draws_its_own_line_and_its_departments_besides_the_campaigns():
    lines = rule_levels("c1", "p1", "market", 500)
    assert lines == (promotion_line("c1", "p1"), department_line("c1", "market"))
    assert rule_levels("c1", "p1", None, None) == ()
    shares = [Share("p1", 300, 200, 100), Share("p2", 50, 50, 0)]
    drawn = draws(shares, {"p1": "c1", "p2": "c1"}, {"p1": lines})
    assert drawn == {"c1": 250, lines[0]: 200, lines[1]: 200}


def test_a_release_request_is_decided_once_and_never_by_who_asked():
    asked = ReleaseRequest("r1", "c1", 1000, "加码", "ops", NOW)
    with pytest.raises(SamePerson):
        asked.decide(True, "ops", "", NOW)
    approved = asked.decide(True, "fin", " ok ", NOW)
    assert (approved.status, approved.decided_by, approved.note) == (
        RequestStatus.APPROVED,
        "fin",
        "ok",
    )
    with pytest.raises(ReleaseRequestState):
        approved.decide(False, "fin2", "", NOW)
    assert approved.release_key == "request:r1"


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [(0, "x", "amount"), (True, "x", "amount"), ("5", "x", "amount"), (5, "  ", "reason")],
)
def test_a_bad_request_is_refused_naming_the_field(amount, reason, field):
    with pytest.raises(InvalidRule) as refused:
        check_request(amount, reason)
    assert refused.value.field == field


def test_iso_weeks_run_monday_to_monday_in_shanghai():
    start, end = week_bounds("2026-W46", ZONE)
    assert start == datetime(2026, 11, 9, tzinfo=ZONE)
    assert end == datetime(2026, 11, 16, tzinfo=ZONE)
    assert week_of(datetime(2026, 11, 15, 16, 30, tzinfo=UTC), ZONE) == "2026-W47"  # Mon 00:30
    for bad in ("2026-46", "2026-W54", "W46", "2026-W00"):
        with pytest.raises(InvalidRule):
            week_bounds(bad, ZONE)


def test_the_worst_spend_per_yuan_of_gmv_is_flagged():
    rows = [
        ReviewRow("cheap", 100, 10, 100_000),
        ReviewRow("dear", 5_000, 5, 10_000),
        ReviewRow("wasted", 800, 0, 0),
        ReviewRow("idle", 0, 0, 0),
    ]
    flagged = flag_worst(rows, count=2)
    assert [r.name for r in flagged if r.flagged] == ["wasted", "dear"]
    dear = next(r for r in flagged if r.name == "dear")
    assert (dear.cost_bp, dear.roi_bp, dear.per_order) == (5000, 20000, 1000)
