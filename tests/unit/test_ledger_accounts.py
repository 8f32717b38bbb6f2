"""The ledger's accounts as people read them, and merchant rebates as entries: pure."""

from datetime import UTC, datetime

from dacu.domain.ledger import EntryKind
from dacu.domain.ledger_accounts import TrialBalance, account_name, ordered, visible
from dacu.domain.rebate_entries import accrued_entry, reversed_entry
from dacu.domain.rebates import Accrual, RebateKind, RebateStatus

AT = datetime(2026, 9, 10, 4, 0, tzinfo=UTC)


def test_accounts_are_named_in_chinese_first_and_in_english():
    assert account_name("platform:subsidy_expense") == "平台补贴支出"
    assert account_name("merchant:tea:subsidy") == "商家 tea · 应付平台补贴"
    assert account_name("merchant:tea:subsidy", chinese=False) == (
        "Merchant tea · Platform subsidy owed"
    )
    assert account_name("merchant:a:b:wallet", chinese=False).startswith("Merchant a:b ·")


def test_an_unknown_account_reads_as_itself():
    assert account_name("platform:somewhere") == "platform:somewhere"
    assert account_name("merchant:tea:nothing") == "merchant:tea:nothing"


def test_a_merchant_sees_only_its_own_shops_accounts():
    assert visible("merchant:tea:rebate", ["tea"])
    assert not visible("merchant:tea-house:rebate", ["tea"])
    assert not visible("platform:rebate_expense", ["tea"])
    assert visible("platform:rebate_expense", None)


def test_the_trial_balance_lists_the_platform_first_and_drops_zero_balances():
    found = TrialBalance(
        None,
        ordered({"merchant:b:subsidy": -30, "platform:subsidy_expense": 30, "merchant:a:x": 0}),
    )
    assert [a.account for a in found.accounts] == ["platform:subsidy_expense", "merchant:b:subsidy"]
    assert (found.total, found.balanced) == (0, True)
    assert not TrialBalance("c", ordered({"platform:bank": 5})).balanced


def test_an_accrued_rebate_and_its_reversal_mirror_each_other_on_the_campaign():
    accrual = Accrual(
        "new_member:u-1", RebateKind.NEW_MEMBER, "tea", "launch", "u-1", "o-1", 3000, 1000,
        RebateStatus.ACCRUED, AT,
    )  # fmt: skip
    owed, back = accrued_entry(accrual, AT), reversed_entry(accrual, AT)
    assert (owed.key, back.key) == ("rebate:new_member:u-1", "rebate:new_member:u-1:reversed")
    assert owed.kind is back.kind is EntryKind.REBATE
    assert {(p.account, p.amount, p.campaign_id) for p in owed.postings} == {
        ("platform:rebate_expense", 1000, "launch"),
        ("merchant:tea:rebate", -1000, "launch"),
    }
    assert {(p.account, -p.amount) for p in back.postings} == {
        (p.account, p.amount) for p in owed.postings
    }
    assert owed.refs["order_id"] == "o-1"
