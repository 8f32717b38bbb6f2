"""Deadlines counted in Chinese working days (工作日): weekends, public holidays and the
调休 make-up days as the `is_workday` calendar says (`adapters/working_days.py`)."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def last_working_day(start: datetime, days: int, is_workday: Callable[[date], bool]) -> date:
    """The `days`-th working day after the day of `start` (Asia/Shanghai): the last day
    of a promise "within `days` working days"."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start.astimezone(SHANGHAI).date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_workday(day)
    return day


def due_at(start: datetime, days: int, is_workday: Callable[[date], bool]) -> datetime:
    """The moment such a promise runs out: midnight after its last working day."""
    last = last_working_day(start, days, is_workday)
    return datetime.combine(last + timedelta(days=1), time(), SHANGHAI)
