"""Projection of an indicator to a future year, with an interval (DOMAIN.md §4.3).

- Compound trend: ordinary least squares of log(value) on the year (statsmodels OLS); the
  interval is the prediction interval of a new observation, back-transformed. With two points the
  line is exact and there is no interval. Series with a value ≤ 0 get a straight-line trend.
- Damped trend: ETS(A,Ad,N) on log(value) (statsmodels ``ETSModel``, damped additive trend), used
  as the primary projection once there are at least :data:`DAMPED_MIN_POINTS` consecutive yearly
  values. It has five parameters; with fewer points it fits the noise and its intervals are
  absurdly narrow, so below that the compound trend is the answer.

Projections are clipped to the indicator's natural limits (a share stays within 0–100 %).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

DAMPED_MIN_POINTS = 7
DEFAULT_LEVEL = 0.8  # an 80 % interval: honest about few points without being uselessly wide

Method = Literal["compound_trend", "linear_trend", "damped_trend"]
METHOD_LABELS: dict[str, str] = {
    "compound_trend": "复合增长趋势（对数线性回归）",
    "linear_trend": "线性趋势",
    "damped_trend": "阻尼趋势（ETS）",
}


@dataclass(frozen=True)
class Projection:
    year: int
    value: float
    low: float | None
    high: float | None
    method: Method
    points: int
    level: float = DEFAULT_LEVEL
    growth: float | None = None  # the fitted annual growth (fraction) of a compound trend
    alternatives: tuple[Projection, ...] = field(default=())

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]


def project(
    points: Sequence[tuple[int, float]],
    year: int,
    *,
    limits: tuple[float | None, float | None] = (None, None),
    level: float = DEFAULT_LEVEL,
) -> Projection | None:
    """Project ``points`` (year, value) to ``year``. None with fewer than two points or when
    ``year`` is not after the last point."""
    pts = sorted({y: v for y, v in points if v is not None and math.isfinite(v)}.items())
    if len(pts) < 2 or year <= pts[-1][0]:
        return None
    years = np.array([p[0] for p in pts], dtype=float)
    values = np.array([p[1] for p in pts], dtype=float)
    trend = _trend(years, values, year, level)
    damped = None
    consecutive = bool(np.all(np.diff(years) == 1))
    if len(pts) >= DAMPED_MIN_POINTS and consecutive and np.all(values > 0):
        damped = _damped(values, int(year - years[-1]), year, level)
    primary, others = (damped, (trend,)) if damped is not None else (trend, ())
    return _clip(primary, limits, tuple(_clip(o, limits, ()) for o in others))


def _trend(years: np.ndarray, values: np.ndarray, year: int, level: float) -> Projection:
    import statsmodels.api as sm

    positive = bool(np.all(values > 0))
    y = np.log(values) if positive else values
    x = sm.add_constant(years - years[0])
    fit = sm.OLS(y, x).fit()
    new = np.array([[1.0, year - years[0]]])
    value = float(fit.predict(new)[0])
    low = high = None
    if len(values) > 2:
        frame = fit.get_prediction(new).summary_frame(alpha=1.0 - level)
        low, high = float(frame["obs_ci_lower"].iloc[0]), float(frame["obs_ci_upper"].iloc[0])
    slope = float(fit.params[1])
    if positive:
        return Projection(
            year=year,
            value=math.exp(value),
            low=None if low is None else math.exp(low),
            high=None if high is None else math.exp(high),
            method="compound_trend",
            points=len(values),
            level=level,
            growth=math.exp(slope) - 1.0,
        )
    return Projection(year, value, low, high, "linear_trend", len(values), level)


def _damped(values: np.ndarray, steps: int, year: int, level: float) -> Projection | None:
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(np.log(values))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short series
            res = ETSModel(series, error="add", trend="add", damped_trend=True).fit(disp=False)
            frame = res.get_prediction(
                start=len(values), end=len(values) + steps - 1
            ).summary_frame(alpha=1.0 - level)
    except (ValueError, np.linalg.LinAlgError):
        return None
    last = frame.iloc[-1]
    mean, low, high = (float(last[k]) for k in ("mean", "pi_lower", "pi_upper"))
    if not all(math.isfinite(v) for v in (mean, low, high)):
        return None
    return Projection(
        year, math.exp(mean), math.exp(low), math.exp(high), "damped_trend", len(values), level
    )


def _clip(
    p: Projection,
    limits: tuple[float | None, float | None],
    alternatives: tuple[Projection, ...],
) -> Projection:
    lo, hi = limits

    def c(v: float | None) -> float | None:
        if v is None:
            return None
        if lo is not None:
            v = max(v, lo)
        if hi is not None:
            v = min(v, hi)
        return v

    value = c(p.value)
    assert value is not None
    return Projection(
        p.year, value, c(p.low), c(p.high), p.method, p.points, p.level, p.growth, alternatives
    )
