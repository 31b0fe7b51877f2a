"""The PRC working-day calendar (DOMAIN.md §1 "Working days").

Weekends and statutory holidays are off, 调休 make-up days are on. Each year is a data file
(``geo/data/calendar/<year>.toml``, drafted by ``scripts/build_calendar.py`` and checked against
the State Council's notice). A year without a file falls back to python-holidays' China calendar,
so deadlines keep working while next year's file is being written.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class YearCalendar:
    year: int
    days_off: dict[dt.date, str]
    make_up_workdays: dict[dt.date, str]
    source: str  # "data" or "python-holidays"


def _parse_day(key: object) -> dt.date:
    return key if isinstance(key, dt.date) else dt.date.fromisoformat(str(key))


@cache
def year_calendar(year: int) -> YearCalendar:
    path = resources.files("youguan.geo").joinpath("data", "calendar", f"{year}.toml")
    if path.is_file():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return YearCalendar(
            year=year,
            days_off={_parse_day(k): v for k, v in data.get("days_off", {}).items()},
            make_up_workdays={
                _parse_day(k): v for k, v in data.get("make_up_workdays", {}).items()
            },
            source="data",
        )
    import holidays

    cn = holidays.China(years=year, language="zh_CN")
    return YearCalendar(
        year=year,
        days_off={d: str(n) for d, n in cn.items() if d.year == year},
        make_up_workdays={d: "调休上班" for d in cn.weekend_workdays if d.year == year},
        source="python-holidays",
    )


def is_working_day(day: dt.date) -> bool:
    cal = year_calendar(day.year)
    if day in cal.make_up_workdays:
        return True
    if day in cal.days_off:
        return False
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself is not counted).

    ``n = 0`` returns ``start``; a negative ``n`` counts backwards. This is how a deadline of
    "N working days from receipt" is set: received on a Friday before a long holiday, 2 working
    days fall after the holiday.
    """
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    while left:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days ``end`` lies after ``start``.
    Negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1 for i in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=i))
    )
