"""A settlement run's arithmetic: statement lines from due postings, the SETTLEMENT entry
that moves them into the wallet, and the due day counted in 2026's Chinese working days."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.working_days import ChineseWorkingDays
from dacu.domain.campaigns import CampaignStatus, PhaseWindow
from dacu.domain.ledger import EntryKind, MerchantAccount, balances, merchant
from dacu.domain.rules import Window
from dacu.domain.settlement_run import Due, StatementStateError, due_on, ended_at, settle
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKDAY = ChineseWorkingDays().is_workday
AT = datetime(2026, 11, 12, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _campaign(ends: datetime, status: CampaignStatus = CampaignStatus.LIVE):
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    _, campaign = load_campaign(json.loads(json.dumps(document, default=str)))
    shift = ends - max(held.window.ends_at for held in campaign.phases)
    phases = tuple(
        PhaseWindow(held.phase, Window(held.window.starts_at + shift, held.window.ends_at + shift))
        for held in campaign.phases
    )  # the same phases, moved to end at `ends`
    return replace(campaign, phases=phases, status=status)


def _due(n: int, kind: MerchantAccount, amount: int) -> Due:
    return Due(n, kind, f"e{n}", EntryKind.ORDER_PAID, amount, AT, {"order_id": f"o{n}"})


@pytest.mark.parametrize(
    ("ends", "last"),
    [
        (datetime(2026, 9, 30, 23, 59, 59, tzinfo=SHANGHAI), date(2026, 10, 15)),  # 国庆, 10/10
        (datetime(2026, 11, 11, 23, 59, 59, tzinfo=SHANGHAI), date(2026, 11, 20)),
    ],
)
def test_statements_fall_due_seven_chinese_working_days_after_the_end(ends, last):
    after = datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert due_on(_campaign(ends), after, WORKDAY) == last
    early = _campaign(ends, CampaignStatus.ENDED)  # ended by hand: still the planned end
    assert due_on(early, ends.replace(day=1), WORKDAY) == last


def test_a_campaign_not_yet_ended_is_refused_naming_the_field():
    ends = datetime(2026, 11, 11, 23, 59, 59, tzinfo=SHANGHAI)
    with pytest.raises(StatementStateError) as refused:
        ended_at(_campaign(ends), ends.replace(hour=12))
    assert refused.value.field == "status"


def test_lines_are_what_each_posting_owes_the_shop_and_the_entry_empties_the_due_accounts():
    dues = [
        _due(2, MerchantAccount.PENALTY, 500),  # a debit: the shop owes
        _due(1, MerchantAccount.SUBSIDY, -1_200),  # a credit: owed to the shop
        _due(3, MerchantAccount.SUBSIDY, 200),  # a clawback
    ]
    made = settle("c1", "s1", 2, dues, AT, date(2026, 11, 20), "fin")
    assert made is not None
    statement, entry = made
    assert statement.id == "c1:s1:2"
    assert [(line.no, line.entry_key, line.amount) for line in statement.lines] == [
        (1, "e1", 1_200),
        (2, "e2", -500),
        (3, "e3", -200),
    ]
    assert statement.total == 500
    assert statement.lines[0].refs == {"order_id": "o1", "entry_kind": "order_paid"}
    assert entry is not None
    assert entry.key == "settlement:c1:s1:2"
    after = balances([*(p for p in entry.postings)])
    assert after[merchant("s1", MerchantAccount.WALLET)] == -500
    assert after[merchant("s1", MerchantAccount.SUBSIDY)] == 1_000
    assert after[merchant("s1", MerchantAccount.PENALTY)] == -500


def test_a_negative_total_is_issued_as_such_and_nothing_settles_nothing():
    made = settle("c1", "s1", 1, [_due(1, MerchantAccount.PENALTY, 800)], AT, AT.date(), "f")
    assert made is not None
    assert made[0].total == -800
    assert made[1] is not None
    assert settle("c1", "s1", 1, [], AT, AT.date(), "f") is None
    paid_and_back = [_due(1, MerchantAccount.SUBSIDY, -300), _due(2, MerchantAccount.SUBSIDY, 300)]
    zero = settle("c1", "s1", 1, paid_and_back, AT, AT.date(), "f")
    assert zero is not None
    assert (zero[0].total, len(zero[0].lines), zero[1]) == (0, 2, None)


def test_only_due_accounts_settle():
    with pytest.raises(StatementStateError):
        settle("c1", "s1", 1, [_due(1, MerchantAccount.WALLET, -1)], AT, AT.date(), "f")
