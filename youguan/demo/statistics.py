"""Monthly statistics per brand × county (the ``statistics`` input format of
:mod:`youguan.ingest.schemas`), at real scale, 2020-01 up to the end month.

Each year's totals are exact (express items, letters + parcels, both revenues: the plan's
baseline in 2020, the demo's path later, :mod:`youguan.demo.profile`) and are apportioned over
brand × county × month cells in proportion to brand share × county split × seasonal month share
× a little noise, so that the yearly sums the plan actuals report agree with the files to the
item and to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from youguan.demo import profile as P
from youguan.demo.randomness import apportion, stream
from youguan.demo.seasons import month_shares
from youguan.registry.brands import brands


def months_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(year, month) of every month from ``first``'s to ``last``'s, inclusive."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def growth(year: int) -> float:
    prev = P.EXPRESS_VOLUME_WAN.get(year - 1)
    return P.EXPRESS_VOLUME_WAN[year] / prev - 1 if prev else 0.3


def brand_shares(year: int, month: int) -> dict[str, float]:
    """Brand shares of express items in a month: the yearly anchors interpolated by month,
    brands gone by then at zero, renormalised."""
    x = year + (month - 0.5) / 12 - 0.5  # anchors sit at mid-year
    xs = np.array(P.ANCHOR_YEARS, dtype=np.float64)
    day = dt.date(year, month, 1)
    out: dict[str, float] = {}
    for code, info in brands().items():
        if not info.active_on(day):
            continue
        out[code] = float(np.interp(x, xs, np.array(P.BRAND_SHARE_ANCHORS[code])))
    total = sum(out.values())
    return {k: v / total for k, v in out.items()}


def county_split(brand: str) -> tuple[float, float, float]:
    return P.COUNTY_SPLIT.get(brand, P.DEFAULT_COUNTY_SPLIT)


def scope_shares(brand: str, county: str) -> tuple[float, float, float]:
    """(same-city, intercity, international) shares of a brand's items accepted in a county."""
    same = P.SAME_CITY_SHARE.get(brand, P.DEFAULT_SAME_CITY_SHARE)
    intl = P.INTERNATIONAL_SHARE.get(
        (brand, county), P.DEFAULT_INTERNATIONAL_SHARE.get(county, 0.0)
    )
    if brands()[brand].kind == "express" and brand in ("deppon", "zjs", "uc"):
        intl = 0.0
    return same, 1.0 - same - intl, intl


@dataclass(frozen=True)
class Cell:
    brand: str
    county: str
    year: int
    month: int

    @property
    def month_label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _year_cells(year: int, months: list[int]) -> list[Cell]:
    cells = []
    for month in months:
        for brand in brand_shares(year, month):
            for county in P.COUNTIES:
                cells.append(Cell(brand, county, year, month))
    return cells


def statistics_table(seed: int, end: dt.date, start_year: int = 2020) -> pa.Table:
    """Every brand × county × month from January ``start_year`` through ``end``'s month."""
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "brand",
            "county_code",
            "month",
            "items_same_city",
            "items_intercity",
            "items_international",
            "letters",
            "parcels",
            "revenue_express",
            "revenue_postal",
        )
    }
    for year in range(start_year, end.year + 1):
        rng = stream(seed, "statistics", year)
        all_cells = _year_cells(year, list(range(1, 13)))
        g = growth(year)
        shares = {c: month_shares(year, c, g) for c in P.COUNTIES}
        weight = np.array(
            [
                brand_shares(c.year, c.month)[c.brand]
                * county_split(c.brand)[P.COUNTIES.index(c.county)]
                * shares[c.county][c.month - 1]
                for c in all_cells
            ]
        )
        weight *= rng.lognormal(0.0, 0.04, len(all_cells))
        items = apportion(round(P.EXPRESS_VOLUME_WAN[year] * 10_000), weight)
        # Scope split of each cell (exact per cell).
        same = np.zeros(len(all_cells), dtype=np.int64)
        intl = np.zeros(len(all_cells), dtype=np.int64)
        rev_w = np.zeros(len(all_cells))
        for i, c in enumerate(all_cells):
            s, _, x = scope_shares(c.brand, c.county)
            jitter = rng.lognormal(0.0, 0.05, 2)
            same[i] = round(items[i] * s * jitter[0])
            intl[i] = round(items[i] * x * jitter[1])
            unit = P.REVENUE_WEIGHT.get(c.brand, P.DEFAULT_REVENUE_WEIGHT)
            rev_w[i] = unit * (items[i] - same[i] - intl[i] + 0.6 * same[i] + 6.0 * intl[i])
        inter = items - same - intl
        rev_w *= rng.lognormal(0.0, 0.03, len(all_cells))
        revenue_fen = apportion(round(P.EXPRESS_REVENUE_YI[year] * 1e10), rev_w)
        # Postal delivery service (letters, parcels, its revenue): EMS rows only.
        postal_idx = [i for i, c in enumerate(all_cells) if c.brand == "ems"]
        pw = weight[postal_idx] ** 0.5  # letters are far less seasonal than parcels
        postal_total = round(P.POSTAL_VOLUME_WAN[year] * 10_000)
        parcels_total = round(postal_total * P.PARCEL_SHARE_OF_POSTAL[year])
        letters = apportion(postal_total - parcels_total, pw)
        parcels = apportion(parcels_total, weight[postal_idx])
        postal_fen = apportion(round(P.POSTAL_REVENUE_YI[year] * 1e10), pw)
        postal_at = {i: k for k, i in enumerate(postal_idx)}

        last_month = end.month if year == end.year else 12
        for i, c in enumerate(all_cells):
            if c.month > last_month:
                continue
            k = postal_at.get(i)
            columns["brand"].append(c.brand)
            columns["county_code"].append(c.county)
            columns["month"].append(c.month_label)
            columns["items_same_city"].append(int(same[i]))
            columns["items_intercity"].append(int(inter[i]))
            columns["items_international"].append(int(intl[i]))
            columns["letters"].append(None if k is None else int(letters[k]))
            columns["parcels"].append(None if k is None else int(parcels[k]))
            columns["revenue_express"].append(int(revenue_fen[i]) / 100)
            columns["revenue_postal"].append(None if k is None else int(postal_fen[k]) / 100)
    schema = pa.schema(
        [
            ("brand", pa.string()),
            ("county_code", pa.string()),
            ("month", pa.string()),
            ("items_same_city", pa.int64()),
            ("items_intercity", pa.int64()),
            ("items_international", pa.int64()),
            ("letters", pa.int64()),
            ("parcels", pa.int64()),
            ("revenue_express", pa.float64()),
            ("revenue_postal", pa.float64()),
        ]
    )
    return pa.Table.from_pydict(columns, schema=schema)
