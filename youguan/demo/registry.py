"""The registry part of the demo: enterprises, facilities and vehicles (the CSV contract with the
registry importer, columns in :data:`ENTERPRISE_COLUMNS`, :data:`FACILITY_COLUMNS`,
:data:`VEHICLE_COLUMNS`), plus one ``*-with-errors.csv`` file per entity: a few good new rows and
one bad row of each kind the import must report (row, field, why)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from youguan.demo.enterprises import ENTERPRISE_COLUMNS, EnterpriseSet, generate_enterprises
from youguan.demo.facilities import (
    FACILITY_COLUMNS,
    FacilitySet,
    facility_rows,
    generate_facilities,
)
from youguan.demo.randomness import stream
from youguan.demo.schemas import Fault
from youguan.demo.vehicles import VEHICLE_COLUMNS, generate_vehicles

__all__ = ["ENTERPRISE_COLUMNS", "FACILITY_COLUMNS", "VEHICLE_COLUMNS", "RegistryData"]


@dataclass
class ErrorFile:
    name: str  # e.g. enterprises-with-errors.csv
    dataset: str
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    faults: list[Fault] = field(default_factory=list)


@dataclass
class RegistryData:
    enterprises: EnterpriseSet
    facilities: FacilitySet
    enterprise_rows: list[dict[str, str]]
    facility_rows: list[dict[str, str]]
    vehicle_rows: list[dict[str, str]]
    error_files: list[ErrorFile]


def build_registry(seed: int, end: dt.date) -> RegistryData:
    ents = generate_enterprises(seed)
    fs = generate_facilities(seed, ents, end)
    f_rows = facility_rows(fs)
    v_rows = generate_vehicles(seed, ents, end)
    errors = _error_files(seed, ents, f_rows, v_rows)
    return RegistryData(ents, fs, ents.rows, f_rows, v_rows, errors)


class _Bad:
    """Collects an error file: good rows as they are, bad rows with the fault they carry."""

    def __init__(self, name: str, dataset: str, columns: tuple[str, ...]) -> None:
        self.file = ErrorFile(name, dataset, columns, [])

    def good(self, row: dict[str, str]) -> None:
        self.file.rows.append(row)

    def bad(self, row: dict[str, str], field_: str, kind: str, note: str) -> None:
        self.file.rows.append(row)
        self.file.faults.append(
            Fault(
                file=f"registry/{self.file.name}",
                row=len(self.file.rows),
                field=field_,
                kind=kind,
                note=note,
            )
        )


def _error_files(
    seed: int,
    ents: EnterpriseSet,
    f_rows: list[dict[str, str]],
    v_rows: list[dict[str, str]],
) -> list[ErrorFile]:
    from youguan.demo.enterprises import make_uscc

    rng = stream(seed, "registry", "errors")
    used = set(ents.used)
    legal = next(r for r in ents.rows if r["brand"] == "zto" and r["county_code"] == "532801")

    # enterprises
    e = _Bad("enterprises-with-errors.csv", "enterprises", ENTERPRISE_COLUMNS)

    def ent(**change: str) -> dict[str, str]:
        row = dict(
            legal,
            uscc=make_uscc(rng, "532801", used),
            kind="branch",
            parent_uscc=legal["uscc"],
            name="西双版纳中通快递有限公司新城分公司",
        )
        row.update(change)
        return row

    e.good(ent())
    e.good(ent(name="西双版纳中通快递有限公司曼弄枫分公司"))
    good = ent(name="错误校验位公司")
    last = good["uscc"][17]
    wrong = "0" if last != "0" else "1"
    e.bad(
        dict(good, uscc=good["uscc"][:17] + wrong),
        "uscc",
        "check_character",
        "统一社会信用代码校验位错误",
    )
    e.bad(ent(uscc=good["uscc"][:17]), "uscc", "length", "统一社会信用代码不足18位")
    e.bad(ent(brand="shunfeng"), "brand", "unknown_brand", "品牌代码不存在")
    e.bad(ent(kind="headquarters"), "kind", "unknown_value", "主体类型不在允许值内")
    e.bad(ent(parent_uscc=""), "parent_uscc", "missing_parent", "分支机构缺少上级主体")
    e.bad(
        ent(licence_valid_from="2024-05-01", licence_valid_to="2023-04-30"),
        "licence_valid_to",
        "date_order",
        "许可有效期止早于起",
    )
    e.bad(ent(licence_valid_from="2023/13/01"), "licence_valid_from", "bad_date", "日期无效")
    e.bad(
        ent(licence_scope="same_city;global"),
        "licence_scope",
        "unknown_value",
        "许可范围含未知值 global",
    )
    e.bad(ent(county_code="532899"), "county_code", "unknown_division", "区划代码不存在")
    e.bad(ent(name=""), "name", "required", "名称为空")

    # facilities
    f = _Bad("facilities-with-errors.csv", "facilities", FACILITY_COLUMNS)
    base = next(r for r in f_rows if r["type"] == "express_outlet" and r["status"] == "active")
    counter = iter(range(9001, 9100))

    def fac(**change: str) -> dict[str, str]:
        row = dict(
            base,
            code=f"EX532801{next(counter)}",
            name="中通快递曼听新营业部",
            opened_on="2026-09-12",
            filed_on="2026-09-20",
            closed_on="",
            status="active",
        )
        row.update(change)
        return row

    f.good(fac())
    f.good(fac(name="中通快递告庄营业部", coord_system="gcj02", lon="100.792712", lat="22.003901"))
    f.bad(fac(type="warehouse"), "type", "unknown_value", "设施类型不在允许值内")
    f.bad(fac(division_code="532801999999"), "division_code", "unknown_division", "区划代码不存在")
    f.bad(fac(lon=base["lat"], lat=base["lon"]), "lat", "out_of_range", "经纬度颠倒：纬度超出范围")
    f.bad(fac(coord_system="bd09"), "coord_system", "unknown_value", "坐标系只接受 wgs84 或 gcj02")
    f.bad(
        fac(opened_on="2025-06-01", closed_on="2024-01-01", status="closed"),
        "closed_on",
        "date_order",
        "撤销日期早于开办日期",
    )
    f.bad(fac(status="closed"), "closed_on", "required", "状态为已撤销但无撤销日期")
    f.bad(
        fac(type="sorting_center", sorting_lines="two"),
        "sorting_lines",
        "not_integer",
        "分拣线数量不是整数",
    )
    dup = fac(name="重复编码网点")
    f.good(dup)
    f.bad(dict(dup, name="重复编码网点（二）"), "code", "duplicate", "设施编码在文件中重复")
    f.bad(fac(brand="fengchao"), "brand", "unknown_brand", "品牌代码不存在")
    f.bad(fac(opened_on="2024-02-30"), "opened_on", "bad_date", "日期无效")
    f.bad(
        fac(lon="102.712200", lat="25.040600"),
        "lon",
        "outside_division",
        "坐标不在所属区县范围内（位于昆明）",
    )

    # vehicles
    v = _Bad("vehicles-with-errors.csv", "vehicles", VEHICLE_COLUMNS)
    vbase = v_rows[0]

    def veh(plate: str, **change: str) -> dict[str, str]:
        row = dict(vbase, plate=plate, registered_on="2026-08-03", status="active")
        row.update(change)
        return row

    v.good(veh("云KD90001", new_energy="true"))
    v.good(veh("云KD90002", new_energy="true", vehicle_type="van"))
    v.bad(veh("云K12"), "plate", "bad_format", "车牌号格式错误")
    v.bad(veh("云KD90003", brand="feiniao"), "brand", "unknown_brand", "品牌代码不存在")
    v.bad(veh("云KD90004", new_energy="maybe"), "new_energy", "bad_boolean", "是否新能源不是布尔值")
    v.bad(veh("云KD90005", registered_on="2023-15-01"), "registered_on", "bad_date", "日期无效")
    v.bad(veh("云KD90001", new_energy="true"), "plate", "duplicate", "车牌号在文件中重复")
    v.bad(
        veh("云KD90006", county_code="999999"), "county_code", "unknown_division", "区划代码不存在"
    )
    bad_uscc = vbase["enterprise_uscc"][:17] + ("0" if vbase["enterprise_uscc"][17] != "0" else "1")
    v.bad(
        veh("云KD90007", enterprise_uscc=bad_uscc),
        "enterprise_uscc",
        "check_character",
        "统一社会信用代码校验位错误",
    )
    v.bad(veh("云KD90008", kind="drone"), "kind", "unknown_value", "车辆类别不在允许值内")
    return [e.file, f.file, v.file]
