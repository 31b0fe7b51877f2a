"""Plans over JSON (``/api/v1/plans…``): the plan, its indicators, its status in a year, its audit,
the evaluation report, and the actuals people enter (import, correction, snapshot refresh).

Reads are open to everyone for a published plan (``public: true``); a plan that is not published
answers 404 to those who may not see it, exactly like one that does not exist. Outside the staff,
the provenance of actuals keeps only the method and the aggregates (no file names).

Reads never write. ``plan_status`` can snapshot the derived sources first (``refresh=True``, as
the system): the CLI does, the web does not — a GET that wrote would let anyone, the public
included, trigger writes (and would bypass CSRF, which only guards unsafe methods). The web reads
the stored snapshots, and ``POST /plans/{id}/actuals/refresh`` (``plan.write``, audited as the
person) takes new ones; the status shows the snapshot's date in the provenance (``as_of``).
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from youguan.auth.actor import Actor
from youguan.auth.permissions import PLAN_WRITE
from youguan.paging import Page, paginate_list
from youguan.plan import service
from youguan.plan.actuals import MAX_UPLOAD_BYTES
from youguan.plan.definitions import CODE_PATTERN, PLAN_ID_PATTERN
from youguan.plan.schemas import (
    ActualOut,
    AuditReport,
    ImportResult,
    IndicatorOut,
    PlanStatus,
    PlanSummary,
    RefreshResult,
)
from youguan.reports.cache import MEDIA_TYPES, plan_report_file
from youguan.web.deps import ActorDep, CtxDep, Pagination, RequirePermission
from youguan.web.uploads import require_multipart, saved_upload

router = APIRouter(tags=["plan"])

PlanId = Annotated[
    str,
    Path(min_length=1, max_length=60, pattern=PLAN_ID_PATTERN, description="规划编号"),
]
IndicatorCode = Annotated[
    str, Path(min_length=1, max_length=60, pattern=CODE_PATTERN, description="指标代码")
]
YearQuery = Annotated[int, Query(ge=1949, le=2200, description="评估年份（规划期内）")]
YearPath = Annotated[int, Path(ge=1949, le=2200, description="年份")]
PlanWriter = Annotated[Actor, Depends(RequirePermission(PLAN_WRITE))]


class ActualIn(BaseModel):
    """One manual value, in the plan's unit (percent as printed, e.g. 92.5)."""

    value: float = Field(allow_inf_nan=False, description="实际值（规划的单位）")
    note: str | None = Field(default=None, max_length=500, description="来源说明，如 行业统计年报")


@router.get("/plans", summary="规划列表")
def plans_list(ctx: CtxDep, actor: ActorDep, page: Pagination) -> Page[PlanSummary]:
    return paginate_list(service.list_plans(ctx, actor), page)


@router.get("/plans/{plan_id}/indicators", summary="规划指标（附表和正文的量化目标）")
def plan_indicators_list(
    ctx: CtxDep, actor: ActorDep, plan_id: PlanId, page: Pagination
) -> Page[IndicatorOut]:
    return paginate_list(service.plan_indicators(ctx, plan_id, actor), page)


@router.get("/plans/{plan_id}/status", summary="各指标某年度的进展状态")
def plan_status_get(ctx: CtxDep, actor: ActorDep, plan_id: PlanId, year: YearQuery) -> PlanStatus:
    return service.read_status(ctx, plan_id, year, actor)


@router.get("/plans/{plan_id}/audit", summary="规划核查（年均增长、正文与附表）")
def plan_audit_get(ctx: CtxDep, actor: ActorDep, plan_id: PlanId) -> AuditReport:
    return service.plan_audit(ctx, plan_id, actor)


@router.get(
    "/plans/{plan_id}/report",
    summary="规划实施情况评估报告（Word 或 HTML）",
    response_class=FileResponse,
    responses={
        200: {
            "description": "报告文件（首次生成后缓存，数据不变时直接返回）",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in MEDIA_TYPES.values()
            },
        }
    },
)
def plan_report_get(
    ctx: CtxDep,
    actor: ActorDep,
    plan_id: PlanId,
    year: YearQuery,
    fmt: Annotated[
        Literal["docx", "html"], Query(alias="format", description="docx 或 html")
    ] = "docx",
) -> FileResponse:
    report = plan_report_file(ctx, plan_id, year, fmt, actor)
    disposition = "attachment" if fmt == "docx" else "inline"
    # RFC 6266: a plain ASCII name for old clients, the Chinese one for the others.
    disposition += (
        f"; filename=\"{report.ascii_filename}\"; filename*=UTF-8''{quote(report.filename)}"
    )
    return FileResponse(
        report.path,
        media_type=report.media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Report-Cache": "miss" if report.built else "hit",
        },
    )


@router.post(
    "/plans/{plan_id}/actuals",
    summary="导入实际值（CSV 或 Excel：indicator,year,value[,note]）",
    responses={413: {"description": "文件过大"}, 415: {"description": "不是 CSV 或 Excel"}},
)
def plan_actuals_import(
    ctx: CtxDep,
    actor: PlanWriter,
    plan_id: PlanId,
    _multipart: Annotated[None, Depends(require_multipart)],
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GB18030）或 Excel（.xlsx）")],
) -> ImportResult:
    """Good rows are kept, bad rows reported by row, field and reason; a file that cannot be
    read as a whole writes nothing (422)."""
    with saved_upload(file, limit=MAX_UPLOAD_BYTES) as (path, name):
        return service.import_actuals(ctx, path, actor, plan_id, name=name)


@router.put("/plans/{plan_id}/actuals/{indicator}/{year}", summary="录入或更正一个人工填报值")
def plan_actual_set(
    ctx: CtxDep,
    actor: PlanWriter,
    plan_id: PlanId,
    indicator: IndicatorCode,
    year: YearPath,
    body: ActualIn,
) -> ActualOut:
    """Audited with the value before and after."""
    return service.set_actual(ctx, indicator, year, body.value, actor, plan_id, note=body.note)


@router.post("/plans/{plan_id}/actuals/refresh", summary="更新名录统计和指标计算的实际值快照")
def plan_actuals_refresh(ctx: CtxDep, actor: PlanWriter, plan_id: PlanId) -> RefreshResult:
    return service.refresh_actuals(ctx, actor, plan_id)
