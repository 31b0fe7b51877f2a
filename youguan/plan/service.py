"""Plan services: the functions the CLI calls and the API and pages will call (thin handlers over
these). Reads take an optional ``actor`` (the public sees published plans only; an unpublished plan
answers :class:`PlanNotFound`, a 404); changes take an ``actor`` holding ``plan.write`` and are
audited.

    list_plans(ctx, actor=None) -> list[PlanSummary]
    plan_indicators(ctx, plan_id, actor=None) -> list[IndicatorOut]
    plan_audit(ctx, plan_id=None, actor=None) -> AuditReport
    plan_status(ctx, year, plan_id=None, *, refresh=True, actor=None) -> PlanStatus
    import_actuals(ctx, path, actor, plan_id=None, *, name=None) -> ImportResult
    set_actual / delete_actual / list_actuals / refresh_actuals / indicator_history
    evaluation_years(plan), check_year(plan, year), default_year(ctx, plan)
    propose_plan(ctx, base_year, target_year, plan_id=None) -> (draft Plan, YAML text)
    validate_plan_file(path) -> list[Issue]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from youguan.auth.actor import Actor
from youguan.plan import actuals as _actuals
from youguan.plan.audit import audit_plan
from youguan.plan.catalogue import (
    PlanError,
    PlanNotFound,
    PlanPermissionError,
    all_plans,
    get_plan,
    may_write,
    require_write,
    visible,
)
from youguan.plan.definitions import Indicator, Plan, Source
from youguan.plan.loader import Issue, parse_plan_text, validate_plan_file
from youguan.plan.models import SOURCE_LABELS
from youguan.plan.progress import plan_progress
from youguan.plan.proposals import propose, to_yaml
from youguan.plan.schemas import (
    ActualOut,
    AreaOut,
    AuditFindingOut,
    AuditReport,
    HistoryEntry,
    ImportResult,
    IndicatorOut,
    PlanStatus,
    PlanSummary,
    RefreshResult,
)
from youguan.plan.sources import spec_method

if TYPE_CHECKING:
    from youguan.context import Context

__all__ = [
    "Issue",
    "PlanError",
    "PlanNotFound",
    "PlanPermissionError",
    "check_year",
    "default_year",
    "delete_actual",
    "evaluation_years",
    "get_plan",
    "import_actuals",
    "indicator_history",
    "list_actuals",
    "list_plans",
    "may_write",
    "plan_audit",
    "plan_indicators",
    "plan_status",
    "propose_plan",
    "read_status",
    "refresh_actuals",
    "set_actual",
    "validate_plan_file",
]


SHANGHAI = ZoneInfo("Asia/Shanghai")

# What of an actual's provenance the public reads: the method and the aggregates behind the figure,
# not the names of internal files (an uploaded file may be named after the person who made it).
PUBLIC_PROVENANCE = frozenset(
    {
        "method",
        "code",
        "division",
        "brand",
        "brands",
        "scale",
        "engine_value",
        "numerator",
        "denominator",
        "definition_version",
        "data_version",
        "count",
        "as_of",
        "value",
        "types",
        "counties",
        "standardized",
        "change",
        "previous",
        "previous_as_of",
        "fallback",
    }
)


def plan_summary(p: Plan) -> PlanSummary:
    return PlanSummary(
        id=p.id,
        title=p.title,
        short_title=p.short_title,
        office=p.office,
        division=p.division,
        baseline_year=p.baseline_year,
        target_year=p.target_year,
        status=p.status,
        public=p.public,
        indicators=len(p.indicators),
        areas=[AreaOut(code=a.code, name=a.name) for a in p.areas],
    )


def list_plans(ctx: Context, actor: Actor | None = None) -> list[PlanSummary]:
    """Every plan the actor may see, oldest first."""
    plans = sorted(
        (p for p in all_plans(ctx).values() if visible(p, actor)),
        key=lambda p: (p.target_year, p.id),
    )
    return [plan_summary(p) for p in plans]


def evaluation_years(plan: Plan) -> range:
    """The years a plan is evaluated in: after its baseline up to the last target year."""
    last = max([plan.target_year, *(i.target_year or plan.target_year for i in plan.indicators)])
    return range(plan.baseline_year + 1, last + 1)


def check_year(plan: Plan, year: int) -> None:
    years = evaluation_years(plan)
    if year not in years:
        message = f"评估年份应在规划期内（{years[0]}—{years[-1]} 年），而不是 {year}"
        raise PlanError(
            message, details=[{"field": "year", "code": "year_out_of_range", "message": message}]
        )


def default_year(ctx: Context, plan: Plan) -> int:
    """The year a page opens on: the latest year of the period with an actual, else this year
    (within the period)."""
    years = evaluation_years(plan)
    with_data = [y for by_year in _actuals.resolve(ctx, plan).values() for y in by_year]
    in_period = [y for y in with_data if y in years]
    if in_period:
        return max(in_period)
    this_year = dt.datetime.now(SHANGHAI).year
    return min(max(this_year, years[0]), plan.target_year)


def public_provenance(provenance: dict[str, Any] | None) -> dict[str, Any] | None:
    if provenance is None:
        return None
    return {k: v for k, v in provenance.items() if k in PUBLIC_PROVENANCE}


def source_detail(spec: Source) -> str:
    """How an actual is obtained, in words (Chinese) for tables and the report."""
    method = spec_method(spec)
    label = SOURCE_LABELS[method]
    if spec.method == "manual":
        return f"{label}：{spec.note}"
    if spec.method == "computed":
        return f"{label}：指标 {spec.code}" + (f"（{spec.note}）" if spec.note else "")
    parts: list[str] = [spec.count]
    if spec.types:
        parts.append("类型 " + "、".join(spec.types))
    if spec.counties:
        parts.append("县 " + "、".join(spec.counties))
    if spec.standardized:
        parts.append("标准化")
    if spec.change == "yearly":
        parts.append("年度净增")
    detail = f"{label}：{'，'.join(parts)}"
    return detail + (f"（{spec.note}）" if spec.note else "")


def indicator_out(plan: Plan, ind: Indicator) -> IndicatorOut:
    spec = plan.source_of(ind)
    return IndicatorOut(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        area=ind.area,
        area_name=plan.area_name(ind.area),
        origin=ind.origin,
        clause=ind.clause,
        text=ind.text,
        table_row=ind.table_row,
        table_label=ind.table_label,
        direction=ind.direction,
        path=ind.path,
        baseline_year=ind.baseline_year if ind.baseline is not None else None,
        baseline=ind.baseline.printed if ind.baseline is not None else None,
        target_year=ind.target_year,
        target=ind.target.printed,
        stated_growth=ind.stated_growth.printed if ind.stated_growth is not None else None,
        restates=ind.restates,
        source=spec_method(spec),
        source_detail=(
            f"同 {ind.restates}（{source_detail(spec)}）" if ind.restates else source_detail(spec)
        ),
        note=ind.note,
    )


def plan_indicators(ctx: Context, plan_id: str, actor: Actor | None = None) -> list[IndicatorOut]:
    plan = get_plan(ctx, plan_id, actor=actor)
    return [indicator_out(plan, ind) for ind in plan.indicators]


def plan_audit(ctx: Context, plan_id: str | None = None, actor: Actor | None = None) -> AuditReport:
    """The audit of the plan's arithmetic and of text against table (DOMAIN §4.2)."""
    plan = get_plan(ctx, plan_id, actor=actor)
    return AuditReport(
        plan=plan.id,
        findings=[AuditFindingOut(**f.as_dict()) for f in audit_plan(plan)],
    )


def refresh_actuals(
    ctx: Context, actor: Actor, plan_id: str | None = None, years: list[int] | None = None
) -> RefreshResult:
    """Snapshot the derived sources (engine facts, registry counts) into the store (a change:
    ``plan.write``, audited)."""
    plan = get_plan(ctx, plan_id, actor=actor)
    require_write(plan, actor)
    if years is None:
        years = list(range(plan.baseline_year, plan.target_year + 1))
    return _actuals.refresh(ctx, plan, years, actor)


def plan_status(
    ctx: Context,
    year: int,
    plan_id: str | None = None,
    *,
    refresh: bool = True,
    actor: Actor | None = None,
) -> PlanStatus:
    """Every indicator's status in ``year``. With ``refresh`` the derived sources are
    snapshotted first (as the system), so the figures are those of the sources now; without, the
    stored snapshots count (a read that writes nothing — what the web uses). Outside the staff,
    the provenance keeps only :data:`PUBLIC_PROVENANCE`."""
    plan = get_plan(ctx, plan_id, year=year, actor=actor)
    if refresh:
        last = min(year, plan.target_year)
        _actuals.refresh(ctx, plan, range(plan.baseline_year, last + 1), Actor.system("plan"))
    status = plan_progress(plan, year, _actuals.resolve(ctx, plan))
    if actor is not None and not actor.is_staff:
        for row in status.indicators:
            row.provenance = public_provenance(row.provenance)
    return status


def read_status(ctx: Context, plan_id: str, year: int, actor: Actor | None) -> PlanStatus:
    """A status read for the web: the year checked against the period, nothing refreshed (a
    GET writes nothing; ``refresh_actuals`` is the change that updates the snapshots)."""
    plan = get_plan(ctx, plan_id, actor=actor)
    check_year(plan, year)
    return plan_status(ctx, year, plan.id, refresh=False, actor=actor)


def import_actuals(
    ctx: Context,
    path: Path | str,
    actor: Actor,
    plan_id: str | None = None,
    *,
    name: str | None = None,
) -> ImportResult:
    """Import ``indicator,year,value[,note]`` (CSV or Excel, the plan's units) as manual
    actuals; row errors are reported, good rows kept. ``name``: the file's name as uploaded."""
    plan = get_plan(ctx, plan_id, actor=actor)
    return _actuals.import_file(ctx, plan, Path(path), actor, name=name)


def set_actual(
    ctx: Context,
    indicator: str,
    year: int,
    value: float | str,
    actor: Actor,
    plan_id: str | None = None,
    note: str | None = None,
) -> ActualOut:
    """Enter or correct one manual value (audited with before and after)."""
    plan = get_plan(ctx, plan_id, actor=actor)
    return _actuals.set_manual(ctx, plan, indicator, year, value, actor, note=note)


def delete_actual(
    ctx: Context, indicator: str, year: int, actor: Actor, plan_id: str | None = None
) -> bool:
    plan = get_plan(ctx, plan_id, actor=actor)
    return _actuals.delete_manual(ctx, plan, indicator, year, actor)


def indicator_history(
    ctx: Context, code: str, plan_id: str | None = None, *, actor: Actor | None = None
) -> list[HistoryEntry]:
    """The audited changes of one indicator's manual values, newest first (staff only: the
    audit log names the people who entered them)."""
    plan = get_plan(ctx, plan_id, actor=actor)
    if actor is not None and not actor.is_staff:
        raise PlanPermissionError("只有监管人员可以查看实际值的修改记录")
    return _actuals.history(ctx, plan, code)


def list_actuals(
    ctx: Context,
    plan_id: str | None = None,
    *,
    year: int | None = None,
    indicator: str | None = None,
    actor: Actor | None = None,
) -> list[ActualOut]:
    plan = get_plan(ctx, plan_id, actor=actor)
    return _actuals.list_actuals(ctx, plan, year=year, indicator=indicator)


def propose_plan(
    ctx: Context,
    base_year: int,
    target_year: int,
    plan_id: str | None = None,
    *,
    refresh: bool = True,
    new_id: str | None = None,
) -> tuple[Plan, str]:
    """A draft next plan from ``base_year`` actuals: the model and its YAML text (which is
    checked to load back as a valid plan file)."""
    plan = get_plan(ctx, plan_id, year=base_year)
    if refresh:
        _actuals.refresh(ctx, plan, range(plan.baseline_year, base_year + 1), Actor.system("plan"))
    draft = propose(
        plan,
        _actuals.resolve(ctx, plan),
        base_year=base_year,
        target_year=target_year,
        plan_id=new_id,
    )
    text = to_yaml(draft, source_plan=plan, base_year=base_year)
    parse_plan_text(text, name="draft")  # a draft that does not load back is our bug
    return draft, text
