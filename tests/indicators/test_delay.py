"""``delay_rate`` (DOMAIN §2.3 [P]): evaluable domestic items whose first attempt is later than
the time limit but within the window ÷ evaluable domestic items."""

from __future__ import annotations

import pytest

from tests.indicators.factories import T0, LakeFactory, days, hours, seconds
from youguan.indicators.parameters import Parameters

SETTLED = T0 + days(30)


def test_an_attempt_at_the_limit_is_on_time_one_second_later_is_delayed(
    lake: LakeFactory,
) -> None:
    lake.item().delivered(after=hours(72))
    lake.item().delivered(after=hours(72) + seconds(1))
    lake.item(scope="same_city").locker(after=hours(24))
    lake.item(scope="same_city").locker(after=hours(24) + seconds(1))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("delay_rate")
    assert (f.numerator, f.denominator, f.value) == (2, 4, 0.5)


def test_a_failed_attempt_is_the_first_attempt(lake: LakeFactory) -> None:
    lake.item().failed_attempt(after=hours(60)).delivered(after=hours(100))
    lake.item().failed_attempt(after=hours(80)).delivered(after=hours(90))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("delay_rate")
    assert (f.numerator, f.denominator) == (1, 2)


def test_the_window_bounds_a_delay(lake: LakeFactory) -> None:
    lake.item().delivered(after=days(7))  # last second of the window: delayed
    lake.item().delivered(after=days(7) + seconds(1))  # beyond: a complete delay, not a delay
    lake.item().departed(after=hours(3))  # never attempted
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("delay_rate")
    assert (f.numerator, f.denominator) == (1, 3)


def test_promised_hours_replace_the_default_limit(lake: LakeFactory) -> None:
    lake.item(promised_hours=48).delivered(after=hours(50))
    lake.item(scope="same_city", promised_hours=6).delivered(after=hours(7))
    lake.item(promised_hours=96).delivered(after=hours(90))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("delay_rate")
    assert (f.numerator, f.denominator) == (2, 3)


@pytest.mark.parametrize("leaves", ["refused", "forwarded"])
def test_refused_and_forwarded_items_are_left_out(lake: LakeFactory, leaves: str) -> None:
    getattr(lake.item().delivered(after=hours(80)), leaves)(after=hours(90))
    lake.item().delivered(after=hours(80))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("delay_rate")
    assert (f.numerator, f.denominator) == (1, 1)


def test_cross_border_items_are_excluded(lake: LakeFactory) -> None:
    lake.item(scope="international").delivered(after=hours(200))
    lake.item().delivered(after=hours(10))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("delay_rate")
    assert (f.numerator, f.denominator) == (0, 1)


def test_same_city_items_have_a_three_day_window(lake: LakeFactory) -> None:
    lake.item(scope="same_city").delivered(after=hours(30))
    lake.commit()
    assert lake.kpi(as_of=T0 + days(3) - seconds(1)).figure("delay_rate").pending == 1
    f = lake.kpi(as_of=T0 + days(3)).figure("delay_rate")
    assert (f.numerator, f.denominator, f.pending) == (1, 1, 0)


def test_limits_and_windows_are_parameters(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(80))
    lake.commit()
    longer = Parameters(limit_intercity_hours=96, window_intercity_days=10)
    assert lake.kpi(as_of=SETTLED).value("delay_rate") == 1.0
    f = lake.kpi(as_of=SETTLED, params=longer).figure("delay_rate")
    assert (f.numerator, f.denominator) == (0, 1)
    assert lake.kpi(as_of=T0 + days(8), params=longer).figure("delay_rate").pending == 1
