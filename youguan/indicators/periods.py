"""Calendar periods in Asia/Shanghai (DOMAIN.md §1 "Time"): day, month, quarter, year.

Engines compute integer period indexes from epoch seconds (portable across DuckDB and Spark, no
time-zone functions involved): Asia/Shanghai has been UTC+8 all year round since 1991, so the local
day of an instant is ``(epoch_seconds + 8 h) // 86 400``. The month index ``year * 12 + month - 1``
follows from the day by integer arithmetic (:func:`month_index_of_day`); quarters and years are
integer divisions of the month index. The functions here turn those indexes back into dates and
labels, and dates into the UTC epoch bounds that filters use.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T", int, Any)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC_OFFSET_SECONDS = 8 * 3600
SECONDS_PER_DAY = 86_400
EPOCH_DAY = dt.date(1970, 1, 1)


class PeriodKind(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"day": "日", "month": "月", "quarter": "季度", "year": "年"}[self.value]


def local_midnight_epoch(day: dt.date) -> int:
    """UTC epoch seconds of 00:00 Asia/Shanghai on ``day``."""
    return (day - EPOCH_DAY).days * SECONDS_PER_DAY - UTC_OFFSET_SECONDS


def epoch_seconds(instant: dt.datetime) -> int:
    """Whole epoch seconds of a tz-aware instant (floor, as the engines truncate to the second)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: instants must carry a time zone")
    delta = instant.astimezone(dt.UTC) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return delta.days * SECONDS_PER_DAY + delta.seconds


def day_index(day: dt.date) -> int:
    return (day - EPOCH_DAY).days


def day_of_index(index: int) -> dt.date:
    return EPOCH_DAY + dt.timedelta(days=index)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_index_of_day(day: T) -> T:
    """The month index (``year * 12 + month - 1``) of a day number (days since 1970-01-01), by
    integer arithmetic only (H. Hinnant's civil-from-days), so that the same function builds the
    engine expression (any integer Ibis value) and runs in Python. Engines compute it without
    calendar functions, which are slow on DuckDB's time-zone-aware timestamps."""
    z = day + 719_468
    era = z // 146_097
    doe = z - era * 146_097  # day of the 400-year era
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the March-based year
    mp = (5 * doy + 2) // 153  # March-based month 0–11
    carry = mp // 10  # January and February belong to the next civil year
    return (yoe + era * 400 + carry) * 12 + (mp + 2 - 12 * carry)


def month_of_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def local_day(instant: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar day of an instant."""
    return instant.astimezone(SHANGHAI).date()


def period_index(kind: PeriodKind, day: dt.date) -> int:
    """The index of the period of ``kind`` containing ``day`` (the integers engines compute)."""
    if kind is PeriodKind.DAY:
        return day_index(day)
    m = month_index(day)
    if kind is PeriodKind.MONTH:
        return m
    if kind is PeriodKind.QUARTER:
        return m // 3
    return m // 12


def period_start(kind: PeriodKind, index: int) -> dt.date:
    """The first day of the period with ``index``."""
    if kind is PeriodKind.DAY:
        return day_of_index(index)
    if kind is PeriodKind.MONTH:
        return month_of_index(index)
    if kind is PeriodKind.QUARTER:
        return month_of_index(index * 3)
    return dt.date(index, 1, 1)


def period_end(kind: PeriodKind, start: dt.date) -> dt.date:
    """The last day of the period starting on ``start``."""
    if kind is PeriodKind.DAY:
        return start
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    following = month_of_index(month_index(start) + months)
    return following - dt.timedelta(days=1)


def period_label(kind: PeriodKind, start: dt.date) -> str:
    """How a period is written in results: ``2025-03-07``, ``2025-03``, ``2025-Q1``, ``2025``."""
    if kind is PeriodKind.DAY:
        return start.isoformat()
    if kind is PeriodKind.MONTH:
        return f"{start.year:04d}-{start.month:02d}"
    if kind is PeriodKind.QUARTER:
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year:04d}"


def months_between(first: dt.date, last: dt.date) -> list[str]:
    """``YYYY-MM`` of every month from ``first`` to ``last`` inclusive (partition names)."""
    out = []
    for m in range(month_index(first), month_index(last) + 1):
        start = month_of_index(m)
        out.append(f"{start.year:04d}-{start.month:02d}")
    return out


def month_key_index(key: str) -> int:
    """The month index of a ``YYYY-MM`` partition name."""
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def months_of_period(kind: PeriodKind, start: dt.date) -> list[str]:
    """The ``YYYY-MM`` months a period spans (a day spans its month)."""
    return months_between(start, period_end(kind, start))
