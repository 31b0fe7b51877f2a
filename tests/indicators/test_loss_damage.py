"""``loss_per_100k``, ``damage_per_100k``, ``shortage_per_100k`` (DOMAIN §2.3 [P]): per 100 000
evaluable domestic items; refused and forwarded items stay in (the enterprise handled them)."""

from __future__ import annotations

import pytest

from tests.indicators.factories import T0, LakeFactory, days, hours, seconds

SETTLED = T0 + days(30)


def test_a_lost_exception_is_a_loss_even_if_delivered_later(lake: LakeFactory) -> None:
    lake.item().exception("lost", after=hours(40)).delivered(after=hours(60))
    lake.item().delivered(after=hours(30))
    lake.item().delivered(after=hours(30))
    lake.item().delivered(after=hours(30))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("loss_per_100k")
    assert (f.numerator, f.denominator, f.value) == (1, 4, 25_000.0)


def test_no_ending_within_the_window_is_a_complete_delay_and_counts_as_loss(
    lake: LakeFactory,
) -> None:
    lake.item().delivered(after=days(7))  # ends on the window's last second
    lake.item().delivered(after=days(7) + seconds(1))  # complete delay
    lake.item().departed(after=hours(1))  # never ends
    lake.item(scope="same_city").delivered(after=days(3) + seconds(1))  # 3-day window
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("loss_per_100k")
    assert (f.numerator, f.denominator) == (3, 4)


@pytest.mark.parametrize(
    "ending", ["delivered", "locker", "returned", "undeliverable", "refused", "forwarded"]
)
def test_any_ending_event_within_the_window_is_not_a_loss(lake: LakeFactory, ending: str) -> None:
    lake.item().event(ending, after=days(5))
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("loss_per_100k")
    assert (f.numerator, f.denominator) == (0, 1)


def test_pending_items_are_reported_not_counted(lake: LakeFactory) -> None:
    lake.item().departed(after=hours(1))
    lake.commit()
    f = lake.kpi(as_of=T0 + days(6)).figure("loss_per_100k")
    assert (f.numerator, f.denominator, f.pending, f.value) == (0, 0, 1, None)


def test_damage_and_shortage_count_their_exception_reasons(lake: LakeFactory) -> None:
    lake.item().exception("damaged", after=hours(20)).refused(after=hours(30))
    lake.item().exception("shortage", after=hours(20)).delivered(after=hours(30))
    lake.item().exception("missorted", after=hours(20)).delivered(after=hours(40))
    lake.item().forwarded(after=hours(5))
    lake.commit()
    result = lake.kpi(as_of=SETTLED)
    damage, shortage = result.figure("damage_per_100k"), result.figure("shortage_per_100k")
    assert (damage.numerator, damage.denominator, damage.value) == (1, 4, 25_000.0)
    assert (shortage.numerator, shortage.denominator) == (1, 4)
    assert result.figure("loss_per_100k").numerator == 0


def test_cross_border_items_are_excluded(lake: LakeFactory) -> None:
    lake.item(scope="international").exception("lost", after=hours(5))
    lake.item(scope="international").exception("damaged", after=hours(5))
    lake.item().delivered(after=hours(20))
    lake.commit()
    result = lake.kpi(as_of=SETTLED)
    for code in ("loss_per_100k", "damage_per_100k", "shortage_per_100k"):
        f = result.figure(code)
        assert (f.numerator, f.denominator) == (0, 1), code
