"""Context models and builders of the 网络布局 pages (each page's JSON twin is its model): the
map, the three register lists, a record with its history, the create/edit forms and the import.
Data comes from :mod:`~youguan.registry.access` and :mod:`~youguan.registry.network`, so the pages
see exactly what the API shows the same actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from youguan.auth.actor import Actor
from youguan.auth.permissions import REGISTRY_WRITE
from youguan.auth.service import scope_label
from youguan.context import Context
from youguan.paging import Page, PageRequest
from youguan.registry import access, forms, network
from youguan.registry.choices import (
    ENTERPRISE_KINDS,
    FACILITY_TYPES,
    STATUSES,
    VEHICLE_KINDS,
    VEHICLE_TYPES,
)
from youguan.registry.errors import Problem
from youguan.registry.io import COLUMNS, EXTRA_COLUMNS
from youguan.registry.public import (
    AuditEntry,
    EnterprisePublic,
    FacilityPublic,
    FacilityQuery,
    ImportReportPublic,
    ListQuery,
    Option,
    VehiclePublic,
    brand_options,
    county_options,
    options,
)
from youguan.web.charts import COUNTY_MAP_URL
from youguan.web.schemas import PageContext

P = TypeVar("P")

PATHS = {
    "enterprises": "/network/enterprises",
    "facilities": "/network/facilities",
    "vehicles": "/network/vehicles",
}
TITLES = {"enterprises": "寄递企业", "facilities": "网点与设施", "vehicles": "寄递车辆"}


def _scope(actor: Actor) -> str:
    return scope_label(actor.role, actor.county_code, actor.brand, actor.entity_uscc)


# --- the map ------------------------------------------------------------------------------------


class LegendItem(BaseModel):
    code: str
    label: str
    color: str
    count: int = Field(description="地图上的点数")


class NetworkPage(PageContext):
    scope_label: str
    can_write: bool
    filters: dict[str, Any]
    summary: network.NetworkSummary
    points: list[network.MapPoint]
    unplotted: int = Field(description="符合条件但没有坐标、未标注在地图上的网点数")
    legend: list[LegendItem]
    type_columns: list[Option] = Field(description="各县（市）有网点的类型")
    filtered: bool = Field(description="是否设置了筛选条件")
    options: dict[str, list[Option]]
    map_url: str


def network_page(ctx: Context, actor: Actor, q: network.NetworkQuery) -> NetworkPage:
    """网络布局: the county map with the facilities as points and the per-county summary."""
    with ctx.read() as s:
        summary = network.summarise(s, actor, q)
        points, unplotted = network.map_points(s, actor, q)
    counts: dict[str, int] = {}
    for p in points:
        counts[p.type] = counts.get(p.type, 0) + 1
    legend = [
        LegendItem(code=c.code, label=c.label, color=c.color, count=counts.get(c.code, 0))
        for c in FACILITY_TYPES
        if c.code in counts or q.type == c.code
    ]
    return NetworkPage(
        title="网络布局",
        scope_label=_scope(actor),
        can_write=actor.can(REGISTRY_WRITE),
        filters=q.active() | {"as_of": q.day.isoformat()},
        summary=summary,
        points=points,
        unplotted=unplotted,
        legend=legend,
        type_columns=[
            o for o in options(FACILITY_TYPES) if any(o.code in c.by_type for c in summary.counties)
        ],
        filtered=bool(q.active()),
        options={
            "types": options(FACILITY_TYPES),
            "brands": brand_options(),
            "counties": [c for c in county_options() if c.code in network.visible_counties(actor)],
            "statuses": options(STATUSES),
        },
        map_url=COUNTY_MAP_URL,
    )


# --- lists --------------------------------------------------------------------------------------


class ListPage(PageContext, Generic[P]):
    entity: str
    scope_label: str
    can_write: bool
    filters: dict[str, Any]
    records: Page[P]
    options: dict[str, list[Option]]
    export: dict[str, str] = Field(description="导出链接（同样的筛选条件）")
    late_filings: int | None = Field(None, description="逾期备案的网点数（网点与设施）")


def _export_links(entity: str, filters: ListQuery) -> dict[str, str]:
    query = filters.active()
    return {
        fmt: f"/api/v1/{entity}/export?" + urlencode({"format": fmt, **query})
        for fmt in ("csv", "xlsx")
    }


LIST_OPTIONS: dict[str, Callable[[], dict[str, list[Option]]]] = {
    "enterprises": lambda: {
        "brands": brand_options(),
        "kinds": options(ENTERPRISE_KINDS),
        "counties": county_options(),
        "statuses": options(STATUSES),
    },
    "facilities": lambda: {
        "types": options(FACILITY_TYPES),
        "brands": brand_options(),
        "counties": county_options(),
        "statuses": options(STATUSES),
    },
    "vehicles": lambda: {
        "brands": brand_options(),
        "kinds": options(VEHICLE_KINDS),
        "vehicle_types": options(VEHICLE_TYPES),
        "counties": county_options(),
        "statuses": options(STATUSES),
    },
}


def list_page(
    ctx: Context, actor: Actor, entity: str, filters: ListQuery, page: PageRequest
) -> ListPage[Any]:
    register = access.REGISTERS[entity]
    records = access.list_records(ctx, actor, register, filters, page)
    late = None
    if entity == "facilities":
        late = access.list_records(
            ctx, actor, register, FacilityQuery(filed_late=True), PageRequest(page_size=1)
        ).total
    return ListPage[Any](
        title=TITLES[entity],
        entity=entity,
        scope_label=_scope(actor),
        can_write=actor.can(REGISTRY_WRITE),
        filters=filters.active(),
        records=records,
        options=LIST_OPTIONS[entity](),
        export=_export_links(entity, filters),
        late_filings=late,
    )


# --- one record ---------------------------------------------------------------------------------


class Fact(BaseModel):
    label: str
    value: str
    tone: str | None = Field(None, description="bad：需要注意（如逾期备案）")
    href: str | None = Field(None, description="相关记录的链接")


class DetailPage(PageContext, Generic[P]):
    entity: str
    entity_label: str
    record: P
    key: str
    facts: list[Fact]
    history: list[AuditEntry]
    can_write: bool
    closed: bool
    error: str | None = None


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


def _v(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _filing(f: FacilityPublic) -> Fact:
    if f.filed_within_deadline is False:
        text = f"逾期（开办后 {f.filing_delay_days} 天备案）" if f.filed_on else "逾期未备案"
        return Fact(label="20 日内备案", value=text, tone="bad")
    if f.filed_within_deadline:
        return Fact(label="20 日内备案", value=f"是（开办后 {f.filing_delay_days} 天）")
    return Fact(label="20 日内备案", value="未到期或不适用")


def _enterprise(uscc: str | None) -> Fact:
    if uscc is None:
        return Fact(label="所属企业", value="—")
    href = "/network/enterprises?" + urlencode({"q": uscc})
    return Fact(label="所属企业", value=uscc, href=href)


def facility_facts(f: FacilityPublic) -> list[Fact]:
    coords = "—"
    if f.lon is not None and f.lat is not None:
        coords = f"{f.lon:.6f}, {f.lat:.6f}（WGS-84）"
        if f.coord_system == "gcj02":
            coords += f"；录入 {f.input_lon}, {f.input_lat}（GCJ-02）"
    return [
        Fact(label="编码", value=f.code),
        Fact(label="类型", value=f.type_label),
        Fact(label="品牌", value=f.brand_label or "—（公共设施）"),
        _enterprise(f.enterprise_uscc),
        Fact(label="所在地", value=f"{f.place}（{f.division_code}）"),
        Fact(label="地址", value=_v(f.address)),
        Fact(label="坐标", value=coords),
        Fact(label="开办日期", value=_v(f.opened_on)),
        Fact(label="状态", value=f.status_label),
        Fact(label="关闭日期", value=_v(f.closed_on)),
        Fact(label="备案日期", value=_v(f.filed_on)),
        _filing(f),
        Fact(label="标准化网点", value=_yes(f.standardized)),
        Fact(label="自动化分拣线", value=_v(f.sorting_lines)),
        Fact(label="面积（平方米）", value=_v(f.area_m2)),
        Fact(label="日处理能力（件）", value=_v(f.daily_capacity)),
        Fact(label="服务的村", value=_v(f.served_villages)),
        Fact(label="每周投递次数", value=_v(f.deliveries_per_week)),
    ]


def enterprise_facts(e: EnterprisePublic) -> list[Fact]:
    validity = f"{_v(e.licence_valid_from)} 至 {_v(e.licence_valid_to)}"
    return [
        Fact(label="统一社会信用代码", value=e.uscc),
        Fact(label="品牌", value=e.brand_label),
        Fact(label="主体类型", value=e.kind_label),
        Fact(label="上级法人", value=_v(e.parent_uscc)),
        Fact(label="许可证编号", value=_v(e.licence_no)),
        Fact(label="发证机关", value=_v(e.licence_issuer)),
        Fact(label="许可业务范围", value=_v(e.licence_scope_labels)),
        Fact(
            label="许可有效期",
            value=validity + ("（已过期）" if e.licence_expired else ""),
            tone="bad" if e.licence_expired else None,
        ),
        Fact(label="地址", value=_v(e.address)),
        Fact(label="所在县（市）", value=e.county_name),
        Fact(label="状态", value=e.status_label),
        Fact(label="注销日期", value=_v(e.closed_on)),
        Fact(
            label="名下网点与设施",
            value="查看",
            href="/network/facilities?" + urlencode({"enterprise_uscc": e.uscc}),
        ),
        Fact(
            label="名下车辆",
            value="查看",
            href="/network/vehicles?" + urlencode({"enterprise_uscc": e.uscc}),
        ),
    ]


def vehicle_facts(v: VehiclePublic) -> list[Fact]:
    return [
        Fact(label="车牌号", value=v.plate),
        Fact(label="品牌", value=v.brand_label),
        _enterprise(v.enterprise_uscc),
        Fact(label="车辆类别", value=v.kind_label),
        Fact(label="车型", value=v.vehicle_type_label),
        Fact(label="新能源", value=_yes(v.new_energy)),
        Fact(label="所在县（市）", value=v.county_name),
        Fact(label="状态", value=v.status_label),
        Fact(label="登记日期", value=_v(v.registered_on)),
        Fact(label="注销日期", value=_v(v.closed_on)),
    ]


FACTS: dict[str, Callable[[Any], list[Fact]]] = {
    "enterprises": enterprise_facts,
    "facilities": facility_facts,
    "vehicles": vehicle_facts,
}


def detail_page(
    ctx: Context, actor: Actor, entity: str, record_id: int, *, error: str | None = None
) -> DetailPage[Any]:
    register = access.REGISTERS[entity]
    record = access.get_record(ctx, actor, register, record_id)
    key = str(getattr(record, register.spec.key))
    return DetailPage[Any](
        title=f"{TITLES[entity]}：{getattr(record, 'name', key)}",
        entity=entity,
        entity_label=register.spec.label,
        record=record,
        key=key,
        facts=FACTS[entity](record),
        history=access.history(ctx, actor, register, record_id),
        can_write=actor.can(REGISTRY_WRITE),
        closed=record.status == "closed",
        error=error,
    )


# --- forms --------------------------------------------------------------------------------------


class FormPage(PageContext):
    entity: str
    entity_label: str
    editing: bool
    action: str
    cancel: str
    fields: list[forms.FormField]
    errors: list[str] = Field(default_factory=list, description="不属于某个字段的问题")


def form_page(
    entity: str,
    *,
    record_id: int | None = None,
    key: str | None = None,
    values: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
) -> FormPage:
    """The create form (no ``record_id``) or the edit form of a record, with the values and
    problems of a rejected submission."""
    editing = record_id is not None
    label = access.REGISTERS[entity].spec.label
    shown = forms.field_names(entity, editing=editing)
    loose = [p.message for p in problems or [] if p.field not in shown]
    base = PATHS[entity]
    return FormPage(
        title=f"修改{label}：{key}" if editing else f"新增{label}",
        entity=entity,
        entity_label=label,
        editing=editing,
        action=f"{base}/{record_id}/edit" if editing else f"{base}/new",
        cancel=f"{base}/{record_id}" if editing else base,
        fields=forms.form_fields(entity, editing=editing, values=values, problems=problems),
        errors=loose,
    )


# --- import -------------------------------------------------------------------------------------


class ImportPage(PageContext):
    entities: list[Option]
    entity: str
    max_mb: int
    columns: dict[str, list[str]] = Field(description="各名录文件的列（导出文件的表头）")
    report: ImportReportPublic | None = None
    error: str | None = None


def import_page(
    entity: str = "facilities",
    *,
    max_mb: int,
    report: ImportReportPublic | None = None,
    error: str | None = None,
) -> ImportPage:
    return ImportPage(
        title="导入名录",
        entities=[Option(code=k, label=v) for k, v in access.ENTITY_LABELS.items()],
        entity=entity,
        max_mb=max_mb,
        columns={e: [*COLUMNS[e], *EXTRA_COLUMNS[e]] for e in access.REGISTERS},
        report=report,
        error=error,
    )
