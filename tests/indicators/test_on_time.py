"""``on_time_72h_rate`` (DOMAIN §2.3): evaluable inter-city items whose first delivery is ≤ 72 h
after acceptance ÷ evaluable inter-city items. Runs on DuckDB and Spark."""

from __future__ import annotations

import pytest

from tests.indicators.factories import T0, LakeFactory, days, hours, seconds

SETTLED = T0 + days(30)  # every item of T0 is evaluable


def test_exactly_72_hours_is_on_time_and_one_second_more_is_not(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(72))
    lake.item().delivered(after=hours(72) + seconds(1))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator, f.value) == (1, 2, 0.5)


def test_a_locker_or_station_counts_as_delivered(lake: LakeFactory) -> None:
    lake.item().locker(after=hours(70)).delivered(after=hours(90))
    lake.commit()
    assert lake.kpi(as_of=SETTLED).value("on_time_72h_rate") == 1.0


def test_first_delivery_is_the_earliest_delivery_event(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(100)).delivered(after=hours(50))
    lake.commit()
    assert lake.kpi(as_of=SETTLED).value("on_time_72h_rate") == 1.0


def test_a_failed_attempt_is_not_a_delivery(lake: LakeFactory) -> None:
    lake.item().failed_attempt(after=hours(20)).delivered(after=hours(80))
    lake.commit()
    assert lake.kpi(as_of=SETTLED).value("on_time_72h_rate") == 0.0


def test_never_delivered_counts_as_not_on_time(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(30))
    lake.item().departed(after=hours(2))  # never delivered
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator) == (1, 2)


def test_delivered_after_the_window_is_late(lake: LakeFactory) -> None:
    lake.item().delivered(after=days(9))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator) == (0, 1)


@pytest.mark.parametrize("leaves", ["refused", "forwarded"])
def test_refused_and_forwarded_items_are_left_out(lake: LakeFactory, leaves: str) -> None:
    lake.item().delivered(after=hours(20))
    getattr(lake.item(), leaves)(after=hours(30))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator, f.pending) == (1, 1, 0)


def test_only_inter_city_items_count(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(10))
    lake.item(scope="same_city").delivered(after=hours(100))
    lake.item(scope="international").delivered(after=hours(200))
    lake.item(scope="intercity", direction="inbound").delivered(after=hours(80))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator) == (1, 2)


def test_items_inside_the_window_are_pending(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(10))
    lake.item(accepted=T0 + days(1)).delivered(after=hours(10))
    lake.commit()
    # 7 days after the first acceptance, exactly: the first is evaluable, the second pending.
    f = lake.kpi(as_of=T0 + days(7)).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator, f.pending) == (1, 1, 1)
    early = lake.kpi(as_of=T0 + days(7) - seconds(1)).figure("on_time_72h_rate")
    assert (early.denominator, early.pending, early.value) == (0, 2, None)


def test_the_clock_starts_at_the_acceptance_scan(lake: LakeFactory) -> None:
    lake.item(accepted_scan=False).accepted_scan(after=hours(5)).delivered(after=hours(76))
    lake.item(accepted_scan=False).delivered(after=hours(73))  # no scan: from accepted_at
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("on_time_72h_rate")
    assert (f.numerator, f.denominator) == (1, 2)


def test_events_after_the_as_of_time_do_not_count_yet(lake: LakeFactory) -> None:
    lake.item().delivered(after=hours(20)).refused(after=days(10))
    lake.commit()
    assert lake.kpi(as_of=T0 + days(8)).figure("on_time_72h_rate").denominator == 1
    assert lake.kpi(as_of=T0 + days(11)).figure("on_time_72h_rate").denominator == 0


def test_unmapped_events_are_ignored(lake: LakeFactory) -> None:
    lake.item().event(None, after=hours(10), raw_code="Z1").delivered(after=hours(80))
    lake.commit()
    assert lake.kpi(as_of=SETTLED).value("on_time_72h_rate") == 0.0
