"""Divisions and county boundaries (public reference data: no login needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from youguan.geo import service
from youguan.geo.divisions import Level, county_geojson
from youguan.geo.schemas import CountyGeoJSON, DivisionPublic
from youguan.paging import Page
from youguan.web.deps import CtxDep, Pagination

router = APIRouter(tags=["geo"])


@router.get("/divisions", summary="行政区划列表")
def divisions_list(
    ctx: CtxDep,
    page: Pagination,
    parent: Annotated[str | None, Query(max_length=12, description="上级区划代码")] = None,
    level: Annotated[Level | None, Query(description="层级")] = None,
) -> Page[DivisionPublic]:
    return service.list_divisions(ctx, page, parent=parent, level=level)


@router.get("/divisions/{code}", summary="一个行政区划")
def divisions_get(
    ctx: CtxDep, code: Annotated[str, Path(min_length=2, max_length=12, pattern=r"^\d+$")]
) -> DivisionPublic:
    return service.get_division(ctx, code)


@router.get("/geo/counties", summary="本州各县（市）边界 GeoJSON")
def geo_counties() -> CountyGeoJSON:
    data: dict[str, Any] = county_geojson()
    return CountyGeoJSON.model_validate(data)
