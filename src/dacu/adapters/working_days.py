"""Chinese working days (`WorkingDays` port), from the `chinese_calendar` package:
weekends, public holidays and the 调休 make-up days; Monday to Friday for a year it
does not know yet."""

from datetime import date

import chinese_calendar  # type: ignore[import-untyped]


class ChineseWorkingDays:
    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5
