"""The status of every indicator of a plan in a year, from the actuals that count (DOMAIN §4.3):
milestone, observed and required growth, Open SDG ratio and status, projection to the target
year with its interval, and the growth still needed over the remaining years."""

from __future__ import annotations

from collections import Counter

from youguan.plan.actuals import Resolved
from youguan.plan.definitions import Indicator, Plan
from youguan.plan.projection import project
from youguan.plan.rules import (
    STATUS_LABELS,
    STATUSES,
    annual_rate,
    assess,
    milestones,
    rounded,
)
from youguan.plan.schemas import IndicatorStatus, PlanStatus


def indicator_status(ind: Indicator, year: int, actuals: dict[int, Resolved]) -> IndicatorStatus:
    """Assess ``ind`` in ``year`` (in its target year when that came earlier: a target for 2022
    is judged on 2022)."""
    assert ind.baseline_year is not None and ind.target_year is not None
    t0, big_t = ind.baseline_year, ind.target_year
    at = min(year, big_t)
    baseline = ind.baseline.value if ind.baseline is not None else None
    stated = None
    if ind.stated_growth is not None:
        stated = annual_rate(ind.stated_growth.value / 100.0, big_t - t0, ind.growth_basis)
    current = actuals.get(at)
    a = assess(
        actual=current.value if current else None,
        year=at,
        baseline=baseline,
        baseline_year=t0,
        target=ind.target.value,
        target_year=big_t,
        direction=ind.direction,
        path=ind.path,
        stated_growth=stated,
    )
    series = {y: r.value for y, r in sorted(actuals.items()) if y <= at}
    points = dict(series)
    if baseline is not None:
        points[t0] = baseline  # the plan's printed baseline is the baseline
    projection = None
    if current is not None and a.path != "annual" and at < big_t:
        projection = project(sorted(points.items()), big_t, limits=ind.limits or (None, None))
    pct = 100.0 if a.path == "compound" else 1.0
    path_by_year = milestones(
        baseline=baseline,
        baseline_year=t0,
        target=ind.target.value,
        target_year=big_t,
        path=a.path,
        growth=stated if a.path == "compound" else None,
    )

    def growth(v: float | None) -> float | None:
        return rounded(None if v is None else v * pct)

    return IndicatorStatus(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        area=ind.area,
        origin=ind.origin,
        direction=ind.direction,
        path=a.path,
        year=at,
        baseline_year=t0 if ind.baseline is not None else None,
        baseline=ind.baseline.printed if ind.baseline is not None else None,
        target_year=big_t,
        target=ind.target.printed,
        actual=current.value if current else None,
        actual_source=current.source if current else None,
        provenance=current.provenance if current else None,
        milestone=rounded(a.milestone),
        status=a.status,
        status_label=STATUS_LABELS[a.status],
        ratio=rounded(a.ratio, 3),
        observed_growth=growth(a.observed_growth),
        required_growth=growth(a.required_growth),
        growth_needed=growth(a.growth_needed),
        projection=rounded(projection.value) if projection else None,
        projection_low=rounded(projection.low) if projection else None,
        projection_high=rounded(projection.high) if projection else None,
        projection_method=projection.method if projection else None,
        projection_level=projection.level if projection and projection.low is not None else None,
        reason=a.reason,
        series=series,
        milestones={
            y: v for y, v in ((y, rounded(v)) for y, v in path_by_year.items()) if v is not None
        },
    )


def plan_progress(plan: Plan, year: int, resolved: dict[str, dict[int, Resolved]]) -> PlanStatus:
    rows = [
        indicator_status(ind, year, resolved.get(plan.actual_code(ind), {}))
        for ind in plan.indicators
    ]
    counts = Counter(
        r.status for r, ind in zip(rows, plan.indicators, strict=True) if ind.restates is None
    )
    return PlanStatus(
        plan=plan.id,
        title=plan.title,
        year=year,
        counts={s: counts.get(s, 0) for s in STATUSES},
        indicators=rows,
    )
