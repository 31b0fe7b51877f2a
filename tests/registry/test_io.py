"""Import and export: row-level errors, CSV (UTF-8, BOM, GB18030) and Excel, round trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.registry.factories import (
    ALICE,
    CAROL,
    HUAWEI,
    KOUAN_COMMUNITY,
    LOCAL_EMS,
    LOCAL_SF,
    LOCAL_ZTO,
    MENGHAI,
    enterprise,
    network,
    vehicle,
)
from youguan.audit import service as audit
from youguan.context import Context
from youguan.geo.coords import wgs84_to_gcj02
from youguan.registry import service
from youguan.registry.errors import PermissionDenied
from youguan.registry.io import COLUMNS, ImportReport, export_file, import_file
from youguan.registry.tabular import FileProblem

pytestmark = pytest.mark.postgres

FACILITY_HEADER = list(COLUMNS["facilities"])
GCJ = tuple(round(x, 7) for x in wgs84_to_gcj02(101.6803, 21.1801))  # kept to 1 cm


def frow(**cells: object) -> list[str]:
    """A facility row (all 20 contract columns) from a valid base."""
    base: dict[str, object] = {
        "code": "F-1",
        "name": "磨憨口岸驿站",
        "type": "last_mile_outlet",
        "brand": "",
        "enterprise_uscc": "",
        "division_code": KOUAN_COMMUNITY,
        "lon": "101.68",
        "lat": "21.18",
        "coord_system": "wgs84",
        "opened_on": "2021-03-01",
        "status": "active",
        "standardized": "否",
    }
    base.update(cells)
    return [str(base.get(c, "")) for c in FACILITY_HEADER]


# One good row, then one bad row of each kind, then another good row (GCJ-02 input).
ROWS = [
    frow(code="F-1", enterprise_uscc=LOCAL_SF, brand="顺丰", filed_on="2021-03-15"),  # row 2
    frow(code="F-2", opened_on="2021-02-30"),  # 3: bad date
    frow(code="F-3", type="仓库"),  # 4: unknown choice
    frow(code="F-4", division_code="530102"),  # 5: 昆明五华区, outside the prefecture
    frow(code="F-5", lat=""),  # 6: half a coordinate
    frow(code="F-6", standardized="也许"),  # 7: bad boolean
    frow(code=" F-1 "),  # 8: the key of row 2 again
    frow(code="F-8", enterprise_uscc=LOCAL_ZTO),  # 9: enterprise not in the register
    frow(code="F-9", name=""),  # 10: required field empty
    frow(code="F-10", sorting_lines="2"),  # 11: not applicable to the type
    frow(code="F-11", area_m2="三十"),  # 12: not a number
    frow(code="F-12", lon=GCJ[0], lat=GCJ[1], coord_system="gcj02"),  # 13: good
]
EXPECTED_ERRORS = [
    (3, "opened_on", "invalid_date"),
    (4, "type", "unknown_choice"),
    (5, "division_code", "division_outside_prefecture"),
    (6, "lat", "coords_incomplete"),
    (7, "standardized", "invalid_bool"),
    (8, "code", "duplicate_in_file"),
    (9, "enterprise_uscc", "unknown_enterprise"),
    (10, "name", "required"),
    (11, "sorting_lines", "not_applicable"),
    (12, "area_m2", "invalid_number"),
]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], enc: str
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(enc))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def run_import(ctx: Context, entity: str, path: Path) -> ImportReport:
    with ctx.transaction() as s:
        return import_file(s, ALICE, entity, path)


@pytest.fixture
def with_enterprise(ctx: Context) -> Context:
    with ctx.transaction() as s:
        service.create_enterprise(s, ALICE, enterprise())
    return ctx


def check_facility_report(ctx: Context, report: ImportReport) -> None:
    assert [(e.row, e.field, e.code) for e in report.errors] == EXPECTED_ERRORS
    assert all(e.message for e in report.errors)
    assert (report.rows, report.created, report.updated, report.unchanged, report.rejected) == (
        12,
        2,
        0,
        0,
        10,
    )
    with ctx.read() as s:
        kept = service.list_facilities(s)
        assert [f.code for f in kept.items] == ["F-1", "F-12"]
        f1 = service.get_facility(s, "F-1")
        assert (f1.brand, f1.enterprise_uscc, f1.filing_delay_days) == ("sf", LOCAL_SF, 14)
        f12 = service.get_facility(s, "F-12")
        assert f12.coord_system == "gcj02" and (f12.input_lon, f12.input_lat) == GCJ
        assert f12.lon == pytest.approx(101.6803, abs=2e-7)  # 2 cm, after rounding twice
        assert f12.lat == pytest.approx(21.1801, abs=2e-7)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_import_reports_every_bad_row_and_keeps_the_good_ones(
    with_enterprise: Context, tmp_path: Path, encoding: str
) -> None:
    path = write_csv(tmp_path / "facilities.csv", FACILITY_HEADER, ROWS, encoding)
    report = run_import(with_enterprise, "facilities", path)
    assert report.encoding == encoding
    check_facility_report(with_enterprise, report)


def test_xlsx_import_reports_every_bad_row_and_keeps_the_good_ones(
    with_enterprise: Context, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "facilities.xlsx", FACILITY_HEADER, ROWS)
    check_facility_report(with_enterprise, run_import(with_enterprise, "facilities", path))


def test_the_messages_say_why_in_chinese(with_enterprise: Context, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, ROWS[:2] + ROWS[6:7], "utf-8")
    report = run_import(with_enterprise, "facilities", path)
    assert [e.message for e in report.errors] == [
        "开办日期：日期应为 YYYY-MM-DD，实为 2021-02-30",
        "编码：与第2行重复",
    ]


def test_enterprise_and_vehicle_imports_report_bad_rows(ctx: Context, tmp_path: Path) -> None:
    header = list(COLUMNS["enterprises"])
    rows = [
        [enterprise().get(c, "") for c in header],
        [enterprise(uscc=HUAWEI[:-1] + "7").get(c, "") for c in header],
        [enterprise(uscc=LOCAL_ZTO, kind="legal_entity").get(c, "") for c in header],
    ]
    report = run_import(ctx, "enterprises", write_csv(tmp_path / "e.csv", header, rows, "utf-8"))
    assert [(e.row, e.field, e.code) for e in report.errors] == [
        (3, "uscc", "uscc_check"),
        (4, "parent_uscc", "parent_not_allowed"),
    ]
    assert report.created == 1

    vheader = list(COLUMNS["vehicles"])
    vrows = [
        [vehicle(enterprise_uscc=LOCAL_SF).get(c, "") for c in vheader],
        [vehicle(plate="云K1").get(c, "") for c in vheader],
        [
            vehicle(plate="云K00009", brand="zto", enterprise_uscc=LOCAL_SF).get(c, "")
            for c in vheader
        ],
        [
            vehicle(plate="云K00010", new_energy="是", vehicle_type="三轮车").get(c, "")
            for c in vheader
        ],
    ]
    vreport = run_import(ctx, "vehicles", write_xlsx(tmp_path / "v.xlsx", vheader, vrows))
    assert [(e.row, e.field, e.code) for e in vreport.errors] == [
        (3, "plate", "invalid_plate"),
        (4, "brand", "brand_mismatch"),
    ]
    assert vreport.created == 2
    with ctx.read() as s:
        v = service.get_vehicle(s, "云K00010")
        assert (v.new_energy, v.vehicle_type, v.kind) == (True, "tricycle", "express")


def test_reimport_is_unchanged_and_a_changed_cell_is_an_audited_update(
    with_enterprise: Context, tmp_path: Path
) -> None:
    rows = [ROWS[0], ROWS[-1]]
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, rows, "utf-8")
    assert run_import(with_enterprise, "facilities", path).created == 2
    again = run_import(with_enterprise, "facilities", path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)

    changed = [frow(code="F-1", enterprise_uscc=LOCAL_SF, brand="sf", filed_on="2021-04-15")]
    path2 = write_csv(tmp_path / "f2.csv", FACILITY_HEADER, changed, "utf-8")
    report = run_import(with_enterprise, "facilities", path2)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    with with_enterprise.read() as s:
        [update, create] = audit.history(s, entity="facility", entity_id="F-1")
    assert (create.action, update.action) == ("create", "update")
    assert update.before is not None and update.after is not None
    assert (update.before["filed_on"], update.after["filed_on"]) == ("2021-03-15", "2021-04-15")
    assert update.note == "import f2.csv"


def test_a_file_with_only_some_columns_updates_only_those(
    with_enterprise: Context, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, [ROWS[0]], "utf-8")
    run_import(with_enterprise, "facilities", path)
    # Chinese headers are accepted too
    partial = write_csv(
        tmp_path / "p.csv", ["编码", "状态", "关闭日期"], [["F-1", "关闭", "2024-01-01"]], "utf-8"
    )
    report = run_import(with_enterprise, "facilities", partial)
    assert report.updated == 1
    with with_enterprise.read() as s:
        f = service.get_facility(s, "F-1")
        assert (f.status, str(f.closed_on), f.name, f.enterprise_uscc) == (
            "closed",
            "2024-01-01",
            "磨憨口岸驿站",
            LOCAL_SF,
        )
        assert audit.history(s, entity="facility", entity_id="F-1")[0].action == "close"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_changes_nothing(ctx: Context, tmp_path: Path, suffix: str) -> None:
    with ctx.transaction() as s:
        service.create_enterprise(s, ALICE, enterprise())
        service.create_enterprise(
            s,
            ALICE,
            enterprise(
                uscc=LOCAL_EMS,
                brand="ems",
                kind="legal_entity",
                parent_uscc=None,
                licence_scope="",
                status="closed",
                closed_on="2023-05-01",
            ),
        )
        for data in network():
            service.create_facility(s, ALICE, data)
        service.create_facility(
            s,
            ALICE,
            {**network()[0], "code": "G1", "lon": GCJ[0], "lat": GCJ[1], "coord_system": "gcj02"},
        )
        service.create_vehicle(s, ALICE, vehicle(enterprise_uscc=LOCAL_SF))
        service.create_vehicle(
            s, ALICE, vehicle(plate="云KD00001", brand="ems", new_energy=True, county_code=MENGHAI)
        )
    counts = {"enterprises": 2, "facilities": 11, "vehicles": 2}
    for entity, n in counts.items():
        path = tmp_path / f"{entity}{suffix}"
        with ctx.read() as s:
            assert export_file(s, entity, path) == n
        report = run_import(ctx, entity, path)
        assert report.errors == []
        assert (report.rows, report.unchanged, report.created, report.updated) == (n, n, 0, 0)
        if suffix == ".csv":  # a second export is byte-identical
            again = tmp_path / f"{entity}-again.csv"
            with ctx.read() as s:
                export_file(s, entity, again)
            assert again.read_bytes() == path.read_bytes()


def test_export_writes_the_contract_columns_first(ctx: Context, tmp_path: Path) -> None:
    with ctx.transaction() as s:
        service.create_facility(s, ALICE, {**network()[1], "filed_on": "2020-05-10"})
    path = tmp_path / "f.csv"
    with ctx.read() as s:
        export_file(s, "facilities", path)
    text = path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # BOM, so that Excel reads UTF-8
    header, row = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert header[:20] == FACILITY_HEADER
    assert header[20:] == ["wgs84_lon", "wgs84_lat", "filed_within_deadline"]
    assert dict(zip(header, row, strict=True))["filed_within_deadline"] == "true"
    assert dict(zip(header, row, strict=True))["standardized"] == "true"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("f.csv", b"code,name,colour\nF-1,x,red\n", "未知的列：colour"),
        ("f.csv", b"name,type\nx,letterbox\n", "缺少主键列 code"),
        ("f.csv", b"code,code\nF-1,F-1\n", "重复的列：code"),
        ("f.csv", b"", "文件为空"),
        ("f.csv", b"\xff\xfe\x00\x00garbage\x81", "无法识别文件编码"),
        ("f.xlsx", b"not a zip file", "无法读取 Excel 文件"),
        ("f.json", b"{}", "不支持的文件类型 .json"),
    ],
)
def test_unusable_files_fail_as_a_whole_before_writing(
    ctx: Context, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=message), ctx.transaction() as s:
        import_file(s, ALICE, "facilities", path)


def test_import_needs_the_registry_permission(ctx: Context, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", FACILITY_HEADER, ROWS[:1], "utf-8")
    with pytest.raises(PermissionDenied), ctx.transaction() as s:
        import_file(s, CAROL, "facilities", path)


def test_extra_cells_beyond_the_header_reject_the_row(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "code,name,type,division_code,opened_on\nF-1,x,letterbox,532801,2021-01-01,oops\n"
    )
    report = run_import(ctx, "facilities", path)
    assert [(e.row, e.code) for e in report.errors] == [(2, "extra_cells")]
