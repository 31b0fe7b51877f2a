"""Input schemas without a database: parsing, Chinese labels, GCJ-02 on entry, cross-field rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.registry.factories import (
    HUAWEI,
    KOUAN_COMMUNITY,
    LOCAL_SF,
    MENGLONG_VILLAGES,
    enterprise,
    facility,
    vehicle,
)
from youguan.geo.coords import wgs84_to_gcj02
from youguan.registry import fields
from youguan.registry.errors import ValidationFailed
from youguan.registry.schemas import EnterpriseIn, FacilityIn, VehicleIn
from youguan.registry.tabular import csv_cell


def problems(schema: Any, data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        schema.parse(data)
    return [(p.field, p.code) for p in info.value.problems]


def test_chinese_labels_and_separators_are_accepted() -> None:
    e = EnterpriseIn.parse(
        enterprise(kind="分公司", brand="顺丰", licence_scope="国际、同城；跨省", status="存续")
    )
    assert (e.kind, e.brand, e.status) == ("branch", "sf", "active")
    assert e.licence_scope == ["same_city", "interprovincial", "international"]
    assert e.licence_valid_from == dt.date(2019, 5, 1)


def test_blank_optional_fields_take_their_defaults() -> None:
    e = EnterpriseIn.parse(enterprise(status="", licence_scope=" ", address=None))
    assert e.status == "active" and e.licence_scope == [] and e.address is None


def test_every_field_problem_is_reported_with_a_stable_code() -> None:
    found = problems(
        EnterpriseIn,
        enterprise(
            uscc="914403001922038217",
            brand="shunfeng",
            kind="合伙",
            licence_scope="同城;火星",
            licence_valid_from="2019/05/01",
            county_code="532823105",
            name="",
            colour="red",
        ),
    )
    assert sorted(found) == [
        ("brand", "unknown_brand"),
        ("colour", "unknown_field"),
        ("county_code", "wrong_division_level"),
        ("kind", "unknown_choice"),
        ("licence_scope", "unknown_choice"),
        ("licence_valid_from", "invalid_date"),
        ("name", "required"),
        ("uscc", "uscc_check"),
    ]


def test_messages_name_the_field_in_chinese() -> None:
    with pytest.raises(ValidationFailed) as info:
        EnterpriseIn.parse(enterprise(uscc="914403001922038217"))
    [p] = info.value.problems
    assert p.message == "统一社会信用代码：校验位错误：第18位应为 6，实为 7"


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"parent_uscc": None}, ("parent_uscc", "parent_required")),
        ({"kind": "legal_entity"}, ("parent_uscc", "parent_not_allowed")),
        ({"parent_uscc": LOCAL_SF}, ("parent_uscc", "parent_is_self")),
        ({"licence_valid_to": "2019-04-30"}, ("licence_valid_to", "dates_reversed")),
        ({"closed_on": "2023-01-01"}, ("status", "closed_on_without_status")),
    ],
)
def test_enterprise_cross_field_rules(over: dict[str, Any], expected: tuple[str, str]) -> None:
    assert problems(EnterpriseIn, enterprise(**over)) == [expected]


def test_a_closed_enterprise_may_have_no_known_closing_date() -> None:
    assert EnterpriseIn.parse(enterprise(status="注销")).status == "closed"


def test_gcj02_coordinates_are_converted_to_wgs84_on_entry() -> None:
    wgs = (101.6803, 21.1801)
    gcj = wgs84_to_gcj02(*wgs)
    gcj = (round(gcj[0], 7), round(gcj[1], 7))  # coordinates are kept to 1e-7 degree ≈ 1 cm
    f = FacilityIn.parse(facility(lon=str(gcj[0]), lat=str(gcj[1]), coord_system="高德"))
    stored = f.stored_values()
    assert stored["coord_system"] == "gcj02"
    assert (stored["input_lon"], stored["input_lat"]) == gcj
    assert stored["lon"] == pytest.approx(wgs[0], abs=2e-7)
    assert stored["lat"] == pytest.approx(wgs[1], abs=2e-7)
    # the offset in 西双版纳 is a few hundred metres, so the conversion did happen
    assert abs(stored["lon"] - gcj[0]) > 1e-3


def test_wgs84_coordinates_are_kept_and_the_system_defaults_to_wgs84() -> None:
    stored = FacilityIn.parse(facility(coord_system="")).stored_values()
    assert (stored["lon"], stored["lat"], stored["coord_system"]) == (101.68, 21.18, "wgs84")
    bare = FacilityIn.parse(facility(lon=None, lat=None, coord_system="gcj02")).stored_values()
    assert (bare["lon"], bare["lat"], bare["coord_system"]) == (None, None, None)


def test_facility_fields_parse_from_spreadsheet_cells() -> None:
    a, b = MENGLONG_VILLAGES[:2]
    f = FacilityIn.parse(
        facility(
            type="村级服务点",
            division_code=532823105001.0,  # a code typed into Excel as a number
            opened_on=dt.datetime(2021, 3, 1),
            filed_on="2021-03-25 00:00:00",
            standardized="是",
            served_villages=f"{b}; {a},{b} ",  # repeated, mixed separators
            deliveries_per_week=3.0,
            area_m2="35.5",
        )
    )
    assert f.type == "village_service_point" and f.division_code == KOUAN_COMMUNITY
    assert f.opened_on == dt.date(2021, 3, 1) and f.filed_on == dt.date(2021, 3, 25)
    assert f.standardized is True and f.deliveries_per_week == 3 and f.area_m2 == 35.5
    assert f.served_villages == sorted(MENGLONG_VILLAGES[:2])
    assert f.stored_values()["filing_delay_days"] == 24


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"lat": None}, ("lat", "coords_incomplete")),
        ({"lon": -101.68}, ("lon", "coords_out_of_range")),  # sign lost
        ({"lon": 100.3, "lat": 22.0}, ("lon", "coords_outside_county")),  # in 勐海, not 勐腊
        ({"status": "closed"}, ("closed_on", "closed_without_date")),
        ({"closed_on": "2022-01-01"}, ("status", "closed_on_without_status")),
        (
            {"status": "closed", "closed_on": "2021-02-01"},
            ("closed_on", "closed_before_opened"),
        ),
        ({"sorting_lines": 2}, ("sorting_lines", "not_applicable")),
        (
            {"type": "sorting_center", "served_villages": MENGLONG_VILLAGES[0]},
            ("served_villages", "not_applicable"),
        ),
    ],
)
def test_facility_cross_field_rules(over: dict[str, Any], expected: tuple[str, str]) -> None:
    assert problems(FacilityIn, facility(**over)) == [expected]


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({"division_code": "530102"}, ("division_code", "division_outside_prefecture")),
        ({"division_code": "532899"}, ("division_code", "unknown_division")),
        ({"division_code": "5328"}, ("division_code", "wrong_division_level")),
        ({"served_villages": "532823105"}, ("served_villages", "wrong_division_level")),
        ({"type": "仓库"}, ("type", "unknown_choice")),
        ({"standardized": "maybe"}, ("standardized", "invalid_bool")),
        ({"sorting_lines": "2.5"}, ("sorting_lines", "invalid_int")),
        ({"deliveries_per_week": 30}, ("deliveries_per_week", "out_of_range")),
        ({"area_m2": "-1"}, ("area_m2", "out_of_range")),
        ({"lon": "东经101"}, ("lon", "invalid_number")),
        ({"code": "网点 1"}, ("code", "invalid_code")),
        ({"name": "名" * 201}, ("name", "text_too_long")),
        ({"opened_on": None}, ("opened_on", "required")),
    ],
)
def test_facility_field_problems(over: dict[str, Any], expected: tuple[str, str]) -> None:
    assert problems(FacilityIn, facility(**over)) == [expected]


def test_vehicle_kind_follows_the_brand_unless_given() -> None:
    assert VehicleIn.parse(vehicle(brand="ems", kind=None)).kind == "postal"
    assert VehicleIn.parse(vehicle(brand="zto", kind=None)).kind == "express"
    assert VehicleIn.parse(vehicle(brand="ems", kind="快递")).kind == "express"


def test_vehicle_plate_and_flags() -> None:
    v = VehicleIn.parse(vehicle(plate="云k·d12345", new_energy="1", vehicle_type="电动三轮车"))
    assert (v.plate, v.new_energy, v.vehicle_type) == ("云KD12345", True, "tricycle")
    assert problems(VehicleIn, vehicle(plate="云K1")) == [("plate", "invalid_plate")]
    assert problems(VehicleIn, vehicle(enterprise_uscc=HUAWEI[:-1] + "7")) == [
        ("enterprise_uscc", "uscc_check")
    ]


@given(st.floats(-180, 180, allow_nan=False), st.integers(0, 7))
def test_a_parsed_number_reads_back_from_its_exported_text(x: float, digits: int) -> None:
    parse = fields.number(-180, 180, digits)
    value = parse(x)
    assert parse(csv_cell(value)) == value
    assert parse(value) == value  # parsing is idempotent, so re-imports compare equal
