"""Areas on the sphere and the average service radius (DOMAIN.md §5), with known answers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youguan.geo.areas import (
    AUTHALIC_RADIUS_M,
    county_areas_km2,
    geometry_area_km2,
    ring_area_m2,
    service_radius_km,
)


def band_area_km2(lon0: float, lon1: float, lat0: float, lat1: float) -> float:
    """Exact area of a latitude–longitude rectangle on the sphere."""
    r = AUTHALIC_RADIUS_M / 1000
    return (
        r
        * r
        * math.radians(lon1 - lon0)
        * (math.sin(math.radians(lat1)) - math.sin(math.radians(lat0)))
    )


def test_a_degree_square_at_the_equator_and_in_xishuangbanna() -> None:
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert ring_area_m2(square) / 1e6 == pytest.approx(12_363.7, abs=0.1)
    local = [[100, 21], [101, 21], [101, 22], [100, 22]]  # open ring, same area
    assert ring_area_m2(local) / 1e6 == pytest.approx(band_area_km2(100, 101, 21, 22), rel=1e-9)
    assert ring_area_m2(list(reversed(local))) == ring_area_m2(local)  # winding does not matter


@given(
    lon=st.floats(90, 110),
    lat=st.floats(-60, 60),
    width=st.floats(0.01, 5),
    height=st.floats(0.01, 5),
)
def test_rectangles_match_the_exact_band_formula(
    lon: float, lat: float, width: float, height: float
) -> None:
    ring = [[lon, lat], [lon + width, lat], [lon + width, lat + height], [lon, lat + height]]
    expected = band_area_km2(lon, lon + width, lat, lat + height)
    assert ring_area_m2(ring) / 1e6 == pytest.approx(expected, rel=1e-9)


def test_holes_are_subtracted_and_multipolygons_added() -> None:
    outer = [[100, 21], [102, 21], [102, 23], [100, 23]]
    hole = [[100.5, 21.5], [101.5, 21.5], [101.5, 22.5], [100.5, 22.5]]
    polygon = {"type": "Polygon", "coordinates": [outer, hole]}
    expected = band_area_km2(100, 102, 21, 23) - band_area_km2(100.5, 101.5, 21.5, 22.5)
    assert geometry_area_km2(polygon) == pytest.approx(expected)
    multi = {"type": "MultiPolygon", "coordinates": [[outer, hole], [hole]]}
    assert geometry_area_km2(multi) == pytest.approx(band_area_km2(100, 102, 21, 23))
    with pytest.raises(ValueError, match="not an areal geometry"):
        geometry_area_km2({"type": "Point", "coordinates": [100, 21]})


def test_the_county_areas_agree_with_the_published_figures() -> None:
    # The areas usually published: the prefecture 19 124.5 km²; 景洪 ≈ 6 867, 勐海 ≈ 5 511,
    # 勐腊 ≈ 6 860 km².
    # The shipped boundaries are simplified, so a few percent per county.
    areas = county_areas_km2()
    assert sum(areas.values()) == pytest.approx(19_124.5, rel=0.01)
    assert areas["532801"] == pytest.approx(6_867, rel=0.02)
    assert areas["532822"] == pytest.approx(5_511, rel=0.03)
    assert areas["532823"] == pytest.approx(6_860, rel=0.02)


def test_the_service_radius() -> None:
    assert service_radius_km(math.pi * 100, 1) == pytest.approx(10)  # one outlet, r = 10 km
    assert service_radius_km(math.pi * 100, 4) == pytest.approx(5)  # four share it: r halves
    assert service_radius_km(1000, 0) is None
