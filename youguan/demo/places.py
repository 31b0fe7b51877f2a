"""Places of 5328 for the demo: township seats (``data/township_seats.csv``, synthetic), their
villages and communities from the reference divisions, points scattered around a seat and kept
inside the county's boundary, and addresses."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from youguan.geo.divisions import Kind, Level, county_geojson, divisions


@dataclass(frozen=True)
class Seat:
    code: str  # 9-digit township code
    name: str
    lon: float
    lat: float
    urban: bool

    @property
    def county(self) -> str:
        return self.code[:6]

    @property
    def kind(self) -> Kind:
        return divisions()[self.code].kind


def _data(name: str) -> str:
    return resources.files("youguan.demo").joinpath("data", name).read_text(encoding="utf-8")


@cache
def seats() -> dict[str, Seat]:
    """Township code → seat, in code order."""
    rows = csv.DictReader(_data("township_seats.csv").splitlines())
    out = {
        r["code"]: Seat(r["code"], r["name"], float(r["lon"]), float(r["lat"]), r["urban"] == "1")
        for r in rows
    }
    return dict(sorted(out.items()))


@cache
def people_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(_data("people.yaml"))
    return data


@cache
def flows_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(_data("flows.yaml"))
    return data


def villages(township: str, kinds: tuple[Kind, ...] | None = None) -> list[str]:
    """Village-level codes under a township, optionally of some kinds, in code order."""
    kids = divisions().children(township)
    return sorted(d.code for d in kids if kinds is None or d.kind in kinds)


@cache
def administrative_villages() -> tuple[str, ...]:
    """Every 建制村 (村民委员会) of the prefecture, in code order."""
    return tuple(
        sorted(
            d.code
            for d in divisions().all(Level.VILLAGE)
            if d.in_prefecture and d.kind is Kind.VILLAGER_COMMITTEE
        )
    )


@cache
def _rings() -> dict[str, npt.NDArray[np.float64]]:
    return {
        f["properties"]["code"]: np.asarray(f["geometry"]["coordinates"][0], dtype=np.float64)
        for f in county_geojson()["features"]
    }


def inside(county: str, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> np.ndarray:
    """Vectorised even-odd point-in-polygon test against the county's boundary (the same rule
    as :func:`youguan.geo.coords.point_in_polygon`)."""
    ring = _rings()[county]
    xi, yi = ring[:, 0], ring[:, 1]
    xj, yj = np.roll(xi, 1), np.roll(yi, 1)
    lon2, lat2 = lon[:, None], lat[:, None]
    crosses = (yi > lat2) != (yj > lat2)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = (xj - xi) * (lat2 - yi) / (yj - yi) + xi
    hit = crosses & (lon2 < x_at)
    return np.asarray(hit.sum(axis=1) % 2 == 1)


def scatter(
    rng: np.random.Generator, seat: Seat, n: int, sigma_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points around ``seat``; points falling outside the county are pulled toward the
    seat (which is inside) until they are in."""
    dx = rng.normal(0.0, sigma_deg, n)
    dy = rng.normal(0.0, sigma_deg, n)
    lon, lat = seat.lon + dx, seat.lat + dy
    for _ in range(12):
        bad = ~inside(seat.county, lon, lat)
        if not bad.any():
            break
        dx[bad] *= 0.5
        dy[bad] *= 0.5
        lon, lat = seat.lon + dx, seat.lat + dy
    bad = ~inside(seat.county, lon, lat)
    lon[bad], lat[bad] = seat.lon, seat.lat
    return np.round(lon, 6), np.round(lat, 6)


def address(rng: np.random.Generator, division_code: str) -> str:
    """A plausible street address in a division of 5328 (invented house numbers)."""
    d = divisions()
    county = d[division_code[:6]]
    parts = ["云南省", d["5328"].name, county.name]
    if len(division_code) >= 9:
        parts.append(d[division_code[:9]].name)
    if len(division_code) == 12:
        name = d[division_code].name
        if name.endswith("村民委员会"):
            name = name.removesuffix("村民委员会") + "村"
        parts.append(name.removesuffix("居民委员会"))
    streets = people_data()["streets"][division_code[:6]]
    parts.append(f"{streets[int(rng.integers(len(streets)))]}{int(rng.integers(1, 300))}号")
    return "".join(parts)
