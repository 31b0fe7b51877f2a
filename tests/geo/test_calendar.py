"""Known answers from the State Council's notices for 2024 (国办发明电〔2023〕7号)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youguan.geo.calendar import (
    add_working_days,
    is_working_day,
    working_days_between,
    year_calendar,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 2, 4), True),  # Sunday, make-up day before the Spring Festival
        (D(2024, 2, 9), True),  # 除夕 2024 was a working day
        (D(2024, 2, 10), False),
        (D(2024, 2, 15), False),  # Thursday inside the holiday
        (D(2024, 2, 17), False),
        (D(2024, 2, 18), True),  # Sunday, make-up day after
        (D(2024, 9, 29), True),  # Sunday, make-up for National Day
        (D(2024, 10, 1), False),
        (D(2024, 10, 4), False),
        (D(2024, 10, 7), False),  # Monday, last day off
        (D(2024, 10, 8), True),
        (D(2024, 10, 12), True),  # Saturday, make-up day
        (D(2024, 10, 13), False),  # ordinary Sunday
        (D(2024, 3, 6), True),  # ordinary Wednesday
    ],
)
def test_2024_working_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_adding_working_days_across_the_2024_spring_festival() -> None:
    # Thursday 8 Feb + 1 = Friday 9 Feb; + 2 = the make-up Sunday 18 Feb.
    assert add_working_days(D(2024, 2, 8), 1) == D(2024, 2, 9)
    assert add_working_days(D(2024, 2, 8), 2) == D(2024, 2, 18)
    assert add_working_days(D(2024, 2, 8), 3) == D(2024, 2, 19)


def test_adding_working_days_across_the_2024_national_day() -> None:
    # Friday 27 Sep: +1 = Sunday 29 Sep (make-up), +2 = Monday 30 Sep, +3 = Tuesday 8 Oct.
    assert add_working_days(D(2024, 9, 27), 1) == D(2024, 9, 29)
    assert add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 8)
    # 7 working days from 30 Sep end on the make-up Saturday 12 Oct.
    assert add_working_days(D(2024, 9, 30), 5) == D(2024, 10, 12)


def test_counting_backwards_and_between() -> None:
    assert add_working_days(D(2024, 10, 8), -1) == D(2024, 9, 30)
    assert working_days_between(D(2024, 9, 27), D(2024, 10, 8)) == 3
    assert working_days_between(D(2024, 10, 8), D(2024, 9, 27)) == -3


def test_every_year_2020_to_2026_is_shipped_as_data() -> None:
    for year in range(2020, 2027):
        cal = year_calendar(year)
        assert cal.source == "data", year
        assert cal.days_off and cal.make_up_workdays
    # the 2020 Spring Festival was extended (国办发明电〔2020〕1号)
    assert not is_working_day(D(2020, 1, 31))
    assert not is_working_day(D(2020, 2, 2))


def test_a_year_without_a_file_falls_back_to_the_library() -> None:
    assert year_calendar(2030).source == "python-holidays"
    assert not is_working_day(D(2030, 10, 1))


@given(st.dates(D(2020, 1, 1), D(2026, 12, 1)), st.integers(0, 40))
def test_adding_n_working_days_lands_on_a_working_day_n_days_later(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
        assert add_working_days(end, -n) <= start
