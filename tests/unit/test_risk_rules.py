"""Every kind of risk rule, when it fires and when it does not, and how the rules that
fired make one decision; the rules file's checks (a bad field named)."""

from datetime import UTC, datetime, timedelta

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.risk import Action, Verdict
from dacu.domain.risk_rules import (
    Blacklisted,
    ClusterSize,
    Fired,
    InviteTree,
    ListKind,
    NewAccount,
    Observed,
    RefundRatio,
    Scope,
    SharedIdentifier,
    ShopLink,
    Velocity,
    combine,
    evaluate,
)
from dacu.schemas.risk_rules import default_document, default_rules, load_rules

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
CLAIM = frozenset({Action.COUPON_CLAIM})


def test_velocity_fires_past_its_limit_only():
    rule = Velocity(code="v", actions=CLAIM, scope=Scope.DEVICE, window_s=3600, limit=3)
    assert not rule.fires(Observed(NOW, counts={"v": 3}))
    assert rule.fires(Observed(NOW, counts={"v": 4}))
    assert not rule.fires(Observed(NOW))  # nothing counted: never fires


def test_cluster_size_and_age():
    rule = ClusterSize(code="c", actions=CLAIM, min_size=5, max_age_days=7)
    young = NOW - timedelta(days=6, hours=23)
    assert rule.fires(Observed(NOW, cluster_size=5, cluster_first_seen=young))
    assert not rule.fires(Observed(NOW, cluster_size=4, cluster_first_seen=young))
    old = NOW - timedelta(days=7)
    assert not rule.fires(Observed(NOW, cluster_size=50, cluster_first_seen=old))
    any_age = ClusterSize(code="c", actions=CLAIM, min_size=5)
    assert any_age.fires(Observed(NOW, cluster_size=5, cluster_first_seen=old))


def test_invite_tree_each_threshold():
    rule = InviteTree(
        code="t", actions=CLAIM, fan_out=50, depth=6, recent=20, never_ordered_bp=8000,
        min_invites=10,
    )  # fmt: skip
    assert not rule.fires(Observed(NOW, fan_out=49, depth=5, recent_invites=19))
    assert rule.fires(Observed(NOW, fan_out=50))
    assert rule.fires(Observed(NOW, depth=6))
    assert rule.fires(Observed(NOW, recent_invites=20))
    assert rule.fires(Observed(NOW, fan_out=10, never_ordered=8))  # 80%
    assert not rule.fires(Observed(NOW, fan_out=10, never_ordered=7))
    assert not rule.fires(Observed(NOW, fan_out=9, never_ordered=9))  # too few to judge


def test_invite_tree_with_an_age_counts_only_the_invitees_that_tell():
    rule = InviteTree(code="t", actions=CLAIM, never_ordered_bp=8000, min_age_days=7)
    launch = Observed(NOW, fan_out=6, never_ordered=6, telling=0)  # all new, none ordered yet
    assert not rule.fires(launch)
    assert rule.fires(Observed(NOW, fan_out=6, never_ordered=6, telling=5))  # a farm's


def test_new_account_and_a_high_value_reward():
    rule = NewAccount(code="n", actions=CLAIM, max_age_hours=24, min_amount=5000)
    fresh = NOW - timedelta(hours=23)
    assert rule.fires(Observed(NOW, amount=5000, registered_at=fresh))
    assert not rule.fires(Observed(NOW, amount=4999, registered_at=fresh))
    assert not rule.fires(Observed(NOW, amount=9000, registered_at=NOW - timedelta(hours=24)))
    assert rule.fires(Observed(NOW, amount=9000, registered_at=None))  # not a member


def test_shop_link_and_refund_ratio():
    assert ShopLink(code="s", actions=CLAIM).fires(Observed(NOW, linked_to_shop=True))
    assert not ShopLink(code="s", actions=CLAIM).fires(Observed(NOW))
    ratio = RefundRatio(code="r", actions=CLAIM, max_ratio_bp=6000, min_paid=5)
    assert ratio.fires(Observed(NOW, paid_orders=5, refunded_orders=3))
    assert not ratio.fires(Observed(NOW, paid_orders=5, refunded_orders=2))
    assert not ratio.fires(Observed(NOW, paid_orders=4, refunded_orders=4))  # too few


def test_a_shared_device_or_wallet_fires_from_its_least_accounts_an_address_never():
    rule = SharedIdentifier(
        code="s", actions=CLAIM, kinds=frozenset({"device", "payment_account"}), min_accounts=3
    )
    assert not rule.fires(Observed(NOW, shared={"device": 2}))
    assert rule.fires(Observed(NOW, shared={"device": 3}))
    assert rule.fires(Observed(NOW, shared={"device": 1, "payment_account": 4}))
    assert not rule.fires(Observed(NOW, shared={"address": 40, "ip": 500}))


def test_blacklist_by_kind():
    rule = Blacklisted(code="b", actions=CLAIM, kinds=frozenset({ListKind.DEVICE}))
    assert rule.fires(Observed(NOW, listed=frozenset({ListKind.DEVICE, ListKind.IP})))
    assert not rule.fires(Observed(NOW, listed=frozenset({ListKind.IP})))


def test_a_rule_applies_to_its_actions_only():
    rule = ShopLink(code="s", actions=frozenset({Action.MERCHANT_REBATE}))
    seen = Observed(NOW, linked_to_shop=True)
    assert evaluate([rule], Action.COUPON_CLAIM, seen) == []
    assert evaluate([rule], Action.MERCHANT_REBATE, seen) == [Fired("s", Verdict.REVIEW, 100)]


def test_the_strongest_verdict_wins_and_scores_add_up_to_the_cap():
    assert combine([]).verdict is Verdict.ALLOW
    assert combine([]).reason == "ok"
    fired = [
        Fired("ip", Verdict.REVIEW, 50),
        Fired("device", Verdict.BLOCK, 400),
        Fired("cluster", Verdict.REVIEW, 700),
    ]
    decision = combine(fired)
    assert (decision.verdict, decision.reason, decision.score) == (Verdict.BLOCK, "device", 1000)
    tie = combine([Fired("a", Verdict.REVIEW, 100), Fired("b", Verdict.REVIEW, 100)])
    assert (tie.reason, tie.score) == ("a", 200)
    strongest = combine([Fired("a", Verdict.REVIEW, 100), Fired("b", Verdict.REVIEW, 300)])
    assert strongest.reason == "b"


def test_the_default_rules_never_block_on_a_shared_ip_or_address_alone():
    rules = default_rules()
    assert rules.version == 0
    assert len(rules.rules) >= 10
    for rule in rules.rules:
        if isinstance(rule, Velocity) and rule.scope in (Scope.IP, Scope.ADDRESS):
            assert rule.verdict is Verdict.REVIEW
        if isinstance(rule, Blacklisted) and rule.kinds & {ListKind.IP, ListKind.ADDRESS}:
            assert rule.verdict is Verdict.REVIEW
    household = Observed(NOW, listed=frozenset({ListKind.IP, ListKind.ADDRESS}))
    for action in Action:
        assert combine(evaluate(rules.rules, action, household)).verdict is not Verdict.BLOCK
    ip_codes = [r.code for r in rules.rules if isinstance(r, Velocity) and r.scope is Scope.IP]
    busy_office = Observed(NOW, counts=dict.fromkeys(ip_codes, 10_000))
    for action in Action:
        assert combine(evaluate(rules.rules, action, busy_office)).verdict is not Verdict.BLOCK


def _velocity(**changes):
    rule = {"kind": "velocity", "code": "v", "actions": ["coupon_claim"], "scope": "device"}
    return {"rules": [rule | {"window_s": 60, "limit": 3} | changes]}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (_velocity(window_s=0), "rules[0].window_s"),
        (_velocity(scope="galaxy"), "rules[0].scope"),
        (_velocity(actions=["teleport"]), "rules[0].actions[0]"),
        (_velocity(verdict="allow"), "rules[0].verdict"),
        (_velocity(score=1001), "rules[0].score"),
        (_velocity(code="Not A Code"), "rules[0].code"),
        (_velocity(surprise=1), "rules[0].surprise"),
        ({"rules": [{"kind": "magic", "code": "m", "actions": ["login"]}]}, "rules[0]"),
        ({"rules": [_velocity()["rules"][0], _velocity()["rules"][0]]}, "rules[1].code"),
        ({"rule": []}, "rules"),  # missing, before the stray key
        (
            {
                "rules": [
                    {
                        "kind": "shared",
                        "code": "s",
                        "actions": ["login"],
                        "kinds": ["ip"],
                        "min_accounts": 2,
                    }
                ]
            },
            "rules[0].kinds[0]",
        ),  # an IP is shared honestly: not a kind this rule counts
        (
            {
                "rules": [
                    {
                        "kind": "shared",
                        "code": "s",
                        "actions": ["login"],
                        "kinds": ["device"],
                        "min_accounts": 1,
                    }
                ]
            },
            "rules[0].min_accounts",
        ),
    ],
)
def test_a_bad_rules_file_names_the_field(document, field):
    with pytest.raises(InvalidRule) as refused:
        load_rules(document)
    assert refused.value.field == field


def test_the_packaged_file_loads_and_round_trips():
    document = default_document()
    assert load_rules(document, 3).version == 3
    assert {r.code for r in load_rules(document).rules} == {r.code for r in default_rules().rules}
