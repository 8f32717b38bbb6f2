"""The log of risk decisions (`risk_decisions`): every one that was not a plain allow,
with the query, the verdict, reason, score, the rules that fired and the identity.

Written behind (`adapters/behind.py`): `record` queues the row and returns at once; a
writer thread (started when rows wait, gone when none do, stopped with the engine)
inserts them in batches (COPY on PostgreSQL), the rows made there too: the caller
pays for a queue append alone. The risk check is asked
inside its callers' transactions, so it never waits on the log — on SQLite a write of
its own would wait for the caller's transaction to end. `flush` writes what waits.
"""

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, insert, select

from dacu.adapters.behind import Behind
from dacu.adapters.sql import copy_rows
from dacu.adapters.tables.risk_rules import risk_decisions
from dacu.domain.risk import RiskDecision, RiskQuery

log = logging.getLogger(__name__)
BATCH = 500
LINGER = 0.05  # seconds a short batch waits for more: fewer, larger writes
Logged = tuple[RiskQuery, RiskDecision, Sequence[str]]
_COLUMNS = (
    "at", "action", "customer_id", "campaign_id", "amount", "subject",
    "verdict", "reason", "score", "rules", "identity", "context",
)  # fmt: skip
_JSON = frozenset({"rules", "identity", "context"})


def _row(query: RiskQuery, decision: RiskDecision, rules: Sequence[str]) -> dict[str, Any]:
    return {
        "at": query.at,
        "action": query.action.value,
        "customer_id": query.customer_id[:64],
        "campaign_id": (query.campaign_id or None) and query.campaign_id[:64],
        "amount": query.amount,
        "subject": query.subject[:200],
        "verdict": decision.verdict.value,
        "reason": decision.reason[:64],
        "score": decision.score,
        "rules": list(rules),
        "identity": asdict(query.identity),
        "context": dict(query.context),
    }


class SqlDecisionLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._behind: Behind[Logged] = Behind(
            engine, self._write, BATCH, "risk-decisions", linger=LINGER
        )
        self._copy = engine.dialect.name == "postgresql"

    def record(self, query: RiskQuery, decision: RiskDecision, rules: Sequence[str]) -> None:
        self._behind.put((query, decision, rules))

    def _write(self, batch: Sequence[Logged]) -> None:
        rows = [_row(*logged) for logged in batch]
        with self._engine.begin() as connection:
            if not self._copy:
                connection.execute(insert(risk_decisions), rows)
                return
            copy_rows(connection, "risk_decisions", ", ".join(_COLUMNS), (
                [json.dumps(row[name]) if name in _JSON else row[name] for name in _COLUMNS]
                for row in rows
            ))  # fmt: skip

    def flush(self) -> None:
        """Write every waiting decision now, the batch in flight too (tests, shutdown)."""
        self._behind.flush()

    def recent(self, customer_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest decisions logged (a customer's only, when given), newest first."""
        self.flush()
        table = risk_decisions
        query = select(table).order_by(table.c.id.desc()).limit(limit)
        if customer_id is not None:
            query = query.where(table.c.customer_id == customer_id)
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query).all()]
