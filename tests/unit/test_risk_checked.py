"""The flash check prepared once per buyer and rules version (`CheckMemo`), its terms
encoded once (`prepared`), and the interpreter's quick GIL handover once risk control
is wired."""

import sys
from datetime import UTC, datetime

import pytest

from dacu.bootstrap_risk import HANDOVER_S, quick_handover
from dacu.domain.risk import Action, Identity, RiskQuery
from dacu.schemas.risk_rules import default_document, default_rules, load_rules
from dacu.services.risk_checked import CheckMemo, Prepared, Terms, prepared
from dacu.services.risk_plan import plan_of


class Ask:
    def __init__(self, buyer: str = "buyer") -> None:
        self.calls = [("script", ["acc:dev"], (buyer, 604800, 10000))]
        self.kinds = ("device",)

    def floored(self) -> None:
        pass


def ready() -> Prepared:
    plan = plan_of(default_rules(), Action.FLASH_ATTEMPT)
    return prepared(plan, [], [], Ask())


def test_a_prepared_check_is_made_once_per_buyer_and_identity():
    memo, rules, made = CheckMemo(), default_rules(), []
    key = (Action.FLASH_ATTEMPT, "buyer", Identity(device="dev"))

    def make() -> Prepared:
        made.append(1)
        return ready()

    first = memo.get(rules, key, make)
    assert memo.get(rules, key, make) is first
    other = (Action.FLASH_ATTEMPT, "buyer", Identity(device="another"))
    memo.get(rules, other, make)
    assert len(made) == 2


def test_a_new_rules_version_forgets_every_prepared_check():
    memo, made = CheckMemo(), []
    key = (Action.FLASH_ATTEMPT, "buyer", Identity(device="dev"))

    def make() -> Prepared:
        made.append(1)
        return ready()

    memo.get(default_rules(), key, make)
    memo.get(default_rules(), key, make)  # another version (another RuleSet): made again
    assert len(made) == 2


def test_nothing_to_carry_is_not_kept():
    memo, rules = CheckMemo(), default_rules()
    key = (Action.FLASH_ATTEMPT, "buyer", Identity())
    assert memo.get(rules, key, lambda: None) is None
    assert memo.get(rules, key, ready) is not None


def test_the_plans_terms_travel_as_the_scripts_arguments_in_its_order():
    found = ready()
    account, ttl, most, report, windows, least, blocking = found.args
    assert (account, ttl, most, report, windows) == ("buyer", "604800", "10000", "0", "0")
    assert (least, blocking) == ("3", "3")  # device_many_accounts: fires, blocks from three
    assert found.keys == ("acc:dev",)


def test_a_plans_terms_are_worked_out_once_for_every_buyer_of_one_version():
    memo, rules = CheckMemo(), default_rules()
    plan = plan_of(rules, Action.FLASH_ATTEMPT)
    memo.get(rules, (Action.FLASH_ATTEMPT, "a", Identity()), lambda: None)  # the version's
    one = prepared(plan, [], [], Ask("a"), memo.tails)
    two = prepared(plan, [], [], Ask("b"), memo.tails)
    assert (one.args[0], two.args[0]) == ("a", "b")
    assert one.args[1:] == two.args[1:] == prepared(plan, [], [], Ask()).args[1:]
    assert len(memo.tails) == 1
    other = plan_of(rules, Action.COUPON_CLAIM)  # another plan: its own terms
    assert (
        prepared(other, [], [], Ask("a"), memo.tails).args == prepared(other, [], [], Ask("a")).args
    )
    assert len(memo.tails) == 2
    memo.get(default_rules(), (Action.FLASH_ATTEMPT, "a", Identity()), lambda: None)
    assert memo.tails == {}  # a new version: worked out again


def test_a_windows_terms_come_before_the_identifiers():
    plan = plan_of(default_rules(), Action.COUPON_CLAIM)
    code = next(iter(plan.limits))
    found = prepared(plan, [(code, "counter", 60)], ["w:key"], Ask())
    limit, blocks = plan.limits[code]
    assert found.args[4:8] == ("1", "60000", str(limit), str(blocks))
    assert found.keys == ("w:key", "acc:dev")


def test_terms_ask_their_floors_when_made_and_a_quiet_answer_calls_nobody():
    answered, judged, floored = [], [], []

    class Counting(Ask):
        def answer(self, replies):
            answered.append(replies)
            return {"device": replies[0][0]}

        def floored(self):
            floored.append(1)

    plan = plan_of(default_rules(), Action.FLASH_ATTEMPT)
    judge = lambda query, plan, clock, *found: judged.append(found)  # noqa: E731
    query = RiskQuery(Action.FLASH_ATTEMPT, "buyer", datetime(2026, 11, 11, 20, tzinfo=UTC))
    carried = Terms(prepared(plan, [], [], Counting()), judge, query)
    assert floored == [1]  # made: the floors read again behind where due
    assert carried.answered([], "fs-1") is None  # quiet: nothing judged, nothing asked
    assert (floored, answered, judged) == ([1], [], [])
    assert carried.answered([0, 0, 1, 1, -1], "fs-1") is None  # no floor: answered
    assert answered == [[[1, -1]]]
    carried.answered([1, 1, 0, 3, 5], "fs-2")  # fired: judged, with the accounts and sale
    assert judged == [({}, {"device": 3}, "fs-2")]
    assert answered[-1] == [[3, 5]]


def test_a_blacklist_rule_that_does_not_block_asks_every_answer_to_report():
    document = default_document()
    document["rules"].append(
        {
            "kind": "blacklist",
            "code": "listed_network",
            "actions": ["flash_attempt"],
            "kinds": ["ip"],
            "verdict": "review",
            "score": 300,
        }
    )
    plan = plan_of(load_rules(document), Action.FLASH_ATTEMPT)
    assert plan.listing
    assert prepared(plan, [], [], Ask()).args[3] == "1"


def test_the_gil_is_handed_over_quickly_and_a_shorter_interval_kept():
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        quick_handover()
        assert sys.getswitchinterval() == pytest.approx(HANDOVER_S)
        sys.setswitchinterval(0.0001)
        quick_handover()
        assert sys.getswitchinterval() == pytest.approx(0.0001)  # kept, not raised
    finally:
        sys.setswitchinterval(before)
