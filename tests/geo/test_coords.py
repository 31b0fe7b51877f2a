"""Published reference points: the test vectors of eviltransform (googollee/eviltransform)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youguan.geo.coords import gcj02_to_wgs84, point_in_polygon, to_wgs84, wgs84_to_gcj02

# (wgs lat, wgs lon) → (gcj lat, gcj lon)
VECTORS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_wgs84_to_gcj02_matches_published_points(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lon == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_gcj02_to_wgs84_recovers_the_point_within_a_centimetre(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    lon, lat = gcj02_to_wgs84(gcj[1], gcj[0])
    assert lat == pytest.approx(wgs[0], abs=1e-7)  # 1e-7 degree ≈ 1 cm
    assert lon == pytest.approx(wgs[1], abs=1e-7)


def test_to_wgs84_converts_only_gcj02() -> None:
    assert to_wgs84(100.8, 22.0, "wgs84") == (100.8, 22.0)
    lon, lat = to_wgs84(100.8, 22.0, "gcj02")
    assert 0.001 < math.hypot(lon - 100.8, lat - 22.0) < 0.01


@given(st.floats(97.6, 105.9), st.floats(21.2, 29.2))
def test_round_trip_in_yunnan_is_exact_to_a_centimetre(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back[0] == pytest.approx(lon, abs=1e-7)
    assert back[1] == pytest.approx(lat, abs=1e-7)


def test_point_in_polygon() -> None:
    square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    assert point_in_polygon(0.5, 0.5, square)
    assert not point_in_polygon(1.5, 0.5, square)
