"""Input schemas of the registry (one per entity): the fields a person, a spreadsheet row or an API
body provides, parsed field by field (:mod:`youguan.registry.fields`), then checked across fields
without touching the database (:meth:`RegistryInput.problems`). The service adds the checks that
need the store (the enterprise exists, brands agree).

Blank values (``None`` or empty text) mean "not given": a required field is then missing and an
optional one takes its default, which is how an update clears a value.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import core_schema

from youguan.geo.coords import to_wgs84
from youguan.geo.divisions import Level, county_geojson
from youguan.registry import fields, rules
from youguan.registry.brands import brands
from youguan.registry.choices import (
    COORD_SYSTEMS,
    ENTERPRISE_KINDS,
    FACILITY_TYPES,
    LICENCE_SCOPES,
    STATUSES,
    VEHICLE_KINDS,
    VEHICLE_TYPES,
)
from youguan.registry.errors import Problem, ValidationFailed

if typing.TYPE_CHECKING:
    from youguan.registry.models import Facility

_BUILTIN_ERRORS = frozenset(typing.get_args(core_schema.ErrorType))


def _f(parser: fields.Parser) -> BeforeValidator:
    return BeforeValidator(parser)


Uscc = Annotated[str, _f(fields.uscc)]
OptUscc = Annotated[str | None, _f(fields.uscc)]
Code = Annotated[str, _f(fields.code)]
Name = Annotated[str, _f(fields.text(200))]
OptText = Annotated[str | None, _f(fields.text(300))]
BrandCode = Annotated[str, _f(fields.brand)]
OptBrandCode = Annotated[str | None, _f(fields.brand)]
Date = Annotated[dt.date, _f(fields.date)]
OptDate = Annotated[dt.date | None, _f(fields.date)]
Bool = Annotated[bool, _f(fields.boolean)]
Status = Annotated[str, _f(fields.choice(STATUSES))]
County = Annotated[str, _f(fields.division(Level.COUNTY))]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _describe_fields(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """JSON schema: each property described by its Chinese label."""
    labels: dict[str, str] = getattr(cls, "labels", {})
    for name, prop in schema.get("properties", {}).items():
        if name in labels:
            prop.setdefault("description", labels[name])


class RegistryInput(BaseModel):
    """Common behaviour: blanks dropped, unknown fields refused, errors as :class:`Problem`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_describe_fields)

    entity: ClassVar[str]
    key_field: ClassVar[str]
    labels: ClassVar[dict[str, str]]

    @model_validator(mode="before")
    @classmethod
    def _drop_blanks(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not _blank(v)}
        return data

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Validate ``data``; raise :class:`ValidationFailed` with every problem found."""
        try:
            obj = cls.model_validate(dict(data))
        except ValidationError as exc:
            raise ValidationFailed(cls._problems(exc)) from None
        problems = obj.problems()
        if problems:
            raise ValidationFailed(problems)
        return obj

    @classmethod
    def _problems(cls, exc: ValidationError) -> list[Problem]:
        out = []
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else ""
            label = cls.labels.get(name, name)
            if e["type"] == "missing":
                out.append(Problem(name, "required", f"{label}：必填"))
            elif e["type"] == "extra_forbidden":
                out.append(Problem(name, "unknown_field", f"未知字段 {name}"))
            elif e["type"] in _BUILTIN_ERRORS:
                out.append(Problem(name, "invalid", f"{label}：格式不正确"))
            else:
                out.append(Problem(name, e["type"], f"{label}：{e['msg']}"))
        return out

    def problem(self, name: str, code: str, reason: str) -> Problem:
        return Problem(name, code, f"{self.labels.get(name, name)}：{reason}")

    def problems(self) -> list[Problem]:
        """Checks across fields (no database)."""
        return []

    @property
    def key(self) -> str:
        return str(getattr(self, self.key_field))

    def stored_values(self) -> dict[str, Any]:
        """Column values to write on the ORM object."""
        return self.model_dump()

    @classmethod
    def from_record(cls, obj: Any) -> dict[str, Any]:
        """The input values that describe a stored record (to merge updates into, to export)."""
        return {name: getattr(obj, name) for name in cls.model_fields}


def _closing_problems(inp: Any, *, date_required: bool) -> list[Problem]:
    out = []
    if inp.status == "closed" and inp.closed_on is None and date_required:
        out.append(inp.problem("closed_on", "closed_without_date", "状态为关闭时必须填写关闭日期"))
    if inp.closed_on is not None and inp.status != "closed":
        out.append(
            inp.problem("status", "closed_on_without_status", "填写了关闭日期，状态应为关闭")
        )
    return out


class EnterpriseIn(RegistryInput):
    entity: ClassVar[str] = "enterprise"
    key_field: ClassVar[str] = "uscc"
    labels: ClassVar[dict[str, str]] = {
        "uscc": "统一社会信用代码",
        "name": "名称",
        "brand": "品牌",
        "kind": "主体类型",
        "parent_uscc": "上级法人统一社会信用代码",
        "licence_no": "许可证编号",
        "licence_issuer": "发证机关",
        "licence_scope": "许可业务范围",
        "licence_valid_from": "许可有效期起",
        "licence_valid_to": "许可有效期止",
        "address": "地址",
        "county_code": "所在县（市）代码",
        "status": "状态",
        "closed_on": "注销日期",
    }

    uscc: Uscc
    name: Name
    brand: BrandCode
    kind: Annotated[str, _f(fields.choice(ENTERPRISE_KINDS))]
    parent_uscc: OptUscc = None
    licence_no: Annotated[str | None, _f(fields.text(60))] = None
    licence_issuer: Annotated[str | None, _f(fields.text(120))] = None
    licence_scope: Annotated[list[str], _f(fields.choice_set(LICENCE_SCOPES))] = []
    licence_valid_from: OptDate = None
    licence_valid_to: OptDate = None
    address: OptText = None
    county_code: County
    status: Status = "active"
    closed_on: OptDate = None

    def problems(self) -> list[Problem]:
        out = []
        if self.kind == "branch" and self.parent_uscc is None:
            out.append(self.problem("parent_uscc", "parent_required", "分支机构必须填写上级法人"))
        if self.kind == "legal_entity" and self.parent_uscc is not None:
            out.append(self.problem("parent_uscc", "parent_not_allowed", "法人不应填写上级法人"))
        if self.parent_uscc is not None and self.parent_uscc == self.uscc:
            out.append(self.problem("parent_uscc", "parent_is_self", "上级法人不能是自身"))
        if (
            self.licence_valid_from is not None
            and self.licence_valid_to is not None
            and self.licence_valid_to < self.licence_valid_from
        ):
            out.append(self.problem("licence_valid_to", "dates_reversed", "有效期止早于有效期起"))
        return out + _closing_problems(self, date_required=False)


@cache
def _county_boxes() -> dict[str, tuple[float, float, float, float]]:
    """County code → (min lon, min lat, max lon, max lat) of its boundary."""
    boxes = {}
    for feature in county_geojson()["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        pts = [p for poly in polys for ring in poly for p in ring]
        lons, lats = [p[0] for p in pts], [p[1] for p in pts]
        boxes[feature["properties"]["code"]] = (min(lons), min(lats), max(lons), max(lats))
    return boxes


class FacilityIn(RegistryInput):
    entity: ClassVar[str] = "facility"
    key_field: ClassVar[str] = "code"
    labels: ClassVar[dict[str, str]] = {
        "code": "编码",
        "name": "名称",
        "type": "类型",
        "brand": "品牌",
        "enterprise_uscc": "所属企业统一社会信用代码",
        "division_code": "所在区划代码",
        "lon": "经度",
        "lat": "纬度",
        "coord_system": "坐标系",
        "address": "地址",
        "opened_on": "开办日期",
        "closed_on": "关闭日期",
        "status": "状态",
        "filed_on": "备案日期",
        "standardized": "标准化网点",
        "sorting_lines": "自动化分拣线（条）",
        "area_m2": "面积（平方米）",
        "daily_capacity": "日处理能力（件）",
        "served_villages": "服务的村",
        "deliveries_per_week": "每周投递次数",
    }

    code: Code
    name: Name
    type: Annotated[str, _f(fields.choice(FACILITY_TYPES))]
    brand: OptBrandCode = None
    enterprise_uscc: OptUscc = None
    division_code: Annotated[
        str, _f(fields.division(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, in_prefecture=True))
    ]
    # 7 decimals of a degree ≈ 1 cm
    lon: Annotated[float | None, _f(fields.number(-180, 180, rules.COORD_DIGITS))] = None
    lat: Annotated[float | None, _f(fields.number(-90, 90, rules.COORD_DIGITS))] = None
    coord_system: Annotated[str | None, _f(fields.choice(COORD_SYSTEMS))] = None
    address: OptText = None
    opened_on: Date
    closed_on: OptDate = None
    status: Status = "active"
    filed_on: OptDate = None
    standardized: Bool = False
    sorting_lines: Annotated[int | None, _f(fields.integer(0, 1000))] = None
    area_m2: Annotated[float | None, _f(fields.number(0, 10_000_000, 2))] = None
    daily_capacity: Annotated[int | None, _f(fields.integer(0, 100_000_000))] = None
    served_villages: Annotated[list[str], _f(fields.village_list)] = []
    deliveries_per_week: Annotated[int | None, _f(fields.integer(0, 21))] = None

    @model_validator(mode="after")
    def _coord_system_only_with_coordinates(self) -> Self:
        if self.lon is None and self.lat is None:
            self.coord_system = None
        elif self.coord_system is None:
            self.coord_system = "wgs84"
        return self

    def problems(self) -> list[Problem]:
        out = [*self._coordinate_problems(), *_closing_problems(self, date_required=True)]
        if self.closed_on is not None and self.closed_on < self.opened_on:
            out.append(self.problem("closed_on", "closed_before_opened", "关闭日期早于开办日期"))
        if self.sorting_lines and self.type not in rules.SORTING_LINE_TYPES:
            out.append(
                self.problem(
                    "sorting_lines", "not_applicable", "只有分拣中心、园区和监管中心有分拣线"
                )
            )
        if self.served_villages and self.type not in rules.DIRECT_SERVICE_TYPES:
            out.append(
                self.problem(
                    "served_villages",
                    "not_applicable",
                    f"{FACILITY_TYPES.label_of(self.type)}不直接服务村",
                )
            )
        return out

    def _coordinate_problems(self) -> list[Problem]:
        if (self.lon is None) != (self.lat is None):
            missing = "lat" if self.lat is None else "lon"
            return [self.problem(missing, "coords_incomplete", "经度和纬度须同时填写")]
        if self.lon is None or self.lat is None:
            return []
        if not (
            rules.CHINA_LON[0] <= self.lon <= rules.CHINA_LON[1]
            and rules.CHINA_LAT[0] <= self.lat <= rules.CHINA_LAT[1]
        ):
            return [
                self.problem("lon", "coords_out_of_range", "坐标不在中国范围内（经纬度是否填反？）")
            ]
        box = _county_boxes().get(self.division_code[:6])
        lon, lat = self.wgs84 or (self.lon, self.lat)
        m = rules.COUNTY_BOX_MARGIN
        if box and not (box[0] - m <= lon <= box[2] + m and box[1] - m <= lat <= box[3] + m):
            return [self.problem("lon", "coords_outside_county", "坐标不在所在县（市）范围内")]
        return []

    @property
    def wgs84(self) -> tuple[float, float] | None:
        if self.lon is None or self.lat is None:
            return None
        lon, lat = to_wgs84(self.lon, self.lat, self.coord_system or "wgs84")
        return round(lon, rules.COORD_DIGITS), round(lat, rules.COORD_DIGITS)

    def stored_values(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"lon", "lat"})
        wgs = self.wgs84
        values.update(
            input_lon=self.lon,
            input_lat=self.lat,
            lon=wgs[0] if wgs else None,
            lat=wgs[1] if wgs else None,
            filing_delay_days=rules.filing_delay_days(self.opened_on, self.filed_on),
        )
        return values

    @classmethod
    def from_record(cls, obj: Facility) -> dict[str, Any]:
        values = {name: getattr(obj, name) for name in cls.model_fields}
        values.update(lon=obj.input_lon, lat=obj.input_lat)
        return values


class VehicleIn(RegistryInput):
    entity: ClassVar[str] = "vehicle"
    key_field: ClassVar[str] = "plate"
    labels: ClassVar[dict[str, str]] = {
        "plate": "车牌号",
        "brand": "品牌",
        "enterprise_uscc": "所属企业统一社会信用代码",
        "kind": "车辆类别",
        "vehicle_type": "车型",
        "new_energy": "新能源",
        "county_code": "所在县（市）代码",
        "status": "状态",
        "registered_on": "登记日期",
        "closed_on": "注销日期",
    }

    plate: Annotated[str, _f(fields.plate)]
    brand: BrandCode
    enterprise_uscc: OptUscc = None
    kind: Annotated[str | None, _f(fields.choice(VEHICLE_KINDS))] = None
    vehicle_type: Annotated[str, _f(fields.choice(VEHICLE_TYPES))]
    new_energy: Bool = False
    county_code: County
    status: Status = "active"
    registered_on: OptDate = None
    closed_on: OptDate = None

    @model_validator(mode="after")
    def _kind_from_brand(self) -> Self:
        if self.kind is None:  # the postal brand's vehicles are postal unless said otherwise
            info = brands().get(self.brand)
            self.kind = "postal" if info is not None and info.kind == "postal" else "express"
        return self

    def problems(self) -> list[Problem]:
        out = _closing_problems(self, date_required=False)
        if (
            self.closed_on is not None
            and self.registered_on is not None
            and self.closed_on < self.registered_on
        ):
            out.append(self.problem("closed_on", "closed_before_opened", "注销日期早于登记日期"))
        return out


# --- API bodies -----------------------------------------------------------------------------------
# The bodies of the JSON API: a create body is the input schema itself (documented field by field
# in the OpenAPI document); an update body has the same fields, all optional — a field left out
# keeps its value, a null or empty value clears it. The service validates the merged record again
# (cross-field rules, the store), so both reach the same rules as an import row.


class EnterpriseCreate(EnterpriseIn):
    """新增企业：统一社会信用代码为主键。"""


class FacilityCreate(FacilityIn):
    """新增网点或设施：编码为主键；GCJ-02 坐标（coord_system=gcj02）在入库时转换为 WGS-84。"""


class VehicleCreate(VehicleIn):
    """新增车辆：车牌号为主键。"""


def partial_model(model: type[RegistryInput], name: str, doc: str) -> type[BaseModel]:
    """``model`` with every field optional (default None) and the same field parsers."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        annotation = Annotated[info.annotation | None, *info.metadata]  # type: ignore[name-defined]
        fields[field_name] = (annotation, Field(None, description=model.labels[field_name]))
    out: type[BaseModel] = create_model(
        name, __config__=ConfigDict(extra="forbid"), __doc__=doc, **fields
    )
    return out


if TYPE_CHECKING:  # the classes are built at run time; to a type checker they are models
    EnterpriseUpdate = BaseModel
    FacilityUpdate = BaseModel
    VehicleUpdate = BaseModel
else:
    EnterpriseUpdate = partial_model(
        EnterpriseIn, "EnterpriseUpdate", "修改企业：只传要修改的字段。"
    )
    FacilityUpdate = partial_model(
        FacilityIn, "FacilityUpdate", "修改网点或设施：只传要修改的字段；null 或空值清除该字段。"
    )
    VehicleUpdate = partial_model(VehicleIn, "VehicleUpdate", "修改车辆：只传要修改的字段。")
