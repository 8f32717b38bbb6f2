"""The lottery's per-campaign counters and the fold that keeps them behind the Redis draws.

The counters are each prize's draws and every draw of the campaign (`lottery_given`,
prize "*": the pool row) and the budget line (`budget_draws`, `line_id(campaign,
"lottery")`). The SQL draw adds to them in its own transaction. A draw the Redis
script made is written in its request without them — the draw row with `counted`
false and the customer's chance, rows of that customer alone — so the draws of one
campaign no longer queue on its few counter rows. The fold then takes a batch of
uncounted draws, sets `counted` and adds them to the counters in one transaction: a
crash before its commit leaves them uncounted, after it counted, never twice.

Whoever decides by the figures (the Redis rebuild, the SQL draw, the lottery page)
reads them with `pool_figures`: the counters plus the draws not yet counted, in one
statement (one snapshot), so a fold behind, stopped or half done never makes a figure
low and a Redis rebuilt from it never gives past a stock or the line.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    ColumnClause,
    Engine,
    String,
    cast,
    func,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.sql import count_up_to
from dacu.adapters.tables import budget_draws, lottery_draws, lottery_given
from dacu.domain.growth import line_id
from dacu.domain.types import Fen

UNLIMITED = 1 << 62
POOL = "*"  # the pool row of `lottery_given`: every draw of the campaign
FOLD_BATCH = 2_000  # draws folded per transaction


@dataclass(frozen=True, slots=True)
class PoolFigures:
    """A campaign's lottery as its draws so far make it."""

    given: dict[str, int]  # each prize's draws; POOL: every draw
    drawn: Fen  # the budget line drawn (net of what was released)
    behind: int  # draws among them not yet folded into the counters


def budget_line(campaign_id: str) -> str:
    return line_id(campaign_id, "lottery")


def add_given(connection: Connection, campaign_id: str, prize_id: str, count: int) -> None:
    key = {"campaign_id": campaign_id, "prize_id": prize_id}
    count_up_to(connection, lottery_given, key, "given", count, UNLIMITED)


def _tag(word: str) -> ColumnClause[str]:
    return literal_column(f"'{word}'", String())


def pool_figures(connection: Connection, campaign_id: str) -> PoolFigures:
    """The counters plus the draws not yet folded, read in one statement."""
    g, d, b = lottery_given.c, lottery_draws.c, budget_draws.c
    big, zero = BigInteger(), literal_column("0", BigInteger())
    counters = select(
        _tag("c").label("kind"), g.prize_id.label("prize"), cast(g.given, big), zero
    ).where(g.campaign_id == campaign_id)
    behind = (
        select(_tag("u"), d.prize_id, cast(func.count(), big), cast(func.sum(d.value), big))
        .where(d.campaign_id == campaign_id, ~d.counted)
        .group_by(d.prize_id)
    )
    line = select(_tag("b"), _tag(""), cast(b.drawn - b.released, big), zero).where(
        b.campaign_id == budget_line(campaign_id)
    )
    given: Counter[str] = Counter()
    drawn = uncounted = 0
    for kind, prize, count, value in connection.execute(union_all(counters, behind, line)):
        if kind == "b":
            drawn += int(count)
            continue
        given[prize] += int(count)
        if kind == "u":
            given[POOL] += int(count)
            drawn += int(value or 0)
            uncounted += int(count)
    return PoolFigures(dict(given), drawn, uncounted)


def fold(connection: Connection, campaign_id: str, limit: int = FOLD_BATCH) -> int:
    """Count up to `limit` of the campaign's draws not yet counted into its counters, in
    the caller's transaction; how many. Draws another fold holds are skipped (PostgreSQL
    locks the rows it takes; SQLite has one writer at a time)."""
    d = lottery_draws.c
    taken = (
        select(d.id)
        .where(d.campaign_id == campaign_id, ~d.counted)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = connection.execute(
        update(lottery_draws)
        .where(d.id.in_(taken.scalar_subquery()), ~d.counted)
        .values(counted=True)
        .returning(d.prize_id, d.value)
    ).all()
    if not rows:
        return 0
    per_prize = Counter(prize for prize, _ in rows)
    # the pool row first, as the SQL draw takes it: one order of locks for all
    add_given(connection, campaign_id, POOL, len(rows))
    for prize_id in sorted(per_prize):
        add_given(connection, campaign_id, prize_id, per_prize[prize_id])
    SqlBudgets(connection).add({budget_line(campaign_id): sum(int(v) for _, v in rows)})
    return len(rows)


def campaigns_behind(connection: Connection) -> list[str]:
    d = lottery_draws.c
    rows = connection.execute(select(d.campaign_id).where(~d.counted).distinct())
    return sorted(row[0] for row in rows)


def fold_all(engine: Engine, batch: int = FOLD_BATCH) -> int:
    """Fold every draw not yet counted, a transaction per batch; how many."""
    with engine.connect() as connection:
        campaigns = campaigns_behind(connection)
    done = 0
    for campaign_id in campaigns:
        while True:
            with engine.begin() as connection:
                folded = fold(connection, campaign_id, batch)
            done += folded
            if folded < batch:
                break
    return done
