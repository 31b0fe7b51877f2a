"""``youguan plan …`` — plans as data, audit, actuals, status, proposals (DESIGN.md "Stable
interfaces"). Thin: parse options, call :mod:`youguan.plan.service`, print."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from youguan.auth.actor import Actor
from youguan.cli_support import cli_context, emit_json, err, fail, out
from youguan.plan import service
from youguan.plan.actuals import ImportFileError
from youguan.plan.audit import KIND_LABELS
from youguan.plan.catalogue import PlanError
from youguan.plan.loader import PlanFileError
from youguan.plan.rules import STATUS_COLOURS, STATUS_LABELS

app = typer.Typer(help="规划监测评估 (plan monitoring and evaluation)", no_args_is_help=True)
actuals_app = typer.Typer(help="规划指标实际值 (actual values)", no_args_is_help=True)
app.add_typer(actuals_app, name="actuals")

PLAN_OPTION = typer.Option(None, "--plan", help="Plan id (default: the adopted plan)")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON only")


def _num(v: float | None, digits: int = 2) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


@app.command("list")
def list_(json_out: bool = JSON_OPTION) -> None:
    """列出规划 (list plans)."""
    with cli_context() as ctx:
        try:
            plans = service.list_plans(ctx)
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    if json_out:
        emit_json([p.model_dump(mode="json") for p in plans])
        return
    table = Table("编号", "名称", "期间", "状态", "指标数")
    for p in plans:
        period = f"{p.baseline_year}→{p.target_year}"
        table.add_row(p.id, p.title, period, p.status, str(p.indicators))
    out.print(table)


@app.command()
def validate(path: Path, json_out: bool = JSON_OPTION) -> None:
    """校验规划文件，按行报告错误 (validate a plan file; errors by line)."""
    issues = service.validate_plan_file(path)
    if json_out:
        emit_json({"file": str(path), "valid": not issues, "errors": [i.as_dict() for i in issues]})
    else:
        for issue in issues:
            err.print(f"{path}:{issue.line}:{issue.column}: {issue}", highlight=False, markup=False)
        if not issues:
            err.print(f"{path}: 校验通过")
    if issues:
        raise typer.Exit(2)


@app.command()
def audit(plan: str | None = PLAN_OPTION, json_out: bool = JSON_OPTION) -> None:
    """核查规划自身的算术和正文与附表的一致性 (audit the plan's arithmetic)."""
    with cli_context() as ctx:
        try:
            report = service.plan_audit(ctx, plan)
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    if json_out:
        emit_json(
            {
                "plan": report.plan,
                "findings": [f.model_dump(mode="json") for f in report.findings],
            }
        )
        return
    if not report.findings:
        err.print(f"{report.plan}: 未发现问题")
    for f in report.findings:
        out.print(f"[bold]{f.indicator}[/] {KIND_LABELS.get(f.kind, f.kind)}", highlight=False)
        out.print(f"  {f.message}", highlight=False, markup=False)


@app.command()
def status(
    year: int = typer.Option(..., "--year", help="Year to assess"),
    plan: str | None = PLAN_OPTION,
    json_out: bool = JSON_OPTION,
    refresh: bool = typer.Option(True, help="Snapshot the derived sources first"),
) -> None:
    """各指标在某年的进展状态 (status of every indicator in a year)."""
    with cli_context() as ctx:
        try:
            result = service.plan_status(ctx, year, plan, refresh=refresh)
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    if json_out:
        emit_json(result.model_dump(mode="json"))
        return
    table = Table("指标", "单位", "基期", "目标", "里程碑", "实际", "状态", "比率", "预测")
    for r in result.indicators:
        colour = STATUS_COLOURS[r.status]
        table.add_row(
            f"{r.name} [dim]{r.code}[/]",
            r.unit,
            r.baseline or "—",
            f"{r.target}（{r.target_year}）",
            _num(r.milestone),
            _num(r.actual),
            f"[{colour}]{STATUS_LABELS[r.status]}[/]",
            _num(r.ratio, 3),  # 0.949 is not on track: do not print it as 0.95
            _num(r.projection),
        )
    out.print(table)
    summary = "，".join(f"{STATUS_LABELS[k]} {v}" for k, v in result.counts.items() if v)  # type: ignore[index]
    err.print(f"{result.title} {result.year} 年：{summary}")


@app.command()
def propose(
    base_year: int = typer.Option(..., "--base-year"),
    target_year: int = typer.Option(..., "--target-year"),
    out_path: Path = typer.Option(..., "--out", help="Draft plan YAML to write"),
    plan: str | None = PLAN_OPTION,
    new_id: str | None = typer.Option(None, "--id", help="Id of the draft plan"),
) -> None:
    """根据实际值和趋势提出下一期规划目标建议稿 (propose the next plan's targets)."""
    with cli_context() as ctx:
        try:
            draft, text = service.propose_plan(ctx, base_year, target_year, plan, new_id=new_id)
        except (PlanError, PlanFileError, ValueError) as exc:
            fail(str(exc))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text, encoding="utf-8")
    err.print(f"已写出建议稿 {out_path}（{draft.id}，{len(draft.indicators)} 项指标）")


@actuals_app.command("import")
def import_(
    path: Path,
    plan: str | None = PLAN_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """导入实际值：CSV/Excel，列 indicator,year,value（规划的单位） (import actuals)."""
    with cli_context() as ctx:
        try:
            result = service.import_actuals(ctx, path, Actor.system(), plan)
        except ImportFileError as exc:
            if json_out:
                emit_json({"file": str(path), "rows": 0, "accepted": 0, "error": str(exc)})
            fail(str(exc))
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    if json_out:
        emit_json(result.model_dump(mode="json"))
    else:
        for e in result.errors:
            err.print(
                f"第 {e.row} 行 {e.field} [{e.code}]: {e.message}", highlight=False, markup=False
            )
        err.print(
            f"{result.file}: {result.rows} 行，接受 {result.accepted}（新增 {result.created}，"
            f"更正 {result.corrected}，未变 {result.unchanged}），拒绝 {result.rejected}"
        )
    if result.accepted == 0:
        raise typer.Exit(2)


@actuals_app.command("set")
def set_(
    indicator: str,
    year: int,
    value: str,
    plan: str | None = PLAN_OPTION,
    note: str | None = typer.Option(None, help="Why (kept with the value)"),
) -> None:
    """录入或更正一个实际值（记入审计日志） (enter or correct one value, audited)."""
    with cli_context() as ctx:
        try:
            row = service.set_actual(ctx, indicator, year, value, Actor.system(), plan, note)
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    err.print(f"{row.indicator} {row.year} = {row.value:g}（{row.source_label}）")


@actuals_app.command("list")
def list_actuals(
    plan: str | None = PLAN_OPTION,
    year: int | None = typer.Option(None, "--year"),
    indicator: str | None = typer.Option(None, "--indicator"),
    json_out: bool = JSON_OPTION,
) -> None:
    """列出已存的实际值及来源 (list stored actuals with their provenance)."""
    with cli_context() as ctx:
        try:
            rows = service.list_actuals(ctx, plan, year=year, indicator=indicator)
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    if json_out:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("指标", "年份", "数值", "来源", "录入", "时间")
    for r in rows:
        table.add_row(
            r.indicator,
            str(r.year),
            f"{r.value:g}",
            r.source_label,
            r.recorded_by,
            r.updated_at.isoformat(timespec="seconds"),
        )
    out.print(table)


@actuals_app.command("refresh")
def refresh(
    plan: str | None = PLAN_OPTION,
    year: list[int] = typer.Option(None, "--year", help="Years (default: the plan's period)"),
    json_out: bool = JSON_OPTION,
) -> None:
    """从指标引擎和名录取数并保存快照 (snapshot the derived sources)."""
    with cli_context() as ctx:
        try:
            result = service.refresh_actuals(ctx, Actor.system(), plan, year or None)
        except (PlanError, PlanFileError) as exc:
            fail(str(exc))
    if json_out:
        emit_json(result.model_dump(mode="json"))
        return
    for method, reason in result.unavailable.items():
        err.print(f"[yellow]{method}[/]: {escape(reason)}")
    err.print(f"写入 {result.stored}，未变 {result.unchanged}，无值 {result.missing}")
