"""网络布局 from the registry: the facilities on the county map and the per-county summary —
counts by type, average service radius, township coverage and village direct service (DOMAIN.md
§5) — as of a date, for one actor (everything through :func:`youguan.auth.scope.restrict`: a
county regulator sees her county, an enterprise its own brand's facilities and the public ones).

Local method [P]: the service radius is computed over 营业网点 (邮政普遍服务营业场所 + 快递营业网点)
unless a type is chosen, then over that type; county areas come from the shipped boundaries
(:func:`youguan.geo.areas.county_areas_km2`). Township coverage counts a township covered by
邮政局所 (``universal_post_office``) or by 快递网点 (``express_outlet`` or ``last_mile_outlet``,
as the plan's 乡镇网点覆盖率 does), of the chosen brand when one is chosen.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from youguan.auth.actor import Actor
from youguan.auth.scope import ScopeSpec, scope_filter
from youguan.context import Context
from youguan.geo.areas import county_areas_km2, service_radius_km
from youguan.geo.divisions import divisions
from youguan.registry import aggregates, queries
from youguan.registry.brands import brand_label
from youguan.registry.choices import FACILITY_TYPES
from youguan.registry.models import Facility
from youguan.registry.public import COUNTY_PATTERN, Filters, check_choice, county_name
from youguan.registry.rules import local_today

RADIUS_TYPES = ("universal_post_office", "express_outlet")
RADIUS_BASIS = "营业网点（邮政普遍服务营业场所和快递营业网点）"
POSTAL_COVERAGE_TYPES = ("universal_post_office",)
EXPRESS_COVERAGE_TYPES = ("express_outlet", "last_mile_outlet")
# The counties are reference data every logged-in actor sees, narrowed to a county regulator's.
COUNTY_SCOPE = ScopeSpec(county="code", shared=True)


class NetworkQuery(Filters):
    """The map's filters: facilities open on ``as_of`` (default today, Asia/Shanghai)."""

    type: str | None = Field(None, description="类型：" + FACILITY_TYPES.describe())
    county: str | None = Field(None, pattern=COUNTY_PATTERN, description="县（市）代码")
    as_of: dt.date | None = Field(None, description="统计日期（默认今天）")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        return check_choice(value, FACILITY_TYPES)

    @property
    def day(self) -> dt.date:
        return self.as_of or local_today()

    def where(self, *, with_type: bool = True) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if with_type and self.type:
            out.append(Facility.type == self.type)
        if self.brand:
            out.append(Facility.brand == self.brand)
        if self.county:
            out.append(Facility.division_code.startswith(self.county, autoescape=True))
        if self.status:
            out.append(Facility.status == self.status)
        return out


class CountyNetwork(BaseModel):
    """One county (or the prefecture, ``code`` 5328) as of the query's date."""

    code: str
    name: str
    area_km2: float = Field(description="面积（平方千米，由边界计算）")
    facilities: int = Field(description="符合筛选条件的网点与设施数")
    by_type: dict[str, int] = Field(description="类型代码 → 数量")
    outlets: int = Field(description="计算服务半径的网点数")
    service_radius_km: float | None = Field(description="平均服务半径 √(面积 ÷ (π × 网点数))")
    townships: int = Field(description="乡、镇、街道数")
    postal_townships: int = Field(description="有邮政局所的乡镇数")
    postal_coverage: float = Field(description="邮政局所乡镇覆盖率（0–1）")
    express_townships: int = Field(description="有快递网点的乡镇数")
    express_coverage: float = Field(description="快递网点乡镇覆盖率（0–1）")
    admin_villages: int = Field(description="建制村数")
    served_villages: int = Field(description="快递直投到村的建制村数")
    village_direct_service: float = Field(description="快递服务直投到村比例（0–1）")


class NetworkSummary(BaseModel):
    as_of: dt.date
    filters: dict[str, Any]
    radius_basis: str
    counties: list[CountyNetwork]
    prefecture: CountyNetwork | None = Field(description="全州合计（只管一个县的账号没有）")


class CountRowPublic(BaseModel):
    type: str | None = None
    type_label: str | None = None
    brand: str | None = None
    brand_label: str | None = None
    county: str | None = None
    county_name: str | None = None
    count: int


class FacilityCounts(BaseModel):
    as_of: dt.date
    by: list[str]
    filters: dict[str, Any]
    total: int
    rows: list[CountRowPublic]


class MapPoint(BaseModel):
    """A facility on the map; ``lon``/``lat`` in WGS-84 as stored."""

    id: int
    code: str
    name: str
    type: str
    brand: str | None
    status: str
    lon: float
    lat: float


def visible_counties(actor: Actor, county: str | None = None) -> list[str]:
    """The prefecture's county codes the actor sees (and the one chosen, if any)."""
    prefix = scope_filter(actor, COUNTY_SCOPE).county_prefix
    return [
        d.code
        for d in divisions().prefecture_counties()
        if (prefix is None or d.code.startswith(prefix)) and (county is None or d.code == county)
    ]


def _county_row(
    s: Session,
    actor: Actor,
    q: NetworkQuery,
    code: str | None,
    name: str,
    area: float,
    by_type: dict[str, int],
) -> CountyNetwork:
    radius_types = (q.type,) if q.type else RADIUS_TYPES
    outlets = sum(n for t, n in by_type.items() if t in radius_types)
    brands_ = [q.brand] if q.brand else None
    day = q.day
    townships = aggregates.coverage_townships(s, code)
    postal = aggregates.covered_townships(
        s, as_of=day, types=POSTAL_COVERAGE_TYPES, brands=brands_, county=code, actor=actor
    )
    express = aggregates.covered_townships(
        s, as_of=day, types=EXPRESS_COVERAGE_TYPES, brands=brands_, county=code, actor=actor
    )
    villages = aggregates.admin_villages(s, code)
    served = aggregates.directly_served_villages(s, as_of=day, county=code, actor=actor)
    n_town, n_vill = len(townships), len(villages)
    return CountyNetwork(
        code=code or "5328",
        name=name,
        area_km2=round(area, 1),
        facilities=sum(by_type.values()),
        by_type=dict(by_type),
        outlets=outlets,
        service_radius_km=_round(service_radius_km(area, outlets), 2),
        townships=n_town,
        postal_townships=len(postal),
        postal_coverage=len(postal) / n_town if n_town else 0.0,
        express_townships=len(express),
        express_coverage=len(express) / n_town if n_town else 0.0,
        admin_villages=n_vill,
        served_villages=len(served),
        village_direct_service=len(served) / n_vill if n_vill else 0.0,
    )


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def summarise(s: Session, actor: Actor, q: NetworkQuery) -> NetworkSummary:
    """Per-county summary of the facilities matching ``q`` in the actor's scope."""
    counties = visible_counties(actor, q.county)
    rows = aggregates.facility_count_rows(
        s, as_of=q.day, by=("county", "type"), where=q.where(with_type=False), actor=actor
    )
    by_county: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        if q.type is None or r.type == q.type:
            by_county[str(r.county)][str(r.type)] = r.count
    areas = county_areas_km2()
    out = [
        _county_row(s, actor, q, c, county_name(c), areas[c], by_county.get(c, {}))
        for c in counties
    ]
    prefecture = None
    if len(counties) > 1 and q.county is None:
        total: dict[str, int] = defaultdict(int)
        for c in counties:
            for t, n in by_county.get(c, {}).items():
                total[t] += n
        name = divisions()["5328"].name
        area = sum(areas[c] for c in counties)
        prefecture = _county_row(s, actor, q, None, name, area, dict(total))
    return NetworkSummary(
        as_of=q.day,
        filters=q.active(),
        radius_basis=FACILITY_TYPES.label_of(q.type) if q.type else RADIUS_BASIS,
        counties=out,
        prefecture=prefecture,
    )


def network_summary(ctx: Context, actor: Actor, q: NetworkQuery) -> NetworkSummary:
    with ctx.read() as s:
        return summarise(s, actor, q)


def facility_counts(
    ctx: Context, actor: Actor, q: NetworkQuery, by: Sequence[aggregates.Dimension]
) -> FacilityCounts:
    """Facilities open on the query's date in the actor's scope, counted by ``by``."""
    dims = [d for d in aggregates.DIMENSIONS if d in by]
    with ctx.read() as s:
        rows = aggregates.facility_count_rows(s, as_of=q.day, by=dims, where=q.where(), actor=actor)
    return FacilityCounts(
        as_of=q.day,
        by=list(dims),
        filters=q.active(),
        total=sum(r.count for r in rows),
        rows=[
            CountRowPublic(
                type=r.type,
                type_label=FACILITY_TYPES.label_of(r.type) if r.type else None,
                brand=r.brand,
                brand_label=brand_label(r.brand) if r.brand else None,
                county=r.county,
                county_name=county_name(r.county) if r.county else None,
                count=r.count,
            )
            for r in rows
        ],
    )


def map_points(s: Session, actor: Actor, q: NetworkQuery) -> tuple[list[MapPoint], int]:
    """The facilities to plot (with coordinates) and how many match but have none."""
    f = queries.FacilityFilter(
        type=q.type, brand=q.brand, status=q.status, division=q.county, active_on=q.day
    )
    F = Facility
    stmt = queries.facility_query(f, actor).with_only_columns(
        F.id, F.code, F.name, F.type, F.brand, F.status, F.lon, F.lat
    )
    points, missing = [], 0
    for r in s.execute(stmt):
        if r.lon is None or r.lat is None:
            missing += 1
            continue
        points.append(
            MapPoint(
                id=r.id,
                code=r.code,
                name=r.name,
                type=r.type,
                brand=r.brand,
                status=r.status,
                lon=r.lon,
                lat=r.lat,
            )
        )
    return points, missing
