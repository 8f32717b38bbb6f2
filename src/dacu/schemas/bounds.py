"""The bounds every input holds, as `Annotated` types for pydantic models.

A number or string from outside is checked here before it reaches the domain
or a database: a qty of 10^19 is a 422 naming the field, not an overflow in
an integer column; a NUL byte in an id is refused, not stored. The domain
keeps its own ceilings (`dacu.domain.types`) so the CLI and the simulator
are held too; these mirror them.
"""

from datetime import datetime
from typing import Annotated, overload
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field

from dacu.domain.types import MAX_FEN, MAX_QTY

SHANGHAI = ZoneInfo("Asia/Shanghai")

MAX_COUNT = 10**9
"""Stock, uses, units bought before: counts that are not one cart's quantity."""

FIRST_YEAR, LAST_YEAR = 2000, 2200
"""Times outside these years are typing mistakes (or attacks), never campaigns."""

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no NUL, no control characters, no newlines
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # notes may hold tabs and line breaks

Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="fen (分), 100 = ¥1.00")]
Qty = Annotated[int, Field(ge=1, le=MAX_QTY, description="units of one SKU")]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Bp = Annotated[int, Field(ge=0, le=10_000, description="basis points, 10000 = 100%")]
Days = Annotated[int, Field(ge=0, le=36_600)]

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE)]
"""SKUs, shops, campaigns, promotions, coupons, customers, tiers, categories."""
Key = Annotated[str, Field(min_length=1, max_length=128, pattern=PRINTABLE)]
"""Idempotency keys and request ids chosen by clients."""
Name = Annotated[str, Field(max_length=200, pattern=PRINTABLE)]
"""Themes, titles, scenario names: one line of text."""
Note = Annotated[str, Field(max_length=2000, pattern=TEXT)]
"""Free text of a few lines: review notes, slogans."""


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """Times without an offset are Asia/Shanghai times."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=SHANGHAI)


def _sane(moment: datetime) -> datetime:
    """Aware (a time without an offset is an Asia/Shanghai time) and within sane years."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")
    return aware(moment)


Moment = Annotated[datetime, AfterValidator(_sane)]
