"""The web package's own pages: home (a redirect by role), 总览 and 信息公开."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse

from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import VIEW_ALL
from youguan.plan import page_charts
from youguan.web import charts, service
from youguan.web.deps import ActorDep, CtxDep, RequirePermission
from youguan.web.pages import page

router = APIRouter()

StaffActor = Annotated[Actor, Depends(RequirePermission(VIEW_ALL))]


@router.get("/", include_in_schema=False, name="web.home")
def home(actor: ActorDep) -> RedirectResponse:
    """Each role's landing page: regulators 总览, enterprises 我的账号 (their figures are on
    服务质量 and 寄递安全, scoped to their brand), the public 信息公开."""
    if actor.role is Role.PUBLIC:
        target = "/public"
    elif actor.can(VIEW_ALL):
        target = "/overview"
    else:
        target = "/account"
    return RedirectResponse(target, status_code=303)


def overview_charts(p: service.OverviewPage) -> dict[str, Any]:
    names = [c.name for c in p.counties]
    trends = {}
    for section, series in p.trends.items():
        values = {t.name: t.values for t in series if t.unit == "%"}
        if any(v is not None for vs in values.values() for v in vs):
            right = charts.small_beside(values)
            trends[f"{section}_trend"] = charts.line(p.trend_periods, values, unit="%", right=right)
    return trends | {
        "villages": charts.bar(
            names,
            {
                "乡镇（街道）": [c.townships for c in p.counties],
                "建制村": [c.admin_villages for c in p.counties],
            },
            unit="个",
        )
    }


@page(router, "/overview", name="web.overview", template="overview.html", charts=overview_charts)
def overview(ctx: CtxDep, actor: StaffActor) -> service.OverviewPage:
    """总览."""
    return service.overview_page(ctx, actor)


def public_charts(p: service.PublicPage) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, progress in enumerate(p.plans):
        out[f"plan_status_{i}"] = page_charts.status_counts(progress)
        out[f"plan_areas_{i}"] = page_charts.area_statuses(progress)
    return out


@page(router, "/public", name="web.public", template="public.html", charts=public_charts)
def public(
    ctx: CtxDep,
    year: Annotated[int | None, Query(ge=1949, le=2200, description="评估年份")] = None,
) -> service.PublicPage:
    """信息公开 (no login)."""
    return service.public_page(ctx, year)
