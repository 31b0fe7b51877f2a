"""Registry files: the plan's 2020 counts exactly, valid USCCs, real division codes, every
facility inside its county, and the error files as designed."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from youguan.demo.checks import is_valid_uscc
from youguan.demo.enterprises import ENTERPRISE_COLUMNS
from youguan.demo.facilities import FACILITY_COLUMNS
from youguan.demo.places import seats
from youguan.demo.schemas import DemoManifest
from youguan.demo.vehicles import VEHICLE_COLUMNS
from youguan.geo.coords import gcj02_to_wgs84, point_in_polygon
from youguan.geo.divisions import Kind, county_geojson, divisions
from youguan.registry.brands import brands

END_2020 = "2020-12-31"


def _read(demo_dir: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (demo_dir / "registry" / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _open_on(r: dict[str, str], day: str) -> bool:
    return r["opened_on"] <= day and (not r["closed_on"] or r["closed_on"] > day)


def test_headers_are_the_contract(demo_dir: Path) -> None:
    assert _read(demo_dir, "enterprises.csv")[0] == list(ENTERPRISE_COLUMNS)
    assert _read(demo_dir, "facilities.csv")[0] == list(FACILITY_COLUMNS)
    assert _read(demo_dir, "vehicles.csv")[0] == list(VEHICLE_COLUMNS)
    for name in ("enterprises", "facilities", "vehicles"):
        header, _ = _read(demo_dir, f"{name}-with-errors.csv")
        assert header == _read(demo_dir, f"{name}.csv")[0]


def test_the_plans_2020_facility_counts_exactly(demo_dir: Path) -> None:
    _, rows = _read(demo_dir, "facilities.csv")
    open_2020 = Counter(r["type"] for r in rows if _open_on(r, END_2020))
    assert open_2020["universal_post_office"] == 49
    assert open_2020["express_outlet"] == 367
    assert open_2020["parcel_locker"] == 64
    assert open_2020["last_mile_outlet"] == 35
    assert open_2020["sorting_center"] == 15
    assert open_2020["logistics_park"] == 1
    assert open_2020["intl_express_center"] == 1
    outlets = [r for r in rows if r["type"] == "express_outlet" and _open_on(r, END_2020)]
    township = [r for r in outlets
                if divisions()[r["division_code"][:9]].kind is not Kind.SUBDISTRICT]  # fmt: skip
    assert len(township) == 182
    assert {r["brand"] for r in outlets} == set(brands())  # 13 brands
    assert sum(r["opened_on"].startswith("2020") for r in outlets) == 20
    assert sum(r["standardized"] == "true" for r in outlets) == 180
    # every 镇 and 乡 has an outlet: 乡镇快递网点覆盖率 100 %
    towns = {s.code for s in seats().values() if s.kind in (Kind.TOWN, Kind.TOWNSHIP)}
    assert towns <= {r["division_code"][:9] for r in outlets}


def test_growth_after_2020_follows_the_plan(demo_dir: Path) -> None:
    _, rows = _read(demo_dir, "facilities.csv")
    centres = [r for r in rows if r["type"] == "sorting_center"]
    lines = {day: sum(int(r["sorting_lines"] or 0) for r in centres if _open_on(r, day))
             for day in (END_2020, "2025-12-31")}  # fmt: skip
    assert lines == {END_2020: 17, "2025-12-31": 25}
    parks = sum(_open_on(r, "2025-12-31") for r in rows if r["type"] == "logistics_park")
    assert parks == 4
    points = Counter(r["opened_on"][:4] for r in rows if r["type"] == "village_service_point")
    assert all(40 <= points[str(y)] <= 50 for y in range(2021, 2026))
    new = Counter(r["opened_on"][:4] for r in rows if r["type"] == "express_outlet")
    assert [new[str(y)] for y in range(2021, 2026)] == sorted(
        new[str(y)] for y in range(2021, 2026)
    )
    std_2025 = sum(r["standardized"] == "true" and _open_on(r, "2025-12-31")
                   for r in rows if r["type"] == "express_outlet")  # fmt: skip
    assert 350 <= std_2025 <= 420  # 180 → 400 target
    late = [r for r in rows if r["filed_on"]
            and dt.date.fromisoformat(r["filed_on"]) - dt.date.fromisoformat(r["opened_on"])
            > dt.timedelta(days=20)]  # fmt: skip
    filed = [r for r in rows if r["filed_on"]]
    assert 0.04 < len(late) / len(filed) < 0.15
    multi = [r for r in rows if r["served_villages"].count(";") >= 1]
    assert multi and all(r["deliveries_per_week"] for r in multi)


def test_every_code_is_real_and_every_point_inside_its_county(demo_dir: Path) -> None:
    _, rows = _read(demo_dir, "facilities.csv")
    rings = {f["properties"]["code"]: f["geometry"]["coordinates"][0]
             for f in county_geojson()["features"]}  # fmt: skip
    d = divisions()
    assert len({r["code"] for r in rows}) == len(rows)
    systems = Counter(r["coord_system"] for r in rows)
    assert systems["gcj02"] > 0 and systems["wgs84"] > systems["gcj02"]
    for r in rows:
        assert r["division_code"] in d and r["division_code"].startswith("5328"), r["code"]
        for v in filter(None, r["served_villages"].split(";")):
            assert d[v].kind is Kind.VILLAGER_COMMITTEE
        lon, lat = float(r["lon"]), float(r["lat"])
        if r["coord_system"] == "gcj02":
            lon, lat = gcj02_to_wgs84(lon, lat)
        assert point_in_polygon(lon, lat, rings[r["division_code"][:6]]), r["code"]


def test_township_seats_are_inside_their_counties() -> None:
    rings = {f["properties"]["code"]: f["geometry"]["coordinates"][0]
             for f in county_geojson()["features"]}  # fmt: skip
    assert len(seats()) == 42
    for s in seats().values():
        assert divisions()[s.code].name == s.name
        assert point_in_polygon(s.lon, s.lat, rings[s.county]), s.name


def test_enterprises_have_valid_unique_usccs_and_parents(demo_dir: Path) -> None:
    _, rows = _read(demo_dir, "enterprises.csv")
    usccs = [r["uscc"] for r in rows]
    assert len(set(usccs)) == len(usccs)
    assert all(is_valid_uscc(u) for u in usccs)
    assert {r["brand"] for r in rows} == set(brands())
    for r in rows:
        assert r["kind"] in ("legal_entity", "branch")
        assert (r["kind"] == "branch") == bool(r["parent_uscc"])
        if r["parent_uscc"]:
            assert r["parent_uscc"] in usccs
        scope = r["licence_scope"].split(";")
        assert set(scope) <= {"same_city", "provincial", "interprovincial", "international"}
        assert r["licence_valid_from"] < r["licence_valid_to"]
        assert r["county_code"] in divisions()
    _, facilities = _read(demo_dir, "facilities.csv")
    assert {f["enterprise_uscc"] for f in facilities} - {""} <= set(usccs)


def test_vehicles_142_postal_and_803_express_in_2020(demo_dir: Path) -> None:
    _, rows = _read(demo_dir, "vehicles.csv")
    old = Counter(r["kind"] for r in rows if r["registered_on"] <= END_2020)
    assert old == {"postal": 142, "express": 803}
    assert len({r["plate"] for r in rows}) == len(rows)
    assert all(r["plate"].startswith("云K") and len(r["plate"]) in (7, 8) for r in rows)

    def ne_share(pred: object) -> float:
        sel = [r for r in rows if pred(r)]  # type: ignore[operator]
        return sum(r["new_energy"] == "true" for r in sel) / len(sel)

    assert ne_share(lambda r: r["registered_on"] <= END_2020) < 0.06
    assert ne_share(lambda r: r["registered_on"] >= "2025-01-01") > 0.35


@pytest.mark.parametrize("entity", ["enterprises", "facilities", "vehicles"])
def test_error_files_carry_the_designed_bad_rows(
    demo_dir: Path, demo_manifest: DemoManifest, entity: str
) -> None:
    _, rows = _read(demo_dir, f"{entity}-with-errors.csv")
    faults = [f for f in demo_manifest.faults if f.file == f"registry/{entity}-with-errors.csv"]
    assert len(faults) >= 8
    assert len(rows) > len(faults)  # good rows too
    for f in faults:
        assert 1 <= f.row <= len(rows) and f.field in rows[f.row - 1]
    bad_rows = {f.row for f in faults}
    good = [r for i, r in enumerate(rows, 1) if i not in bad_rows]
    if entity == "enterprises":
        assert all(is_valid_uscc(r["uscc"]) for r in good)
        check = next(f for f in faults if f.kind == "check_character")
        assert not is_valid_uscc(rows[check.row - 1]["uscc"])
