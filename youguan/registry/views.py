"""网络布局 pages: the county map with the outlets and facilities, the registers (enterprises,
facilities, vehicles) with their filters, records with their audit history, create / edit / close
forms and the import — every GET page with its JSON twin (``.json``).

Handlers are thin: they parse, call :mod:`~youguan.registry.pages` (reads) or
:mod:`~youguan.registry.access` (writes) and render or redirect (303). A rejected form is shown
again with the values entered and the problems beside their fields.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from youguan.auth.actor import Actor
from youguan.auth.permissions import REGISTRY_WRITE
from youguan.context import Context
from youguan.errors import YouguanError, describe_validation
from youguan.geo.coords import wgs84_to_gcj02
from youguan.geo.divisions import divisions
from youguan.registry import access, forms, pages, service
from youguan.registry.api import IMPORT_MAX_BYTES, read_upload
from youguan.registry.choices import FACILITY_TYPES
from youguan.registry.errors import PermissionDenied, Problem, ValidationFailed
from youguan.registry.network import NetworkQuery
from youguan.registry.public import (
    CloseRequest,
    EnterprisePublic,
    EnterpriseQuery,
    FacilityPublic,
    FacilityQuery,
    VehiclePublic,
    VehicleQuery,
)
from youguan.web import charts
from youguan.web.deps import CtxDep, CurrentActor, IdPath, Pagination, RequirePermission
from youguan.web.pages import page, render

router = APIRouter()

Writer = Annotated[Actor, Depends(RequirePermission(REGISTRY_WRITE))]
FACILITY_PATH = "/network/facilities/{record_id:int}"
ENTERPRISE_PATH = "/network/enterprises/{record_id:int}"
VEHICLE_PATH = "/network/vehicles/{record_id:int}"
FORM, DETAIL = "registry/form.html", "registry/detail.html"


# --- the map ------------------------------------------------------------------------------------


def map_charts(p: pages.NetworkPage) -> dict[str, Any]:
    in_scope = {c.name: c for c in p.summary.counties}
    regions = [
        charts.MapRegion(
            name=d.name,
            value=in_scope[d.name].facilities if d.name in in_scope else None,
            highlighted=d.name in in_scope,
        )
        for d in divisions().prefecture_counties()
    ]
    by_type: dict[str, list[charts.MapPoint]] = {}
    for point in p.points:
        # Points are stored in WGS-84, but the county boundaries (ECharts' China map data) are
        # in GCJ-02, as most Chinese web maps are; plotted unconverted, a point would sit some
        # 300–600 m off its place relative to the borders, so each is shifted into GCJ-02 here,
        # for display only.
        lon, lat = wgs84_to_gcj02(point.lon, point.lat)
        by_type.setdefault(point.type, []).append(
            charts.MapPoint(
                name=point.name,
                lon=round(lon, 6),
                lat=round(lat, 6),
                url=f"/network/facilities/{point.id}",
            )
        )
    layers = [
        charts.PointLayer(name=c.label, color=c.color, points=by_type[c.code])
        for c in FACILITY_TYPES
        if c.code in by_type
    ]
    option = charts.county_map(regions, value_name="网点与设施", layers=layers, shade=False)
    return {"county_map": option}


@page(router, "/network", name="registry.index", template="registry/map.html", charts=map_charts)
def network_map(
    ctx: CtxDep, actor: CurrentActor, q: Annotated[NetworkQuery, Query()]
) -> pages.NetworkPage:
    """网络布局: the counties, the facilities open on the date as points, per-county figures."""
    return pages.network_page(ctx, actor, q)


# --- lists --------------------------------------------------------------------------------------


@page(
    router, "/network/facilities", name="registry.facilities", template="registry/facilities.html"
)
def facilities(
    ctx: CtxDep,
    actor: CurrentActor,
    page_request: Pagination,
    filters: Annotated[FacilityQuery, Query()],
) -> pages.ListPage[FacilityPublic]:
    """网点与设施."""
    return pages.list_page(ctx, actor, "facilities", filters, page_request)


@page(
    router,
    "/network/enterprises",
    name="registry.enterprises",
    template="registry/enterprises.html",
)
def enterprises(
    ctx: CtxDep,
    actor: CurrentActor,
    page_request: Pagination,
    filters: Annotated[EnterpriseQuery, Query()],
) -> pages.ListPage[EnterprisePublic]:
    """寄递企业."""
    return pages.list_page(ctx, actor, "enterprises", filters, page_request)


@page(router, "/network/vehicles", name="registry.vehicles", template="registry/vehicles.html")
def vehicles(
    ctx: CtxDep,
    actor: CurrentActor,
    page_request: Pagination,
    filters: Annotated[VehicleQuery, Query()],
) -> pages.ListPage[VehiclePublic]:
    """寄递车辆."""
    return pages.list_page(ctx, actor, "vehicles", filters, page_request)


# --- create forms (before the record pages, whose paths they would otherwise match) -------------


@page(router, "/network/facilities/new", name="registry.facility_new", template=FORM)
def facility_new(actor: Writer) -> pages.FormPage:
    return pages.form_page("facilities", values={"status": "active", "coord_system": "wgs84"})


@page(router, "/network/enterprises/new", name="registry.enterprise_new", template=FORM)
def enterprise_new(actor: Writer) -> pages.FormPage:
    return pages.form_page("enterprises", values={"status": "active"})


@page(router, "/network/vehicles/new", name="registry.vehicle_new", template=FORM)
def vehicle_new(actor: Writer) -> pages.FormPage:
    return pages.form_page("vehicles", values={"status": "active"})


async def _create(request: Request, ctx: Context, actor: Actor, entity: str) -> Response:
    data = forms.submitted(entity, await request.form(), editing=False)
    register = access.REGISTERS[entity]
    try:
        record = await run_in_threadpool(access.create_record, ctx, actor, register, data)
    except (ValidationFailed, PermissionDenied) as exc:
        context = pages.form_page(entity, values=data, problems=_problems(exc))
        return render(request, FORM, context, status=exc.status)
    return RedirectResponse(f"{pages.PATHS[entity]}/{record.id}", status_code=303)


def _problems(exc: ValidationFailed | PermissionDenied) -> list[Problem]:
    if isinstance(exc, ValidationFailed):
        return exc.problems
    field = exc.details.get("field", "") if isinstance(exc.details, dict) else ""
    return [Problem(field, "out_of_scope", exc.message)]


@router.post("/network/facilities/new", include_in_schema=False, name="registry.facility_create")
async def facility_create(request: Request, ctx: CtxDep, actor: Writer) -> Response:
    return await _create(request, ctx, actor, "facilities")


@router.post("/network/enterprises/new", include_in_schema=False, name="registry.enterprise_create")
async def enterprise_create(request: Request, ctx: CtxDep, actor: Writer) -> Response:
    return await _create(request, ctx, actor, "enterprises")


@router.post("/network/vehicles/new", include_in_schema=False, name="registry.vehicle_create")
async def vehicle_create(request: Request, ctx: CtxDep, actor: Writer) -> Response:
    return await _create(request, ctx, actor, "vehicles")


# --- one record ---------------------------------------------------------------------------------


@page(router, FACILITY_PATH, name="registry.facility", template=DETAIL)
def facility(
    ctx: CtxDep, actor: CurrentActor, record_id: IdPath
) -> pages.DetailPage[FacilityPublic]:
    """A facility with its audit history."""
    return pages.detail_page(ctx, actor, "facilities", record_id)


@page(router, ENTERPRISE_PATH, name="registry.enterprise", template=DETAIL)
def enterprise(
    ctx: CtxDep, actor: CurrentActor, record_id: IdPath
) -> pages.DetailPage[EnterprisePublic]:
    """An enterprise with its audit history."""
    return pages.detail_page(ctx, actor, "enterprises", record_id)


@page(router, VEHICLE_PATH, name="registry.vehicle", template=DETAIL)
def vehicle(ctx: CtxDep, actor: CurrentActor, record_id: IdPath) -> pages.DetailPage[VehiclePublic]:
    """A vehicle with its audit history."""
    return pages.detail_page(ctx, actor, "vehicles", record_id)


def _edit_form(ctx: Context, actor: Actor, entity: str, record_id: int) -> pages.FormPage:
    register = access.REGISTERS[entity]
    with ctx.read() as s:
        obj = service.load(s, actor, register.spec, record_id, "change")
        values = forms.record_values(entity, obj)
        key = service.obj_key(register.spec, obj)
    return pages.form_page(entity, record_id=record_id, key=key, values=values)


@page(router, FACILITY_PATH + "/edit", name="registry.facility_edit", template=FORM)
def facility_edit(ctx: CtxDep, actor: Writer, record_id: IdPath) -> pages.FormPage:
    return _edit_form(ctx, actor, "facilities", record_id)


@page(router, ENTERPRISE_PATH + "/edit", name="registry.enterprise_edit", template=FORM)
def enterprise_edit(ctx: CtxDep, actor: Writer, record_id: IdPath) -> pages.FormPage:
    return _edit_form(ctx, actor, "enterprises", record_id)


@page(router, VEHICLE_PATH + "/edit", name="registry.vehicle_edit", template=FORM)
def vehicle_edit(ctx: CtxDep, actor: Writer, record_id: IdPath) -> pages.FormPage:
    return _edit_form(ctx, actor, "vehicles", record_id)


async def _update(
    request: Request, ctx: Context, actor: Actor, entity: str, record_id: int
) -> Response:
    data = forms.submitted(entity, await request.form(), editing=True)
    register = access.REGISTERS[entity]
    try:
        await run_in_threadpool(access.update_record, ctx, actor, register, record_id, data)
    except (ValidationFailed, PermissionDenied) as exc:
        record = await run_in_threadpool(access.get_record, ctx, actor, register, record_id)
        context = pages.form_page(
            entity,
            record_id=record_id,
            key=str(getattr(record, register.spec.key)),
            values=data,
            problems=_problems(exc),
        )
        return render(request, FORM, context, status=exc.status)
    return RedirectResponse(f"{pages.PATHS[entity]}/{record_id}", status_code=303)


@router.post(FACILITY_PATH + "/edit", include_in_schema=False, name="registry.facility_update")
async def facility_update(
    request: Request, ctx: CtxDep, actor: Writer, record_id: IdPath
) -> Response:
    return await _update(request, ctx, actor, "facilities", record_id)


@router.post(ENTERPRISE_PATH + "/edit", include_in_schema=False, name="registry.enterprise_update")
async def enterprise_update(
    request: Request, ctx: CtxDep, actor: Writer, record_id: IdPath
) -> Response:
    return await _update(request, ctx, actor, "enterprises", record_id)


@router.post(VEHICLE_PATH + "/edit", include_in_schema=False, name="registry.vehicle_update")
async def vehicle_update(
    request: Request, ctx: CtxDep, actor: Writer, record_id: IdPath
) -> Response:
    return await _update(request, ctx, actor, "vehicles", record_id)


DateForm = Annotated[str, Form(max_length=40)]
ReasonForm = Annotated[str | None, Form(max_length=300)]


def _close(
    request: Request,
    ctx: Context,
    actor: Actor,
    entity: str,
    record_id: int,
    closed_on: str,
    reason: str | None,
) -> Response:
    try:
        try:
            body = CloseRequest(closed_on=closed_on, reason=(reason or "").strip() or None)
        except ValidationError as bad:
            details = describe_validation(list(bad.errors()))
            raise ValidationFailed(
                [Problem(d["field"], d["code"], "关闭日期：" + d["message"]) for d in details]
            ) from None
        access.close_record(ctx, actor, access.REGISTERS[entity], record_id, body)
    except (ValidationFailed, PermissionDenied) as exc:
        context = pages.detail_page(ctx, actor, entity, record_id, error=exc.message)
        return render(request, DETAIL, context, status=exc.status)
    return RedirectResponse(f"{pages.PATHS[entity]}/{record_id}", status_code=303)


@router.post(FACILITY_PATH + "/close", include_in_schema=False, name="registry.facility_close")
def facility_close(
    request: Request,
    ctx: CtxDep,
    actor: Writer,
    record_id: IdPath,
    closed_on: DateForm,
    reason: ReasonForm = None,
) -> Response:
    return _close(request, ctx, actor, "facilities", record_id, closed_on, reason)


@router.post(ENTERPRISE_PATH + "/close", include_in_schema=False, name="registry.enterprise_close")
def enterprise_close(
    request: Request,
    ctx: CtxDep,
    actor: Writer,
    record_id: IdPath,
    closed_on: DateForm,
    reason: ReasonForm = None,
) -> Response:
    return _close(request, ctx, actor, "enterprises", record_id, closed_on, reason)


@router.post(VEHICLE_PATH + "/close", include_in_schema=False, name="registry.vehicle_close")
def vehicle_close(
    request: Request,
    ctx: CtxDep,
    actor: Writer,
    record_id: IdPath,
    closed_on: DateForm,
    reason: ReasonForm = None,
) -> Response:
    return _close(request, ctx, actor, "vehicles", record_id, closed_on, reason)


# --- import -------------------------------------------------------------------------------------

MAX_MB = IMPORT_MAX_BYTES // (1024 * 1024)


@page(router, "/network/import", name="registry.import", template="registry/import.html")
def import_form(actor: Writer, entity: str = "facilities") -> pages.ImportPage:
    """导入名录: upload a register file; the row-level errors are shown after the upload."""
    return pages.import_page(entity if entity in access.REGISTERS else "facilities", max_mb=MAX_MB)


@router.post("/network/import", include_in_schema=False, name="registry.import_upload")
def import_submit(
    request: Request,
    ctx: CtxDep,
    actor: Writer,
    entity: Annotated[str, Form(max_length=20)],
    file: Annotated[UploadFile, File()],
) -> Response:
    if entity not in access.REGISTERS:
        context = pages.import_page(max_mb=MAX_MB, error=f"未知的名录 {entity}")
        return render(request, "registry/import.html", context, status=422)
    try:
        content = read_upload(file)
        report = access.import_upload(ctx, actor, entity, file.filename or "", content)
    except YouguanError as exc:  # too large, not CSV/Excel, unreadable: said on the form
        error = f"{file.filename}：{exc.message}"
        context = pages.import_page(entity, max_mb=MAX_MB, error=error)
        return render(request, "registry/import.html", context, status=exc.status)
    context = pages.import_page(entity, max_mb=MAX_MB, report=report)
    return render(request, "registry/import.html", context)
