"""SQL storage of the risk rules: applied versions and the blacklist (each change
audited, each bumping a change number the processes poll)."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from dacu.adapters import audit
from dacu.adapters.tables.risk_rules import (
    risk_blacklist,
    risk_change_numbers,
    risk_rule_versions,
)
from dacu.domain.errors import ConcurrentChange
from dacu.domain.risk_lists import ListEntry, RuleVersion
from dacu.domain.risk_rules import ListKind

RULES, BLACKLIST = "rules", "blacklist"
T = TypeVar("T")


def change_number(connection: Connection, name: str) -> int:
    found = connection.execute(
        select(risk_change_numbers.c.value).where(risk_change_numbers.c.name == name)
    ).scalar()
    return int(found or 0)


def set_number(connection: Connection, name: str, value: int | None) -> int:
    """Set the change number (`None`: one more); the value after."""
    table = risk_change_numbers
    new = table.c.value + 1 if value is None else value
    done = connection.execute(update(table).where(table.c.name == name).values(value=new))
    if done.rowcount == 0:
        try:
            with connection.begin_nested():
                first = 1 if value is None else value
                connection.execute(insert(table).values(name=name, value=first))
        except IntegrityError:  # another's first change came first: count after it
            connection.execute(update(table).where(table.c.name == name).values(value=new))
    return change_number(connection, name)


class SqlRuleVersions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def active_version(self) -> int:
        with self._engine.connect() as connection:
            return change_number(connection, RULES)

    def active(self) -> RuleVersion | None:
        with self._engine.connect() as connection:
            version = change_number(connection, RULES)
            row = connection.execute(
                select(risk_rule_versions).where(risk_rule_versions.c.version == version)
            ).first()
        return None if row is None else _version(row._mapping, True)

    def apply(self, document: Any, by: str, at: datetime) -> RuleVersion:
        table = risk_rule_versions
        try:
            with self._engine.begin() as connection:
                before = change_number(connection, RULES)
                last = connection.execute(select(func.max(table.c.version))).scalar()
                version = int(last or 0) + 1
                connection.execute(
                    insert(table).values(version=version, document=document, by=by, at=at)
                )
                set_number(connection, RULES, version)
                audit.record(
                    connection, actor=by, action="risk.rules.apply", subject="risk:rules",
                    before={"version": before}, after={"version": version}, at=at,
                )  # fmt: skip
        except DBAPIError:  # a version number taken meanwhile, or a database too busy
            raise ConcurrentChange("the rules were applied meanwhile; apply again") from None
        return RuleVersion(version, document, by, at, True)

    def history(self, limit: int = 50) -> list[RuleVersion]:
        table = risk_rule_versions
        with self._engine.connect() as connection:
            active = change_number(connection, RULES)
            rows = connection.execute(
                select(table).order_by(table.c.version.desc()).limit(limit)
            ).all()
        return [_version(row._mapping, row.version == active) for row in rows]


def _version(row: Any, active: bool) -> RuleVersion:
    return RuleVersion(row["version"], row["document"], row["by"], row["at"], active)


class SqlBlacklist:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, entry: ListEntry) -> ListEntry:
        return _written(lambda: self._add(entry))

    def remove(self, kind: ListKind, value: str, by: str, at: datetime) -> bool:
        return _written(lambda: self._remove(kind, value, by, at))

    def _add(self, entry: ListEntry) -> ListEntry:
        table = risk_blacklist
        values = {
            "reason": entry.reason,
            "by": entry.by,
            "at": entry.at,
            "expires_at": entry.expires_at,
        }
        where = (table.c.kind == entry.kind.value) & (table.c.value == entry.value)
        with self._engine.begin() as connection:
            before = connection.execute(select(table).where(where)).first()
            if before is None:
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(table).values(kind=entry.kind.value, value=entry.value, **values)
                        )
                except IntegrityError:  # listed meanwhile: replace it
                    connection.execute(update(table).where(where).values(**values))
            else:
                connection.execute(update(table).where(where).values(**values))
            set_number(connection, BLACKLIST, None)
            audit.record(
                connection, actor=entry.by, action="risk.blacklist.add",
                subject=f"risk:blacklist:{entry.kind.value}:{entry.value}",
                before=None if before is None else _plain(_entry(before._mapping)),
                after=_plain(entry), at=entry.at,
            )  # fmt: skip
        return entry

    def _remove(self, kind: ListKind, value: str, by: str, at: datetime) -> bool:
        table = risk_blacklist
        where = (table.c.kind == kind.value) & (table.c.value == value)
        with self._engine.begin() as connection:
            before = connection.execute(select(table).where(where)).first()
            if before is None:
                return False
            connection.execute(delete(table).where(where))
            set_number(connection, BLACKLIST, None)
            audit.record(
                connection, actor=by, action="risk.blacklist.remove",
                subject=f"risk:blacklist:{kind.value}:{value}",
                before=_plain(_entry(before._mapping)), after=None, at=at,
            )  # fmt: skip
        return True

    def entries(self, kind: ListKind | None = None, limit: int = 500) -> list[ListEntry]:
        table = risk_blacklist
        query = select(table).order_by(table.c.at.desc(), table.c.kind, table.c.value)
        if kind is not None:
            query = query.where(table.c.kind == kind.value)
        with self._engine.connect() as connection:
            rows = connection.execute(query.limit(limit)).all()
        return [_entry(row._mapping) for row in rows]

    def version(self) -> int:
        with self._engine.connect() as connection:
            return change_number(connection, BLACKLIST)


def _written(work: Callable[[], T]) -> T:
    """A write; a database too busy (or a race lost twice) is ConcurrentChange."""
    try:
        return work()
    except DBAPIError:
        raise ConcurrentChange("the blacklist changed meanwhile; try again") from None


def _entry(row: Any) -> ListEntry:
    kind = ListKind(row["kind"])
    return ListEntry(kind, row["value"], row["reason"], row["by"], row["at"], row["expires_at"])


def _plain(entry: ListEntry) -> dict[str, Any]:
    found = asdict(entry)
    found["kind"] = entry.kind.value
    found["at"] = entry.at.isoformat()
    found["expires_at"] = entry.expires_at.isoformat() if entry.expires_at else None
    return found
