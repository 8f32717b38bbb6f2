"""The union-find behind identity links, in SQL: parent pointers, with a cluster's size
and first sighting kept at its root.

Two links that merge clusters at once lock the roots they merge in one order (by id,
`SELECT … FOR UPDATE`) and check each is still a root once locked; one that finds a
root moved on starts again. Links of one identifier are serialised by its
`risk_values` row, which each new account updates (and takes the first account seen
with it, the anchor, from), so all accounts seen with a merging identifier are always
in one cluster: tying the newcomer to the anchor's cluster is enough, however many
share it. On SQLite a link's first statement is a write, which takes the database's
single write lock for the whole link.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection

from dacu.adapters.tables import risk_nodes
from dacu.services.ports.risk_links import Cluster

MAX_DEPTH = 64  # union by size keeps paths to log2(accounts); this is a guard

_UP = text(
    "WITH RECURSIVE up(id, parent, depth) AS ("
    " SELECT customer_id, parent, 0 FROM risk_nodes WHERE customer_id = :c"
    " UNION ALL"
    " SELECT n.customer_id, n.parent, up.depth + 1 FROM risk_nodes n"
    " JOIN up ON n.customer_id = up.parent"
    " WHERE up.id <> up.parent AND up.depth < :depth)"
    " SELECT id, parent FROM up ORDER BY depth"
)

_DOWN = text(
    "WITH RECURSIVE down(id) AS ("
    " SELECT customer_id FROM risk_nodes WHERE customer_id = :root"
    " UNION ALL"
    " SELECT n.customer_id FROM risk_nodes n JOIN down ON n.parent = down.id"
    " WHERE n.customer_id <> n.parent)"
    " SELECT id FROM down WHERE id > :after ORDER BY id LIMIT :limit"
)


class RootMoved(Exception):
    """A root read without a lock was merged away before it could be locked."""


@dataclass(frozen=True, slots=True)
class Path:
    nodes: list[tuple[str, str]]  # (account, its parent) from the account up to its root

    @property
    def root(self) -> str:
        return self.nodes[-1][0]


def path_up(connection: Connection, customer_id: str) -> Path | None:
    """The account's path to its root; None for an account never seen."""
    rows = connection.execute(_UP, {"c": customer_id, "depth": MAX_DEPTH}).all()
    if not rows:
        return None
    return Path([(row.id, row.parent) for row in rows])


def members_below(connection: Connection, root: str, after: str, limit: int) -> list[str]:
    found = connection.execute(_DOWN, {"root": root, "after": after, "limit": limit})
    return [row.id for row in found]


def cluster_at(connection: Connection, root: str) -> Cluster:
    row = connection.execute(
        select(risk_nodes.c.size, risk_nodes.c.first_seen).where(risk_nodes.c.customer_id == root)
    ).one()
    return Cluster(root, row.size, row.first_seen)


def union(connection: Connection, paths: list[Path]) -> tuple[str, list[str]]:
    """Merge the clusters at the ends of `paths`; the root they share after it and the
    roots merged into it. The
    smaller clusters go under the largest (by size, then the least id); every account
    on the paths is pointed straight at the root (path compression)."""
    roots = sorted({path.root for path in paths})
    winner = roots[0] if len(roots) == 1 else _merge(connection, roots)
    moved = {root for root in roots if root != winner}
    stale = sorted(
        {
            node
            for path in paths
            for node, parent in path.nodes
            if node != winner and node not in moved and parent != winner
        }
    )
    for node in stale:  # one row at a time, in order: two links never lock crosswise
        connection.execute(
            update(risk_nodes)
            .where(risk_nodes.c.customer_id == node, risk_nodes.c.parent != winner)
            .values(parent=winner)
        )
    return winner, sorted(moved)


def _merge(connection: Connection, roots: list[str]) -> str:
    locked = []
    for root in roots:  # in id order: links merging the same clusters never deadlock
        row = connection.execute(
            select(risk_nodes).where(risk_nodes.c.customer_id == root).with_for_update()
        ).one()
        if row.parent != root:
            raise RootMoved(root)
        locked.append(row)
    winner = min(locked, key=lambda row: (-row.size, row.customer_id))
    size = sum(row.size for row in locked)
    first: datetime = min(row.first_seen for row in locked)
    connection.execute(
        update(risk_nodes)
        .where(risk_nodes.c.customer_id == winner.customer_id)
        .values(size=size, first_seen=first)
    )
    losers = [row.customer_id for row in locked if row.customer_id != winner.customer_id]
    connection.execute(
        update(risk_nodes)
        .where(risk_nodes.c.customer_id.in_(losers))
        .values(parent=winner.customer_id)
    )
    return str(winner.customer_id)
