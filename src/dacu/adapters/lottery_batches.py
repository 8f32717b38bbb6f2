"""Draws the Redis script made, written to the database in batches (写后).

One transaction per batch: the draws with `INSERT … ON CONFLICT DO NOTHING` (a
draw written twice — by a writer that died before acknowledging it, or by two
writers racing — is one draw), then, for the draws this batch wrote and no
other, the chances they used (each customer's row once, in customer order),
the campaign's counters (the pool row first, as the SQL draw takes it) and the
budget line. A draw already in the database takes the status and reference its
record has now (the record is the newer while it waits). A draw whose key the
database holds under another draw is reported back (not written).
"""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Engine, Integer, String, bindparam, case, column, select, update, values
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.lottery_fold import POOL, add_given, budget_line
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import lottery_chances, lottery_draws
from dacu.domain.lottery import Draw


def write_draws(engine: Engine, draws: Sequence[Draw]) -> set[str]:
    """Write the batch (all of one campaign); the ids of draws refused for their key."""
    if not draws:
        return set()
    campaign_id = draws[0].campaign_id
    rows = [
        {
            "id": d.id,
            "campaign_id": d.campaign_id,
            "customer_id": d.customer_id,
            "key": d.key,
            "prize_id": d.prize_id,
            "value": d.value,
            "roll": d.roll,
            "status": d.status,
            "reference": d.reference[:128],
            "at": d.at,
            "counted": True,
        }
        for d in draws
    ]
    with engine.begin() as connection:
        insert = insert_for(connection, lottery_draws).on_conflict_do_nothing()
        # many parameter sets, one statement compiled once (SQLAlchemy's insertmanyvalues)
        written = set(connection.scalars(insert.returning(lottery_draws.c.id), rows))
        fresh = [d for d in draws if d.id in written]
        _use_chances(connection, campaign_id, Counter(d.customer_id for d in fresh))
        _count(connection, campaign_id, fresh)
        others = [d for d in draws if d.id not in written]
        known = set(
            connection.scalars(
                select(lottery_draws.c.id).where(lottery_draws.c.id.in_([d.id for d in others]))
            )
        )
        mark_draws(connection, [d for d in others if d.id in known])
    return {d.id for d in others} - known


def mark_draws(connection: Connection, draws: Sequence[Draw]) -> None:
    """Each draw's status and reference as `draws` say."""
    if not draws:
        return
    d = lottery_draws.c
    connection.execute(
        update(lottery_draws)
        .where(d.id == bindparam("draw_id"))
        .values(status=bindparam("new_status"), reference=bindparam("new_reference")),
        [
            {"draw_id": x.id, "new_status": x.status, "new_reference": x.reference[:128]}
            for x in draws
        ],
    )


def _use_chances(connection: Connection, campaign_id: str, per_customer: Counter[str]) -> None:
    """Each customer's chances used by the draws; never past those granted (the script
    drew against a mirror of them, which never runs ahead of the book)."""
    if not per_customer:
        return
    c = lottery_chances.c
    ordered = [(customer, per_customer[customer]) for customer in sorted(per_customer)]
    if connection.dialect.name != "postgresql":  # SQLite names no VALUES columns
        more = c.used + bindparam("n")
        connection.execute(
            update(lottery_chances)
            .where(c.campaign_id == campaign_id, c.customer_id == bindparam("customer"))
            .values(used=case((more > c.granted, c.granted), else_=more)),
            [{"customer": customer, "n": n} for customer, n in ordered],
        )
        return
    per = values(column("customer", String), column("n", Integer), name="per").data(ordered)
    more = c.used + per.c.n
    connection.execute(  # one statement for the batch
        update(lottery_chances)
        .where(c.campaign_id == campaign_id, c.customer_id == per.c.customer)
        .values(used=case((more > c.granted, c.granted), else_=more))
    )


def _count(connection: Connection, campaign_id: str, fresh: Sequence[Draw]) -> None:
    if not fresh:
        return
    per_prize = Counter(d.prize_id for d in fresh)
    add_given(connection, campaign_id, POOL, len(fresh))
    for prize_id in sorted(per_prize):
        add_given(connection, campaign_id, prize_id, per_prize[prize_id])
    SqlBudgets(connection).add({budget_line(campaign_id): sum(d.value for d in fresh)})
