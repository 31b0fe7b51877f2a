"""Context builders of the plan pages: 规划监测 (the plan table, the audit, imports), one
indicator's page (chart, growth, projection, corrections with their history) and the plan
progress 信息公开 publishes. Figures are formatted as the Word report prints them (one set of
rules: :mod:`youguan.reports.plan_report`); every read uses the stored actuals (no refresh)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from youguan.auth.actor import Actor
from youguan.plan import service
from youguan.plan.actuals import MAX_UPLOAD_BYTES
from youguan.plan.audit import KIND_LABELS
from youguan.plan.catalogue import PlanNotFound
from youguan.plan.definitions import Indicator, Plan
from youguan.plan.models import SOURCE_COLOURS, SOURCE_LABELS
from youguan.plan.page_schemas import (
    ActualView,
    AreaProgress,
    Choice,
    FindingView,
    GrowthView,
    IndicatorPage,
    PlanIndexPage,
    PlanProgress,
    ProgressRow,
    ProjectionPoint,
    StatusCount,
)
from youguan.plan.printed import format_number
from youguan.plan.projection import METHOD_LABELS, project
from youguan.plan.rules import STATUS_COLOURS, STATUS_LABELS, STATUSES, Status, rounded
from youguan.plan.schemas import (
    ActualOut,
    AuditFindingOut,
    ImportResult,
    IndicatorStatus,
    PlanStatus,
    RefreshResult,
)
from youguan.plan.sources import spec_method
from youguan.reports.plan_report import (
    MODE_LABELS,
    Mode,
    describe_provenance,
    format_value,
    growth_text,
    ink_for,
    report_row,
)

if TYPE_CHECKING:
    from youguan.context import Context

AUDIT_RULES = [
    "年均增长核查：按规划的基期值和目标值计算 g′ =（目标值/基期值）^(1/n) − 1，"
    "与规划所列年均增长 g 比较；两者之差超过规划印刷末位的半个单位"
    "（如“25%”为 ±0.5 个百分点，“2.38%”为 ±0.005 个百分点）即列为问题。"
    "界限值（如“<0.8”）按其数值计算。",
    "正文与附表核查：正文重述附表指标但目标值、目标年份或基期值不同的，两者都列出。",
    "核查结果只供核定，不改动规划：评估仍以附表目标为准，两个数字都保留。",
]

GROWTH_BASIS = {
    "compound": "复合年均增长率（CAGR）：实际 =（实际值/基期值）^(1/已过年数) − 1，"
    "所需 =（目标值/基期值）^(1/规划年数) − 1",
    "linear": "线性路径（基期或目标为 0，或累计指标）：每年平均增加量",
    "annual": "逐年目标：以当年实际值与目标之比评估",
}


def mode_for(plan: Plan, year: int) -> Mode:
    return "final" if year >= plan.target_year else "midterm"


def status_choice(status: Status) -> Choice:
    colour = STATUS_COLOURS[status]
    return Choice(code=status, label=STATUS_LABELS[status], color=colour, ink=ink_for(colour))


def source_choice(method: str) -> Choice:
    colour = SOURCE_COLOURS[method]
    return Choice(code=method, label=SOURCE_LABELS[method], color=colour, ink=ink_for(colour))


def report_links(plan_id: str, year: int) -> tuple[str, str]:
    base = f"/api/v1/plans/{plan_id}/report?year={year}"
    return f"{base}&format=docx", f"{base}&format=html"


def _row(plan: Plan, r: IndicatorStatus, mode: Mode, detail: str) -> ProgressRow:
    row = report_row(plan, r, mode, detail)
    return ProgressRow(
        code=r.code,
        name=r.name,
        unit=r.unit,
        origin=row.origin,
        baseline=row.baseline,
        target=row.target,
        milestone=row.milestone,
        actual=row.actual,
        has_actual=r.actual is not None,
        source=source_choice(r.actual_source) if r.actual_source else None,
        provenance=row.source,
        status=status_choice(r.status),
        ratio=row.ratio,
        outlook=row.outlook,
        restates=plan.indicator(r.code).restates,
    )


def _progress(plan: Plan, status: PlanStatus) -> PlanProgress:
    mode = mode_for(plan, status.year)
    details = {ind.code: service.indicator_out(plan, ind).source_detail for ind in plan.indicators}
    rows = [_row(plan, r, mode, details[r.code]) for r in status.indicators]
    areas = [
        AreaProgress(code=a.code, name=a.name, rows=[r for r in rows if _area(plan, r) == a.code])
        for a in plan.areas
    ]
    docx, html = report_links(plan.id, status.year)
    return PlanProgress(
        plan=service.plan_summary(plan),
        year=status.year,
        years=list(service.evaluation_years(plan)),
        mode_label=MODE_LABELS[mode],
        counts=[
            StatusCount(**status_choice(s).model_dump(), count=status.counts.get(s, 0))
            for s in STATUSES
        ],
        assessed=sum(status.counts.values()),
        has_data=any(r.actual is not None for r in status.indicators),
        areas=[a for a in areas if a.rows],
        report_docx=docx,
        report_html=html,
    )


def _area(plan: Plan, row: ProgressRow) -> str:
    return plan.indicator(row.code).area


def plan_progress(ctx: Context, plan: Plan, year: int, actor: Actor | None) -> PlanProgress:
    return _progress(plan, service.read_status(ctx, plan.id, year, actor))


def default_progress(ctx: Context, actor: Actor) -> PlanProgress | None:
    """The default plan's progress in its default year (总览), or None without an adopted plan."""
    try:
        plan = service.get_plan(ctx, actor=actor)
    except PlanNotFound:
        return None
    return plan_progress(ctx, plan, service.default_year(ctx, plan), actor)


def public_progress(ctx: Context, year: int | None = None) -> list[PlanProgress]:
    """信息公开: the progress of every adopted, published plan — in ``year`` where that is in
    the plan's period, else in the plan's default year. Read as the public (no file names)."""
    public = Actor.anonymous()
    out = []
    for summary in service.list_plans(ctx, public):
        if summary.status != "adopted":
            continue
        plan = service.get_plan(ctx, summary.id, actor=public)
        in_period = year is not None and year in service.evaluation_years(plan)
        shown = year if year is not None and in_period else service.default_year(ctx, plan)
        out.append(plan_progress(ctx, plan, shown, public))
    return out


def _findings(plan: Plan, findings: list[AuditFindingOut]) -> list[FindingView]:
    out = []
    for f in findings:
        percent = f.kind in ("growth_mismatch", "growth_not_computable")

        def number(v: float | None, percent: bool = percent) -> str:
            return "—" if v is None else f"{v:g}%" if percent else f"{v:g}"

        out.append(
            FindingView(
                indicator=f.indicator,
                indicator_name=plan.indicator(f.indicator).name,
                kind=f.kind,
                kind_label=KIND_LABELS.get(f.kind, f.kind),
                stated=number(f.stated),
                computed=number(f.computed),
                tolerance=None if f.tolerance is None else f"±{f.tolerance:g} 个百分点",
                message=f.message,
            )
        )
    return out


def index_page(
    ctx: Context,
    actor: Actor,
    plan_id: str | None = None,
    year: int | None = None,
    *,
    import_result: ImportResult | None = None,
    refreshed: RefreshResult | None = None,
    error: str | None = None,
) -> PlanIndexPage:
    """规划监测: a plan's table by area in a year, its audit, and (for ``plan.write``) imports.
    A year outside the plan's period (one chosen for another plan) shows the default year."""
    plan = service.get_plan(ctx, plan_id, actor=actor)
    notice = None
    if year is not None and year not in service.evaluation_years(plan):
        shown = service.default_year(ctx, plan)
        notice = f"{year} 年不在《{plan.title}》的评估期内，显示 {shown} 年。"
        year = shown
    year = year or service.default_year(ctx, plan)
    audit = service.plan_audit(ctx, plan.id, actor)
    return PlanIndexPage(
        title="规划监测",
        plans=service.list_plans(ctx, actor),
        progress=plan_progress(ctx, plan, year, actor),
        findings=_findings(plan, audit.findings),
        audit_rules=AUDIT_RULES,
        sources=[source_choice(m) for m in SOURCE_LABELS],
        can_write=service.may_write(plan, actor),
        import_max_mb=MAX_UPLOAD_BYTES / (1024 * 1024),
        import_result=import_result,
        refreshed=refreshed,
        error=error,
        notice=notice,
    )


def projection_path(ind: Indicator, r: IndicatorStatus) -> list[ProjectionPoint]:
    """The trend projection year by year from the last actual to the target year (the same fit
    as the status's projection, which is its last point)."""
    if r.projection is None or not r.series:
        return []
    points = dict(r.series)
    if ind.baseline is not None and ind.baseline_year is not None:
        points[ind.baseline_year] = ind.baseline.value
    last = max(r.series)
    out = [
        ProjectionPoint(year=last, value=r.series[last], low=r.series[last], high=r.series[last])
    ]
    for year in range(last + 1, r.target_year + 1):
        p = project(sorted(points.items()), year, limits=ind.limits or (None, None))
        if p is None:
            continue
        value = rounded(p.value)
        assert value is not None
        out.append(
            ProjectionPoint(year=year, value=value, low=rounded(p.low), high=rounded(p.high))
        )
    return out


def indicator_page(
    ctx: Context,
    actor: Actor,
    plan_id: str,
    code: str,
    year: int | None = None,
    *,
    error: str | None = None,
    saved: bool = False,
) -> IndicatorPage:
    """One indicator: the sentence it comes from, actuals against milestones, growth observed,
    required and still needed, the projection, its audit findings and (for ``plan.write``) the
    correction form with the audited history."""
    plan = service.get_plan(ctx, plan_id, actor=actor)
    try:
        ind = plan.indicator(code)
    except KeyError:
        raise PlanNotFound(f"《{plan.title}》中没有指标 {code}") from None
    year = year or service.default_year(ctx, plan)
    status = service.read_status(ctx, plan.id, year, actor)
    r = next(x for x in status.indicators if x.code == code)
    out = service.indicator_out(plan, ind)
    row = _row(plan, r, mode_for(plan, status.year), out.source_detail)
    related = {code, *([ind.restates] if ind.restates else [])}
    findings = [
        f
        for f in service.plan_audit(ctx, plan.id, actor).findings
        if f.indicator in related or f.related in related
    ]
    actual_code = plan.actual_code(ind)
    can_write = service.may_write(plan, actor)
    projection = projection_path(ind, r)
    return IndicatorPage(
        title=ind.name,
        plan=service.plan_summary(plan),
        indicator=out,
        year=status.year,
        years=list(service.evaluation_years(plan)),
        status=r,
        row=row,
        growth=GrowthView(
            observed=growth_text(r.observed_growth, r, ind),
            required=growth_text(r.required_growth, r, ind),
            needed=growth_text(r.growth_needed, r, ind),
            projection=_projection_text(r, ind),
            basis=GROWTH_BASIS[r.path],
        ),
        projection=projection,
        projection_label=_projection_label(r) if projection else None,
        findings=_findings(plan, findings),
        audit_rules=AUDIT_RULES if findings else [],
        actuals=_actual_views(
            plan, ind, service.list_actuals(ctx, plan.id, indicator=actual_code, actor=actor)
        ),
        history=service.indicator_history(ctx, actual_code, plan.id, actor=actor)
        if can_write
        else [],
        can_write=can_write,
        write_code=actual_code,
        error=error,
        saved=saved,
    )


def _actual_views(plan: Plan, ind: Indicator, actuals: list[ActualOut]) -> list[ActualView]:
    """Newest year first; ``counts`` marks the value the status uses (the declared source's,
    else the manual one)."""
    declared = spec_method(plan.source_of(ind))
    years_with_declared = {a.year for a in actuals if a.source == declared}
    return [
        ActualView(
            year=a.year,
            value=format_value(a.value, ind, unit=True),
            source=source_choice(a.source),
            provenance=describe_provenance(a.source, a.provenance),
            note=a.note,
            recorded_by=a.recorded_by,
            updated_at=a.updated_at,
            counts=a.source == declared
            or (a.source == "manual" and a.year not in years_with_declared),
        )
        for a in sorted(actuals, key=lambda a: (-a.year, a.source))
    ]


def _projection_text(r: IndicatorStatus, ind: Indicator) -> str | None:
    if r.projection is None:
        return None
    text = format_value(r.projection, ind, unit=True)
    if r.projection_low is not None and r.projection_high is not None:
        low, high = (format_value(v, ind) for v in (r.projection_low, r.projection_high))
        text += f"（{low}—{high}）"
    return text


def _projection_label(r: IndicatorStatus) -> str:
    method = METHOD_LABELS.get(r.projection_method or "", r.projection_method or "")
    if r.projection_low is None or r.projection_level is None:
        return f"{method}（两个数据点，无区间）"
    return f"{method}，{format_number(r.projection_level * 100, 0)}% 预测区间"
