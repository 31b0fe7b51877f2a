"""Plan actuals reported by hand (``plan/actuals.csv``: ``indicator,year,value`` in the plan's
units, DESIGN.md ``youguan plan actuals import``), 2021–2025.

Only years complete in the statistics are reported. Volumes and revenues are the yearly sums
of the statistics files (so the two agree exactly); the other indicators follow the paths of
:data:`youguan.demo.profile.HAND_REPORTED`.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from youguan.demo import profile as P

YEARS = range(2021, 2026)


def _year_sum(stats: pa.Table, year: int, columns: tuple[str, ...]) -> float:
    rows = stats.filter(pc.starts_with(stats["month"], f"{year}-"))
    return float(sum(pc.sum(rows[c]).as_py() or 0 for c in columns))


def plan_actuals(stats: pa.Table) -> list[tuple[str, int, float]]:
    """(indicator, year, value) rows, in a stable order."""
    out: list[tuple[str, int, float]] = []
    items = ("items_same_city", "items_intercity", "items_international")
    months = set(stats["month"].to_pylist())
    for year in YEARS:
        if f"{year}-12" not in months:  # only whole years are reported
            continue
        derived = {
            "express_volume": round(_year_sum(stats, year, items) / 1e4, 2),
            "postal_delivery_volume": round(
                _year_sum(stats, year, ("letters", "parcels")) / 1e4, 2
            ),
            "express_revenue": round(_year_sum(stats, year, ("revenue_express",)) / 1e8, 2),
            "postal_delivery_revenue": round(_year_sum(stats, year, ("revenue_postal",)) / 1e8, 2),
        }
        for code, value in derived.items():
            out.append((code, year, value))
        for code, path in P.HAND_REPORTED.items():
            out.append((code, year, float(path[year])))
    return out
