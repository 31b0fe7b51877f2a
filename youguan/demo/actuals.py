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

# The plan's other quantitative targets, as the office gathers them from the enterprises, the
# county governments, customs and the housing authorities [P]: plausible paths, most of them short
# of their target in places, so that the evaluation has shortfalls to report as well as successes.
OFFICE_REPORTED: dict[str, tuple[float, float, float, float, float]] = {
    #                                         2021   2022   2023   2024   2025
    "new_jobs": (0.35, 0.72, 1.08, 1.46, 1.82),  # cumulative, 万个
    "complaint_acceptance_rate": (96.2, 97.0, 97.8, 98.3, 98.9),
    "major_accidents": (0, 0, 0, 0, 0),
    "daluo_park_companies": (0, 2, 4, 5, 6),
    "village_service_point_subsidy": (600, 800, 1000, 1000, 1000),
    "county_ecommerce_centers": (1, 2, 2, 3, 3),
    "township_ecommerce_stations": (3, 5, 7, 9, 10),
    "village_ecommerce_points": (10, 22, 34, 45, 52),
    "smart_postbox_coverage": (12, 25, 41, 58, 72),
    "old_community_letterbox_rate": (8, 16, 27, 38, 46),
    "lingang_park_area": (0, 0, 180, 360, 520),
    "lingang_park_investment": (0.5, 2.1, 6.8, 12.4, 18.6),
    "county_parks_area": (0, 10, 10, 20, 30),
    "standard_tape_rate": (62, 78, 90, 96, 98.5),
    "ecommerce_no_secondary_packaging_rate": (55, 70, 82, 90, 93),
    "standard_packaging_rate": (70, 82, 91, 96, 98),
    "recycled_transfer_bag_coverage": (75, 88, 95, 98, 99.5),
    "trunk_drop_and_pull_rate": (40, 55, 65, 72, 80),
    "mohan_clearances": (12, 35, 58, 72, 86),  # 万件; the plan expected 80 in 2022
    "mohan_tax_increase": (40, 65, 85, 95, 110),  # 万元 a year
    "work_injury_insurance_coverage": (68, 75, 82, 88, 92),
}


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
        for code, values in OFFICE_REPORTED.items():
            out.append((code, year, float(values[year - YEARS.start])))
    return out
