"""Plan progress rules (DOMAIN.md §4.2–4.3): growth, milestones, the Open SDG ratio and status.

Pure functions on plain numbers; growth rates are fractions per year (0.25 = 25 %). Status codes
and thresholds follow the Open SDG progress methodology (Statistics Canada) as DOMAIN §4.3 adapts
it. Three target paths:

- ``compound`` (DOMAIN §4.3): a level moving at a constant annual rate; CAGR observed vs required.
- ``linear`` [P]: a count accumulating from its baseline (new jobs since 2020). Also used when the
  baseline or the target is 0, where a compound rate does not exist or means nothing (a target of 0
  would make every improvement look like −100 %). Observed and required growth are then absolute
  changes per year; the ratio compares them exactly as it compares rates.
- ``annual`` [P]: the same target every year (45 service points a year). The ratio is
  actual ÷ target (target ÷ actual when lower is better), with the same thresholds.

A bound (``<0.8``) counts as its number throughout; so reaching ``<0.5`` means ≤ 0.5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Status = Literal[
    "achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "not_assessable",
    "no_data",
]
Direction = Literal["higher", "lower"]
Path = Literal["compound", "linear", "annual"]

STATUSES: tuple[Status, ...] = (
    "achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
    "not_assessable",
    "no_data",
)
STATUS_LABELS: dict[Status, str] = {
    "achieved": "已实现目标",
    "on_track": "按计划推进",
    "acceleration_needed": "需加快推进",
    "limited_progress": "进展有限",
    "deterioration": "出现倒退",
    "not_assessable": "无法评估",
    "no_data": "暂无数据",
}
# Open SDG palette, readable on white and in grey-scale print.
STATUS_COLOURS: dict[Status, str] = {
    "achieved": "#1B7837",
    "on_track": "#5AAE61",
    "acceleration_needed": "#F1A340",
    "limited_progress": "#E66101",
    "deterioration": "#B2182B",
    "not_assessable": "#8C8C8C",
    "no_data": "#D0D0D0",
}

ON_TRACK = 0.95
ACCELERATION = 0.6
ZERO_SUBSTITUTE = 0.001  # DOMAIN §4.3: "a value of 0 becomes 0.001 before dividing"
_EPS = 1e-9


def cagr(start: float, end: float, years: float) -> float | None:
    """Compound annual growth from ``start`` to ``end`` over ``years``; None when undefined."""
    if years <= 0 or start <= 0 or end < 0:
        return None
    return (end / start) ** (1.0 / years) - 1.0


def implied_growth(
    baseline: float, target: float, years: int, basis: Literal["annual", "cumulative"] = "annual"
) -> float | None:
    """The growth a plan's baseline and target imply: annual CAGR, or the cumulative change."""
    if basis == "cumulative":
        return None if baseline <= 0 else target / baseline - 1.0
    return cagr(baseline, target, years)


def annual_rate(growth: float, years: int, basis: Literal["annual", "cumulative"]) -> float:
    """A stated growth as an annual rate (a cumulative one spread over ``years``)."""
    if basis == "annual":
        return growth
    return (1.0 + growth) ** (1.0 / years) - 1.0 if growth > -1.0 else -1.0


def is_achieved(actual: float, target: float, direction: Direction) -> bool:
    """The actual reaches the target in the right direction (a bound counts as its number)."""
    eps = _EPS * max(1.0, abs(target))
    return actual >= target - eps if direction == "higher" else actual <= target + eps


def effective_path(path: Path, baseline: float | None, target: float) -> Path:
    """``compound`` becomes ``linear`` where a compound rate is undefined (a zero baseline or
    target)."""
    if path == "compound" and (baseline is None or baseline <= 0 or target <= 0):
        return "linear" if baseline is not None else "compound"
    return path


def milestone(
    *,
    year: int,
    baseline: float | None,
    baseline_year: int,
    target: float,
    target_year: int,
    path: Path = "compound",
    growth: float | None = None,
) -> float | None:
    """The value the plan expects in ``year``. Compound: baseline × (1 + g)^(t − t₀) with g the
    stated annual growth, or the implied one where none is stated (DOMAIN §4.3). Linear: a
    straight line from baseline to target. Annual: the target itself."""
    if path == "annual":
        return target
    if baseline is None:
        return None
    path = effective_path(path, baseline, target)
    elapsed = year - baseline_year
    if path == "linear":
        return baseline + (target - baseline) * elapsed / (target_year - baseline_year)
    g = growth if growth is not None else cagr(baseline, target, target_year - baseline_year)
    if g is None:
        return None
    return baseline * (1.0 + g) ** elapsed


def milestones(
    *,
    baseline: float | None,
    baseline_year: int,
    target: float,
    target_year: int,
    path: Path = "compound",
    growth: float | None = None,
) -> dict[int, float]:
    """Milestones for every year from the baseline year to the target year."""
    out: dict[int, float] = {}
    first = baseline_year + 1 if path == "annual" else baseline_year
    for year in range(first, target_year + 1):
        m = milestone(
            year=year,
            baseline=baseline,
            baseline_year=baseline_year,
            target=target,
            target_year=target_year,
            path=path,
            growth=growth,
        )
        if m is not None:
            out[year] = m
    return out


def progress_ratio(observed: float, required: float, direction: Direction) -> float:
    """R = observed ÷ required. A zero becomes 0.001 *in the improving direction* (negative
    when lower is better): otherwise a "maintain" target (required growth 0) that is slipping
    would read as on track for lower-is-better rows."""
    sub = ZERO_SUBSTITUTE if direction == "higher" else -ZERO_SUBSTITUTE
    obs = observed if observed != 0 else sub
    req = required if required != 0 else sub
    return obs / req


def status_for_ratio(ratio: float) -> Status:
    if ratio >= ON_TRACK:
        return "on_track"
    if ratio >= ACCELERATION:
        return "acceleration_needed"
    if ratio >= 0:
        return "limited_progress"
    return "deterioration"


@dataclass(frozen=True)
class Assessment:
    """The progress of one indicator in one year. Growths are fractions per year for the
    compound path and units per year for the linear path (``path`` says which)."""

    status: Status
    path: Path
    ratio: float | None = None
    observed_growth: float | None = None
    required_growth: float | None = None
    growth_needed: float | None = None
    milestone: float | None = None
    reason: str | None = None


def assess(
    *,
    actual: float | None,
    year: int,
    baseline: float | None,
    baseline_year: int,
    target: float,
    target_year: int,
    direction: Direction,
    path: Path = "compound",
    stated_growth: float | None = None,
) -> Assessment:
    """Status of an indicator in ``year`` (DOMAIN §4.3). ``stated_growth`` (annual, fraction)
    only sets the milestone; the required growth is always the one baseline and target imply.

    Achievement is judged on the actual alone, so a target met is ``achieved`` even without a
    baseline; the ratio needs two values (the baseline counts as one)."""
    eff = effective_path(path, baseline, target)
    ms = milestone(
        year=year,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
        path=eff,
        growth=stated_growth if eff == "compound" else None,
    )
    if actual is None:
        return Assessment("no_data", eff, milestone=ms, reason="该年度没有实际值")
    if eff == "annual":
        share = _annual_ratio(actual, target, direction)
        if is_achieved(actual, target, direction):
            return Assessment("achieved", eff, ratio=share, milestone=ms)
        return Assessment(status_for_ratio(share), eff, ratio=share, milestone=ms)

    observed: float | None = None
    required: float | None = None
    needed: float | None = None
    ratio: float | None = None
    reason = None
    if baseline is None:
        reason = "没有基期值，无法计算进展比率"
    elif year <= baseline_year:
        reason = "评估年份不晚于基期年份"
    else:
        elapsed, span, left = year - baseline_year, target_year - baseline_year, target_year - year
        if eff == "linear":
            observed = (actual - baseline) / elapsed
            required = (target - baseline) / span
            needed = (target - actual) / left if left > 0 else None
        else:
            observed = cagr(baseline, actual, elapsed) if actual > 0 else -1.0
            required = cagr(baseline, target, span)
            needed = cagr(actual, target, left) if left > 0 and actual > 0 else None
        if observed is not None and required is not None:
            ratio = progress_ratio(observed, required, direction)
    if is_achieved(actual, target, direction):
        return Assessment("achieved", eff, ratio, observed, required, None, ms)
    if ratio is None:
        return Assessment("not_assessable", eff, milestone=ms, reason=reason or "无法计算增长率")
    return Assessment(status_for_ratio(ratio), eff, ratio, observed, required, needed, ms)


def _annual_ratio(actual: float, target: float, direction: Direction) -> float:
    if direction == "higher":
        return actual / target if target != 0 else (1.0 if actual >= 0 else -1.0)
    if actual <= 0:
        return 1.0
    return target / actual if target > 0 else 0.0


def rounded(value: float | None, digits: int = 4) -> float | None:
    """For output: round, and turn non-finite numbers into None."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)
