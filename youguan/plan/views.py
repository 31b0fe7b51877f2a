"""规划监测 pages: the plan table (``plan.index``), one indicator's page, and the forms of
``plan.write`` holders (import, correction, snapshot refresh). The public's view of published
plans is on 信息公开 (:mod:`youguan.web.views`); the report downloads are the API's
(``/api/v1/plans/{id}/report``), which serves the public and the staff alike."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from youguan.auth.actor import Actor
from youguan.auth.permissions import PLAN_WRITE, VIEW_ALL
from youguan.errors import YouguanError
from youguan.plan import page_charts, pages, service
from youguan.plan.actuals import MAX_UPLOAD_BYTES, ImportFileError
from youguan.plan.catalogue import PlanError
from youguan.plan.definitions import CODE_PATTERN, PLAN_ID_PATTERN
from youguan.plan.page_schemas import IndicatorPage, PlanIndexPage
from youguan.web.deps import CtxDep, RequirePermission
from youguan.web.errors import PayloadTooLarge
from youguan.web.pages import page, render
from youguan.web.uploads import saved_upload

router = APIRouter()

StaffActor = Annotated[Actor, Depends(RequirePermission(VIEW_ALL))]
PlanWriter = Annotated[Actor, Depends(RequirePermission(PLAN_WRITE))]
PlanId = Annotated[str, Path(min_length=1, max_length=60, pattern=PLAN_ID_PATTERN)]
Code = Annotated[str, Path(min_length=1, max_length=60, pattern=CODE_PATTERN)]
PlanQuery = Annotated[
    str | None, Query(max_length=60, pattern=PLAN_ID_PATTERN, description="规划编号")
]
YearQuery = Annotated[int | None, Query(ge=1949, le=2200, description="评估年份")]
YearForm = Annotated[int | None, Form(ge=1949, le=2200)]
INDEX = "plan/index.html"
INDICATOR = "plan/indicator.html"


def index_charts(p: PlanIndexPage) -> dict[str, Any]:
    return {
        "status": page_charts.status_counts(p.progress),
        "areas": page_charts.area_statuses(p.progress),
    }


def indicator_charts(p: IndicatorPage) -> dict[str, Any]:
    return {"trend": page_charts.indicator_trend(p)}


@page(router, "/plans", name="plan.index", template=INDEX, charts=index_charts)
def plan_index(
    ctx: CtxDep, actor: StaffActor, plan: PlanQuery = None, year: YearQuery = None
) -> PlanIndexPage:
    """规划监测."""
    return pages.index_page(ctx, actor, plan, year)


@page(
    router,
    "/plans/{plan_id}/indicators/{code}",
    name="plan.indicator",
    template=INDICATOR,
    charts=indicator_charts,
)
def plan_indicator(
    ctx: CtxDep,
    actor: StaffActor,
    plan_id: PlanId,
    code: Code,
    year: YearQuery = None,
    saved: bool = False,
) -> IndicatorPage:
    """One indicator of a plan."""
    return pages.indicator_page(ctx, actor, plan_id, code, year, saved=saved)


def _index(request: Request, context: PlanIndexPage, status: int = 200) -> Response:
    return render(request, INDEX, context, status=status, charts=index_charts(context))


@router.post("/plans/{plan_id}/import", include_in_schema=False, name="plan.import")
def plan_import(
    request: Request,
    ctx: CtxDep,
    actor: PlanWriter,
    plan_id: PlanId,
    file: Annotated[UploadFile, File()],
    year: YearForm = None,
) -> Response:
    """Import a CSV or Excel file; the page shows the result with its row errors."""
    try:
        with saved_upload(file, limit=MAX_UPLOAD_BYTES) as (path, name):
            result = service.import_actuals(ctx, path, actor, plan_id, name=name)
    except (ImportFileError, PayloadTooLarge) as exc:
        context = pages.index_page(ctx, actor, plan_id, year, error=exc.message)
        return _index(request, context, exc.status)
    return _index(request, pages.index_page(ctx, actor, plan_id, year, import_result=result))


@router.post("/plans/{plan_id}/refresh", include_in_schema=False, name="plan.refresh")
def plan_refresh(
    request: Request, ctx: CtxDep, actor: PlanWriter, plan_id: PlanId, year: YearForm = None
) -> Response:
    """Take new snapshots of the registry counts and the engine's facts."""
    result = service.refresh_actuals(ctx, actor, plan_id)
    return _index(request, pages.index_page(ctx, actor, plan_id, year, refreshed=result))


@router.post(
    "/plans/{plan_id}/indicators/{code}/actual", include_in_schema=False, name="plan.actual_save"
)
def plan_actual_save(
    request: Request,
    ctx: CtxDep,
    actor: PlanWriter,
    plan_id: PlanId,
    code: Code,
    year: Annotated[int, Form(ge=1949, le=2200)],
    value: Annotated[str, Form(max_length=40)],
    note: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Enter or correct one manual value (audited), then back to the indicator's page."""
    try:
        service.set_actual(
            ctx, code, year, value, actor, plan_id, note=(note or "").strip() or None
        )
    except PlanError as exc:
        if _not_a_value_problem(exc):
            raise
        context = pages.indicator_page(ctx, actor, plan_id, code, year, error=exc.message)
        return render(request, INDICATOR, context, status=422, charts=indicator_charts(context))
    return RedirectResponse(f"/plans/{plan_id}/indicators/{code}?year={year}&saved=1", 303)


def _not_a_value_problem(exc: YouguanError) -> bool:
    """Not found and forbidden are answered as such (404, 403), not shown beside the form."""
    return exc.status != 422
