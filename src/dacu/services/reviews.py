"""Large-subsidy reviews (单笔超过1万元风控审核): the lines of a statement over the
campaign's `review_over` are held, shown with their evidence, prepared by one person
and decided by another. See `domain/reviews.py`.

Reviews are held when a statement is first looked at for payment (`hold`), and
whenever the review queue is read (`hold_all`, or `hold_campaign` for one
campaign): one query finds the lines over the limit not held yet. Each review is
kept once, so holding again changes nothing.
"""

from collections.abc import Callable, Collection
from datetime import datetime

from dacu.domain.evidence import ReviewEvidence
from dacu.domain.reviews import Review, ReviewStateError, ReviewStatus, UnknownReview, held
from dacu.domain.settlement import Statement
from dacu.domain.settlement_policy import SettlementPolicy
from dacu.domain.settlement_run import UnknownStatement
from dacu.services.ports.reviews import Evidence, ReviewStore
from dacu.services.ports.settlement import Statements


class ReviewService:
    def __init__(
        self,
        store: ReviewStore,
        statements: Statements,
        evidence: Evidence,
        policy_of: Callable[[str], SettlementPolicy],
        now: Callable[[], datetime],
    ) -> None:
        self._store, self._statements, self._evidence = store, statements, evidence
        self._policy_of, self._now = policy_of, now
        self._decided: list[Callable[[str], object]] = []

    def on_decided(self, listener: Callable[[str], object]) -> None:
        """Call `listener(statement_id)` after each decision (payouts settle the status)."""
        self._decided.append(listener)

    def review_over(self, campaign_id: str) -> int:
        return self._policy_of(campaign_id).review_over

    def statement(self, statement_id: str, shops: Collection[str] | None = None) -> Statement:
        found = self._statements.statement(statement_id)
        if found is None or (shops is not None and found.shop not in shops):
            raise UnknownStatement(statement_id)
        return found

    def hold(self, statement: Statement) -> list[Review]:
        """Hold the statement's lines over the limit (once); its reviews."""
        self._store.hold(held(statement, self.review_over(statement.campaign_id), self._now()))
        return self._store.reviews(statement.id)

    def hold_campaign(self, campaign_id: str) -> int:
        """Hold the lines over the limit of the campaign's statements not held yet; how
        many statements had such lines."""
        found = self._store.unheld(campaign_id, self.review_over(campaign_id))
        for statement_id in found:
            statement = self._statements.statement(statement_id)
            if statement is not None:
                self.hold(statement)
        return len(found)

    def hold_all(self) -> int:
        """`hold_campaign` for every campaign with statements (the review queue's read)."""
        return sum(self.hold_campaign(cid) for cid in self._store.campaigns())

    def statuses(self, statement: Statement) -> dict[int, ReviewStatus]:
        return {r.line_no: r.status for r in self.hold(statement)}

    def reviews(
        self,
        statement_id: str | None = None,
        status: Collection[ReviewStatus] | None = None,
        shops: Collection[str] | None = None,
    ) -> list[Review]:
        return self._store.reviews(statement_id, status, shops)

    def review(self, review_id: str, shops: Collection[str] | None = None) -> Review:
        found = self._store.review(review_id)
        if found is None or (shops is not None and found.shop not in shops):
            raise UnknownReview(review_id)
        return found

    def evidence(self, review: Review) -> ReviewEvidence:
        """The line's order's payments and waybills (none when it names no order)."""
        order_id = review.refs.get("order_id", "")
        if not order_id:
            return ReviewEvidence("")
        return ReviewEvidence(
            order_id,
            tuple(self._evidence.payments(order_id)),
            tuple(self._evidence.waybills(order_id)),
        )

    def prepare(self, review_id: str, by: str, note: str = "") -> Review:
        """Mark the evidence checked: the first of the two people."""
        review = self.review(review_id)
        return self._save(review.prepare(by, note, self._now()), review.status)

    def decide(self, review_id: str, by: str, approve: bool, report: str = "") -> Review:
        """Approve or reject: the second person, never the preparer."""
        review = self.review(review_id)
        decided = self._save(review.decide(by, approve, report, self._now()), review.status)
        for listener in self._decided:
            listener(decided.statement_id)
        return decided

    def _save(self, review: Review, seen: ReviewStatus) -> Review:
        if not self._store.save(review, seen):
            raise ReviewStateError(f"review {review.id} was moved meanwhile; look again")
        return review
