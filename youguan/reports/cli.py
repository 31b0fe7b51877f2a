"""``youguan report …`` — documents for people (DESIGN.md: ``youguan report plan --year Y --out
FILE.docx``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from youguan.cli_support import cli_context, err, fail

app = typer.Typer(help="报告 (reports: Word and HTML)", no_args_is_help=True)


@app.command("plan")
def plan(
    year: int = typer.Option(..., "--year", help="Year evaluated"),
    out: Path = typer.Option(..., "--out", help="FILE.docx or FILE.html"),
    plan_id: str | None = typer.Option(None, "--plan", help="Plan id (default: adopted plan)"),
    mode: str | None = typer.Option(
        None, "--mode", help="midterm | final (default: final from the target year on)"
    ),
    html: Path | None = typer.Option(None, "--html", help="Also write the HTML version here"),
    date: str | None = typer.Option(None, "--date", help="Report date YYYY-MM-DD (default today)"),
) -> None:
    """规划实施情况评估报告（中期/终期） (the plan evaluation report)."""
    from youguan.plan.catalogue import PlanError
    from youguan.plan.loader import PlanFileError
    from youguan.reports.fonts import FontError
    from youguan.reports.service import ReportError, write_plan_report

    if mode not in (None, "midterm", "final"):
        fail(f"--mode 只能是 midterm 或 final，而不是 {mode}")
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        fail(f"--date 应为 YYYY-MM-DD，而不是 {date}")
    with cli_context() as ctx:
        try:
            written = [write_plan_report(ctx, year, out, plan_id, mode=mode, date=day)]  # type: ignore[arg-type]
            if html is not None:
                written.append(
                    write_plan_report(ctx, year, html, plan_id, mode=mode, date=day, refresh=False)  # type: ignore[arg-type]
                )
        except (PlanError, PlanFileError, ReportError, FontError) as exc:
            fail(str(exc))
    for path in written:
        err.print(f"已生成 {path}")
