"""The registry over JSON (``/api/v1``): enterprises, facilities and vehicles — list (paginated,
with the filters of :mod:`~youguan.registry.queries`), get, create, update (PATCH), close, history,
import (CSV/Excel upload; the report lists every rejected row) and export (CSV/Excel with the same
filters) — and the network aggregates behind the map and the dashboards.

Reads are in the caller's scope (another brand's or another county's record answers 404);
writes need ``registry.write`` (403) and stay in scope. Operation ids are the function names.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from youguan.auth.actor import Actor
from youguan.auth.permissions import REGISTRY_WRITE
from youguan.registry import access, network
from youguan.registry.aggregates import Dimension
from youguan.registry.public import (
    AuditEntry,
    CloseRequest,
    EnterprisePublic,
    EnterpriseQuery,
    EnterprisesPage,
    FacilitiesPage,
    FacilityPublic,
    FacilityQuery,
    ImportReportPublic,
    ListQuery,
    VehiclePublic,
    VehicleQuery,
    VehiclesPage,
)
from youguan.registry.schemas import (
    EnterpriseCreate,
    EnterpriseUpdate,
    FacilityCreate,
    FacilityUpdate,
    VehicleCreate,
    VehicleUpdate,
)
from youguan.web.deps import CtxDep, CurrentActor, IdPath, Pagination, RequirePermission
from youguan.web.errors import PayloadTooLarge

router = APIRouter(tags=["registry"])

Writer = Annotated[Actor, Depends(RequirePermission(REGISTRY_WRITE))]
Format = Annotated[access.ExportFormat, Query(description="csv（UTF-8，Excel 可直接打开）或 xlsx")]
UploadArg = Annotated[UploadFile, File(description="CSV（UTF-8 或 GB18030）或 Excel（.xlsx）")]

IMPORT_MAX_BYTES = 20 * 1024 * 1024  # a register of tens of thousands of rows fits easily

EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "名录文件（与导入的列相同，可再导入）",
        "content": {media: {} for media in access.EXPORT_MEDIA_TYPES.values()},
    }
}
IMPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    413: {"description": f"文件超过 {IMPORT_MAX_BYTES // (1024 * 1024)} MB"},
    415: {"description": "不是 CSV 或 Excel 文件"},
}


def read_upload(file: UploadFile) -> bytes:
    """The bytes of an uploaded register file: 413 over :data:`IMPORT_MAX_BYTES`, 415 when it is
    neither CSV nor Excel (by its name's extension)."""
    size = file.size if file.size is not None else 0
    if size > IMPORT_MAX_BYTES:
        raise PayloadTooLarge(
            f"文件超过 {IMPORT_MAX_BYTES // (1024 * 1024)} MB 的上限，请拆分后分批导入",
            details={"limit_bytes": IMPORT_MAX_BYTES, "size_bytes": size},
        )
    access.upload_suffix(file.filename or "")
    content = file.file.read(IMPORT_MAX_BYTES + 1)
    if len(content) > IMPORT_MAX_BYTES:
        raise PayloadTooLarge(
            f"文件超过 {IMPORT_MAX_BYTES // (1024 * 1024)} MB 的上限，请拆分后分批导入",
            details={"limit_bytes": IMPORT_MAX_BYTES},
        )
    return content


def _import(ctx: CtxDep, actor: Actor, entity: str, file: UploadFile) -> ImportReportPublic:
    return access.import_upload(ctx, actor, entity, file.filename or "", read_upload(file))


def _export(
    ctx: CtxDep, actor: Actor, entity: str, filters: ListQuery, fmt: access.ExportFormat
) -> Response:
    out = access.export(ctx, actor, entity, filters, fmt)
    return Response(
        out.content,
        media_type=out.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"',
            "X-Rows": str(out.rows),
        },
    )


# --- facilities ---------------------------------------------------------------------------------


@router.get("/facilities", summary="网点与设施列表")
def facilities_list(
    ctx: CtxDep,
    actor: CurrentActor,
    page: Pagination,
    filters: Annotated[FacilityQuery, Query()],
) -> FacilitiesPage:
    return access.list_records(ctx, actor, access.FACILITIES, filters, page)  # type: ignore[return-value]


@router.post("/facilities", status_code=201, summary="新增网点或设施")
def facilities_create(ctx: CtxDep, actor: Writer, body: FacilityCreate) -> FacilityPublic:
    return access.create_record(ctx, actor, access.FACILITIES, body.model_dump())


@router.get(
    "/facilities/export",
    summary="导出网点与设施（CSV 或 Excel）",
    response_class=Response,
    responses=EXPORT_RESPONSES,
)
def facilities_export(
    ctx: CtxDep,
    actor: CurrentActor,
    filters: Annotated[FacilityQuery, Query()],
    format: Format = "csv",
) -> Response:
    return _export(ctx, actor, "facilities", filters, format)


@router.post(
    "/facilities/import", summary="导入网点与设施（逐行报告错误）", responses=IMPORT_RESPONSES
)
def facilities_import(ctx: CtxDep, actor: Writer, file: UploadArg) -> ImportReportPublic:
    return _import(ctx, actor, "facilities", file)


@router.get("/facilities/{facility_id}", summary="一个网点或设施")
def facilities_get(ctx: CtxDep, actor: CurrentActor, facility_id: IdPath) -> FacilityPublic:
    return access.get_record(ctx, actor, access.FACILITIES, facility_id)


@router.patch("/facilities/{facility_id}", summary="修改网点或设施")
def facilities_update(
    ctx: CtxDep, actor: Writer, facility_id: IdPath, body: FacilityUpdate
) -> FacilityPublic:
    changes = body.model_dump(exclude_unset=True)
    return access.update_record(ctx, actor, access.FACILITIES, facility_id, changes)


@router.post("/facilities/{facility_id}/close", summary="关闭网点或设施")
def facilities_close(
    ctx: CtxDep, actor: Writer, facility_id: IdPath, body: CloseRequest
) -> FacilityPublic:
    return access.close_record(ctx, actor, access.FACILITIES, facility_id, body)


@router.get("/facilities/{facility_id}/history", summary="网点或设施的变更记录")
def facilities_history(ctx: CtxDep, actor: CurrentActor, facility_id: IdPath) -> list[AuditEntry]:
    return access.history(ctx, actor, access.FACILITIES, facility_id)


# --- enterprises --------------------------------------------------------------------------------


@router.get("/enterprises", summary="寄递企业列表")
def enterprises_list(
    ctx: CtxDep,
    actor: CurrentActor,
    page: Pagination,
    filters: Annotated[EnterpriseQuery, Query()],
) -> EnterprisesPage:
    return access.list_records(ctx, actor, access.ENTERPRISES, filters, page)  # type: ignore[return-value]


@router.post("/enterprises", status_code=201, summary="新增寄递企业")
def enterprises_create(ctx: CtxDep, actor: Writer, body: EnterpriseCreate) -> EnterprisePublic:
    return access.create_record(ctx, actor, access.ENTERPRISES, body.model_dump())


@router.get(
    "/enterprises/export",
    summary="导出寄递企业（CSV 或 Excel）",
    response_class=Response,
    responses=EXPORT_RESPONSES,
)
def enterprises_export(
    ctx: CtxDep,
    actor: CurrentActor,
    filters: Annotated[EnterpriseQuery, Query()],
    format: Format = "csv",
) -> Response:
    return _export(ctx, actor, "enterprises", filters, format)


@router.post(
    "/enterprises/import", summary="导入寄递企业（逐行报告错误）", responses=IMPORT_RESPONSES
)
def enterprises_import(ctx: CtxDep, actor: Writer, file: UploadArg) -> ImportReportPublic:
    return _import(ctx, actor, "enterprises", file)


@router.get("/enterprises/{enterprise_id}", summary="一个寄递企业")
def enterprises_get(ctx: CtxDep, actor: CurrentActor, enterprise_id: IdPath) -> EnterprisePublic:
    return access.get_record(ctx, actor, access.ENTERPRISES, enterprise_id)


@router.patch("/enterprises/{enterprise_id}", summary="修改寄递企业")
def enterprises_update(
    ctx: CtxDep, actor: Writer, enterprise_id: IdPath, body: EnterpriseUpdate
) -> EnterprisePublic:
    changes = body.model_dump(exclude_unset=True)
    return access.update_record(ctx, actor, access.ENTERPRISES, enterprise_id, changes)


@router.post("/enterprises/{enterprise_id}/close", summary="注销寄递企业")
def enterprises_close(
    ctx: CtxDep, actor: Writer, enterprise_id: IdPath, body: CloseRequest
) -> EnterprisePublic:
    return access.close_record(ctx, actor, access.ENTERPRISES, enterprise_id, body)


@router.get("/enterprises/{enterprise_id}/history", summary="寄递企业的变更记录")
def enterprises_history(
    ctx: CtxDep, actor: CurrentActor, enterprise_id: IdPath
) -> list[AuditEntry]:
    return access.history(ctx, actor, access.ENTERPRISES, enterprise_id)


# --- vehicles -----------------------------------------------------------------------------------


@router.get("/vehicles", summary="寄递车辆列表")
def vehicles_list(
    ctx: CtxDep,
    actor: CurrentActor,
    page: Pagination,
    filters: Annotated[VehicleQuery, Query()],
) -> VehiclesPage:
    return access.list_records(ctx, actor, access.VEHICLES, filters, page)  # type: ignore[return-value]


@router.post("/vehicles", status_code=201, summary="新增寄递车辆")
def vehicles_create(ctx: CtxDep, actor: Writer, body: VehicleCreate) -> VehiclePublic:
    return access.create_record(ctx, actor, access.VEHICLES, body.model_dump())


@router.get(
    "/vehicles/export",
    summary="导出寄递车辆（CSV 或 Excel）",
    response_class=Response,
    responses=EXPORT_RESPONSES,
)
def vehicles_export(
    ctx: CtxDep,
    actor: CurrentActor,
    filters: Annotated[VehicleQuery, Query()],
    format: Format = "csv",
) -> Response:
    return _export(ctx, actor, "vehicles", filters, format)


@router.post("/vehicles/import", summary="导入寄递车辆（逐行报告错误）", responses=IMPORT_RESPONSES)
def vehicles_import(ctx: CtxDep, actor: Writer, file: UploadArg) -> ImportReportPublic:
    return _import(ctx, actor, "vehicles", file)


@router.get("/vehicles/{vehicle_id}", summary="一辆寄递车辆")
def vehicles_get(ctx: CtxDep, actor: CurrentActor, vehicle_id: IdPath) -> VehiclePublic:
    return access.get_record(ctx, actor, access.VEHICLES, vehicle_id)


@router.patch("/vehicles/{vehicle_id}", summary="修改寄递车辆")
def vehicles_update(
    ctx: CtxDep, actor: Writer, vehicle_id: IdPath, body: VehicleUpdate
) -> VehiclePublic:
    changes = body.model_dump(exclude_unset=True)
    return access.update_record(ctx, actor, access.VEHICLES, vehicle_id, changes)


@router.post("/vehicles/{vehicle_id}/close", summary="注销（停用）寄递车辆")
def vehicles_close(
    ctx: CtxDep, actor: Writer, vehicle_id: IdPath, body: CloseRequest
) -> VehiclePublic:
    return access.close_record(ctx, actor, access.VEHICLES, vehicle_id, body)


@router.get("/vehicles/{vehicle_id}/history", summary="寄递车辆的变更记录")
def vehicles_history(ctx: CtxDep, actor: CurrentActor, vehicle_id: IdPath) -> list[AuditEntry]:
    return access.history(ctx, actor, access.VEHICLES, vehicle_id)


# --- network aggregates -------------------------------------------------------------------------


@router.get("/network/counts", summary="网点与设施数量（按类型、品牌、县分组，某日营业）")
def network_counts(
    ctx: CtxDep,
    actor: CurrentActor,
    q: Annotated[network.NetworkQuery, Query()],
    by: Annotated[
        list[Dimension], Query(max_length=3, description="分组：type、brand、county（可多选）")
    ] = ["type"],  # noqa: B006 (FastAPI copies defaults)
) -> network.FacilityCounts:
    return network.facility_counts(ctx, actor, q, by)


@router.get(
    "/network/counties",
    summary="各县（市）网点数、平均服务半径、乡镇覆盖率与直投到村比例",
)
def network_counties(
    ctx: CtxDep, actor: CurrentActor, q: Annotated[network.NetworkQuery, Query()]
) -> network.NetworkSummary:
    return network.network_summary(ctx, actor, q)
