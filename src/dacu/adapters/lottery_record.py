"""A draw the Redis script made, written to SQL in its request: the draw row, not yet
counted (`lottery_fold.py` counts it), and the customer's chance used — both or neither.

On PostgreSQL that is one statement, committed on its own: it locks the customer's
chance row while a chance is left, inserts the draw under its key unless the key holds
one, and uses the chance only if the draw went in. One round trip, no transaction to
open and close, and nothing of the campaign's touched, so the draws of a campaign do
not queue behind each other. Elsewhere (SQLite) it is the same two steps in a
transaction.
"""

from enum import StrEnum

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

from dacu.adapters.lottery_store import DrawRaced, record_draw, use_chance
from dacu.adapters.tables import lottery_draws
from dacu.domain.lottery import DrawTicket, Prize, recorded_status


class Written(StrEnum):
    DRAWN = "drawn"  # the draw row and the chance, both
    NO_CHANCE = "no_chance"  # the book has no chance left: nothing written
    RACED = "raced"  # the key holds a draw already: nothing written


# The chance row is locked (and its `used < granted` checked again on its newest
# version) before the insert, and the update reads the insert's RETURNING: the chance
# is used exactly when the draw went in, by a customer holding the row to the end.
_ONE_STATEMENT = text(
    """
    WITH chance AS (
        SELECT 1 FROM lottery_chances
        WHERE campaign_id = :campaign_id AND customer_id = :customer_id AND used < granted
        FOR UPDATE
    ), drawn AS (
        INSERT INTO lottery_draws
            (id, campaign_id, customer_id, key, prize_id, value, roll, status, reference,
             at, counted)
        SELECT :id, :campaign_id, :customer_id, :key, :prize_id, :value, :roll, :status, '',
               :at, false
        WHERE EXISTS (SELECT 1 FROM chance)
        ON CONFLICT DO NOTHING
        RETURNING 1
    ), used AS (
        UPDATE lottery_chances SET used = used + 1
        WHERE campaign_id = :campaign_id AND customer_id = :customer_id AND used < granted
          AND EXISTS (SELECT 1 FROM drawn)
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM chance), EXISTS (SELECT 1 FROM drawn),
           EXISTS (SELECT 1 FROM used)
    """
).bindparams(bindparam("at", type_=lottery_draws.c.at.type))


def write_uncounted(engine: Engine, ticket: DrawTicket, prize: Prize) -> Written:
    """Write the draw `ticket` names (its id and roll the script's) and use its chance."""
    if engine.dialect.name != "postgresql":
        return _in_a_transaction(engine, ticket, prize)
    values = {
        "id": ticket.draw_id,
        "campaign_id": ticket.campaign_id,
        "customer_id": ticket.customer_id,
        "key": ticket.key,
        "prize_id": prize.id,
        "value": prize.value,
        "roll": ticket.roll,
        "status": recorded_status(prize, ticket.status),
        "at": ticket.at,
    }
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        chance, drawn, used = connection.execute(_ONE_STATEMENT, values).one()
    if not chance:
        return Written.NO_CHANCE
    if not drawn:
        return Written.RACED
    if not used:  # the row was held from the check to the update: cannot happen
        raise AssertionError("a draw was written without its chance")
    return Written.DRAWN


def _in_a_transaction(engine: Engine, ticket: DrawTicket, prize: Prize) -> Written:
    try:
        with engine.begin() as connection:
            record_draw(connection, ticket, prize, counted=False)
            if not use_chance(connection, ticket.campaign_id, ticket.customer_id):
                raise _NoChanceLeft
    except DrawRaced:
        return Written.RACED
    except _NoChanceLeft:
        return Written.NO_CHANCE
    return Written.DRAWN


class _NoChanceLeft(Exception):
    """Rolls the draw back: the book had no chance left."""
