"""``transit_hours_mean/_p50/_p90`` (hours from acceptance to first delivery over delivered
evaluable inter-city items) and the four stage times [P]."""

from __future__ import annotations

import pytest

from tests.indicators.factories import T0, LakeFactory, days, hours

SETTLED = T0 + days(30)


def test_transit_mean_and_quantiles(lake: LakeFactory) -> None:
    for h in (24, 48, 72, 96):
        lake.item().delivered(after=hours(h))
    lake.item().departed(after=hours(2))  # never delivered: not in the transit figures
    lake.item().delivered(after=hours(5)).refused(after=hours(6))  # refused: left out
    lake.item(scope="same_city").delivered(after=hours(500))  # not inter-city
    lake.item(scope="international").delivered(after=hours(500))
    lake.commit()
    result = lake.kpi(as_of=SETTLED)
    mean = result.figure("transit_hours_mean")
    assert (mean.value, mean.numerator, mean.denominator) == (60.0, 240.0, 4)
    assert result.value("transit_hours_p50") == pytest.approx(60.0)
    # linear interpolation: rank 0.9 × 3 = 2.7 → 72 + 0.7 × 24
    assert result.value("transit_hours_p90") == pytest.approx(88.8)
    assert result.figure("transit_hours_p90").numerator is None


def test_a_locker_ends_the_transit_and_pending_items_wait(lake: LakeFactory) -> None:
    lake.item().locker(after=hours(30)).delivered(after=hours(50))
    lake.item(accepted=T0 + days(3)).delivered(after=hours(10))
    lake.commit()
    f = lake.kpi(as_of=T0 + days(8)).figure("transit_hours_mean")
    assert (f.value, f.denominator, f.pending) == (30.0, 1, 1)


def test_stage_times_split_the_transit_of_items_with_the_whole_chain(lake: LakeFactory) -> None:
    (
        lake.item()
        .departed(after=hours(2))
        .arrived(after=hours(6))  # an intermediate sorting centre
        .departed(after=hours(8))
        .arrived(after=hours(30))
        .out_for_delivery(after=hours(40))
        .delivered(after=hours(44))
    )
    (
        lake.item()
        .departed(after=hours(4))
        .arrived(after=hours(20))
        .out_for_delivery(after=hours(22))
        .delivered(after=hours(24))
    )
    # re-arrives after a failed attempt: the chain is broken, no stage times
    (
        lake.item()
        .departed(after=hours(1))
        .arrived(after=hours(10))
        .out_for_delivery(after=hours(12))
        .failed_attempt(after=hours(13))
        .arrived(after=hours(30))
        .out_for_delivery(after=hours(50))
        .delivered(after=hours(52))
    )
    lake.item().delivered(after=hours(30))  # no scans at all
    lake.commit()
    result = lake.kpi(as_of=SETTLED)
    stages = {
        "origin_processing_hours_mean": (2 + 4) / 2,
        "transport_hours_mean": (28 + 16) / 2,
        "dest_processing_hours_mean": (10 + 2) / 2,
        "delivery_hours_mean": (4 + 2) / 2,
    }
    for code, expected in stages.items():
        f = result.figure(code)
        assert (f.value, f.denominator) == (expected, 2), code
    assert sum(stages.values()) == (44 + 24) / 2
    assert result.figure("transit_hours_mean").denominator == 4
