"""The labelled attack set: who shares what, the labels, and the score's arithmetic."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dacu.domain.risk import Action, RiskDecision, RiskQuery, Verdict
from dacu.services.simulation.attack_score import ratio_bp, score, score_json, worst
from dacu.services.simulation.attackers import (
    ATTACKS,
    HONEST,
    SIZES,
    Actor,
    GroupKind,
    attack_plan,
    groups_for,
)
from dacu.services.simulation.plan import shopper_id
from dacu.services.simulation.verdicts import Verdicts

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)


def kinds(groups):
    return {group.kind: group for group in groups}


def test_the_same_seed_plans_the_same_groups_and_another_seed_others():
    assert attack_plan(7, 300, "north-wear") == attack_plan(7, 300, "north-wear")
    assert attack_plan(7, 300, "north-wear") != attack_plan(8, 300, "north-wear")


def test_every_kind_is_there_labelled_and_the_ids_follow_the_crowd_s():
    groups = attack_plan(7, 300, "north-wear")
    assert {g.kind for g in groups} == set(GroupKind)
    actors = [a for g in groups for a in g.members]
    assert len({a.id for a in actors}) == len(actors)
    assert {a.id for a in actors}.isdisjoint(shopper_id(7, n) for n in range(300))
    assert len({a.identity.phone for a in actors}) == len(actors)  # fresh phones each
    for group in groups:
        assert len(group.members) == SIZES[group.kind]
        assert all(a.attacker is group.kind.attack for a in group.members)
    assert set(ATTACKS) | set(HONEST) == set(GroupKind)
    assert not any(kind.attack for kind in HONEST)


def test_the_groups_share_what_their_kind_shares():
    found = kinds(attack_plan(7, 300, "north-wear"))

    def distinct(kind, name):
        return len({getattr(a.identity, name) for a in found[kind].members})

    assert distinct(GroupKind.SCALPER_RING, "device") == 1
    assert distinct(GroupKind.SCALPER_RING, "ip") == 1
    assert distinct(GroupKind.INVITE_FARM, "device") <= 3
    assert distinct(GroupKind.COUPON_HOARD, "address") == 1
    assert distinct(GroupKind.BRUSHING_RING, "payment_account") == 1
    assert found[GroupKind.BRUSHING_RING].shop == "north-wear"
    assert distinct(GroupKind.REFUND_ABUSE, "payment_account") == 1
    household = SIZES[GroupKind.HOUSEHOLD]
    assert distinct(GroupKind.HOUSEHOLD, "address") == 1  # one home …
    assert distinct(GroupKind.HOUSEHOLD, "device") == household  # … a phone each
    office = SIZES[GroupKind.OFFICE]
    assert distinct(GroupKind.OFFICE, "ip") == 1  # one office IP …
    assert distinct(GroupKind.OFFICE, "device") == distinct(GroupKind.OFFICE, "address") == office


def test_groups_grow_with_the_crowd():
    assert set(groups_for(10).values()) == {1}
    assert groups_for(20_000)[GroupKind.SCALPER_RING] == 4
    assert groups_for(20_000)[GroupKind.HOUSEHOLD] == 20


def actor(n, kind):
    from dacu.domain.risk import Identity

    return Actor(f"a{n}", kind.value, kind, Identity())


def test_precision_and_recall_of_blocks_and_reviews_against_the_labels():
    farm = [actor(i, GroupKind.INVITE_FARM) for i in range(4)]
    scalpers = [actor(10 + i, GroupKind.SCALPER_RING) for i in range(2)]
    homes = [actor(20 + i, GroupKind.HOUSEHOLD) for i in range(3)]
    decided = {
        "a0": Verdict.BLOCK,
        "a1": Verdict.BLOCK,
        "a2": Verdict.REVIEW,
        "a10": Verdict.REVIEW,
        "a20": Verdict.BLOCK,  # a household member wrongly blocked
        "crowd-1": Verdict.REVIEW,  # one of the crowd wrongly held
    }
    tried = {GroupKind.INVITE_FARM: 10_000, GroupKind.SCALPER_RING: 3_000}
    got = {GroupKind.INVITE_FARM: 2_500}
    found = score(farm + scalpers + homes, decided, tried, got, crowd=100)
    by = {k.kind: k for k in found.kinds}
    f, s = by[GroupKind.INVITE_FARM], by[GroupKind.SCALPER_RING]
    assert (f.accounts, f.blocked, f.held) == (4, 2, 1)
    assert f.block_precision_bp == 6666  # 2 of the 3 blocked (one honest)
    assert f.block_recall_bp == 5000  # 2 of 4
    assert f.review_precision_bp == 5000  # 1 of 2 held (one of the crowd)
    assert f.review_recall_bp == 2500
    assert f.kept_bp == 2500
    assert (s.blocked, s.held, s.block_precision_bp, s.block_recall_bp) == (0, 1, 0, 0)
    assert s.got == 0
    assert s.kept_bp == 0
    assert by[GroupKind.BRUSHING_RING].block_precision_bp == 0  # none of its blocked, 1 honest
    assert (found.honest, found.honest_blocked, found.honest_held) == (103, 1, 1)
    assert (found.sharing, found.sharing_stopped, found.honest_stopped) == (3, 1, 2)
    assert (found.tried, found.got) == (13_000, 2_500)
    summary = score_json(found)
    assert summary["kinds"]["invite_farm"]["got_fen"] == 2_500
    assert summary["honest"]["blocked"] == 1


def test_nothing_stopped_has_no_precision_and_no_recall():
    found = score([actor(1, GroupKind.COUPON_HOARD)], {}, {}, {})
    hoard = next(k for k in found.kinds if k.kind is GroupKind.COUPON_HOARD)
    assert hoard.block_precision_bp is None
    assert hoard.block_recall_bp == 0
    assert found.honest_stopped == 0
    assert ratio_bp(1, 0) is None
    assert ratio_bp(1, 3) == 3333


def test_the_worst_verdict_wins():
    assert worst([]) is Verdict.ALLOW
    assert worst([Verdict.REVIEW, Verdict.ALLOW]) is Verdict.REVIEW
    assert worst([Verdict.REVIEW, Verdict.BLOCK, Verdict.ALLOW]) is Verdict.BLOCK


def query(customer):
    return RiskQuery(Action.COUPON_CLAIM, customer, AT)


class Says:
    def __init__(self, verdict):
        self.verdict = verdict

    def assess(self, q):
        return RiskDecision(self.verdict, "x")


@dataclass
class Log:
    recorded: list = field(default_factory=list)

    def record(self, q, decision, rules):
        self.recorded.append((q.customer_id, decision.verdict))


@dataclass(frozen=True, slots=True)
class Engine:
    decisions: Log

    def assess(self, q):
        decision = RiskDecision(Verdict.BLOCK, "listed")
        self.decisions.record(q, decision, ["listed"])
        return decision


def test_verdicts_are_noted_from_a_plain_check_and_from_a_frozen_engine_s_log():
    seen = Verdicts()
    check = Says(Verdict.REVIEW)
    assert seen.watch(check)
    check.assess(query("c1"))
    log = Log()
    engine = Engine(log)
    assert seen.watch(engine)
    engine.assess(query("c2"))
    assert seen.worst() == {"c1": Verdict.REVIEW, "c2": Verdict.BLOCK}
    assert log.recorded == [("c2", Verdict.BLOCK)]  # still logged as before
    allow = Says(Verdict.ALLOW)
    seen.watch(allow)
    allow.assess(query("c3"))
    assert "c3" not in seen.worst()
