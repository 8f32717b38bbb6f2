"""How the console writes figures for people: money from fen, rates from basis points.

Every figure reaches a page as the integer the API returns; only its text is
formatted here, so the page and the API can be compared to the unit.
"""

from collections.abc import Callable
from datetime import datetime, tzinfo
from enum import StrEnum

from dacu.domain.money import yuan
from dacu.domain.types import FULL_BP


class Format(StrEnum):
    FEN = "fen"  # ¥3,999.00
    BP = "bp"  # 12.34%
    TIMES = "times"  # 3.20× (basis points of one)
    COUNT = "count"  # 12,345


def fen(amount: int) -> str:
    return f"¥{yuan(amount)}"


def bp(rate: int) -> str:
    """Basis points as a percentage, two places, cut rather than rounded like the API's rates."""
    sign = "-" if rate < 0 else ""
    whole, part = divmod(abs(rate), 100)
    return f"{sign}{whole:,}.{part:02d}%"


def times(rate: int) -> str:
    sign = "-" if rate < 0 else ""
    whole, part = divmod(abs(rate), FULL_BP)
    return f"{sign}{whole:,}.{part // 100:02d}×"


def count(number: int) -> str:
    return f"{number:,}"


_WRITERS: dict[Format, Callable[[int], str]] = {
    Format.FEN: fen,
    Format.BP: bp,
    Format.TIMES: times,
    Format.COUNT: count,
}


def show(value: int, how: str) -> str:
    return _WRITERS[Format(how)](value)


_METRIC_FORMATS = {"gmv": Format.FEN, "aov": Format.FEN, "sku_gmv": Format.FEN}


def metric_format(metric: str) -> Format:
    """The format of a target's figures: money, a rate, or a count."""
    if metric.endswith("_bp"):
        return Format.BP
    return _METRIC_FORMATS.get(metric, Format.COUNT)


def clock_text(zone: tzinfo) -> Callable[[datetime | str | None], str]:
    """Times as an operator reads them, in the console's zone: 11-11 20:05."""

    def text(at: datetime | str | None) -> str:
        if at is None:
            return "—"
        moment = datetime.fromisoformat(at) if isinstance(at, str) else at
        return f"{moment.astimezone(zone):%m-%d %H:%M}"

    return text
