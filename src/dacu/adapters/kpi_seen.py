"""Who has been counted in which distinct scope, and in which cell (`kpi_seen`).

Each person counts once per scope, in the cell of their earliest event. A person
already counted moves to an earlier cell when an earlier event of theirs
arrives late (a phone that sends its batch after coming online): on PostgreSQL
one statement finds and locks just the rows an event of the batch is earlier
than (re-checked against a writer that moved them meanwhile), and one more
moves them all. Scopes are stored as the codes of `dacu.adapters.kpi_scopes`.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, text, tuple_, update
from sqlalchemy.engine import Connection

from dacu.adapters.kpi_scopes import code_of, counter_of
from dacu.adapters.sql import bulk_upsert
from dacu.adapters.tables import kpi_seen
from dacu.domain.events import Channel, Event, Segment, hour_of
from dacu.domain.kpis import Figures, Fold

_SEEN_KEY = ["campaign_id", "scope", "customer_id"]
_CHUNK = 400  # keys per statement on SQLite: well inside its bound-parameter limit
_LATER_STORED = """
SELECT s.campaign_id, s.scope, s.customer_id, s.at, s.channel, s.segment
FROM kpi_seen AS s
JOIN unnest(CAST(:campaigns AS varchar[]), CAST(:scopes AS integer[]),
            CAST(:people AS varchar[]), CAST(:ats AS timestamptz[]))
     AS u(campaign_id, scope, customer_id, at)
  ON s.campaign_id = u.campaign_id AND s.scope = u.scope AND s.customer_id = u.customer_id
WHERE u.at < s.at
ORDER BY s.campaign_id, s.scope, s.customer_id
FOR UPDATE OF s"""
_MOVE = (
    update(kpi_seen)
    .where(
        kpi_seen.c.campaign_id == bindparam("k_campaign"),
        kpi_seen.c.scope == bindparam("k_scope"),
        kpi_seen.c.customer_id == bindparam("k_customer"),
    )
    .values(at=bindparam("at"), channel=bindparam("channel"), segment=bindparam("segment"))
)

Key = tuple[str, int, str]  # campaign, scope code, customer
Firsts = dict[Key, Event]


def count_firsts(connection: Connection, folded: Fold, in_order: bool) -> None:
    """Count each person once per scope, in the cell of their earliest event.

    A person already counted is moved to an earlier cell when an earlier event
    of theirs arrives late (a phone that sends its batch after coming online);
    `in_order` says no event can be earlier than those stored (a replay).
    """
    firsts = {(c, code_of(scope), who): e for (c, scope, who), e in folded.firsts.items()}
    keys = sorted(firsts)
    taken: set[Key] = set()
    made = bulk_upsert(
        connection,
        kpi_seen,
        [_seen_row(key, firsts[key]) for key in keys],
        key=_SEEN_KEY,
        returning=_SEEN_KEY,
    )
    if made:
        for campaign_id, scope, customer_id in made:
            key = (campaign_id, scope, customer_id)
            taken.add(key)
            _bump(folded.cell(firsts[key]), counter_of(scope), 1)
    if in_order:
        return
    later = [key for key in keys if key not in taken]
    if later:
        _move_earlier(connection, folded, firsts, _stored_later(connection, firsts, later))


def _stored_later(connection: Connection, firsts: Firsts, keys: list[Key]) -> list[Any]:
    """The stored rows of `keys` that an event of the batch is earlier than, locked."""
    if connection.dialect.name == "postgresql":
        params = {
            "campaigns": [key[0] for key in keys],
            "scopes": [key[1] for key in keys],
            "people": [key[2] for key in keys],
            "ats": [firsts[key].at for key in keys],
        }
        return list(connection.execute(text(_LATER_STORED), params))
    columns = (kpi_seen.c.campaign_id, kpi_seen.c.scope, kpi_seen.c.customer_id)
    found = []
    for part in (keys[at : at + _CHUNK] for at in range(0, len(keys), _CHUNK)):
        query = select(kpi_seen).where(tuple_(*columns).in_(list(part))).order_by(*columns)
        found += [
            row
            for row in connection.execute(query.with_for_update())
            if firsts[(row.campaign_id, row.scope, row.customer_id)].at < row.at
        ]
    return found


def _move_earlier(
    connection: Connection, folded: Fold, firsts: Firsts, stored: Sequence[Any]
) -> None:
    """Move each person to the cell of their earlier event, in one statement."""
    moves = []
    for row in stored:
        key = (row.campaign_id, row.scope, row.customer_id)
        event = firsts[key]
        moves.append(
            {"k_campaign": key[0], "k_scope": key[1], "k_customer": key[2], "at": event.at,
             "channel": event.channel.value, "segment": event.segment.value}
        )  # fmt: skip
        counter = counter_of(row.scope)
        was = (row.campaign_id, hour_of(row.at), Channel(row.channel), Segment(row.segment))
        _bump(folded.cells.setdefault(was, Figures()), counter, -1)
        _bump(folded.cell(event), counter, 1)
    if moves:
        connection.execute(_MOVE, moves)


def _seen_row(key: Key, event: Event) -> dict[str, Any]:
    campaign_id, scope, customer_id = key
    return {
        "campaign_id": campaign_id,
        "scope": scope,
        "customer_id": customer_id,
        "at": event.at,
        "channel": event.channel.value,
        "segment": event.segment.value,
    }


def _bump(figures: Figures, counter: str, by: int) -> None:
    setattr(figures, counter, getattr(figures, counter) + by)
