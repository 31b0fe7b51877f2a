"""Progress rules (DOMAIN §4.3): known answers, then properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from youguan.plan.printed import PrintedError, parse_printed
from youguan.plan.rules import (
    STATUSES,
    assess,
    cagr,
    is_achieved,
    milestone,
    milestones,
    progress_ratio,
    status_for_ratio,
)

T0, T = 2020, 2025


def _assess(actual: float | None, baseline: float | None, target: float, **kw: object):  # type: ignore[no-untyped-def]
    return assess(
        actual=actual,
        year=kw.pop("year", 2023),  # type: ignore[arg-type]
        baseline=baseline,
        baseline_year=T0,
        target=target,
        target_year=T,
        direction=kw.pop("direction", "higher"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- printed numbers


@pytest.mark.parametrize(
    ("raw", "printed", "value", "bound", "tolerance"),
    [
        ("25%", "25%", 25.0, None, 0.5),
        ("2.38%", "2.38%", 2.38, None, 0.005),
        ("35.0%", "35.0%", 35.0, None, 0.05),
        ("-14.87%", "-14.87%", -14.87, None, 0.005),
        ("1 746.06", "1746.06", 1746.06, None, 0.005),
        ("6\u2009526.73", "6526.73", 6526.73, None, 0.005),
        ("1,746.06", "1746.06", 1746.06, None, 0.005),
        ("<0.8", "<0.8", 0.8, "<", 0.05),
        ("≥95", ">=95", 95.0, ">=", 0.5),
        ("＜10", "<10", 10.0, "<", 0.5),
        (12.05, "12.05", 12.05, None, 0.005),
        (100, "100", 100.0, None, 0.5),
    ],
)
def test_printed_numbers(
    raw: str | float, printed: str, value: float, bound: str | None, tolerance: float
) -> None:
    p = parse_printed(raw)
    assert (p.printed, p.value, p.bound) == (printed, value, bound)
    assert p.tolerance == pytest.approx(tolerance)


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "12e3", "--5", "%"])
def test_not_printed_numbers(raw: str) -> None:
    with pytest.raises(PrintedError):
        parse_printed(raw)


# -------------------------------------------------------------------------------- known answers


def test_business_volume_needs_acceleration() -> None:
    # 3.95 → 7.40 in 3 years: 23.276 %/yr; required 3.95 → 12.05 in 5: 24.991 %/yr.
    a = _assess(7.4, 3.95, 12.05, stated_growth=0.25)
    assert a.status == "acceleration_needed"
    assert a.observed_growth == pytest.approx(0.232759, abs=1e-6)
    assert a.required_growth == pytest.approx(0.249908, abs=1e-6)
    assert a.ratio == pytest.approx(0.93138, abs=1e-5)
    assert a.milestone == pytest.approx(7.71484375)  # 3.95 × 1.25³ (stated growth)
    assert a.growth_needed == pytest.approx(0.276079, abs=1e-6)  # (12.05/7.4)^(1/2) − 1


def test_a_bound_lower_is_better_row_on_track() -> None:
    # 快递延误率 <0.8 → <0.5: 0.55 in 2023 falls 11.74 %/yr against 8.97 %/yr required.
    a = _assess(0.55, 0.8, 0.5, direction="lower", stated_growth=-0.0897)
    assert a.status == "on_track"
    assert a.observed_growth == pytest.approx(-0.117413, abs=1e-6)
    assert a.required_growth == pytest.approx(-0.089718, abs=1e-6)
    assert a.ratio == pytest.approx(1.30869, abs=1e-5)
    assert a.milestone == pytest.approx(0.603453, abs=1e-6)  # 0.8 × (1 − 0.0897)³


def test_a_bound_counts_as_its_number() -> None:
    assert _assess(0.5, 0.8, 0.5, direction="lower").status == "achieved"
    assert _assess(0.50001, 0.8, 0.5, direction="lower").status != "achieved"


def test_lower_is_better_getting_worse_is_deterioration() -> None:
    a = _assess(12.0, 10.0, 5.0, direction="lower")
    assert a.status == "deterioration"
    assert a.ratio == pytest.approx(-0.484039, abs=1e-6)


def test_a_target_already_achieved() -> None:
    a = _assess(91.0, 80.0, 90.0)
    assert a.status == "achieved"
    assert a.growth_needed is None
    assert a.ratio is not None and a.ratio > 1


def test_a_single_value_is_not_assessable() -> None:
    a = _assess(60.0, None, 100.0)
    assert a.status == "not_assessable"
    assert a.ratio is None and a.reason


def test_a_single_value_that_meets_the_target_is_achieved() -> None:
    assert _assess(100.0, None, 100.0).status == "achieved"


def test_no_actual_is_no_data_with_the_milestone_still_known() -> None:
    a = _assess(None, 3.95, 12.05, stated_growth=0.25)
    assert a.status == "no_data"
    assert a.milestone == pytest.approx(7.71484375)


def test_the_baseline_year_itself_is_not_assessable() -> None:
    assert _assess(5.0, 3.95, 12.05, year=2020).status == "not_assessable"


def test_a_zero_baseline_uses_the_linear_path() -> None:
    # 新增就业岗位: 0 → 2 万 by 2025; 0.9 万 in 2023 = 0.3/yr against 0.4/yr required.
    a = _assess(0.9, 0.0, 2.0, path="linear")
    assert a.path == "linear"
    assert a.status == "acceleration_needed"
    assert a.observed_growth == pytest.approx(0.3)
    assert a.required_growth == pytest.approx(0.4)
    assert a.ratio == pytest.approx(0.75)
    assert a.milestone == pytest.approx(1.2)
    assert a.growth_needed == pytest.approx(0.55)  # (2 − 0.9) / 2 years


def test_a_zero_baseline_on_a_compound_row_falls_back_to_linear() -> None:
    a = _assess(3.0, 0.0, 5.0)
    assert a.path == "linear"
    assert a.ratio == pytest.approx(1.0 / 1.0)  # 1/yr observed, 1/yr required
    assert a.status == "on_track"


def test_a_zero_target_lower_is_better_is_linear() -> None:
    # 二次包装比例 40 % → 0 %: 25 % in 2023 = −5/yr against −8/yr required.
    a = _assess(25.0, 40.0, 0.0, direction="lower")
    assert a.path == "linear"
    assert a.ratio == pytest.approx(0.625)
    assert a.status == "acceleration_needed"


def test_a_maintained_level_that_slips_deteriorates() -> None:
    # 乡镇网点覆盖率 100 → 100: 98 in 2023; required growth 0 becomes +0.001.
    a = _assess(98.0, 100.0, 100.0)
    assert a.status == "deterioration"
    assert a.ratio == pytest.approx(-6.711612, abs=1e-6)
    assert _assess(100.0, 100.0, 100.0).status == "achieved"


def test_a_maintained_lower_is_better_level_that_slips_deteriorates() -> None:
    # the 0.001 substitute points in the improving direction, so this is not "on track".
    assert _assess(3.5, 3.0, 3.0, direction="lower").status == "deterioration"


def test_yearly_targets() -> None:
    assert _assess(45.0, None, 45.0, path="annual").status == "achieved"
    a = _assess(40.0, None, 45.0, path="annual")
    assert (a.status, a.milestone) == ("acceleration_needed", 45.0)
    assert a.ratio == pytest.approx(40 / 45)
    assert _assess(-20.0, None, 100.0, path="annual").status == "deterioration"
    assert _assess(0.0, None, 0.0, path="annual", direction="lower").status == "achieved"
    assert _assess(1.0, None, 0.0, path="annual", direction="lower").status == "limited_progress"


def test_milestones_by_year() -> None:
    path = milestones(baseline=3.95, baseline_year=T0, target=12.05, target_year=T, growth=0.25)
    assert list(path) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert path[2021] == pytest.approx(4.9375)
    assert path[2025] == pytest.approx(12.0544, abs=1e-4)  # 3.95 × 1.25⁵, not exactly 12.05
    implied = milestones(baseline=3.95, baseline_year=T0, target=12.05, target_year=T)
    assert implied[2025] == pytest.approx(12.05)
    assert milestones(baseline=None, baseline_year=T0, target=45, target_year=T, path="annual") == {
        y: 45 for y in range(2021, 2026)
    }


def test_status_thresholds() -> None:
    assert status_for_ratio(0.95) == "on_track"
    assert status_for_ratio(0.9499) == "acceleration_needed"
    assert status_for_ratio(0.6) == "acceleration_needed"
    assert status_for_ratio(0.5999) == "limited_progress"
    assert status_for_ratio(0.0) == "limited_progress"
    assert status_for_ratio(-1e-9) == "deterioration"


def test_a_zero_observed_growth_becomes_0_001() -> None:
    assert progress_ratio(0.0, 0.1, "higher") == pytest.approx(0.01)
    assert progress_ratio(0.0, -0.1, "lower") == pytest.approx(0.01)


# ----------------------------------------------------------------------------------- properties

positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
years = st.integers(min_value=1, max_value=30)


@given(positive, positive, years)
def test_cagr_round_trips(start: float, end: float, n: int) -> None:
    g = cagr(start, end, n)
    assert g is not None
    assert start * (1 + g) ** n == pytest.approx(end, rel=1e-6)


@given(positive, positive)
def test_the_implied_milestone_path_ends_at_the_target(baseline: float, target: float) -> None:
    m = milestone(year=T, baseline=baseline, baseline_year=T0, target=target, target_year=T)
    assert m == pytest.approx(target, rel=1e-9)


@given(
    positive,
    positive,
    st.floats(min_value=0.5, max_value=2.0),
    st.sampled_from(["higher", "lower"]),
)
def test_being_ahead_of_the_path_is_on_track_or_achieved(
    baseline: float, target: float, ahead: float, direction: str
) -> None:
    assume(abs(target / baseline - 1) > 1e-3)
    assume((target > baseline) == (direction == "higher"))
    m = milestone(year=2023, baseline=baseline, baseline_year=T0, target=target, target_year=T)
    assert m is not None
    better = m * ahead if direction == "higher" else m / ahead
    assume(ahead >= 1.0)
    a = _assess(better, baseline, target, direction=direction)
    assert a.status in ("on_track", "achieved")


@given(
    positive,
    positive,
    st.floats(min_value=0.01, max_value=0.99),
    st.sampled_from(["higher", "lower"]),
)
def test_moving_the_wrong_way_is_deterioration(
    baseline: float, target: float, factor: float, direction: str
) -> None:
    assume(abs(target / baseline - 1) > 1e-3)
    assume((target > baseline) == (direction == "higher"))
    worse = baseline * factor if direction == "higher" else baseline / factor
    assert _assess(worse, baseline, target, direction=direction).status == "deterioration"


@given(positive, positive, positive, positive)
def test_status_is_monotonic_in_the_actual(
    baseline: float, target: float, a: float, b: float
) -> None:
    assume(target > baseline * 1.001)
    lo, hi = sorted((a, b))
    rank = {s: i for i, s in enumerate(STATUSES[:5])}  # achieved best … deterioration worst
    s_lo = _assess(lo, baseline, target).status
    s_hi = _assess(hi, baseline, target).status
    assert rank[s_hi] <= rank[s_lo]


@given(positive, positive, st.sampled_from(["higher", "lower"]))
def test_achieved_is_reaching_the_target(actual: float, target: float, direction: str) -> None:
    # within the rounding tolerance of the target the answer is "reached" either way
    assume(abs(actual - target) > 1e-6 * max(1.0, target))
    reached = actual >= target if direction == "higher" else actual <= target
    assert is_achieved(actual, target, direction) == reached  # type: ignore[arg-type]
