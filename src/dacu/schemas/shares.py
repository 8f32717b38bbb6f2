"""One discount's share as JSON, the same from a quote to an order, a refund and the ledger."""

from typing import Any, Protocol


class _ShareLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def platform(self) -> int: ...
    @property
    def merchant(self) -> int: ...


def share_json(share: _ShareLike) -> dict[str, Any]:
    """{"id", "amount", "platform", "merchant"}: who funds each fen of one discount."""
    return {
        "id": share.id,
        "amount": share.amount,
        "platform": share.platform,
        "merchant": share.merchant,
    }
