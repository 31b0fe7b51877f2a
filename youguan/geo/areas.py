"""Areas of boundary polygons on the sphere, for the per-outlet averages of DOMAIN.md §5 (area
served, average service radius √(area ÷ (π × outlets))).

Hand-written because the stack has no geodesy library (pyproj would bring PROJ for one formula):
the ring area on a sphere of the authalic radius, by the line-integral formula of Chamberlain and
Duquette ("Some algorithms for polygons on a sphere", JPL 2007) that d3-geo and Turf also use.
The authalic sphere has the WGS-84 ellipsoid's surface area, so areas agree with an equal-area
projection to well under 0.5 % at these latitudes; the county boundaries themselves are simplified
(ECharts' map data), which matters more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

# Radius (m) of the sphere with the WGS-84 ellipsoid's surface area (IUGG authalic radius).
AUTHALIC_RADIUS_M = 6_371_007.181

Ring = Sequence[Sequence[float]]  # [[lon, lat], ...] in degrees


def ring_area_m2(ring: Ring) -> float:
    """Area in m² enclosed by one ring of [lon, lat] points (closed or not; either winding)."""
    n = len(ring)
    if n < 3:
        return 0.0
    total = 0.0
    for i in range(n):
        lon_prev = ring[i - 1][0]
        lon_next = ring[(i + 1) % n][0]
        lat = ring[i][1]
        total += math.radians(lon_next - lon_prev) * math.sin(math.radians(lat))
    return abs(total) * AUTHALIC_RADIUS_M**2 / 2


def geometry_area_km2(geometry: dict[str, Any]) -> float:
    """Area in km² of a GeoJSON Polygon or MultiPolygon (holes subtracted)."""
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"not an areal geometry: {geometry['type']}")
    m2 = 0.0
    for rings in polygons:
        outer, *holes = rings
        m2 += ring_area_m2(outer) - sum(ring_area_m2(h) for h in holes)
    return m2 / 1e6


@cache
def county_areas_km2() -> dict[str, float]:
    """County code → area (km²) of the shipped county boundaries."""
    from youguan.geo.divisions import county_geojson

    return {
        f["properties"]["code"]: geometry_area_km2(f["geometry"])
        for f in county_geojson()["features"]
    }


def service_radius_km(area_km2: float, outlets: int) -> float | None:
    """Average service radius (平均服务半径, DOMAIN.md §5): √(area ÷ (π × outlets)), the radius
    of the circle each outlet would serve if they shared the area equally; None without
    outlets."""
    if outlets <= 0:
        return None
    return math.sqrt(area_km2 / (math.pi * outlets))
