"""``youguan demo``: generate the synthetic 西双版纳 data set, run the load steps, optionally
serve (DESIGN.md "Stable interfaces"). Registered as a top-level command in ``youguan.cli``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.progress import TaskID

from youguan.cli_support import cli_context, emit_json, err, fail, progress
from youguan.demo import profile as P


def _date(value: str | None, default: dt.date, flag: str) -> dt.date:
    if value is None:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{flag} 须为 YYYY-MM-DD 格式的日期: {value!r}")


def demo(
    seed: int = typer.Option(P.DEFAULT_SEED, "--seed", help="Random seed (same seed → same files)"),
    scale: float = typer.Option(
        P.DEFAULT_SCALE, "--scale", help="Fraction of the real monthly volume sampled as parcels"
    ),
    start: str | None = typer.Option(None, "--from", help="First day of the parcel window"),
    end: str | None = typer.Option(None, "--to", help="Last day of the parcel window"),
    out: Path | None = typer.Option(None, "--out", help="Output directory (default HOME/demo)"),
    serve: bool = typer.Option(False, "--serve", help="Start the web server afterwards"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address for --serve"),
    port: int = typer.Option(8000, "--port", help="Port for --serve"),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary"),
) -> None:
    """生成演示数据并加载 (generate the synthetic 西双版纳 data set, then load it)."""
    from youguan.demo.pipeline import DemoOptions, DemoRun, StepError, default_pipeline
    from youguan.demo.service import DemoError, check_params

    first = _date(start, P.DEFAULT_WINDOW[0], "--from")
    last = _date(end, P.DEFAULT_WINDOW[1], "--to")
    try:
        check_params(scale, first, last)
    except DemoError as exc:
        fail(str(exc))
    with cli_context() as ctx:
        out_dir = (out or ctx.settings.home_dir / "demo").expanduser().resolve()
        options = DemoOptions(out_dir=out_dir, seed=seed, scale=scale, start=first, end=last)
        pipeline = default_pipeline()
        with progress() as bar:
            tasks: dict[str, TaskID] = {}

            def report(what: str, done: int, total: int) -> None:
                step = run.current
                key = step.name if step else "demo"
                if key not in tasks:
                    tasks[key] = bar.add_task(step.label if step else what, total=total)
                bar.update(tasks[key], completed=done, total=total, description=what)

            run = DemoRun(options=options, ctx=ctx, progress=report)
            try:
                results = pipeline.run(run)
            except StepError as exc:
                fail(f"演示数据步骤失败 ({exc.step}): {exc.__cause__}")
        summary = {
            "out_dir": str(out_dir),
            "seed": seed,
            "scale": scale,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "steps": results,
        }
        if json_out:
            emit_json(summary)
        else:
            _print_summary(out_dir, results)
    if serve:
        from youguan.cli import serve as serve_command

        serve_command(host=host, port=port)


def _print_summary(out_dir: Path, results: dict[str, dict[str, object]]) -> None:
    from rich.table import Table

    gen = results.get("generate", {})
    err.print(
        f"演示数据已写入 {out_dir}: 文件 {gen.get('files', 0)} 个, "
        f"运单 {gen.get('waybills_rows', 0)} 条, 轨迹 {gen.get('events_rows', 0)} 条"
    )
    accounts = results.get("accounts", {}).get("accounts")
    if isinstance(accounts, list):
        table = Table(title="演示账号 (demo accounts — passwords are new on every run)")
        for column in ("用户名", "密码", "角色", "范围"):
            table.add_column(column)
        for a in accounts:
            table.add_row(a["username"], a["password"], a["role_label"], a["scope"])
        err.print(table)
        err.print(str(results["accounts"].get("public", "")))
