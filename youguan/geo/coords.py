"""Coordinates: GCJ-02 (the offset system of Chinese web maps) ↔ WGS-84.

Outlets are stored in WGS-84; coordinates read off a Chinese map (高德, 腾讯) arrive in GCJ-02 and
are converted on entry. The arithmetic is `prcoords` (public domain); GCJ-02 → WGS-84 uses its
iterative inverse (``*_bored``), accurate to well under a metre, not the one-step approximation.
"""

from __future__ import annotations

from enum import StrEnum

import prcoords


class CoordSystem(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in GCJ-02 → (lon, lat) in WGS-84."""
    c = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon))
    return c.lon, c.lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in WGS-84 → (lon, lat) in GCJ-02."""
    c = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
    return c.lon, c.lat


def to_wgs84(lon: float, lat: float, system: CoordSystem | str) -> tuple[float, float]:
    if CoordSystem(system) is CoordSystem.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return lon, lat


def point_in_polygon(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Even-odd rule on one ring of [lon, lat] points (boundaries are simple polygons here)."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside
