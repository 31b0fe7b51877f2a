"""Report services: build the plan evaluation report model once, render it as Word or HTML.

plan_report(ctx, year, plan_id=None, *, mode=None, date=None, refresh=True) -> PlanReport
write_plan_report(ctx, year, out, plan_id=None, *, mode=None, date=None) -> Path
render_docx(report) -> bytes, render_html(report) -> str
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from youguan.auth.actor import Actor
from youguan.plan import actuals as plan_actuals
from youguan.plan import service as plan_service
from youguan.plan.proposals import propose
from youguan.reports.docx_render import render_docx
from youguan.reports.html_render import render_html
from youguan.reports.plan_report import Mode, PlanReport, ProposalRow, build

if TYPE_CHECKING:
    from youguan.context import Context

__all__ = ["plan_report", "render_docx", "render_html", "write_plan_report"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = {".docx": "docx", ".html": "html", ".htm": "html"}


class ReportError(ValueError):
    """A report that cannot be made as asked (message for the person, Chinese)."""


def plan_report(
    ctx: Context,
    year: int,
    plan_id: str | None = None,
    *,
    mode: Mode | None = None,
    date: dt.date | None = None,
    refresh: bool = True,
    actor: Actor | None = None,
) -> PlanReport:
    """The evaluation report of a plan in ``year``: mid-term before the target year, final from
    it on (unless ``mode`` says otherwise). The final report carries the proposal for the next
    plan, made from the target year's actuals."""
    plan = plan_service.get_plan(ctx, plan_id, year=year, actor=actor)
    if mode is None:
        mode = "final" if year >= plan.target_year else "midterm"
    status = plan_service.plan_status(ctx, year, plan.id, refresh=refresh, actor=actor)
    audit = plan_service.plan_audit(ctx, plan.id, actor=actor)
    details = {
        ind.code: plan_service.indicator_out(plan, ind).source_detail for ind in plan.indicators
    }
    proposals: list[ProposalRow] = []
    note = None
    if mode == "final":
        span = plan.target_year - plan.baseline_year
        base = min(year, plan.target_year)
        draft = propose(
            plan, plan_actuals.resolve(ctx, plan), base_year=base, target_year=base + span
        )
        for ind in draft.indicators:
            if ind.variants is None:
                continue
            proposals.append(
                ProposalRow(
                    name=ind.name,
                    unit=ind.unit,
                    baseline=ind.baseline.printed if ind.baseline else "—",
                    trend=ind.variants.trend.printed,
                    ambitious=ind.variants.ambitious.printed,
                    conservative=ind.variants.conservative.printed,
                    basis=ind.variants.basis,
                )
            )
        note = (
            f"根据{base}年实际值和规划期趋势，对有实际值的指标提出{base + 1}—{base + span}年目标的"
            "趋势、积极（增长 ×1.25）、稳健（增长 ×0.75）三个方案，供编制下一规划参考；"
            "完整建议稿可用 youguan plan propose 导出后逐项核定。"
        )
    return build(
        plan,
        status,
        audit,
        mode=mode,
        date=date or dt.datetime.now(SHANGHAI).date(),
        source_details=details,
        proposals=proposals,
        proposal_note=note if proposals else None,
    )


def write_plan_report(
    ctx: Context,
    year: int,
    out: Path | str,
    plan_id: str | None = None,
    *,
    mode: Mode | None = None,
    date: dt.date | None = None,
    refresh: bool = True,
) -> Path:
    """Write the report to ``out``; the format follows the extension (.docx or .html)."""
    out = Path(out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ReportError(f"不支持的报告格式 {out.suffix or '（无扩展名）'}：请用 .docx 或 .html")
    report = plan_report(ctx, year, plan_id, mode=mode, date=date, refresh=refresh)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        out.write_bytes(render_docx(report))
    else:
        out.write_text(render_html(report), encoding="utf-8")
    return out
