"""ECharts options of the indicator pages (pure: page context in, option dict out). Rates are
drawn in percent, the other units as they are."""

from __future__ import annotations

from typing import Any

from youguan.geo.divisions import divisions
from youguan.indicators.definitions import Unit
from youguan.indicators.page_schemas import BoardPage, Panel
from youguan.indicators.registry import definition
from youguan.web import charts
from youguan.web.charts import FONT, PALETTE

STAGE_COLOURS = ["#8250df", "#2b5fad", "#0a7ea4", "#1a7f37"]


def _base() -> dict[str, Any]:
    return {"textStyle": {"fontFamily": FONT}, "color": PALETTE, "animationDuration": 300}


def shown(code: str, value: float | None) -> float | None:
    """A value in the unit the chart's axis names (rates in percent), rounded for display."""
    if value is None:
        return None
    if definition(code).unit is Unit.RATE:
        return round(value * 100, 2)
    return round(value, 2)


def axis_unit(code: str) -> str:
    return definition(code).unit.label


def _panel(p: BoardPage, code: str) -> Panel:
    return next(x for x in p.panels if x.definition.code == code)


def _target_line(panel: Panel) -> dict[str, Any]:
    if panel.target is None:
        return {}
    return {
        "markLine": {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"color": "#cf222e", "type": "dashed"},
            "label": {"formatter": panel.target_text or "目标", "position": "insideEndTop"},
            "data": [{"yAxis": shown(panel.definition.code, panel.target)}],
        }
    }


def trend(p: BoardPage) -> dict[str, Any]:
    """The focused indicator by month, against its target."""
    panel = _panel(p, p.focus)
    code = panel.definition.code
    return _base() | {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [t.period for t in panel.trend]},
        "yAxis": {"type": "value", "name": axis_unit(code), "scale": True},
        "series": [
            {
                "name": panel.definition.name,
                "type": "line",
                "connectNulls": False,
                "symbolSize": 7,
                "data": [shown(code, t.figure.value) for t in panel.trend],
            }
            | _target_line(panel)
        ],
    }


def rates(p: BoardPage) -> dict[str, Any]:
    """The page's rates with a target by month (寄递安全: four rates against 100 %)."""
    periods = [t.period for t in p.panels[0].trend] if p.panels else []
    series = []
    for i, panel in enumerate(x for x in p.panels if x.target is not None):
        code = panel.definition.code
        series.append(
            {
                "name": panel.definition.name,
                "type": "line",
                "symbolSize": 6,
                "data": [shown(code, t.figure.value) for t in panel.trend],
            }
            | (_target_line(panel) if i == 0 else {})
        )
    return _base() | {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": periods},
        "yAxis": {"type": "value", "name": "%", "scale": True, "max": 100},
        "series": series,
    }


def brands(p: BoardPage) -> dict[str, Any]:
    """The focused indicator by brand, best first (top of the chart)."""
    rows = list(reversed(p.by_brand))
    option = charts.bar(
        [r.name for r in rows],
        {_panel(p, p.focus).definition.name: [shown(p.focus, r.figure.value) for r in rows]},
        unit=axis_unit(p.focus),
        horizontal=True,
    )
    option["xAxis"]["scale"] = True
    return option


def county_map(p: BoardPage) -> dict[str, Any]:
    """The counties shaded by the focused indicator; counties out of scope are greyed."""
    values = {r.name: r.figure for r in p.by_county}
    regions = [
        charts.MapRegion(
            name=d.name,
            value=shown(p.focus, values[d.name].value) if d.name in values else None,
            highlighted=d.name in values,
        )
        for d in divisions().prefecture_counties()
    ]
    unit = axis_unit(p.focus)
    name = _panel(p, p.focus).definition.name + (f"（{unit}）" if unit else "")
    option = charts.county_map(regions, value_name=name)
    if "visualMap" in option:
        option["visualMap"]["text"] = ["高", "低"]
    return option


def stages(p: BoardPage) -> dict[str, Any]:
    """Mean hours of the four stages, stacked, for all brands and each brand."""
    rows = list(reversed(p.stages))
    return _base() | {
        "color": STAGE_COLOURS,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "小时"},
        "yAxis": {"type": "category", "data": [r.name for r in rows]},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "stages",
                "data": [_hours(r.hours.get(code)) for r in rows],
            }
            for code, label in p.stage_names.items()
        ],
    }


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def quality_charts(p: BoardPage) -> dict[str, Any]:
    out = {"trend": trend(p), "brands": brands(p), "county_map": county_map(p)}
    if p.stages:
        out["stages"] = stages(p)
    return out


def security_charts(p: BoardPage) -> dict[str, Any]:
    return {"rates": rates(p), "brands": brands(p), "county_map": county_map(p)}
