"""Messages to shoppers in the app: 缺货提醒 subscriptions, the reminders, the inbox.

A reminder is marked told with a conditional UPDATE before its message is
written, so several workers reminding side by side tell each subscriber once.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from dacu.adapters.sql import insert_for
from dacu.adapters.tables import flash_reminders, notifications
from dacu.domain.flashsale import FlashSale


class SqlNotifications:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def subscribe(self, sale_id: str, user_id: str, now: datetime) -> None:
        """Ask to be told when stock returns; asking again renews a used reminder."""
        with self._engine.begin() as connection:
            connection.execute(
                insert_for(connection, flash_reminders)
                .values(sale_id=sale_id, user_id=user_id, subscribed_at=now)
                .on_conflict_do_update(
                    index_elements=[flash_reminders.c.sale_id, flash_reminders.c.user_id],
                    set_={"subscribed_at": now, "notified_at": None},
                    where=flash_reminders.c.notified_at.is_not(None),
                )
            )

    def remind(self, sale: FlashSale, message: str, now: datetime) -> int:
        """Tell every waiting subscriber, once each; returns how many were told."""
        told = 0
        with self._engine.begin() as connection:
            waiting = connection.execute(
                select(flash_reminders.c.user_id, flash_reminders.c.subscribed_at).where(
                    flash_reminders.c.sale_id == sale.id, flash_reminders.c.notified_at.is_(None)
                )
            ).all()
            for user_id, subscribed_at in waiting:
                marked = connection.execute(
                    update(flash_reminders)
                    .where(
                        flash_reminders.c.sale_id == sale.id,
                        flash_reminders.c.user_id == user_id,
                        flash_reminders.c.notified_at.is_(None),
                    )
                    .values(notified_at=now)
                )
                if marked.rowcount != 1:
                    continue  # another worker told them
                stamp = int(subscribed_at.timestamp() * 1000)
                connection.execute(
                    insert_for(connection, notifications)
                    .values(
                        id=f"restock:{sale.id}:{user_id}:{stamp}",
                        user_id=user_id,
                        kind="restock",
                        subject=sale.id,
                        message=message,
                        created_at=now,
                    )
                    .on_conflict_do_nothing()
                )
                told += 1
        return told

    def inbox(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(notifications)
                .where(notifications.c.user_id == user_id)
                .order_by(notifications.c.created_at.desc())
                .limit(limit)
            ).all()
        return [dict(row._mapping) for row in rows]
