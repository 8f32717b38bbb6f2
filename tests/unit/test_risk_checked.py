"""The flash check prepared once per buyer and rules version (`CheckMemo`), its terms
encoded once (`prepared`), and the interpreter's quick GIL handover once risk control
is wired."""

import json
import sys

import pytest

from dacu.bootstrap_risk import HANDOVER_S, quick_handover
from dacu.domain.risk import Action, Identity
from dacu.schemas.risk_rules import default_rules
from dacu.services.risk_checked import CheckMemo, Prepared, prepared
from dacu.services.risk_plan import plan_of


class Ask:
    def __init__(self) -> None:
        self.calls = [("script", ["acc:dev"], ("buyer", 604800, 10000))]
        self.kinds = ("device",)


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


def test_the_plans_terms_travel_as_one_json_argument():
    found = ready()
    ttl, most, spans, asked = json.loads(found.spec)
    assert (ttl, most, spans) == (604800, 10000, [])
    assert asked == [[3, 3]]  # device_many_accounts: fires and blocks from three accounts
    assert (found.account, found.keys) == ("buyer", ["acc:dev"])


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
