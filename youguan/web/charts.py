"""ECharts options built in Python (pure functions: data in, option dict out).

Pages pass these to the ``chart`` macro, which embeds the option as JSON; ``static/app.js``
initialises every chart from it offline and marks the element ``data-chart-ready="1"`` on the
chart's ``finished`` event. Maps name a GeoJSON URL served by the platform itself
(``data-map-url``), registered with ``echarts.registerMap`` before drawing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
PALETTE = ["#2b5fad", "#1a7f37", "#d4a72c", "#cf222e", "#8250df", "#0a7ea4", "#bc4c00"]
COUNTY_MAP = "xsbn-counties"  # registered name of the county boundaries
COUNTY_MAP_URL = "/api/v1/geo/counties"


@dataclass(frozen=True)
class MapRegion:
    name: str  # must equal the GeoJSON feature's properties.name
    value: float | None
    tooltip: str = ""
    highlighted: bool = True


def _base() -> dict[str, Any]:
    return {"textStyle": {"fontFamily": FONT}, "color": PALETTE, "animationDuration": 300}


def bar(
    categories: Sequence[str],
    series: dict[str, Sequence[float | int | None]],
    *,
    unit: str = "",
    horizontal: bool = False,
) -> dict[str, Any]:
    """A grouped bar chart: one bar per category per series."""
    cat_axis = {"type": "category", "data": list(categories)}
    val_axis = {"type": "value", "name": unit}
    return _base() | {
        "tooltip": {"trigger": "axis"},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": val_axis if horizontal else cat_axis,
        "yAxis": cat_axis if horizontal else val_axis,
        "series": [
            {
                "name": name,
                "type": "bar",
                "data": list(values),
                "label": {"show": True, "position": "right" if horizontal else "top"},
            }
            for name, values in series.items()
        ],
    }


def line(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    unit: str = "",
    right: Collection[str] = (),
) -> dict[str, Any]:
    """Lines over categories (months); gaps stay gaps. Series named in ``right`` are drawn
    against a second axis on the right (a 0.3 % rate beside a 93 % one would lie flat)."""
    option = _base() | {
        "tooltip": {"trigger": "axis"},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": list(categories)},
        "yAxis": {"type": "value", "name": unit, "scale": True},
        "series": [
            {
                "name": name,
                "type": "line",
                "symbolSize": 6,
                "data": [None if v is None else round(v, 2) for v in values],
            }
            | ({"yAxisIndex": 1} if name in right else {})
            for name, values in series.items()
        ],
    }
    if any(name in right for name in series):
        option["yAxis"] = [
            option["yAxis"],
            {"type": "value", "name": unit, "scale": True, "splitLine": {"show": False}},
        ]
    return option


def small_beside(series: Mapping[str, Sequence[float | None]], factor: float = 10) -> list[str]:
    """The series too small to read on the axis of the others: their largest value is below a
    ``factor``-th of the smallest value of the largest series."""
    peaks = {n: max((v for v in vs if v is not None), default=None) for n, vs in series.items()}
    known = {n: p for n, p in peaks.items() if p is not None}
    if len(known) < 2:
        return []
    top = max(known, key=lambda n: known[n])
    floor = min(v for v in series[top] if v is not None)
    return [n for n, p in known.items() if n != top and p * factor < floor]


@dataclass(frozen=True)
class MapPoint:
    """A point on the county map, in the map's coordinates (those of the boundaries: GCJ-02 for
    the shipped ones — convert stored WGS-84 points before plotting)."""

    name: str
    lon: float
    lat: float
    url: str | None = None  # clicking the point opens it


@dataclass(frozen=True)
class PointLayer:
    """One legend entry of points (e.g. one facility type) with its colour."""

    name: str
    color: str
    points: Sequence[MapPoint]


def county_map(
    regions: Sequence[MapRegion],
    *,
    value_name: str = "",
    layers: Sequence[PointLayer] = (),
    shade: bool = True,
) -> dict[str, Any]:
    """The prefecture's counties with their names, optionally shaded by value (``shade``) and
    with layers of points on top (a legend entry each, clickable when a point has a ``url``);
    regions out of scope are greyed. The boundaries are a ``geo`` component that the region
    series and the point series share."""
    values = [r.value for r in regions if r.value is not None]
    option = _base() | {
        "tooltip": {"trigger": "item"},
        "geo": {
            "map": COUNTY_MAP,
            "roam": bool(layers),
            "top": 16,
            "bottom": 48 if layers else 16,
            "left": 8,
            "right": 8,
            "scaleLimit": {"min": 1, "max": 12},
            "aspectScale": 0.95,
            # with points on top, the names are drawn fainter so that the points stay readable
            "label": {
                "show": True,
                "fontSize": 14,
                "fontWeight": "bold",
                "color": "rgba(31, 35, 40, 0.55)" if layers else "#1f2328",
            },
            "itemStyle": {"areaColor": "#f3f6f9", "borderColor": "#8c959f", "borderWidth": 1.2},
            "emphasis": {"label": {"show": True}, "itemStyle": {"areaColor": "#ffd866"}},
            "regions": [
                {"name": r.name, "itemStyle": {"areaColor": "#e6e8eb"}}
                for r in regions
                if not r.highlighted
            ],
        },
        "series": [
            {
                "name": value_name,
                "type": "map",
                "geoIndex": 0,
                "tooltip": {"formatter": "{b}<br/>{a}：{c}"},
                "data": [{"name": r.name, "value": r.value} for r in regions],
            },
            *(
                {
                    "name": layer.name,
                    "type": "scatter",
                    "coordinateSystem": "geo",
                    "symbolSize": 7,
                    "itemStyle": {
                        "color": layer.color,
                        "borderColor": "#ffffff",
                        "borderWidth": 0.5,
                    },
                    "tooltip": {"formatter": "{a}<br/>{b}"},
                    "data": [
                        {
                            "name": p.name,
                            "value": [p.lon, p.lat],
                            **({"url": p.url} if p.url else {}),
                        }
                        for p in layer.points
                    ],
                }
                for layer in layers
            ),
        ],
    }
    if layers:
        option["legend"] = {"type": "scroll", "bottom": 0, "data": [layer.name for layer in layers]}
    if values and shade:
        option["visualMap"] = {
            "min": min(values),
            "max": max(values) if max(values) > min(values) else min(values) + 1,
            "left": 8,
            "bottom": 8,
            "text": ["多", "少"],
            "calculable": False,
            "inRange": {"color": ["#dbe9f6", "#2b5fad"]},
            "seriesIndex": 0,
        }
    return option
