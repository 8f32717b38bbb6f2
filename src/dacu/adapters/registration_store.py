"""Codes and customers for signing in by phone, in SQL.

Each phone has one code row: a new code replaces it only when the last was sent
a minute ago or more (one conditional upsert), and every code asked for is
counted per phone and per address in fixed windows (`count_up_to`), all in one
transaction, so the limits hold however many API processes ask at once. A try
counts itself with a conditional UPDATE, so a code is never tried more than
`max_tries` times, even by tries sent together.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record
from dacu.adapters.outbox_store import SqlOutbox
from dacu.adapters.sql import count_up_to, insert_for
from dacu.adapters.tables import code_requests, customers, verification_codes
from dacu.domain.facts import registered
from dacu.domain.registration import RESEND, Limit, PendingCode, Profile, UnknownCustomer


class _Refused(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class SqlVerificationCodes:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def issue(
        self, code: PendingCode, not_sent_after: datetime, counted: Sequence[tuple[Limit, str]]
    ) -> str | None:
        try:
            with self._engine.begin() as connection:
                if not _replace(connection, code, not_sent_after):
                    raise _Refused(RESEND)
                for limit, holder in counted:
                    key = {
                        "rule": limit.name,
                        "holder": holder,
                        "window_no": limit.window(code.sent_at),
                    }
                    if not count_up_to(connection, code_requests, key, "asked", 1, limit.most):
                        raise _Refused(limit.name)  # rolls back the code and the counts
        except _Refused as refusal:
            return refusal.name
        return None

    def try_code(self, phone: str, now: datetime, max_tries: int) -> str | None:
        codes = verification_codes.c
        with self._engine.begin() as connection:
            found = connection.execute(
                update(verification_codes)
                .where(codes.phone == phone, codes.tries < max_tries, codes.expires_at > now)
                .values(tries=codes.tries + 1)
                .returning(codes.code_hash)
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def use(self, phone: str, digest: str, now: datetime) -> bool:
        codes = verification_codes.c
        with self._engine.begin() as connection:
            used = connection.execute(
                update(verification_codes)
                .where(codes.phone == phone, codes.code_hash == digest, codes.expires_at > now)
                .values(expires_at=codes.sent_at)  # kept: it still spaces the next code
            )
        return used.rowcount == 1

    def prune(self, before: datetime, windows: Sequence[tuple[Limit, int]]) -> int:
        rows = code_requests.c
        with self._engine.begin() as connection:
            gone = connection.execute(
                delete(verification_codes).where(verification_codes.c.sent_at < before)
            ).rowcount
            for limit, current in windows:
                gone += connection.execute(
                    delete(code_requests).where(rows.rule == limit.name, rows.window_no < current)
                ).rowcount
        return gone


def _replace(connection: Connection, code: PendingCode, not_sent_after: datetime) -> bool:
    row = {
        "phone": code.phone,
        "code_hash": code.digest,
        "sent_at": code.sent_at,
        "expires_at": code.expires_at,
        "tries": 0,
    }
    upsert = (
        insert_for(connection, verification_codes)
        .values(**row)
        .on_conflict_do_update(
            index_elements=[verification_codes.c.phone],
            set_={name: value for name, value in row.items() if name != "phone"},
            where=verification_codes.c.sent_at <= not_sent_after,
        )
        .returning(verification_codes.c.phone)
    )
    return connection.execute(upsert).first() is not None


class SqlCustomerRegistry:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def register(self, phone: str, new_id: str, now: datetime) -> tuple[str, bool]:
        with self._engine.begin() as connection:
            created = connection.execute(
                insert_for(connection, customers)
                .values(id=new_id, phone=phone, phone_verified=True, registered_at=now)
                .on_conflict_do_nothing()  # the phone is someone's already (or was just now)
                .returning(customers.c.id)
            ).scalar_one_or_none()
            if created is not None:
                SqlOutbox(connection).add(registered(new_id, now))  # 注册, for the KPIs
                return str(created), True
            found = connection.execute(
                update(customers)
                .where(customers.c.phone == phone)
                .values(phone_verified=True)
                .returning(customers.c.id)
            ).scalar_one()
        return str(found), False

    def profile(self, customer_id: str) -> Profile | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(customers).where(customers.c.id == customer_id)
            ).one_or_none()
        return None if row is None else _profile(row._mapping)

    def set_tier(self, customer_id: str, tier: str | None, actor: str, now: datetime) -> Profile:
        with self._engine.begin() as connection:
            row = connection.execute(
                select(customers).where(customers.c.id == customer_id).with_for_update()
            ).one_or_none()
            if row is None:
                raise UnknownCustomer(customer_id)
            connection.execute(
                update(customers).where(customers.c.id == customer_id).values(member_tier=tier)
            )
            record(
                connection,
                actor=actor,
                action="customer.tier",
                subject=f"customer:{customer_id}",
                before={"member_tier": row.member_tier},
                after={"member_tier": tier},
                at=now,
            )
        return _profile({**row._mapping, "member_tier": tier})


def _profile(row: Any) -> Profile:
    return Profile(
        row["id"],
        row["phone"],
        bool(row["phone_verified"]),
        row["member_tier"],
        row["registered_at"],
    )
