"""Text messages to a phone (短信): the one way a one-time code leaves the server."""

from datetime import datetime
from typing import Protocol


class Messages(Protocol):
    def send(self, phone: str, text: str, now: datetime) -> None:
        """Deliver `text` to `phone` (E.164), or queue it for delivery. The built-in sink
        (`adapters/message_outbox.py`) writes it to the log and the `messages` outbox."""
        ...
