"""The risk wiring's deeds and the orders' delivery addresses in SQL (`RiskDeeds`)."""

from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from dacu.adapters.tables import order_addresses, risk_deeds
from dacu.domain.risk import Action, Identity, Verdict
from dacu.domain.risk_deeds import Deed, DeedStatus, DeliveryAddress


class SqlRiskDeeds:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def keep(self, deed: Deed) -> bool:
        row = {
            "subject": deed.subject,
            "action": deed.action.value,
            "customer_id": deed.customer_id,
            "verdict": deed.verdict.value,
            "reason": deed.reason[:64],
            "identity": asdict(deed.identity),
            "detail": dict(deed.detail),
            "status": deed.status.value,
            "at": deed.at,
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(risk_deeds).values(**row))
        except IntegrityError:
            return False
        return True

    def find(self, subject: str) -> Deed | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(risk_deeds).where(risk_deeds.c.subject == subject)
            ).first()
        return None if row is None else _deed(row)

    def move(self, subject: str, was: DeedStatus, to: DeedStatus) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(risk_deeds)
                .where(risk_deeds.c.subject == subject, risk_deeds.c.status == was.value)
                .values(status=to.value)
            )
        return moved.rowcount == 1

    def held(self, action: Action, limit: int = 100) -> list[Deed]:
        query = (
            select(risk_deeds)
            .where(
                risk_deeds.c.action == action.value,
                risk_deeds.c.status == DeedStatus.HELD.value,
            )
            .order_by(risk_deeds.c.at, risk_deeds.c.subject)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_deed(row) for row in connection.execute(query)]

    def keep_address(self, order_id: str, address: DeliveryAddress) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(order_addresses).values(order_id=order_id, **asdict(address))
                )
        except IntegrityError:
            pass  # a retry of the same checkout: the first address stands

    def address(self, order_id: str) -> DeliveryAddress | None:
        table = order_addresses
        with self._engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.order_id == order_id)).first()
        if row is None:
            return None
        return DeliveryAddress(row.receiver, row.phone, row.region, row.detail)


def _deed(row: Any) -> Deed:
    who: dict[str, str] = dict(row.identity or {})
    return Deed(
        row.subject,
        Action(row.action),
        row.customer_id,
        Verdict(row.verdict),
        row.reason,
        row.at,
        Identity(**{k: str(v) for k, v in who.items() if k in Identity.__slots__}),
        {str(k): str(v) for k, v in dict(row.detail or {}).items()},
        DeedStatus(row.status),
    )
