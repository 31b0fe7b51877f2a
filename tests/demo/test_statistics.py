"""Monthly statistics and plan actuals: the plan's 2020 baseline exactly, a plausible path,
seasonality, brand shares and the county split (ranges of youguan.demo.profile)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from youguan.demo import profile as P
from youguan.demo.schemas import DemoManifest
from youguan.ingest.schemas import STATISTICS
from youguan.plan.loader import SHIPPED_DIR, load_plan_file
from youguan.plan.sources import spec_method
from youguan.registry.brands import brands

from .readback import read_text_table


def _stats(demo_dir: Path, m: DemoManifest) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for f in m.of("statistics"):
        rows.extend(read_text_table(demo_dir, f).to_pylist())
    return rows


def _items(r: dict[str, str]) -> int:
    return sum(int(r[c]) for c in ("items_same_city", "items_intercity", "items_international"))


def test_the_statistics_files_use_the_canonical_input_columns(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    for f in demo_manifest.of("statistics", role=None):
        if f.format == "csv":
            header = (demo_dir / f.path).read_bytes().decode(f.encoding or "utf-8").split("\n")[0]
            assert header.replace('"', "").split(",") == list(STATISTICS.input_names)
    years = [f.path for f in demo_manifest.of("statistics")]
    assert years == [f"statistics/statistics-{y}.csv" for y in range(2020, 2026)]


def test_2020_express_items_are_the_plans_1455_56_wan(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    rows = _stats(demo_dir, demo_manifest)
    by_year: dict[str, int] = defaultdict(int)
    for r in rows:
        by_year[r["month"][:4]] += _items(r)
    assert by_year["2020"] == 14_555_600
    for year in range(2021, 2026):
        assert by_year[str(year)] == round(P.EXPRESS_VOLUME_WAN[year] * 10_000)
    postal_2020 = sum(int(r["letters"]) + int(r["parcels"]) for r in rows
                      if r["month"].startswith("2020") and r["letters"])  # fmt: skip
    assert postal_2020 == 13_551_300  # 1 355.13 万 邮政寄递服务
    revenue_2020 = sum(float(r["revenue_express"]) for r in rows if r["month"].startswith("2020"))
    assert revenue_2020 == pytest.approx(2.07e8, abs=0.01)


def test_seasonality_feb_below_nov_and_the_festival_dip(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    monthly: dict[str, int] = defaultdict(int)
    for r in _stats(demo_dir, demo_manifest):
        monthly[r["month"]] += _items(r)
    for year in range(2020, 2026):
        months = [monthly[f"{year}-{m:02d}"] for m in range(1, 13)]
        mean = sum(months) / 12
        assert months[1] < months[10], year
        low = min(months[0], months[1]) / mean
        lo, hi = P.RANGES["festival_low_vs_mean"]
        assert lo <= low <= hi, (year, low)
        lo, hi = P.RANGES["november_vs_mean"]
        assert lo <= months[10] / mean <= hi, year
        assert months[10] == max(months), year


def test_brand_shares_and_county_split(demo_dir: Path, demo_manifest: DemoManifest) -> None:
    rows = _stats(demo_dir, demo_manifest)
    share: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    county: dict[str, int] = defaultdict(int)
    for r in rows:
        share[r["month"][:4]][r["brand"]] += _items(r)
        if r["month"].startswith("2025"):
            county[r["county_code"]] += _items(r)
    total_2020 = sum(share["2020"].values())
    for code, info in brands().items():
        assert share["2020"][code] / total_2020 == pytest.approx(info.share_2020, abs=0.015)
    for year in ("2022", "2023", "2024", "2025"):
        assert share[year]["best"] == share[year]["ttk"] == 0  # folded into 极兔
        ranked = sorted(share[year], key=lambda b: -share[year][b])
        assert ranked[0] == "zto"
    total = sum(county.values())
    for code in P.COUNTIES:
        lo, hi = P.RANGES[f"county_share_{code}"]
        assert lo <= county[code] / total <= hi
    assert max(county, key=lambda c: county[c]) == "532801"  # 景洪 largest


def test_plan_actuals_agree_with_the_statistics(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    (f,) = demo_manifest.of("plan_actuals")
    with (demo_dir / f.path).open(encoding="utf-8") as fh:
        actuals = {(r["indicator"], int(r["year"])): float(r["value"]) for r in csv.DictReader(fh)}
    rows = _stats(demo_dir, demo_manifest)
    for year in range(2021, 2026):
        ys = [r for r in rows if r["month"].startswith(str(year))]
        assert actuals[("express_volume", year)] == round(sum(_items(r) for r in ys) / 1e4, 2)
        assert actuals[("express_revenue", year)] == round(
            sum(float(r["revenue_express"]) for r in ys) / 1e8, 2
        )
        postal = sum(int(r["letters"]) + int(r["parcels"]) for r in ys if r["letters"])
        assert actuals[("postal_delivery_volume", year)] == round(postal / 1e4, 2)
    # every figure the shipped plan takes by hand (a restated row takes its original's), every year
    plan = load_plan_file(SHIPPED_DIR / "xsbn-2021-2025.yaml")
    manual = {
        i.code
        for i in plan.indicators
        if i.restates is None and spec_method(plan.source_of(i)) == "manual"
    }
    assert {k for k, _ in actuals} == manual
    assert {(c, y) for c in manual for y in range(2021, 2026)} == set(actuals)
    # one indicator deteriorates, one is achieved, volume lags its 35 % a year
    assert actuals[("express_complaint_satisfaction", 2025)] < 90
    assert actuals[("safety_standardization_rate", 2025)] == 100
    growth = (actuals[("express_volume", 2025)] / 1455.56) ** (1 / 5) - 1
    assert 0.25 < growth < 0.35


def test_the_alternate_encodings_hold_the_same_rows(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    from openpyxl import load_workbook

    alternates = demo_manifest.of("statistics", role="alternate")
    assert {(f.format, f.encoding) for f in alternates} == {("csv", "gb18030"), ("xlsx", None)}
    for f in alternates:
        year = f.path.split("statistics-")[1][:4]
        primary = next(p for p in demo_manifest.of("statistics") if year in p.path)
        if f.format == "csv":
            assert read_text_table(demo_dir, f).equals(read_text_table(demo_dir, primary))
        else:
            ws = load_workbook(demo_dir / f.path, read_only=True).active
            assert ws is not None
            values = list(ws.iter_rows(values_only=True))
            assert list(values[0]) == list(STATISTICS.input_names)
            assert len(values) - 1 == primary.rows
