"""Working-day deadlines across 2026's holidays and 调休 make-up days (chinese-calendar)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.working_days import ChineseWorkingDays
from dacu.domain.workdays import due_at, last_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKDAY = ChineseWorkingDays().is_workday


@pytest.mark.parametrize(
    ("start", "days", "last"),
    [
        (date(2026, 11, 11), 7, date(2026, 11, 20)),  # Wed: a weekend inside
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # 国庆 10/1–7 off, Sat 10/10 worked (调休)
        (date(2026, 6, 18), 7, date(2026, 6, 30)),  # 端午: Fri 6/19 off
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Sun 9/20 worked (调休)
        (date(2026, 12, 30), 1, date(2026, 12, 31)),
    ],
)
def test_the_last_working_day_of_a_promise(start: date, days: int, last: date) -> None:
    moment = datetime(start.year, start.month, start.day, 21, 0, tzinfo=SHANGHAI)
    assert last_working_day(moment, days, WORKDAY) == last
    assert due_at(moment, days, WORKDAY).date() == date.fromordinal(last.toordinal() + 1)
