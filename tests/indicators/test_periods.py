"""Period arithmetic in Asia/Shanghai (pure functions)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from youguan.indicators.periods import (
    SHANGHAI,
    PeriodKind,
    day_of_index,
    epoch_seconds,
    local_day,
    local_midnight_epoch,
    month_index,
    month_index_of_day,
    months_between,
    months_of_period,
    period_end,
    period_index,
    period_label,
    period_start,
)

days = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2100, 12, 31))
instants = st.datetimes(
    min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)


@given(days, st.sampled_from(list(PeriodKind)))
def test_a_day_lies_in_its_period(day: dt.date, kind: PeriodKind) -> None:
    start = period_start(kind, period_index(kind, day))
    assert start <= day <= period_end(kind, start)
    assert period_index(kind, start) == period_index(kind, period_end(kind, start))
    following = period_end(kind, start) + dt.timedelta(days=1)
    assert period_index(kind, following) == period_index(kind, start) + 1


@given(days)
def test_local_midnight_is_midnight_in_shanghai(day: dt.date) -> None:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)
    assert local_midnight_epoch(day) == int(midnight.timestamp())


@given(instants)
def test_epoch_seconds_floor_and_local_day(instant: dt.datetime) -> None:
    assert epoch_seconds(instant) == int(instant.timestamp() // 1)
    day = local_day(instant)
    assert local_midnight_epoch(day) <= epoch_seconds(instant)
    assert epoch_seconds(instant) < local_midnight_epoch(day + dt.timedelta(days=1))


def test_labels_and_months() -> None:
    q = period_start(PeriodKind.QUARTER, period_index(PeriodKind.QUARTER, dt.date(2025, 8, 9)))
    assert (q, period_label(PeriodKind.QUARTER, q)) == (dt.date(2025, 7, 1), "2025-Q3")
    assert period_label(PeriodKind.DAY, dt.date(2025, 1, 2)) == "2025-01-02"
    assert period_label(PeriodKind.YEAR, dt.date(2025, 1, 1)) == "2025"
    assert months_between(dt.date(2024, 11, 30), dt.date(2025, 2, 1)) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert months_of_period(PeriodKind.QUARTER, dt.date(2025, 1, 1)) == [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert period_end(PeriodKind.MONTH, dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)


@given(st.integers(min_value=-30_000, max_value=150_000))
def test_month_index_by_integer_arithmetic(day: int) -> None:
    assert month_index_of_day(day) == month_index(day_of_index(day))
