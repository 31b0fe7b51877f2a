from __future__ import annotations

import math

import pytest

from youguan.plan.projection import DAMPED_MIN_POINTS, project


def test_an_exact_compound_series_projects_to_its_continuation() -> None:
    # 快递业务量 at exactly 35 %/yr from 1455.56: 2025 = 1455.56 × 1.35⁵ = 6526.78.
    points = [(2020 + k, 1455.56 * 1.35**k) for k in range(4)]
    p = project(points, 2025)
    assert p is not None
    assert p.method == "compound_trend"
    assert p.value == pytest.approx(6526.77971, rel=1e-9)
    assert p.growth == pytest.approx(0.35, rel=1e-9)
    assert p.low == pytest.approx(p.value, rel=1e-6) and p.high == pytest.approx(p.value, rel=1e-6)


def test_two_points_give_a_projection_without_an_interval() -> None:
    p = project([(2020, 100.0), (2022, 121.0)], 2025)
    assert p is not None
    assert p.value == pytest.approx(100 * 1.1**5)
    assert p.low is None and p.high is None


def test_noisy_points_get_an_interval_around_the_projection() -> None:
    p = project([(2020, 100.0), (2021, 112.0), (2022, 119.0), (2023, 135.0)], 2025)
    assert p is not None and p.low is not None and p.high is not None
    assert p.low < p.value < p.high
    # the log-linear fit: slope ln(1.1016) ≈ 0.0968 per year
    assert p.growth == pytest.approx(0.10, abs=0.01)


def test_non_positive_values_get_a_straight_line() -> None:
    p = project([(2020, 0.0), (2021, 0.3), (2022, 0.6), (2023, 0.9)], 2025)
    assert p is not None and p.method == "linear_trend"
    assert p.value == pytest.approx(1.5)


def test_projections_respect_the_natural_limits() -> None:
    p = project([(2020, 80.0), (2021, 88.0), (2022, 96.0)], 2025, limits=(0.0, 100.0))
    assert p is not None and p.value == 100.0


def test_a_damped_trend_with_enough_consecutive_points() -> None:
    # Growth slowing down: a damped trend ends below the straight compound extrapolation.
    values = [100.0]
    for k in range(1, DAMPED_MIN_POINTS):
        values.append(values[-1] * (1 + 0.2 * 0.7**k))
    points = [(2013 + k, v) for k, v in enumerate(values)]
    p = project(points, 2025)
    assert p is not None
    assert p.method == "damped_trend"
    assert p.low is not None and p.high is not None and p.low <= p.value <= p.high
    compound = p.alternatives[0]
    assert compound.method == "compound_trend"
    assert p.value < compound.value
    assert all(math.isfinite(v) for v in (p.value, p.low, p.high))


def test_gaps_in_the_years_keep_the_compound_trend() -> None:
    points = [(y, 100.0 * 1.1 ** (y - 2010)) for y in range(2010, 2020) if y != 2015]
    p = project(points, 2025)
    assert p is not None and p.method == "compound_trend"


def test_nothing_to_project() -> None:
    assert project([(2020, 1.0)], 2025) is None
    assert project([(2020, 1.0), (2025, 2.0)], 2025) is None
