"""What the registry shows: public schemas of its records (``XPublic``, ``XsPage``), the list
filters of the API and the pages (``XQuery``, built on :mod:`youguan.registry.queries`), closing,
import reports and the audit history of a record.

Codes are stored, Chinese labels and colours are shown (STYLE.md habit 10): every coded field comes
with its ``*_label``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, field_validator

from youguan.geo.divisions import Level, divisions
from youguan.paging import Page
from youguan.registry import queries
from youguan.registry.brands import brand_label, brands
from youguan.registry.choices import (
    COORD_SYSTEMS,
    ENTERPRISE_KINDS,
    FACILITY_TYPES,
    LICENCE_SCOPES,
    STATUSES,
    VEHICLE_KINDS,
    VEHICLE_TYPES,
    Choices,
)
from youguan.registry.models import Enterprise, Facility, Vehicle
from youguan.registry.rules import local_today
from youguan.web.schemas import FormQuery


class Option(BaseModel):
    """A choice as shown: code, Chinese label, colour."""

    code: str
    label: str
    color: str = "#57606a"


def options(choices: Choices) -> list[Option]:
    return [Option(code=c.code, label=c.label, color=c.color) for c in choices]


def brand_options(*, active_only: bool = False) -> list[Option]:
    return [
        Option(code=b.code, label=b.short, color=b.color)
        for b in brands().values()
        if not active_only or b.until is None
    ]


def county_options() -> list[Option]:
    return [Option(code=d.code, label=d.name) for d in divisions().prefecture_counties()]


_PLACE_LEVELS = (Level.COUNTY, Level.TOWNSHIP)


@cache
def place_name(code: str) -> str:
    """The names of a division below the prefecture (``勐腊县磨憨镇口岸社区居民委员会``)."""
    reg = divisions()
    d = reg.get(code)
    if d is None:
        return code
    above = [a.name for a in reversed(reg.ancestors(code)) if a.level in _PLACE_LEVELS]
    return "".join([*above, d.name])


def county_name(code: str | None) -> str:
    d = divisions().get((code or "")[:6])
    return d.name if d else ""


# --- records ------------------------------------------------------------------------------------


class Stamps(BaseModel):
    created_at: dt.datetime
    updated_at: dt.datetime


class EnterprisePublic(Stamps):
    id: int
    uscc: str = Field(description="统一社会信用代码")
    name: str
    brand: str
    brand_label: str
    kind: str = Field(description="legal_entity | branch")
    kind_label: str
    parent_uscc: str | None
    licence_no: str | None
    licence_issuer: str | None
    licence_scope: list[str]
    licence_scope_labels: list[str]
    licence_valid_from: dt.date | None
    licence_valid_to: dt.date | None
    licence_expired: bool = Field(description="许可有效期已过（按今天）")
    address: str | None
    county_code: str
    county_name: str
    status: str
    status_label: str
    closed_on: dt.date | None


class FacilityPublic(Stamps):
    id: int
    code: str
    name: str
    type: str
    type_label: str
    type_color: str
    brand: str | None
    brand_label: str | None
    enterprise_uscc: str | None
    division_code: str
    place: str = Field(description="所在地（县、乡、村名称）")
    county_code: str
    county_name: str
    lon: float | None = Field(description="WGS-84 经度")
    lat: float | None = Field(description="WGS-84 纬度")
    coord_system: str | None = Field(description="录入时的坐标系：wgs84 | gcj02")
    input_lon: float | None = Field(description="录入的经度（原坐标系）")
    input_lat: float | None
    address: str | None
    opened_on: dt.date
    closed_on: dt.date | None
    status: str
    status_label: str
    filed_on: dt.date | None = Field(description="备案日期")
    filing_delay_days: int | None = Field(description="开办到备案的天数")
    filed_within_deadline: bool | None = Field(
        description="是否在开办后 20 日内备案：false 为逾期备案或逾期未备案，null 为未到期或不适用"
    )
    standardized: bool
    sorting_lines: int | None
    area_m2: float | None
    daily_capacity: int | None
    served_villages: list[str]
    deliveries_per_week: int | None


class VehiclePublic(Stamps):
    id: int
    plate: str
    brand: str
    brand_label: str
    enterprise_uscc: str | None
    kind: str
    kind_label: str
    vehicle_type: str
    vehicle_type_label: str
    new_energy: bool
    county_code: str
    county_name: str
    status: str
    status_label: str
    registered_on: dt.date | None
    closed_on: dt.date | None


class EnterprisesPage(Page[EnterprisePublic]):
    pass


class FacilitiesPage(Page[FacilityPublic]):
    pass


class VehiclesPage(Page[VehiclePublic]):
    pass


def _stamps(obj: Any) -> dict[str, Any]:
    return {"created_at": obj.created_at, "updated_at": obj.updated_at}


def enterprise_public(e: Enterprise) -> EnterprisePublic:
    scope = list(e.licence_scope or [])
    return EnterprisePublic(
        id=e.id,
        uscc=e.uscc,
        name=e.name,
        brand=e.brand,
        brand_label=brand_label(e.brand),
        kind=e.kind,
        kind_label=ENTERPRISE_KINDS.label_of(e.kind),
        parent_uscc=e.parent_uscc,
        licence_no=e.licence_no,
        licence_issuer=e.licence_issuer,
        licence_scope=scope,
        licence_scope_labels=[LICENCE_SCOPES.label_of(c) for c in scope],
        licence_valid_from=e.licence_valid_from,
        licence_valid_to=e.licence_valid_to,
        licence_expired=e.licence_valid_to is not None and e.licence_valid_to < local_today(),
        address=e.address,
        county_code=e.county_code,
        county_name=county_name(e.county_code),
        status=e.status,
        status_label=STATUSES.label_of(e.status),
        closed_on=e.closed_on,
        **_stamps(e),
    )


def facility_public(f: Facility) -> FacilityPublic:
    return FacilityPublic(
        id=f.id,
        code=f.code,
        name=f.name,
        type=f.type,
        type_label=FACILITY_TYPES.label_of(f.type),
        type_color=FACILITY_TYPES.color_of(f.type),
        brand=f.brand,
        brand_label=brand_label(f.brand) if f.brand else None,
        enterprise_uscc=f.enterprise_uscc,
        division_code=f.division_code,
        place=place_name(f.division_code),
        county_code=f.division_code[:6],
        county_name=county_name(f.division_code),
        lon=f.lon,
        lat=f.lat,
        coord_system=f.coord_system,
        input_lon=f.input_lon,
        input_lat=f.input_lat,
        address=f.address,
        opened_on=f.opened_on,
        closed_on=f.closed_on,
        status=f.status,
        status_label=STATUSES.label_of(f.status),
        filed_on=f.filed_on,
        filing_delay_days=f.filing_delay_days,
        filed_within_deadline=f.filed_within_deadline(),
        standardized=f.standardized,
        sorting_lines=f.sorting_lines,
        area_m2=f.area_m2,
        daily_capacity=f.daily_capacity,
        served_villages=list(f.served_villages or []),
        deliveries_per_week=f.deliveries_per_week,
        **_stamps(f),
    )


def vehicle_public(v: Vehicle) -> VehiclePublic:
    return VehiclePublic(
        id=v.id,
        plate=v.plate,
        brand=v.brand,
        brand_label=brand_label(v.brand),
        enterprise_uscc=v.enterprise_uscc,
        kind=v.kind,
        kind_label=VEHICLE_KINDS.label_of(v.kind),
        vehicle_type=v.vehicle_type,
        vehicle_type_label=VEHICLE_TYPES.label_of(v.vehicle_type),
        new_energy=v.new_energy,
        county_code=v.county_code,
        county_name=county_name(v.county_code),
        status=v.status,
        status_label=STATUSES.label_of(v.status),
        registered_on=v.registered_on,
        closed_on=v.closed_on,
        **_stamps(v),
    )


# --- list filters -------------------------------------------------------------------------------


def check_choice(value: str | None, choices: Choices) -> str | None:
    if value is not None and value not in choices:
        raise ValueError(f"不认识的{choices.label} {value}，应为 {choices.describe()}")
    return value


class Filters(FormQuery):
    """Filters of the registry's lists and map. Blank values (an empty select of a GET form) mean
    "no filter"; unknown codes are refused (422) rather than silently matching nothing."""

    status: str | None = Field(None, description="状态：" + STATUSES.describe())

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        return check_choice(value, STATUSES)

    def active(self) -> dict[str, Any]:
        """The filters that are set (for links and the page's JSON)."""
        return self.model_dump(exclude_none=True, mode="json")


class ListQuery(Filters):
    """Filters common to the three lists."""

    q: str | None = Field(
        None, max_length=100, pattern=r"^[^\x00-\x1f]*$", description="名称、编码或地址中的文字"
    )

    def to_filter(self) -> queries.ListFilter:
        """The filter of :mod:`~youguan.registry.queries` these values select."""
        raise NotImplementedError


COUNTY_PATTERN = r"^5328\d{2}$"
USCC_PATTERN = r"^[0-9A-Z]{18}$"
_DIVISION_PATTERN = r"^5328\d{0,8}$"


class EnterpriseQuery(ListQuery):
    kind: str | None = Field(None, description="主体类型：" + ENTERPRISE_KINDS.describe())
    county: str | None = Field(None, pattern=COUNTY_PATTERN, description="县（市）代码")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        return check_choice(value, ENTERPRISE_KINDS)

    def to_filter(self) -> queries.EnterpriseFilter:
        return queries.EnterpriseFilter(**self.model_dump())


class FacilityQuery(ListQuery):
    type: str | None = Field(None, description="类型：" + FACILITY_TYPES.describe())
    division: str | None = Field(
        None, pattern=_DIVISION_PATTERN, description="区划代码前缀：县（6 位）、乡（9 位）或村"
    )
    active_on: dt.date | None = Field(None, description="在此日期营业（已开办、未关闭）")
    enterprise_uscc: str | None = Field(None, pattern=USCC_PATTERN, description="所属企业")
    standardized: bool | None = Field(None, description="标准化网点")
    filed_late: bool | None = Field(None, description="逾期备案（开办 20 日后才备案或仍未备案）")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        return check_choice(value, FACILITY_TYPES)

    def to_filter(self) -> queries.FacilityFilter:
        return queries.FacilityFilter(**self.model_dump())


class VehicleQuery(ListQuery):
    kind: str | None = Field(None, description="车辆类别：" + VEHICLE_KINDS.describe())
    vehicle_type: str | None = Field(None, description="车型：" + VEHICLE_TYPES.describe())
    new_energy: bool | None = Field(None, description="新能源车辆")
    county: str | None = Field(None, pattern=COUNTY_PATTERN, description="县（市）代码")
    enterprise_uscc: str | None = Field(None, pattern=USCC_PATTERN, description="所属企业")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        return check_choice(value, VEHICLE_KINDS)

    @field_validator("vehicle_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        return check_choice(value, VEHICLE_TYPES)

    def to_filter(self) -> queries.VehicleFilter:
        return queries.VehicleFilter(**self.model_dump())


# --- writes -------------------------------------------------------------------------------------


class CloseRequest(BaseModel):
    closed_on: dt.date = Field(description="关闭（注销、停用）日期：停止服务的第一天")
    reason: str | None = Field(None, max_length=300, description="原因（记入审计日志）")


class RowErrorPublic(BaseModel):
    row: int = Field(description="行号（表头为第 1 行）")
    field: str
    field_label: str
    code: str
    message: str


class ImportReportPublic(BaseModel):
    entity: str
    entity_label: str
    filename: str
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowErrorPublic]
    encoding: str | None = Field(description="识别出的 CSV 编码")


# --- history ------------------------------------------------------------------------------------


class FieldChange(BaseModel):
    field: str
    label: str
    before: Any = None
    after: Any = None
    before_text: str = Field("", description="修改前的值（中文显示）")
    after_text: str = Field("", description="修改后的值（中文显示）")


# Coded fields of each register and the choices that label them (history, details).
FIELD_CHOICES: dict[str, dict[str, Choices]] = {
    "enterprise": {"kind": ENTERPRISE_KINDS, "status": STATUSES, "licence_scope": LICENCE_SCOPES},
    "facility": {"type": FACILITY_TYPES, "status": STATUSES, "coord_system": COORD_SYSTEMS},
    "vehicle": {"kind": VEHICLE_KINDS, "vehicle_type": VEHICLE_TYPES, "status": STATUSES},
}
_DIVISION_FIELDS = frozenset({"county_code", "division_code"})


def display_value(entity: str, field: str, value: Any) -> str:
    """A stored value as a person reads it: labels for codes, 是/否, names of places."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = FIELD_CHOICES.get(entity, {}).get(field)
    if isinstance(value, list):
        return "、".join(choices.label_of(v) if choices else str(v) for v in value)
    if choices is not None:
        return choices.label_of(str(value))
    if field == "brand":
        return brand_label(str(value))
    if field in _DIVISION_FIELDS:
        return f"{place_name(str(value))}（{value}）"
    return str(value)


class AuditEntry(BaseModel):
    at: dt.datetime
    actor: str
    actor_role: str
    action: str
    action_label: str
    note: str | None
    changes: list[FieldChange] = Field(description="新增时为录入的值，修改时为变化的字段")
