"""The case library (案例库): finished campaigns' figures, kept after their events age out."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from dacu.adapters.sql import put_row
from dacu.adapters.tables import cases
from dacu.domain.review import Achievement, Case


class SqlCaseStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def archive(self, case: Case) -> None:
        """Keep the case; archiving again replaces it (figures settle as refunds arrive)."""
        values = {
            "theme": case.theme,
            "starts_at": case.starts_at,
            "ends_at": case.ends_at,
            "archived_at": case.archived_at,
            "figures": {
                "totals": dict(case.totals),
                "budget": case.budget,
                "achievements": [[a.metric, a.sku, a.target, a.actual] for a in case.achievements],
            },
            "highlights": {"good": list(case.highlights), "short": list(case.shortfalls)},
        }
        with self._engine.begin() as connection:
            put_row(connection, cases, {"campaign_id": case.campaign_id}, values)

    def all(self) -> list[Case]:
        """Newest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(cases).order_by(cases.c.ends_at.desc())).all()
        return [_case(row) for row in rows]

    def get(self, campaign_id: str) -> Case | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(cases).where(cases.c.campaign_id == campaign_id)
            ).first()
        return _case(row) if row else None

    def previous(self, campaign_id: str, starts_at: datetime) -> Case | None:
        """The latest other campaign that ended before this one started (环比's baseline)."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(cases)
                .where(cases.c.campaign_id != campaign_id, cases.c.ends_at <= starts_at)
                .order_by(cases.c.ends_at.desc())
                .limit(1)
            ).first()
        return _case(row) if row else None


def _case(row: Any) -> Case:
    figures, notes = row.figures, row.highlights
    return Case(
        campaign_id=row.campaign_id,
        theme=row.theme,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        archived_at=row.archived_at,
        totals=figures["totals"],
        achievements=tuple(Achievement(*a) for a in figures["achievements"]),
        budget=figures["budget"],
        highlights=tuple(notes["good"]),
        shortfalls=tuple(notes["short"]),
    )
