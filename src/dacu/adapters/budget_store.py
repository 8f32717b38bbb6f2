"""Campaign budgets in SQL, on a unit of work's connection.

`budget_draws` holds one row per campaign: what orders taken in have drawn
(net of what cancellations and refunds gave back) and how much of the
reserve operators released. A draw is one conditional upsert — `drawn +
amount - released <= base` — so concurrent checkouts in any number of
processes never pass the cap; a give back only lowers it. What was spent is
read from the funding ledger, whose rows name the budget that funded them.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import budget_draws, budget_releases, ledger
from dacu.domain.types import Fen


class SqlBudgets:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def draw(self, campaign_id: str, amount: Fen, base: Fen) -> bool:
        """Draw `amount` unless that passes `base` plus what was released; False if so."""
        row = budget_draws.c
        upsert = (
            insert_for(self._connection, budget_draws)
            .values(campaign_id=campaign_id, drawn=amount, released=0)
            .on_conflict_do_update(
                index_elements=[row.campaign_id],
                set_={"drawn": row.drawn + amount},
                where=row.drawn + amount - row.released <= base,
            )
            .returning(row.drawn)
        )
        if amount > base and self._net([campaign_id]).get(campaign_id) is None:
            return False  # a first draw beyond the cap
        return self._connection.execute(upsert).first() is not None

    def add(self, draws: Mapping[str, Fen]) -> None:
        """Add what orders already checked against the cap elsewhere (Redis) have drawn;
        negative amounts give back."""
        row = budget_draws.c
        for campaign_id, amount in sorted(draws.items()):
            if not amount:
                continue
            upsert = (
                insert_for(self._connection, budget_draws)
                .values(campaign_id=campaign_id, drawn=max(0, amount), released=0)
                .on_conflict_do_update(
                    index_elements=[row.campaign_id],
                    set_={"drawn": func.max(row.drawn + amount, 0)}
                    if self._connection.dialect.name == "sqlite"
                    else {"drawn": func.greatest(row.drawn + amount, 0)},
                )
            )
            self._connection.execute(upsert)

    def give(self, draws: Mapping[str, Fen]) -> None:
        """Give back what an order drew (cancelled) or a refund clawed back."""
        self.add({campaign_id: -amount for campaign_id, amount in draws.items()})

    def net(self, campaign_ids: Iterable[str]) -> dict[str, Fen]:
        """Drawn less released, per campaign that was ever drawn from or released."""
        return self._net(list(campaign_ids))

    def _net(self, campaign_ids: list[str]) -> dict[str, Fen]:
        if not campaign_ids:
            return {}
        rows = self._connection.execute(
            select(budget_draws).where(budget_draws.c.campaign_id.in_(campaign_ids))
        )
        return {row.campaign_id: int(row.drawn) - int(row.released) for row in rows}

    def drawn(self, campaign_id: str) -> tuple[Fen, Fen]:
        """(drawn, released) of the campaign's budget."""
        row = self._connection.execute(
            select(budget_draws).where(budget_draws.c.campaign_id == campaign_id)
        ).one_or_none()
        return (0, 0) if row is None else (int(row.drawn), int(row.released))

    def release(
        self, campaign_id: str, amount: Fen, actor: str, reason: str, now: datetime, key: str
    ) -> Fen | None:
        """Open `amount` more of the reserve, on record and in the audit log, once per
        `key`: None when it is new, else the amount the key released before."""
        earlier = self.released_by(campaign_id, key)
        if earlier is not None:
            return earlier
        placed = self._connection.execute(
            insert_for(self._connection, budget_releases)
            .values(
                campaign_id=campaign_id,
                idempotency_key=key,
                amount=amount,
                actor=actor,
                reason=reason,
                at=now,
            )
            .on_conflict_do_nothing()
            .returning(budget_releases.c.id)
        ).first()
        if placed is None:  # a racing retry with the key won
            return self.release(campaign_id, amount, actor, reason, now, key)
        before = self.drawn(campaign_id)[1]
        record(
            self._connection,
            actor=actor,
            action="budget.release",
            subject=f"budget:{campaign_id}",
            before={"released": before},
            after={"released": before + amount, "amount": amount, "reason": reason},
            at=now,
        )
        row = budget_draws.c
        self._connection.execute(  # one upsert: racing releases of a campaign never drawn from
            insert_for(self._connection, budget_draws)
            .values(campaign_id=campaign_id, drawn=0, released=amount)
            .on_conflict_do_update(
                index_elements=[row.campaign_id], set_={"released": row.released + amount}
            )
        )
        return None

    def released_by(self, campaign_id: str, key: str) -> Fen | None:
        """What the release under `key` opened, if there was one."""
        found = self._connection.scalar(
            select(budget_releases.c.amount).where(
                budget_releases.c.campaign_id == campaign_id,
                budget_releases.c.idempotency_key == key,
            )
        )
        return None if found is None else int(found)

    def releases(self, campaign_id: str) -> list[tuple[Fen, str, str, datetime]]:
        """Every release of the campaign's reserve: (amount, actor, reason, at), oldest first."""
        rows = self._connection.execute(
            select(budget_releases)
            .where(budget_releases.c.campaign_id == campaign_id)
            .order_by(budget_releases.c.id)
        )
        return [(int(r.amount), r.actor, r.reason, r.at) for r in rows]

    def burn(self, campaign_id: str) -> Fen:
        """What the platform's shares funded by this budget cost on paid orders, net of
        clawbacks: read from the funding ledger."""
        found = self._connection.scalar(
            select(func.coalesce(func.sum(ledger.c.platform), 0)).where(
                ledger.c.budget == campaign_id
            )
        )
        return int(found or 0)


class SqlBudgetFigures:
    """`BudgetFigures` read from the database (no Redis): the record is the figure."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def net(self, campaign_ids: Iterable[str]) -> dict[str, Fen]:
        with self._engine.connect() as connection:
            return SqlBudgets(connection).net(campaign_ids)

    def forget(self, campaign_id: str) -> None:
        return None  # nothing kept apart from the record
