"""Appeals, large-subsidy reviews and payouts: the pure rules."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacu.adapters.working_days import ChineseWorkingDays
from dacu.domain.appeals import (
    Appeal,
    AppealStateError,
    AppealStatus,
    Claim,
    adjustment,
    overdue_first,
)
from dacu.domain.errors import InvalidRule
from dacu.domain.ledger import EntryKind
from dacu.domain.payouts import (
    MAIN,
    Payout,
    PayoutStateError,
    amount_of,
    bank_yuan,
    part_lines,
    payable_parts,
    payout_entry,
    settled,
)
from dacu.domain.reviews import ReviewStateError, ReviewStatus, SamePerson, held
from dacu.domain.settlement import Statement, StatementLine, StatementStatus
from dacu.domain.workdays import due_at

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
OVER = 1_000_000


def _statement(*amounts: int) -> Statement:
    lines = tuple(
        StatementLine(i + 1, "subsidy", f"order:o{i}:paid", a, T0, {"order_id": f"o{i}"})  # type: ignore[arg-type]
        for i, a in enumerate(amounts)
    )
    return Statement(
        "c1:s1:1", "c1", "s1", 1, T0, T0.date(), sum(amounts), StatementStatus.ISSUED, lines
    )


def _appeal(**kw: object) -> Appeal:
    base: dict[str, object] = {
        "id": "ap-1",
        "key": "s1:k",
        "statement_id": "c1:s1:1",
        "line_no": 1,
        "shop": "s1",
        "campaign_id": "c1",
        "line_amount": 500,
        "claimed": 800,
        "reason": "short",
        "evidence": ("x",),
        "filed_by": "m1",
        "filed_at": T0,
        "deadline": due_at(T0, 3, ChineseWorkingDays().is_workday),
    }
    base.update(kw)
    return Appeal(**base)  # type: ignore[arg-type]


def test_an_appeal_filed_before_the_national_day_is_due_after_the_holiday() -> None:
    # 国庆 10/1–7 off, Sat 10/10 a make-up working day: 3 working days end 10/10
    assert _appeal().deadline == datetime(2026, 10, 11, tzinfo=SH)
    assert not _appeal().overdue(datetime(2026, 10, 10, 23, 59, tzinfo=SH))
    assert _appeal().overdue(datetime(2026, 10, 11, tzinfo=SH))


def test_accepting_posts_an_adjustment_owed_to_the_shop() -> None:
    accepted = _appeal().accept("fin", 300, "ok", T0)
    entry = adjustment(accepted)
    assert entry.key == "adjustment:ap-1"
    assert entry.kind is EntryKind.ADJUSTMENT
    assert {(p.account, p.amount, p.campaign_id) for p in entry.postings} == {
        ("platform:adjustments", 300, "c1"),
        ("merchant:s1:adjustment", -300, "c1"),
    }
    assert not accepted.overdue(datetime(2027, 1, 1, tzinfo=SH))


def test_an_adjustment_is_between_one_fen_and_the_claim() -> None:
    for amount in (0, -1, 801):
        with pytest.raises(InvalidRule) as caught:
            _appeal().accept("fin", amount, "", T0)
        assert caught.value.field == "amount"


def test_a_decided_appeal_never_changes_and_a_rejection_needs_its_report() -> None:
    with pytest.raises(InvalidRule):
        _appeal().reject("fin", "  ", T0)
    rejected = _appeal().reject("fin", "复核: the line is right", T0)
    assert rejected.status is AppealStatus.REJECTED
    with pytest.raises(AppealStateError):
        rejected.accept("op", 1, "", T0)


def test_a_claim_names_its_bad_field() -> None:
    good = Claim("c1:s1:1", 1, "why", ("http://x",), 100)
    for bad, field in [
        (Claim("c1:s1:1", 0, "why", (), 100), "line_no"),
        (Claim("c1:s1:1", 1, " ", (), 100), "reason"),
        (Claim("c1:s1:1", 1, "why", (), 0), "claimed"),
        (Claim("c1:s1:1", 1, "why", ("",), 1), "evidence[0]"),
        (Claim("c1:s1:1", 1, "why", ("x",) * 11, 1), "evidence"),
        (Claim("c1:s1:1", 1, "a\x00b", (), 1), "reason"),
    ]:
        with pytest.raises(InvalidRule) as caught:
            bad.checked()
        assert caught.value.field == field
    assert good.checked() == good


def test_overdue_open_appeals_come_first() -> None:
    late = _appeal(id="late", deadline=T0)
    soon = _appeal(id="soon")
    done = _appeal(id="done").reject("fin", "no", T0)
    assert [a.id for a in overdue_first([done, soon, late], T0)] == ["late", "soon", "done"]


def test_lines_over_the_limit_are_held_and_need_two_people() -> None:
    statement = _statement(OVER, OVER + 1, 5)
    (review,) = held(statement, OVER, T0)
    assert review.line_no == 2
    assert review.refs["order_id"] == "o1"
    with pytest.raises(ReviewStateError):
        review.decide("b", True, "", T0)  # not prepared yet
    prepared = review.prepare("a", "paid and shipped", T0)
    with pytest.raises(SamePerson):
        prepared.decide("a", True, "", T0)
    with pytest.raises(InvalidRule):
        prepared.decide("b", False, "", T0)
    assert prepared.decide("b", True, "", T0).status is ReviewStatus.APPROVED
    with pytest.raises(ReviewStateError):
        prepared.prepare("c", "", T0)


def test_main_pays_the_lines_not_held_and_a_held_line_only_once_approved() -> None:
    statement = _statement(300, OVER + 1, -100)
    assert part_lines(statement, MAIN, {}, OVER) == (1, 3)
    assert amount_of(statement, (1, 3)) == 200
    with pytest.raises(PayoutStateError):
        part_lines(statement, "line-2", {2: ReviewStatus.PREPARED}, OVER)
    with pytest.raises(PayoutStateError):
        part_lines(statement, "line-1", {}, OVER)  # not held
    for bad in ("line-", "line-x", "other", "line-99999999"):
        with pytest.raises(PayoutStateError):
            part_lines(statement, bad, {}, OVER)
    assert part_lines(statement, "line-2", {2: ReviewStatus.APPROVED}, OVER) == (2,)


def test_a_statement_is_settled_when_its_payable_parts_are_paid_and_reviews_decided() -> None:
    statement = _statement(300, OVER + 1)
    assert not settled(statement, {2: ReviewStatus.PENDING}, OVER, {MAIN})
    assert not settled(statement, {2: ReviewStatus.APPROVED}, OVER, {MAIN})
    assert settled(statement, {2: ReviewStatus.APPROVED}, OVER, {MAIN, "line-2"})
    assert settled(statement, {2: ReviewStatus.REJECTED}, OVER, {MAIN})
    owing = _statement(-300)
    assert payable_parts(owing, {}, OVER) == []
    assert settled(owing, {}, OVER, set())


def test_a_payout_moves_the_wallet_to_the_bank() -> None:
    payout = Payout("payout:c1:s1:1:main", "c1:s1:1", MAIN, "s1", "c1", 12345, "fin", T0, (1,))
    entry = payout_entry(payout)
    assert entry.kind is EntryKind.PAYOUT
    assert {(p.account, p.amount) for p in entry.postings} == {
        ("merchant:s1:wallet", 12345),
        ("platform:bank", -12345),
    }


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_bank_yuan_is_the_fen_exactly(amount: int) -> None:
    text = bank_yuan(amount)
    whole, fen = text.lstrip("-").split(".")
    assert len(fen) == 2
    assert "," not in text
    assert (int(whole) * 100 + int(fen)) * (-1 if text.startswith("-") else 1) == amount


@given(
    st.lists(st.integers(min_value=-OVER * 3, max_value=OVER * 3), min_size=1, max_size=12),
    st.lists(st.sampled_from(list(ReviewStatus)), min_size=12, max_size=12),
)
def test_the_parts_cover_every_line_once_and_pay_only_what_is_cleared(
    amounts: list[int], decided: list[ReviewStatus]
) -> None:
    statement = _statement(*amounts)
    reviews = {line.no: decided[line.no - 1] for line in statement.lines if line.amount > OVER}
    main = part_lines(statement, MAIN, reviews, OVER)
    held = list(reviews)
    assert sorted([*main, *held]) == [line.no for line in statement.lines]
    paid = payable_parts(statement, reviews, OVER)
    approved = sum(
        amount_of(statement, part_lines(statement, p, reviews, OVER)) for p in paid if p != MAIN
    )
    assert approved == sum(
        line.amount for line in statement.lines if reviews.get(line.no) is ReviewStatus.APPROVED
    )
    assert (MAIN in paid) == (amount_of(statement, main) > 0)
    assert settled(statement, reviews, OVER, set(paid)) == all(
        s in (ReviewStatus.APPROVED, ReviewStatus.REJECTED) for s in reviews.values()
    )
