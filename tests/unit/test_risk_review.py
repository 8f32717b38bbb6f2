"""The review queue's domain: an item decides once, appeals once, masks what it shows."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.risk_review import (
    Decision,
    Held,
    ReviewKind,
    ReviewStatus,
    RiskReviewState,
    block_appeal,
    held_item,
    mask,
)

NOW = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _item():
    return held_item(Held(ReviewKind.REBATE, "first_order:o-1:tea", "tea", NOW, 300, "c", "x"))


def test_an_item_is_decided_once_and_names_who_decided():
    item = _item()
    assert item.id == "rebate:first_order:o-1:tea"
    done = item.decided(Decision.REJECT, "risk-wang", " 刷单 ", NOW)
    assert (done.status, done.note) == (ReviewStatus.REJECTED, "刷单")
    with pytest.raises(RiskReviewState, match="risk-wang"):
        done.decided(Decision.APPROVE, "risk-li", "", NOW)
    assert item.decided(Decision.APPROVE, "risk-li", "", NOW).status is ReviewStatus.APPROVED


def test_a_rejection_says_why_and_text_is_checked():
    with pytest.raises(InvalidRule, match="note"):
        _item().decided(Decision.REJECT, "risk-wang", "", NOW)
    with pytest.raises(InvalidRule, match="note"):
        _item().decided(Decision.REJECT, "risk-wang", "bad\x00", NOW)
    with pytest.raises(InvalidRule, match="key"):
        Held(ReviewKind.REWARD, " ", "c-1", NOW).checked()
    with pytest.raises(InvalidRule, match="campaign_id"):
        Held(ReviewKind.REWARD, "k", "c-1", NOW, campaign_id="c" * 65).checked()
    with pytest.raises(InvalidRule, match="amount"):
        Held(ReviewKind.REWARD, "k", "c-1", NOW, amount=-1).checked()


def test_one_appeal_per_item_and_none_once_decided():
    item = _item().appealed("tea", "真实订单", NOW)
    with pytest.raises(RiskReviewState, match="stands open"):
        item.appealed("tea", "again", NOW)
    decided = _item().decided(Decision.APPROVE, "risk-wang", "", NOW)
    with pytest.raises(RiskReviewState):
        decided.appealed("tea", "late", NOW + timedelta(days=1))
    block = block_appeal("a1", "c-7", "被误封", NOW)
    assert (block.kind, block.appeal, block.customer_id) == (ReviewKind.BLOCK, True, "c-7")


def test_mask_shows_enough_to_compare_not_to_read():
    assert mask("abc") == "***"
    assert mask("13800138000") == "138******00"
    assert mask("a" * 64) == "aaa******aa"
