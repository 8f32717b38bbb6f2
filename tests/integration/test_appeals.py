"""Appeals, large-subsidy reviews and payouts on SQLite and PostgreSQL: an accepted appeal's
adjustment paid by the next statement, one open appeal per line, two people per review,
each payout once with its posting, however concurrently retried."""

import threading
from datetime import datetime, timedelta

import pytest

from dacu.adapters.audit import history
from dacu.domain.appeals import AppealStateError, AppealStatus, Claim
from dacu.domain.ledger import MerchantAccount, merchant
from dacu.domain.payouts import PayoutStateError
from dacu.domain.reviews import ReviewStatus, SamePerson
from dacu.domain.settlement import StatementStatus
from dacu.domain.settlement_run import UnknownStatement
from tests.integration.appeals_rig import (
    BIG,
    NOW,
    SHANGHAI,
    Clock,
    issue,
    settle_platform,
    subsidy,
)

pytestmark = pytest.mark.integration
TEA = frozenset({"tea-house"})


@pytest.fixture
def rig(engine, tmp_path):
    clock = Clock()
    platform = settle_platform(engine, tmp_path, clock)
    subsidy(platform, "o-1", "tea-house", 1_250)
    subsidy(platform, "o-2", "tea-house", BIG)
    subsidy(platform, "o-3", "book-nook", 800)
    return platform, clock, issue(platform, "tea-house")


def test_an_accepted_appeal_is_paid_by_the_next_statement(engine, rig):
    platform, _, sid = rig
    # given: the tea house disputes its first line, claiming 5元 more
    claim = Claim(sid, 1, "满减 share counted at 50%, not 70%", ("https://x/ev.png",), 500)
    appeal = platform.appeals.file("m-tea", TEA, "k-1", claim)
    # filed on Friday 10/9: Sat 10/10 (调休), Mon 10/12 and Tue 10/13 are its 3 working days
    assert appeal.deadline == datetime(2026, 10, 14, tzinfo=SHANGHAI)
    assert platform.appeals.file("m-tea", TEA, "k-1", claim) == appeal  # a retry: the same
    with pytest.raises(AppealStateError):
        platform.appeals.file("m-tea", TEA, "k-2", claim)  # one open appeal per line
    # when: finance accepts 3元 of it
    decided = platform.appeals.accept(appeal.id, "fin-wang", 300, "share corrected")
    # then: an adjustment is posted once, audited, and the next run issues it
    lines = platform.ledger.entry(f"adjustment:{appeal.id}")
    assert {(x.account, x.amount) for x in lines} == {
        ("platform:adjustments", 300),
        ("merchant:tea-house:adjustment", -300),
    }
    with pytest.raises(AppealStateError):
        platform.appeals.reject(appeal.id, "op-li", "no")
    assert decided.status is AppealStatus.ACCEPTED
    assert [e["action"] for e in history(engine, f"appeal:{appeal.id}")] == ["appeal.accepted"]
    second = issue(platform, "tea-house", "run-2")
    statement = platform.reviews.statement(second)
    assert [(x.kind, x.amount) for x in statement.lines] == [(MerchantAccount.ADJUSTMENT, 300)]
    assert platform.ledger.trial_balance() == 0


def test_a_merchant_appeals_only_its_own_lines(rig):
    platform, _, sid = rig
    claim = Claim(sid, 1, "why", (), 100)
    with pytest.raises(UnknownStatement):
        platform.appeals.file("m-book", frozenset({"book-nook"}), "k", claim)
    with pytest.raises(AppealStateError):
        platform.appeals.file("m-tea", TEA, "k", Claim(sid, 9, "why", (), 100))
    appeal = platform.appeals.file("m-tea", TEA, "k", claim)
    assert platform.appeals.appeals(frozenset({"book-nook"})) == []
    assert [a.id for a in platform.appeals.appeals(TEA)] == [appeal.id]


def test_an_overdue_appeal_alerts_once_and_its_decision_clears_it(rig):
    platform, clock, sid = rig
    appeal = platform.appeals.file("m-tea", TEA, "k", Claim(sid, 1, "why", (), 100))
    late = platform.appeals.file("m-tea", TEA, "k2", Claim(sid, 2, "why", (), 100))
    clock.at = NOW + timedelta(days=7)
    platform.appeals.appeals()
    standing = platform.alerts.alerts(standing=True)
    assert {a.subject for a in standing} == {f"appeal:{appeal.id}", f"appeal:{late.id}"}
    platform.appeals.reject(appeal.id, "op-li", "复核: the line is right")
    standing = platform.alerts.alerts(standing=True)
    assert {a.subject for a in standing} == {f"appeal:{late.id}"}


def test_a_held_line_is_paid_only_after_two_people_approve_it(engine, rig):
    platform, _, sid = rig
    statement = platform.reviews.statement(sid)
    (review,) = platform.reviews.hold(statement)
    assert (review.line_no, review.amount) == (2, BIG)
    assert platform.reviews.evidence(review).order_id == "o-2"
    # the main part pays the 12.50元 line; the held line waits
    main = platform.payouts.pay(sid, "main", "fin-wang")
    assert main.amount == 1_250
    with pytest.raises(PayoutStateError):
        platform.payouts.pay(sid, "line-2", "fin-wang")
    platform.reviews.prepare(review.id, "risk-zhao", "payment and waybill checked")
    with pytest.raises(SamePerson):
        platform.reviews.decide(review.id, "risk-zhao", True)
    platform.reviews.decide(review.id, "fin-wang", True, "ok")
    assert platform.reviews.statement(sid).status is StatementStatus.ISSUED
    held = platform.payouts.pay(sid, "line-2", "fin-wang")
    assert held.amount == BIG
    assert platform.reviews.statement(sid).status is StatementStatus.PAID
    wallet = merchant("tea-house", MerchantAccount.WALLET)
    assert platform.ledger.balances(wallet)[wallet] == 0
    assert [e["action"] for e in history(engine, f"review:{review.id}")] == [
        "review.prepared",
        "review.approved",
    ]


def test_a_rejected_line_stays_in_the_wallet_and_the_statement_is_paid(rig):
    platform, _, sid = rig
    (review,) = platform.reviews.hold(platform.reviews.statement(sid))
    platform.reviews.prepare(review.id, "risk-zhao")
    platform.payouts.pay(sid, "main", "fin-wang")
    platform.reviews.decide(review.id, "risk-qian", False, "waybill is fake")
    with pytest.raises(PayoutStateError):
        platform.payouts.pay(sid, "line-2", "fin-wang")
    assert platform.reviews.statement(sid).status is StatementStatus.PAID
    wallet = merchant("tea-house", MerchantAccount.WALLET)
    assert platform.ledger.balances(wallet)[wallet] == -BIG  # still owed, never paid out


def test_a_payout_retried_concurrently_is_made_and_posted_once(engine, rig):
    platform, _, sid = rig
    made, errors = [], []

    def pay() -> None:
        try:
            made.append(platform.payouts.pay(sid, "main", "fin-wang"))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=pay) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {p.key for p in made} == {f"payout:{sid}:main"}
    assert len(platform.payouts.payouts(sid)) == 1
    lines = platform.ledger.entry(f"payout:{sid}:main")
    assert sorted(x.amount for x in lines) == [-1_250, 1_250]
    name, body = platform.payouts.bank_file(f"payout:{sid}:main")
    assert body.decode().splitlines()[1].startswith("tea-house,12.50,payout:")
    assert platform.ledger.trial_balance() == 0
    assert name.endswith(".csv")


def test_pay_statement_pays_what_is_payable_and_refuses_when_nothing_is(rig):
    platform, _, sid = rig
    (paid,) = platform.payouts.pay_statement(sid, "fin-wang")
    assert paid.part == "main"
    with pytest.raises(PayoutStateError):
        platform.payouts.pay_statement(sid, "fin-wang")  # the rest is held
    states = {p.name: p.state for p in platform.payouts.parts(platform.reviews.statement(sid))}
    assert states == {"main": "paid", "line-2": "held"}
    with pytest.raises(UnknownStatement):
        platform.payouts.pay("autumn-settle:nobody:1", "main", "fin-wang")
    assert platform.reviews.reviews(status=[ReviewStatus.PENDING])[0].line_no == 2


def test_reading_the_review_queue_holds_every_large_line_issued_since(engine, rig):
    platform, _, sid = rig
    assert platform.reviews.reviews() == []
    assert platform.reviews.hold_all() == 1
    (review,) = platform.reviews.reviews()
    assert (review.statement_id, review.line_no, review.amount) == (sid, 2, BIG)
    assert platform.reviews.hold_all() == 0  # held once
    subsidy(platform, "o-9", "book-nook", BIG + 1)
    book = issue(platform, "book-nook", "run-9")
    assert platform.reviews.hold_campaign("autumn-settle") == 1
    assert {r.statement_id for r in platform.reviews.reviews()} == {sid, book}


def test_racing_filers_and_deciders_leave_one_appeal_and_one_decision(engine, rig):
    platform, _, sid = rig
    filed, decided, refused = [], [], []

    def file(n: int) -> None:
        try:
            claim = Claim(sid, 1, "why", (), 100 + n)
            filed.append(platform.appeals.file("m-tea", TEA, f"k-{n}", claim))
        except AppealStateError:
            refused.append(n)

    threads = [threading.Thread(target=file, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (appeal,) = filed
    assert len(refused) == 4

    def decide(n: int) -> None:
        try:
            if n % 2:
                decided.append(platform.appeals.accept(appeal.id, f"fin-{n}", 50))
            else:
                decided.append(platform.appeals.reject(appeal.id, f"op-{n}", "no"))
        except AppealStateError:
            refused.append(n)

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (winner,) = decided
    assert platform.appeals.appeal(appeal.id).status is winner.status
    posted = platform.ledger.entry(f"adjustment:{appeal.id}")
    assert (posted is not None) == (winner.status is AppealStatus.ACCEPTED)
    assert len(history(engine, f"appeal:{appeal.id}")) == 1
    assert platform.ledger.trial_balance() == 0
