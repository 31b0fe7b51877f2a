"""Vehicles of the registry file ``registry/vehicles.csv``: the plan's 142 postal and 803 express
vehicles registered by 2020 (云K plates), a fleet that grows and turns to new energy after it."""

from __future__ import annotations

import datetime as dt

import numpy as np

from youguan.demo import profile as P
from youguan.demo.enterprises import EnterpriseSet
from youguan.demo.randomness import apportion, stream
from youguan.demo.statistics import brand_shares, county_split
from youguan.registry.brands import brands
from youguan.registry.io import COLUMNS

VEHICLE_COLUMNS = COLUMNS["vehicles"]  # the registry importer's contract
POSTAL_2020 = 142  # 邮政专用车辆 [plan]
EXPRESS_2020 = 803  # 快递服务汽车 [plan]
NEW_POSTAL = {2021: 9, 2022: 8, 2023: 10, 2024: 11, 2025: 12, 2026: 10}
NEW_EXPRESS = {2021: 70, 2022: 55, 2023: 85, 2024: 95, 2025: 105, 2026: 90}
NEW_ENERGY_SHARE = {
    2020: 0.03,
    2021: 0.15,
    2022: 0.22,
    2023: 0.30,
    2024: 0.40,
    2025: 0.50,
    2026: 0.55,
}
TYPES = ("van", "truck")  # 快递服务汽车: vans and light trucks
TYPE_WEIGHTS = (0.68, 0.32)
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates


def _plate(rng: np.random.Generator, new_energy: bool) -> str:
    if new_energy:  # 新能源: D (pure electric) or F (hybrid) + 5 digits
        return (
            "云K"
            + ("D" if rng.random() < 0.8 else "F")
            + "".join(str(int(x)) for x in rng.integers(0, 10, 5))
        )
    chars = PLATE_LETTERS + "0123456789"
    first = PLATE_LETTERS[int(rng.integers(len(PLATE_LETTERS)))]
    return "云K" + first + "".join(chars[int(i)] for i in rng.integers(0, len(chars), 4))


def generate_vehicles(seed: int, ents: EnterpriseSet, end: dt.date) -> list[dict[str, str]]:
    rng = stream(seed, "registry", "vehicles")
    rows: list[dict[str, str]] = []
    used: set[str] = set()

    def add(brand: str, county: str, year: int, kind: str) -> None:
        day = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        if day > end:
            return
        ne = bool(rng.random() < NEW_ENERGY_SHARE[min(year, 2026) if year >= 2020 else 2020])
        plate = _plate(rng, ne)
        while plate in used:
            plate = _plate(rng, ne)
        used.add(plate)
        retired = year < 2019 and rng.random() < 0.25
        rows.append(
            {
                "plate": plate,
                "brand": brand,
                "enterprise_uscc": ents.local[(brand, county)],
                "kind": kind,
                "vehicle_type": TYPES[int(rng.choice(len(TYPES), p=TYPE_WEIGHTS))],
                "new_energy": "true" if ne else "false",
                "county_code": county,
                "status": "closed" if retired else "active",
                "registered_on": day.isoformat(),
            }
        )

    def old_year() -> int:
        return max(2012, 2020 - int(rng.exponential(2.5)))

    # 2020 fleet
    for county, n in zip(P.COUNTIES, apportion(POSTAL_2020, (0.5, 0.28, 0.22)), strict=True):
        for _ in range(int(n)):
            add("ems", county, old_year(), "postal")
    shares = brand_shares(2020, 7)
    express = [c for c in shares if c != "ems"]
    per_brand = apportion(EXPRESS_2020, [shares[c] for c in express])
    for c, n in zip(express, per_brand, strict=True):
        for county, k in zip(P.COUNTIES, apportion(int(n), county_split(c)), strict=True):
            for _ in range(int(k)):
                add(c, county, old_year(), "express")
    # growth
    for year in range(2021, 2027):
        for county, n in zip(
            P.COUNTIES, apportion(NEW_POSTAL[year], (0.5, 0.28, 0.22)), strict=True
        ):
            for _ in range(int(n)):
                add("ems", county, year, "postal")
        shares = brand_shares(year, 7)
        express = [c for c in shares if c != "ems" and brands()[c].until is None]
        for c, n in zip(
            express, apportion(NEW_EXPRESS[year], [shares[c] for c in express]), strict=True
        ):
            for county, k in zip(P.COUNTIES, apportion(int(n), county_split(c)), strict=True):
                for _ in range(int(k)):
                    add(c, county, year, "express")
    return rows
