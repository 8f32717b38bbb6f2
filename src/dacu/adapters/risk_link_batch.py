"""Sightings of accounts with identifiers, written many in one transaction: a few set
statements for the whole batch (`risk_nodes`, `risk_links`, `risk_values`, in key
order, so two batches never lock rows crosswise), then a union (`adapters/risk_union.py`)
only for an account tied to an identifier it was not seen with before, and the batch's
clusters read back in one statement.

An identifier new to an account adds it to the identifier's account count and ties it
to the identifier's anchor (the first account seen with it); an identifier seen with
the account before only counts the sighting (times, first and last seen).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, select, text
from sqlalchemy.engine import Connection

from dacu.adapters.risk_union import MAX_DEPTH, path_up, union
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import risk_links, risk_nodes, risk_values
from dacu.domain.risk import LinkKind
from dacu.services.ports.risk_links import Cluster

Seen = tuple[tuple[LinkKind, str], ...]  # (kind, stored value), sorted


@dataclass(frozen=True, slots=True)
class Sighting:
    customer_id: str
    seen: Seen
    at: datetime


_ROOTS = text(
    "WITH RECURSIVE up(start, id, parent, depth) AS ("
    " SELECT customer_id, customer_id, parent, 0 FROM risk_nodes WHERE customer_id IN :starts"
    " UNION ALL"
    " SELECT up.start, n.customer_id, n.parent, up.depth + 1 FROM risk_nodes n"
    " JOIN up ON n.customer_id = up.parent"
    " WHERE up.id <> up.parent AND up.depth < :depth)"
    " SELECT start, id FROM up WHERE id = parent"
).bindparams(bindparam("starts", expanding=True))


def write(
    connection: Connection, batch: Sequence[Sighting], merging: frozenset[LinkKind]
) -> tuple[dict[str, Cluster], list[str]]:
    """Write the batch; each account's cluster after it, and the roots merged away."""
    _nodes(connection, batch)
    new = _links(connection, batch)
    anchors = _values(connection, batch, new)
    ties: dict[str, set[str]] = defaultdict(set)
    for kind, value, customer in new:
        if kind in merging and (anchor := anchors[(kind, value)]) != customer:
            ties[customer].add(anchor)
    moved: list[str] = []
    for customer in sorted(ties):
        paths = [path_up(connection, c) for c in [customer, *sorted(ties[customer])]]
        moved += union(connection, [path for path in paths if path is not None])[1]
    return clusters_of(connection, sorted({s.customer_id for s in batch})), moved


def _nodes(connection: Connection, batch: Sequence[Sighting]) -> None:
    first: dict[str, datetime] = {}
    for s in batch:
        first[s.customer_id] = min(s.at, first.get(s.customer_id, s.at))
    rows = [
        {"customer_id": c, "parent": c, "size": 1, "first_seen": first[c]} for c in sorted(first)
    ]
    connection.execute(insert_for(connection, risk_nodes).on_conflict_do_nothing(), rows)


def _links(connection: Connection, batch: Sequence[Sighting]) -> set[tuple[LinkKind, str, str]]:
    """Count every sighting; the (kind, value, account) links that are new."""
    seen: dict[tuple[str, str, str], list[Any]] = {}
    for s in batch:
        for kind, value in s.seen:
            key = (kind.value, value, s.customer_id)
            kept = seen.setdefault(key, [s.at, s.at, 0])
            kept[0], kept[1], kept[2] = min(kept[0], s.at), max(kept[1], s.at), kept[2] + 1
    if not seen:
        return set()
    rows = [
        {"kind": k, "value": v, "customer_id": c, "first_seen": f, "last_seen": la, "times": n}
        for (k, v, c), (f, la, n) in sorted(seen.items())
    ]
    link = insert_for(connection, risk_links)
    later = case(
        (link.excluded.last_seen > risk_links.c.last_seen, link.excluded.last_seen),
        else_=risk_links.c.last_seen,
    )
    earlier = case(
        (link.excluded.first_seen < risk_links.c.first_seen, link.excluded.first_seen),
        else_=risk_links.c.first_seen,
    )
    link = link.on_conflict_do_update(
        index_elements=[risk_links.c.kind, risk_links.c.value, risk_links.c.customer_id],
        set_={
            "times": risk_links.c.times + link.excluded.times,
            "last_seen": later,
            "first_seen": earlier,
        },
    ).returning(risk_links.c.kind, risk_links.c.value, risk_links.c.customer_id, risk_links.c.times)
    found = connection.execute(link, rows).all()
    # a row inserted now holds only this batch's count; one seen before holds more
    return {
        (LinkKind(r.kind), r.value, r.customer_id)
        for r in found
        if r.times == seen[(r.kind, r.value, r.customer_id)][2]
    }


def _values(
    connection: Connection, batch: Sequence[Sighting], new: set[tuple[LinkKind, str, str]]
) -> dict[tuple[LinkKind, str], str]:
    """Count the accounts new to each identifier; each identifier's anchor."""
    if not new:
        return {}
    at = {s.customer_id: s.at for s in batch}
    fresh: dict[tuple[str, str], list[Any]] = {}
    for kind, value, customer in sorted(new):
        kept = fresh.setdefault((kind.value, value), [customer, at[customer], 0])
        kept[1], kept[2] = min(kept[1], at[customer]), kept[2] + 1
    rows = [
        {"kind": k, "value": v, "anchor": a, "accounts": n, "first_seen": f}
        for (k, v), (a, f, n) in sorted(fresh.items())
    ]
    shared = insert_for(connection, risk_values)
    shared = shared.on_conflict_do_update(
        index_elements=[risk_values.c.kind, risk_values.c.value],
        set_={"accounts": risk_values.c.accounts + shared.excluded.accounts},
    ).returning(risk_values.c.kind, risk_values.c.value, risk_values.c.anchor)
    return {(LinkKind(r.kind), r.value): r.anchor for r in connection.execute(shared, rows)}


def clusters_of(connection: Connection, customers: Sequence[str]) -> dict[str, Cluster]:
    """Each account's cluster (accounts never seen left out), in two statements."""
    if not customers:
        return {}
    found = connection.execute(_ROOTS, {"starts": list(customers), "depth": MAX_DEPTH})
    roots = {row.start: row.id for row in found}
    if not roots:
        return {}
    rows = connection.execute(
        select(risk_nodes.c.customer_id, risk_nodes.c.size, risk_nodes.c.first_seen).where(
            risk_nodes.c.customer_id.in_(sorted(set(roots.values())))
        )
    )
    at_root = {row.customer_id: Cluster(row.customer_id, row.size, row.first_seen) for row in rows}
    return {c: at_root[root] for c, root in roots.items() if root in at_root}
