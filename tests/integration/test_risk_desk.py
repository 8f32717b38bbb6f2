"""The review desk over real SQLite and PostgreSQL: held rewards backfilled into one
queue, approved (released through the rewards service) or rejected (nothing paid),
rejected and blacklisted with an expiry; audited; two people deciding at once → one wins;
appeals once per subject and rate-limited."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from dacu.adapters.audit import history
from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.fulfilment import RewardStatus
from dacu.domain.registration import RateLimited
from dacu.domain.risk import Action, Identity, RiskDecision, RiskQuery, Verdict
from dacu.domain.risk_review import (
    Decision,
    Held,
    ReviewKind,
    ReviewStatus,
    RiskReviewState,
    UnknownRiskReview,
)
from dacu.services.ports.risk_reviews import QueueFilter
from tests.integration.risk_desk_rig import Clock, desk_platform, held_reward

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(engine):
    return desk_platform(engine, Clock())


def test_backfill_queues_every_held_reward_once(platform):
    first = held_reward(platform, "c-1", "lottery:d-1")
    platform.clock.now += timedelta(minutes=1)
    held_reward(platform, "c-2", "lottery:d-2")
    assert platform.risk_desk.backfill() == 2
    assert platform.risk_desk.backfill() == 0
    items, total = platform.risk_desk.queue(QueueFilter())
    assert total == 2
    assert items[0].id == f"reward:{first}"
    assert items[0].kind is ReviewKind.REWARD
    assert items[0].amount == 50


def test_approve_releases_and_reject_pays_nothing(platform):
    desk = platform.risk_desk
    good, bad = held_reward(platform, "c-1", "lottery:a"), held_reward(platform, "c-2", "lottery:b")
    desk.backfill()
    approved = desk.decide(f"reward:{good}", "risk-wang", Decision.APPROVE)
    assert approved.status is ReviewStatus.APPROVED
    assert platform.rewards.one(good).status is RewardStatus.GIVEN
    assert platform.coins.balance("c-1").balance == 50
    rejected = desk.decide(f"reward:{bad}", "risk-wang", Decision.REJECT, "农场号")
    assert rejected.status is ReviewStatus.REJECTED
    assert platform.rewards.one(bad).status is RewardStatus.NOTHING
    assert platform.coins.balance("c-2").balance == 0
    trail = history(platform.engine, f"risk_review:reward:{bad}")
    assert trail[-1]["actor"] == "risk-wang"
    assert trail[-1]["after"]["note"] == "农场号"
    # a retry of the same decision answers it; another decision is refused, naming who
    assert desk.decide(f"reward:{bad}", "risk-wang", Decision.REJECT, "农场号") == rejected
    with pytest.raises(RiskReviewState, match="risk-wang"):
        desk.decide(f"reward:{bad}", "risk-li", Decision.APPROVE)


def test_a_reject_names_why_and_a_blacklist_lists_until_its_expiry(platform):
    desk = platform.risk_desk
    reward = held_reward(platform, "c-9", "lottery:x")
    desk.backfill()
    with pytest.raises(InvalidRule, match="note"):
        desk.decide(f"reward:{reward}", "risk-wang", Decision.REJECT, "  ")
    with pytest.raises(InvalidRule, match="blacklist"):
        desk.decide(f"reward:{reward}", "risk-wang", Decision.REJECT_BLACKLIST, "farm")
    until = platform.clock() + timedelta(days=30)
    decided = desk.decide(
        f"reward:{reward}", "risk-wang", Decision.REJECT_BLACKLIST, "farm", ["account"], until
    )
    assert decided.blacklisted == ("account:***",)  # masked
    listed = desk.blacklist()
    assert [(e.kind.value, e.value, e.expires_at) for e in listed] == [("account", "c-9", until)]
    trail = history(platform.engine, "risk:blacklist:account:c-9")
    assert trail[-1]["actor"] == "risk-wang"
    platform.clock.now = until + timedelta(seconds=1)
    assert desk.blacklist() == []


def test_a_device_seen_by_the_risk_check_is_listed_and_its_decision_in_the_timeline(platform):
    desk = platform.risk_desk
    reward = held_reward(platform, "c-5", "lottery:dev")
    query = RiskQuery(Action.LOTTERY_DRAW, "c-5", platform.clock(), "c-risk", 50, "draw-1",
                      identity=Identity(device="dev-ring-42", ip="10.1.2.3"))  # fmt: skip
    platform.risk_decisions.record(query, RiskDecision(Verdict.REVIEW, "cluster_size", 720), ["c"])
    platform.risk_decisions.flush()  # written behind
    desk.backfill()
    timeline = desk.evidence(f"reward:{reward}").timeline
    assert any(deed.what == "risk:review" and "cluster_size" in deed.detail for deed in timeline)
    decided = desk.decide(
        f"reward:{reward}", "risk-wang", Decision.REJECT_BLACKLIST, "ring", ["device"]
    )
    assert decided.blacklisted == ("device:dev******42",)
    assert [(e.kind.value, e.value) for e in desk.blacklist()] == [("device", "dev-ring-42")]


def test_two_people_deciding_at_once_one_wins(platform):
    desk = platform.risk_desk
    reward = held_reward(platform, "c-1", "lottery:race")
    desk.backfill()

    def decide(who: str) -> str:
        decision = Decision.APPROVE if who.endswith("a") else Decision.REJECT
        try:
            return desk.decide(f"reward:{reward}", who, decision, "checked").decided_by
        except DomainError as error:
            return type(error).__name__

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(decide, ["risk-a", "risk-b"]))
    assert answers.count("RiskReviewState") == 1
    winner = desk.item(f"reward:{reward}").decided_by
    assert winner in answers
    assert platform.coins.balance("c-1").balance == (50 if winner == "risk-a" else 0)


def test_submit_is_idempotent_by_key_and_checks_its_input(platform):
    desk = platform.risk_desk
    held = Held(ReviewKind.PAYOUT, "payout:st-1:1", "tea-house", platform.clock(), 120_00,
                "c-risk", "cluster_size", 720, ("cluster",), "tea-house")  # fmt: skip
    first = desk.submit(held)
    assert desk.submit(held) == first
    with pytest.raises(InvalidRule, match="score"):
        desk.submit(Held(ReviewKind.PAYOUT, "k", "x", platform.clock(), score=1001))
    # the payouts' owner holds no such payout: neither decision pretends to act on it
    for decision in (Decision.APPROVE, Decision.REJECT):
        with pytest.raises(RiskReviewState, match="payout is no longer held"):
            desk.decide(first.id, "risk-wang", decision, "ring")
    assert desk.item(first.id).status.value == "open"


def test_appeals_once_per_subject_visible_to_the_appellant_and_rate_limited(platform):
    desk = platform.risk_desk
    reward = held_reward(platform, "c-1", "lottery:ap")
    desk.backfill()
    with pytest.raises(UnknownRiskReview):
        desk.appeal("c-2", "mine", f"reward:{reward}")  # another's: not found
    appealed = desk.appeal("c-1", "我是真实用户", f"reward:{reward}")
    assert appealed.appeal
    assert appealed.appeal_reason == "我是真实用户"
    with pytest.raises(RiskReviewState, match="stands open"):
        desk.appeal("c-1", "again", f"reward:{reward}")
    items, _ = desk.queue(QueueFilter(appeals=True))
    assert [i.id for i in items] == [f"reward:{reward}"]
    desk.decide(f"reward:{reward}", "risk-wang", Decision.APPROVE)
    assert desk.appeals_of("c-1")[0].status is ReviewStatus.APPROVED
    block = desk.appeal("c-7", "被误封", None)
    assert block.kind is ReviewKind.BLOCK
    with pytest.raises(RiskReviewState):
        desk.appeal("c-7", "again", None)
    desk.decide(block.id, "risk-wang", Decision.REJECT, "设备农场")
    for n in range(4):
        desk.decide(desk.appeal("c-7", f"again {n}", None).id, "risk-li", Decision.REJECT, "no")
    with pytest.raises(RateLimited):
        desk.appeal("c-7", "once more", None)
