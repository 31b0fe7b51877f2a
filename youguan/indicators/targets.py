"""The targets the plan sets for the computed indicators (DOMAIN §4.1), in the engine's units
(rates as fractions 0–1), so a figure can be shown against its target: the 附表 rows (72 h ≥ 90 %,
延误率 < 0.5 %, …) and the text's 100 % 实名/验视/过机安检. ``xray_required_rate`` answers to the
same 100 % as ``xray_rate`` (the plan asks every item to be screened)."""

from __future__ import annotations

from dataclasses import dataclass

from youguan.context import Context
from youguan.indicators.definitions import Unit
from youguan.indicators.registry import registry
from youguan.plan.catalogue import PlanNotFound, get_plan
from youguan.plan.definitions import ComputedSource, Plan

SAME_TARGET_AS = {"xray_required_rate": "xray_rate"}


@dataclass(frozen=True)
class Target:
    code: str  # the indicator's code
    plan_code: str  # the plan's indicator
    value: float  # engine units
    higher_is_better: bool
    year: int
    text: str  # 规划目标（2025 年）≥ 90%

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.value if self.higher_is_better else value <= self.value


def plan_targets(ctx: Context, year: int | None = None) -> dict[str, Target]:
    """Targets of the adopted plan covering ``year`` (the latest one without), by indicator code;
    empty without an adopted plan."""
    try:
        plan = get_plan(ctx, year=year)
    except PlanNotFound:
        return {}
    return targets_of(plan)


def targets_of(plan: Plan) -> dict[str, Target]:
    defs = registry()
    out: dict[str, Target] = {}
    for ind in plan.indicators:
        spec = ind.source
        if ind.restates is not None or not isinstance(spec, ComputedSource):
            continue
        if spec.code not in defs or spec.division or spec.brand:
            continue
        d = defs[spec.code]
        scale = spec.scale if spec.scale is not None else (100.0 if ind.is_percent else 1.0)
        value = ind.target.value / scale
        higher = ind.direction == "higher"
        sign = "≥" if higher else "≤"
        if ind.target.bound is not None:
            sign = "<" if not higher else ">"
        unit = "%" if ind.is_percent else f" {ind.unit}"
        year = ind.target_year or plan.target_year
        text = f"规划目标（{year}年）{sign}{ind.target.printed.lstrip('<>≤≥=')}{unit}"
        if d.unit is Unit.RATE and not ind.is_percent:
            continue  # a rate against a non-percent target would be a transcription error
        out[spec.code] = Target(spec.code, ind.code, value, higher, year, text)
    for code, same in SAME_TARGET_AS.items():
        if same in out and code in defs and code not in out:
            t = out[same]
            out[code] = Target(code, t.plan_code, t.value, t.higher_is_better, t.year, t.text)
    return out
