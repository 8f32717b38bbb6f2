"""The built-in `Messages` sink: each text message written to the `messages` outbox and to
the `dacu.messages` log, for a gateway (or a person at a test phone) to deliver.

The outbox is the delivery: a one-time code appears there and in that log line
and nowhere else (the codes themselves are stored only as digests).
"""

import logging
from datetime import datetime

from sqlalchemy import Engine, insert, select

from dacu.adapters.tables import messages

log = logging.getLogger("dacu.messages")


class SqlMessageOutbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def send(self, phone: str, text: str, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(messages).values(phone=phone, text=text, sent_at=now))
        log.info("text message to %s: %s", phone, text)

    def last_message(self, phone: str) -> str | None:
        """The latest message to `phone` (E.164): for tests and the simulator, which play
        the phone's part."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(messages.c.text)
                .where(messages.c.phone == phone)
                .order_by(messages.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if found is None else str(found)
