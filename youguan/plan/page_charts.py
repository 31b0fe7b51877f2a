"""ECharts options of the plan pages (pure functions: page context in, option dict out). The Word
report draws the same pictures with matplotlib (:mod:`youguan.reports.charts`)."""

from __future__ import annotations

from typing import Any

from youguan.plan.page_schemas import IndicatorPage, PlanProgress
from youguan.plan.printed import PrintedError, parse_printed
from youguan.plan.rules import STATUS_COLOURS, STATUS_LABELS, STATUSES
from youguan.web.charts import FONT

ACTUAL_COLOUR = "#2B5FAD"
PATH_COLOUR = "#6E7781"
PROJECTION_COLOUR = "#BC4C00"


def _base() -> dict[str, Any]:
    return {"textStyle": {"fontFamily": FONT}, "animationDuration": 300}


def status_counts(progress: PlanProgress) -> dict[str, Any]:
    """Indicators by status: one bar per status in its colour."""
    counts = list(reversed(progress.counts))
    return _base() | {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 32, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "项", "minInterval": 1},
        "yAxis": {"type": "category", "data": [c.label for c in counts]},
        "series": [
            {
                "name": f"{progress.year}年指标数",
                "type": "bar",
                "data": [{"value": c.count, "itemStyle": {"color": c.color}} for c in counts],
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def area_statuses(progress: PlanProgress) -> dict[str, Any]:
    """Each area's indicators stacked by status (restatements of table rows left out)."""
    areas = [a for a in progress.areas if any(r.restates is None for r in a.rows)]
    names = [a.name for a in areas]
    series = []
    for status in STATUSES:
        values = [
            sum(1 for r in a.rows if r.restates is None and r.status.code == status) for a in areas
        ]
        if not any(values):
            continue
        series.append(
            {
                "name": STATUS_LABELS[status],
                "type": "bar",
                "stack": "status",
                "itemStyle": {"color": STATUS_COLOURS[status]},
                "data": [v or None for v in values],
            }
        )
    return _base() | {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "项", "minInterval": 1},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": series,
    }


def indicator_trend(p: IndicatorPage) -> dict[str, Any]:
    """Actuals against the plan's yearly milestones, the target, and the trend projection with
    its interval band (stacked: the band's floor is invisible, its width is filled)."""
    s = p.status
    first = s.baseline_year or min([*s.series, *s.milestones, s.target_year])
    years = list(range(first, s.target_year + 1))
    actual = {**({s.baseline_year: _baseline(p)} if s.baseline_year else {}), **s.series}
    projection = {pt.year: pt for pt in p.projection}
    has_band = any(pt.low is not None and pt.high is not None for pt in p.projection)
    series: list[dict[str, Any]] = [
        {
            "name": "规划路径（里程碑）",
            "type": "line",
            "data": [s.milestones.get(y) for y in years],
            "lineStyle": {"type": "dashed", "color": PATH_COLOUR},
            "itemStyle": {"color": PATH_COLOUR},
            "symbol": "emptyCircle",
            "markLine": {
                "silent": True,
                "symbol": "none",
                "lineStyle": {"color": PATH_COLOUR, "type": "dotted"},
                "label": {
                    "formatter": f"{s.target_year}年目标 {s.target}",
                    "position": "insideEndTop",
                },
                "data": [{"yAxis": _number(s.target)}],
            },
        },
        {
            "name": "实际值",
            "type": "line",
            "data": [actual.get(y) for y in years],
            "connectNulls": True,
            "lineStyle": {"width": 3, "color": ACTUAL_COLOUR},
            "itemStyle": {"color": ACTUAL_COLOUR},
            "symbolSize": 8,
        },
    ]
    if p.projection:
        series.append(
            {
                "name": "趋势预测",
                "type": "line",
                "data": [projection[y].value if y in projection else None for y in years],
                "lineStyle": {"type": "dashed", "color": PROJECTION_COLOUR},
                "itemStyle": {"color": PROJECTION_COLOUR},
            }
        )
    if has_band:
        level = round((s.projection_level or 0.8) * 100)
        series += [
            {
                "name": "预测区间下限",
                "type": "line",
                "stack": "band",
                "data": [_low(projection, y) for y in years],
                "lineStyle": {"opacity": 0},
                "symbol": "none",
                "tooltip": {"show": False},
            },
            {
                "name": f"{level}%预测区间",
                "type": "line",
                "stack": "band",
                "data": [_width(projection, y) for y in years],
                "lineStyle": {"opacity": 0},
                "symbol": "none",
                "areaStyle": {"color": PROJECTION_COLOUR, "opacity": 0.15},
                "itemStyle": {"color": PROJECTION_COLOUR, "opacity": 0.3},
                "tooltip": {"show": False},
            },
        ]
    return _base() | {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [x["name"] for x in series if x["name"] != "预测区间下限"]},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(y) for y in years], "boundaryGap": False},
        "yAxis": {"type": "value", "name": s.unit, "scale": True},
        "series": series,
    }


def _number(printed: str) -> float | None:
    try:
        return parse_printed(printed).value
    except PrintedError:
        return None


def _baseline(p: IndicatorPage) -> float | None:
    return None if p.status.baseline is None else _number(p.status.baseline)


def _low(projection: dict[int, Any], year: int) -> float | None:
    pt = projection.get(year)
    return None if pt is None or pt.low is None else pt.low


def _width(projection: dict[int, Any], year: int) -> float | None:
    pt = projection.get(year)
    if pt is None or pt.low is None or pt.high is None:
        return None
    return round(pt.high - pt.low, 6)
