"""Release requests of a campaign's reserve in SQL: asked once per key, decided once.

Approving is one transaction: the request's row moves from `requested` only
if it still is, the reserve opens under the request's own key (so a retried
or racing approval opens it once), the audit log records both, and the
release rolls back if it would open more than the reserve holds.
"""

from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record
from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import budget_release_requests as requests
from dacu.domain.budget_requests import (
    ReleaseRequest,
    ReleaseRequestState,
    RequestStatus,
    UnknownReleaseRequest,
)
from dacu.domain.errors import InvalidRule
from dacu.domain.types import Fen


class SqlReleaseRequests:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, request: ReleaseRequest, key: str) -> ReleaseRequest:
        """Record the request unless `key` asked before: the request under the key."""
        with self._engine.begin() as connection:
            placed = connection.execute(
                insert_for(connection, requests)
                .values(
                    id=request.id,
                    campaign_id=request.campaign_id,
                    idempotency_key=key,
                    amount=request.amount,
                    reason=request.reason,
                    requested_by=request.requested_by,
                    requested_at=request.requested_at,
                    status=request.status.value,
                    note="",
                )
                .on_conflict_do_nothing()
                .returning(requests.c.id)
            ).first()
            if placed is not None:
                record(
                    connection,
                    actor=request.requested_by,
                    action="budget.release_requested",
                    subject=f"budget:{request.campaign_id}",
                    before=None,
                    after={
                        "request": request.id,
                        "amount": request.amount,
                        "reason": request.reason,
                    },
                    at=request.requested_at,
                )
            found = connection.execute(
                select(requests).where(
                    requests.c.campaign_id == request.campaign_id,
                    requests.c.idempotency_key == key,
                )
            ).one()
        return _request(found)

    def get(self, campaign_id: str, request_id: str) -> ReleaseRequest:
        with self._engine.connect() as connection:
            return _get(connection, campaign_id, request_id)

    def of_campaign(self, campaign_id: str) -> list[ReleaseRequest]:
        """The campaign's requests, newest first."""
        query = (
            select(requests)
            .where(requests.c.campaign_id == campaign_id)
            .order_by(requests.c.requested_at.desc(), requests.c.id.desc())
        )
        with self._engine.connect() as connection:
            return [_request(row) for row in connection.execute(query)]

    def decide(self, decided: ReleaseRequest, reserve: Fen) -> None:
        """Store the decision made on a request still `requested`; an approval opens the
        reserve in the same transaction (never past `reserve`, all it holds)."""
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(requests)
                .where(
                    requests.c.id == decided.id,
                    requests.c.status == RequestStatus.REQUESTED.value,
                )
                .values(
                    status=decided.status.value,
                    decided_by=decided.decided_by,
                    decided_at=decided.decided_at,
                    note=decided.note,
                )
            )
            if moved.rowcount != 1:
                raise ReleaseRequestState(f"release request {decided.id} was decided already")
            _audit(connection, decided)
            if decided.status is RequestStatus.APPROVED:
                _open(connection, decided, reserve)


def _open(connection: Connection, decided: ReleaseRequest, reserve: Fen) -> None:
    assert decided.decided_by is not None
    assert decided.decided_at is not None
    budgets = SqlBudgets(connection)
    reason = f"{decided.reason} (request {decided.id}, asked by {decided.requested_by})"
    budgets.release(
        decided.campaign_id,
        decided.amount,
        decided.decided_by,
        reason,
        decided.decided_at,
        decided.release_key,
    )
    released = budgets.drawn(decided.campaign_id)[1]
    if released > reserve:
        closed = reserve - (released - decided.amount)
        raise InvalidRule("amount", f"only {max(0, closed)} fen of the reserve is still closed")


def _audit(connection: Connection, decided: ReleaseRequest) -> None:
    assert decided.decided_by is not None
    assert decided.decided_at is not None
    record(
        connection,
        actor=decided.decided_by,
        action=f"budget.release_{decided.status.value}",
        subject=f"budget:{decided.campaign_id}",
        before={"request": decided.id, "status": RequestStatus.REQUESTED.value},
        after={"request": decided.id, "status": decided.status.value, "note": decided.note},
        at=decided.decided_at,
    )


def _get(connection: Connection, campaign_id: str, request_id: str) -> ReleaseRequest:
    row = connection.execute(
        select(requests).where(requests.c.id == request_id, requests.c.campaign_id == campaign_id)
    ).one_or_none()
    if row is None:
        raise UnknownReleaseRequest(request_id)
    return _request(row)


def _request(row: Any) -> ReleaseRequest:
    return ReleaseRequest(
        id=row.id,
        campaign_id=row.campaign_id,
        amount=int(row.amount),
        reason=row.reason,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        status=RequestStatus(row.status),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note or "",
    )
