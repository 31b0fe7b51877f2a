"""Actuals: import with row-level errors, audited corrections, and the pluggable sources."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from youguan.audit.service import history
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.plan import service
from youguan.plan.actuals import ImportFileError
from youguan.plan.catalogue import PlanError, PlanPermissionError
from youguan.plan.sources import year_end

pytestmark = pytest.mark.postgres

alice = Actor(name="alice", role=Role.REGULATOR, user_id=1)  # may enter plan figures
charlie = Actor(name="charlie", role=Role.ENTERPRISE, brand="sf")  # may not

GOOD_AND_BAD = """indicator,year,value,note
business_volume_value,2021,5.10,年报
express_volume,2022,"2 900.5",
on_time_72h_rate,2023,83.5%,
快递业务收入,2023,3.1,
bogus,2023,1,
express_volume,2022,3000,
loss_per_100k,2023,<3,
sorting_lines,2045,3,
e_waybill_rate,2023,101,
text_delay_rate,2023,0.4,
express_parks,2023,,
express_parks,twenty,2,
express_volume,2023,12%,

new_jobs,2023,0.9,
"""

EXPECTED_ERRORS = [
    (6, "indicator", "unknown_indicator"),
    (7, "indicator", "duplicate_row"),
    (8, "value", "invalid_number"),
    (9, "year", "year_out_of_range"),
    (10, "value", "out_of_range"),
    (11, "indicator", "restated_indicator"),
    (12, "value", "missing_value"),
    (13, "year", "invalid_year"),
    (14, "value", "unit_mismatch"),
]


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "actuals.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_keeps_good_rows_and_reports_bad_ones_by_row(
    ctx: Context, backend: str, tmp_path: Path
) -> None:
    result = service.import_actuals(ctx, _csv(tmp_path, GOOD_AND_BAD), alice)
    assert [(e.row, e.field, e.code) for e in result.errors] == EXPECTED_ERRORS
    assert all(e.message for e in result.errors)
    assert (result.rows, result.accepted, result.rejected) == (14, 5, 9)
    assert (result.created, result.corrected, result.unchanged) == (5, 0, 0)
    stored = {(a.indicator, a.year): a for a in service.list_actuals(ctx)}
    assert stored[("express_volume", 2022)].value == 2900.5  # printed spacing accepted
    assert stored[("on_time_72h_rate", 2023)].value == 83.5  # "83.5%" in a unit of %
    assert stored[("express_revenue", 2023)].value == 3.1  # by its Chinese name
    assert stored[("business_volume_value", 2021)].note == "年报"
    prov = stored[("new_jobs", 2023)].provenance
    assert (prov["method"], prov["file"], prov["row"]) == ("import", "actuals.csv", 16)
    assert stored[("new_jobs", 2023)].recorded_by == "alice"


def test_reimporting_corrects_and_audits_before_and_after(
    ctx: Context, backend: str, tmp_path: Path
) -> None:
    service.import_actuals(
        ctx, _csv(tmp_path, "indicator,year,value\nexpress_volume,2022,2900\n"), alice
    )
    again = service.import_actuals(
        ctx,
        _csv(
            tmp_path, "indicator,year,value\nexpress_volume,2022,2950\nexpress_volume,2021,2100\n"
        ),
        alice,
    )
    assert (again.created, again.corrected, again.unchanged) == (1, 1, 0)
    same = service.import_actuals(
        ctx, _csv(tmp_path, "indicator,year,value\nexpress_volume,2022,2950\n"), alice
    )
    assert (same.created, same.corrected, same.unchanged) == (0, 0, 1)
    with ctx.read() as s:
        corrections = history(s, entity="plan_actual", action="plan.actual.correct")
        created = history(s, entity="plan_actual", action="plan.actual.create")
    assert len(corrections) == 1 and len(created) == 2
    c = corrections[0]
    assert c.actor == "alice"
    assert c.before is not None and c.after is not None
    assert (c.before["value"], c.after["value"]) == (2900.0, 2950.0)


def test_set_and_delete_one_value_are_audited(ctx: Context, backend: str) -> None:
    out = service.set_actual(ctx, "delay_rate", 2023, "0.55", alice, note="抽样复核")
    assert (out.value, out.source, out.provenance) == (0.55, "manual", {"method": "entry"})
    service.set_actual(ctx, "delay_rate", 2023, 0.52, alice)
    assert service.delete_actual(ctx, "delay_rate", 2023, alice) is True
    assert service.delete_actual(ctx, "delay_rate", 2023, alice) is False
    with ctx.read() as s:
        actions = [h.action for h in history(s, entity="plan_actual")]
    assert actions == ["plan.actual.delete", "plan.actual.correct", "plan.actual.create"]
    with pytest.raises(PlanError, match="超出取值范围"):
        service.set_actual(ctx, "delay_rate", 2023, 120, alice)


def test_entering_figures_needs_the_permission(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(PlanPermissionError):
        service.set_actual(ctx, "delay_rate", 2023, 0.5, charlie)
    with pytest.raises(PlanPermissionError):
        service.import_actuals(ctx, _csv(tmp_path, "indicator,year,value\n"), charlie)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "缺少表头"),
        ("indicator,value\nexpress_volume,3\n", "缺少列：year"),
        ("indicator,year,value,brand\n", "未知的列：brand"),
    ],
)
def test_a_file_that_cannot_be_imported_writes_nothing(
    ctx: Context, tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        service.import_actuals(ctx, _csv(tmp_path, content), alice)
    assert service.list_actuals(ctx) == []


def test_unsupported_file_types(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFileError, match="不支持的文件类型"):
        service.import_actuals(ctx, path, alice)


def test_a_gb18030_csv_from_excel_with_chinese_headers(ctx: Context, tmp_path: Path) -> None:
    text = "指标,年份,数值,备注\n快递业务量,2023,3600.8,统计年报\n"
    result = service.import_actuals(ctx, _csv(tmp_path, text, "gb18030"), alice)
    assert (result.accepted, result.errors) == (1, [])
    assert service.list_actuals(ctx)[0].note == "统计年报"


def test_excel_import_with_row_errors(ctx: Context, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["indicator", "year", "value"])
    ws.append(["express_volume", 2023, 3600.8])
    ws.append(["express_volume", 2022.0, "2 900"])
    ws.append([None, None, None])
    ws.append(["e_waybill_rate", 2023, "abc"])
    ws.append(["nope", 2023, 1])
    path = tmp_path / "actuals.xlsx"
    wb.save(path)
    result = service.import_actuals(ctx, path, alice)
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (5, "value", "invalid_number"),  # row 4 is blank: skipped, still counted as a row
        (6, "indicator", "unknown_indicator"),
    ]
    assert result.accepted == 2
    values = {(a.indicator, a.year): a.value for a in service.list_actuals(ctx)}
    assert values == {("express_volume", 2023): 3600.8, ("express_volume", 2022): 2900.0}


# ------------------------------------------------------------------------------------- sources


@dataclass
class FakeFact:
    value: float
    numerator: int
    denominator: int
    definition_version: str = "on_time_72h_rate@1"
    data_version: int = 42


def _install(monkeypatch: pytest.MonkeyPatch, name: str, **functions: Any) -> None:
    module = types.ModuleType(name)
    for key, fn in functions.items():
        setattr(module, key, fn)
    monkeypatch.setitem(sys.modules, name, module)


def _one_real_facility(ctx: Context) -> None:
    from youguan.registry.service import create_facility

    with ctx.transaction() as s:
        create_facility(
            s,
            Actor.system("test"),
            {
                "code": "F-1",
                "name": "勐海快递营业网点",
                "type": "express_outlet",
                "brand": "zto",
                "division_code": "532822101",
                "opened_on": "2020-01-01",
                "status": "active",
            },
        )


def test_without_facts_or_registry_records_there_is_no_data_never_a_made_up_value(
    ctx: Context,
) -> None:
    # an empty lake and an empty register: nothing to count, so nothing is stored (not zeros)
    result = service.refresh_actuals(ctx, Actor.system(), years=[2023])
    assert result.stored == 0
    status = service.plan_status(ctx, 2023)
    rows = {r.code: r for r in status.indicators}
    assert rows["on_time_72h_rate"].status == "no_data"
    assert rows["express_parks"].status == "no_data"


def test_engine_facts_become_percent_with_their_provenance(
    ctx: Context, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, str, str | None]] = []

    def yearly_value(
        ctx_: Context, code: str, year: int, *, division: str = "5328", brand: str | None = None
    ) -> FakeFact | None:
        calls.append((code, year, division, brand))
        table = {
            ("on_time_72h_rate", 2023): FakeFact(0.8537, 8537, 10000),
            ("delay_rate", 2023): FakeFact(0.0055, 55, 10000),
            ("damage_per_100k", 2023): FakeFact(4.2, 42, 1000000),
        }
        return table.get((code, year))

    _install(monkeypatch, "youguan.indicators.service", yearly_value=yearly_value)
    result = service.refresh_actuals(ctx, Actor.system(), years=[2022, 2023])
    assert "computed" not in result.unavailable
    assert ("on_time_72h_rate", 2023, "5328", None) in calls
    rows = {r.code: r for r in service.plan_status(ctx, 2023, refresh=False).indicators}
    assert rows["on_time_72h_rate"].actual == pytest.approx(85.37)
    assert rows["delay_rate"].actual == pytest.approx(0.55)
    assert rows["text_delay_rate"].actual == pytest.approx(0.55)  # restates delay_rate
    assert rows["damage_per_100k"].actual == pytest.approx(4.2)  # per 100k: no scaling
    assert rows["on_time_72h_rate"].actual_source == "computed"
    prov = rows["on_time_72h_rate"].provenance
    assert prov is not None
    assert (prov["numerator"], prov["denominator"], prov["data_version"]) == (8537, 10000, 42)
    assert prov["definition_version"] == "on_time_72h_rate@1" and prov["scale"] == 100.0
    assert rows["real_name_rate"].status == "no_data"  # the engine had no fact: no value


def test_a_manual_value_is_the_fallback_and_says_so(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.set_actual(ctx, "on_time_72h_rate", 2022, 84, alice)
    service.set_actual(ctx, "on_time_72h_rate", 2023, 99, alice)
    _install(
        monkeypatch,
        "youguan.indicators.service",
        yearly_value=lambda c, code, year, **kw: FakeFact(0.86, 86, 100) if year == 2023 else None,
    )
    status = service.plan_status(ctx, 2023)
    row = next(r for r in status.indicators if r.code == "on_time_72h_rate")
    assert (row.actual, row.actual_source) == (pytest.approx(86.0), "computed")
    assert row.series[2022] == 84  # the engine had nothing for 2022: the manual value
    later = service.plan_status(ctx, 2022, refresh=False)
    row22 = next(r for r in later.indicators if r.code == "on_time_72h_rate")
    assert row22.actual_source == "manual"
    assert row22.provenance is not None and "fallback" in row22.provenance


def test_registry_counts_at_the_year_end(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    outlets = {2022: 300, 2023: 352}

    def facility_counts(
        session: Any,
        *,
        as_of: Any,
        type: Any = None,
        brand: Any = None,
        county: Any = None,
        standardized: Any = None,
    ) -> int:
        seen.append({"as_of": as_of, "type": type, "county": county, "standardized": standardized})
        if type == "logistics_park":
            return {None: 3, "532822": 1, "532823": 0}[county]
        if type == "express_outlet" and standardized:
            return 190
        if type == "last_mile_outlet" and standardized:
            return 60
        if type == "express_outlet":
            return outlets.get(as_of.year, 280)
        if type == "village_service_point":
            return {2022: 100, 2023: 138}.get(as_of.year, 90)
        return 0

    _one_real_facility(ctx)  # the source refuses to count an empty register
    _install(
        monkeypatch,
        "youguan.registry.service",
        facility_counts=facility_counts,
        sorting_line_count=lambda session, *, as_of: 21,
        township_coverage=lambda session, *, as_of, types, brands=None: 0.97619,
        village_direct_service=lambda session, *, as_of: 0.85,
    )
    rows = {r.code: r for r in service.plan_status(ctx, 2023).indicators}
    assert rows["express_parks"].actual == 3
    assert rows["county_express_parks"].actual == 1  # 勐海 1 + 勐腊 0
    assert rows["standardized_outlets"].actual == 250
    assert rows["new_express_outlets"].actual == 52  # 352 − 300, net
    assert rows["village_service_points_built"].actual == 38
    assert rows["village_service_points_built"].status == "acceleration_needed"
    assert rows["sorting_lines"].actual == 21
    assert rows["township_outlet_coverage"].actual == pytest.approx(97.619)
    assert rows["village_direct_delivery_rate"].actual == pytest.approx(85.0)
    assert {s["as_of"] for s in seen} >= {year_end(2023), year_end(2022)}
    prov = rows["new_express_outlets"].provenance
    assert prov is not None
    assert (prov["change"], prov["previous"], prov["as_of"]) == ("yearly", 300.0, "2023-12-31")


def test_a_broken_source_package_is_an_error_not_an_absence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from youguan.plan.sources import _lazy_function

    def boom(name: str, *a: Any, **k: Any) -> Any:
        raise ModuleNotFoundError(
            "No module named 'youguan.indicators.definitions'",
            name="youguan.indicators.definitions",
        )

    monkeypatch.setattr("importlib.import_module", boom)
    with pytest.raises(ModuleNotFoundError):
        _lazy_function("youguan.indicators.service", "yearly_value")
