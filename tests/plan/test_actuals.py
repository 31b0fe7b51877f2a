"""Actuals: import with row-level errors, audited corrections, and the pluggable sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.indicators.factories import LakeFactory, hours
from tests.registry.factories import MOHAN, SHANGYONG_VILLAGE, facility, network
from youguan.audit.service import history
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.indicators.facts import compute
from youguan.plan import service
from youguan.plan.actuals import ImportFileError
from youguan.plan.catalogue import PlanError, PlanPermissionError
from youguan.registry import service as registry

pytestmark = pytest.mark.postgres

alice = Actor(name="alice", role=Role.REGULATOR, user_id=1)  # may enter plan figures
charlie = Actor(name="charlie", role=Role.ENTERPRISE, brand="sf")  # may not
REGISTRY_ADMIN = Actor(name="registrar", role=Role.ADMIN, user_id=9)
MENGHAI_TOWN = "532822101"  # 勐海镇

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


# Real facts of the engine: a small lake of 2023 (``tests.indicators.factories``), computed.
Y2023 = dt.datetime(2023, 3, 6, 2, tzinfo=dt.UTC)  # Monday 6 March 2023, 10:00 Beijing


def _facts_of_2023(ctx: Context) -> int:
    """Five inter-city items — delivered after 20, 30, 50 and 80 h (late, within the window), and
    a damaged one after 40 h — and a same-city one delivered in 10 h; computed as of 2024.
    Returns the lake's data version."""
    lake = LakeFactory(ctx)
    for h in (20, 30, 50):
        lake.item(accepted=Y2023).delivered(after=hours(h))
    lake.item(accepted=Y2023).delivered(after=hours(80))
    lake.item(accepted=Y2023, scope="same_city").delivered(after=hours(10))
    lake.item(accepted=Y2023).exception("damaged", after=hours(5)).delivered(after=hours(40))
    lake.commit()
    compute(ctx, as_of=dt.datetime(2024, 1, 15, tzinfo=dt.UTC))
    return ctx.lake.version()


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


def test_engine_facts_become_percent_with_their_provenance(ctx: Context, backend: str) -> None:
    data_version = _facts_of_2023(ctx)
    result = service.refresh_actuals(ctx, Actor.system(), years=[2022, 2023])
    assert "computed" not in result.unavailable
    rows = {r.code: r for r in service.plan_status(ctx, 2023, refresh=False).indicators}
    # 72 h: 4 of 5 inter-city items (20, 30, 40, 50 h; 80 h is late)
    assert rows["on_time_72h_rate"].actual == pytest.approx(80.0)
    # delay: the 80 h item of 6 domestic items
    assert rows["delay_rate"].actual == pytest.approx(100 / 6)
    assert rows["text_delay_rate"].actual == pytest.approx(100 / 6)  # restates delay_rate
    # damage: 1 of 6 per 100 000 — per 100k, no scaling
    assert rows["damage_per_100k"].actual == pytest.approx(100_000 / 6)
    assert rows["real_name_rate"].actual == pytest.approx(100.0)  # every item compliant
    assert rows["on_time_72h_rate"].actual_source == "computed"
    prov = rows["on_time_72h_rate"].provenance
    assert prov is not None
    assert (prov["numerator"], prov["denominator"]) == (4, 5)
    assert (prov["definition_version"], prov["data_version"]) == (1, data_version)
    assert prov["engine_value"] == pytest.approx(0.8) and prov["scale"] == 100.0
    assert (prov["code"], prov["division"], prov["as_of"]) == (
        "on_time_72h_rate",
        "5328",
        "2024-01-15T00:00:00+00:00",
    )
    # 2022 has no facts: no value, never a made-up one
    assert 2022 not in rows["on_time_72h_rate"].series


def test_a_manual_value_is_the_fallback_and_says_so(ctx: Context) -> None:
    service.set_actual(ctx, "on_time_72h_rate", 2022, 84, alice)
    service.set_actual(ctx, "on_time_72h_rate", 2023, 99, alice)
    _facts_of_2023(ctx)
    status = service.plan_status(ctx, 2023)
    row = next(r for r in status.indicators if r.code == "on_time_72h_rate")
    assert (row.actual, row.actual_source) == (pytest.approx(80.0), "computed")
    assert row.series[2022] == 84  # the engine had nothing for 2022: the manual value
    later = service.plan_status(ctx, 2022, refresh=False)
    row22 = next(r for r in later.indicators if r.code == "on_time_72h_rate")
    assert row22.actual_source == "manual"
    assert row22.provenance is not None and "fallback" in row22.provenance


def _build_network(ctx: Context) -> None:
    """The registry tests' hand-built network (``tests.registry.factories.network``) and three
    facilities that make the year-on-year changes non-trivial."""
    extra = [
        # a standardised outlet in 勐海镇, opened in 2022: one net new outlet that year
        facility(
            code="E4",
            name="勐海镇快递营业网点",
            type="express_outlet",
            brand="zto",
            division_code=MENGHAI_TOWN,
            opened_on="2022-08-01",
            standardized=True,
            lon=None,
            lat=None,
        ),
        # a park in 磨憨镇 (勐腊县), opened in 2023: a county park
        facility(
            code="K2",
            name="磨憨跨境电商快递园区",
            type="logistics_park",
            division_code=MOHAN,
            opened_on="2023-05-01",
            lon=None,
            lat=None,
        ),
        # a village service point in 尚勇, opened in 2023 (尚勇 was already served by V1)
        facility(
            code="V3",
            name="尚勇村寄递物流公共服务点",
            type="village_service_point",
            brand="ems",
            division_code=SHANGYONG_VILLAGE,
            opened_on="2023-03-01",
            lon=None,
            lat=None,
        ),
    ]
    with ctx.transaction() as s:
        for data in [*network(), *extra]:
            registry.create_facility(s, REGISTRY_ADMIN, data)


def test_registry_counts_at_the_year_end(ctx: Context, backend: str) -> None:
    _build_network(ctx)
    result = service.refresh_actuals(ctx, Actor.system(), years=[2021, 2022, 2023])
    assert "registry" not in result.unavailable
    y22 = {r.code: r for r in service.plan_status(ctx, 2022, refresh=False).indicators}
    y23 = {r.code: r for r in service.plan_status(ctx, 2023, refresh=False).indicators}
    # 物流园区: K1 (景洪, 2022-03); K2 (磨憨, 2023-05) is in one of the two counties
    assert (y22["express_parks"].actual, y23["express_parks"].actual) == (1, 2)
    assert (y22["county_express_parks"].actual, y23["county_express_parks"].actual) == (0, 1)
    # 2022 year end: E1, E2, E3, E4 against E1, E2, E3 a year earlier
    assert y22["new_express_outlets"].actual == 1
    assert y23["new_express_outlets"].actual == 0
    # standardised express and last-mile outlets: E1 and E4 (P1 is a post office)
    assert y22["standardized_outlets"].actual == 2
    # S1 3 + S2 2 (closes 2023-01-01, so still open on 31 Dec 2022) + K1 1; then S2 is gone
    assert (y22["sorting_lines"].actual, y23["sorting_lines"].actual) == (6, 4)
    # 勐龙镇 (E1) and 勐海镇 (E4) of 35 townships; L1 in 磨憨 closed in June 2022
    assert y22["township_outlet_coverage"].actual == pytest.approx(200 / 35)
    # 景龙, 曼兵, 曼栋, 尚勇 of 211 建制村; V3 adds no village
    assert y22["village_direct_delivery_rate"].actual == pytest.approx(400 / 211)
    assert y23["village_direct_delivery_rate"].actual == pytest.approx(400 / 211)
    # V1 in 2021, none in 2022, V3 in 2023 — against 45 a year
    y21 = {r.code: r for r in service.plan_status(ctx, 2021, refresh=False).indicators}
    assert y21["village_service_points_built"].actual == 1
    assert y22["village_service_points_built"].actual == 0
    assert y23["village_service_points_built"].actual == 1
    assert y23["village_service_points_built"].status == "limited_progress"  # 1/45
    # 2 parks in 2023 from 1 in 2020, towards 4 in 2025: 26.0 % a year against 31.95 % needed
    parks = y23["express_parks"]
    assert parks.observed_growth == pytest.approx(25.99, abs=0.01)
    assert parks.required_growth == pytest.approx(31.95, abs=0.01)
    assert parks.status == "acceleration_needed"
    assert parks.actual_source == "registry"
    prov = y22["new_express_outlets"].provenance
    assert prov is not None
    assert (prov["change"], prov["previous"], prov["value"]) == ("yearly", 3.0, 4.0)
    assert (prov["as_of"], prov["previous_as_of"]) == ("2022-12-31", "2021-12-31")
    assert prov["types"] == ["express_outlet"]
    coverage = y22["township_outlet_coverage"].provenance
    assert coverage is not None and coverage["scale"] == 100


def test_a_registry_change_shows_after_the_next_refresh(ctx: Context) -> None:
    _build_network(ctx)
    service.refresh_actuals(ctx, Actor.system(), years=[2023])
    with ctx.transaction() as s:
        registry.close_facility(s, REGISTRY_ADMIN, "K2", closed_on=dt.date(2023, 6, 1))
    stale = {r.code: r for r in service.plan_status(ctx, 2023, refresh=False).indicators}
    assert stale["express_parks"].actual == 2  # the stored snapshot
    again = service.refresh_actuals(ctx, Actor.system(), years=[2023])
    assert again.stored == 2  # express_parks and county_express_parks changed
    fresh = {r.code: r for r in service.plan_status(ctx, 2023, refresh=False).indicators}
    assert (fresh["express_parks"].actual, fresh["county_express_parks"].actual) == (1, 0)


def test_a_county_regulator_enters_figures_of_a_county_plan_only(ctx: Context) -> None:
    from youguan.plan.catalogue import may_write

    carol = Actor(name="carol", role=Role.REGULATOR, user_id=3, county_code="532801")
    prefecture = service.get_plan(ctx)
    assert prefecture.division == "5328"
    assert may_write(prefecture, alice) and not may_write(prefecture, carol)
    assert may_write(prefecture.model_copy(update={"division": "532801"}), carol)
    assert not may_write(prefecture.model_copy(update={"division": "532822"}), carol)
    assert not may_write(prefecture, charlie)
    with pytest.raises(PlanPermissionError, match="县级账号只能录入本县规划的实际值"):
        service.set_actual(ctx, "delay_rate", 2023, 0.5, carol)
