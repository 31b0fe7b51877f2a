"""``youguan lake check`` and ``youguan lake compact``."""

from __future__ import annotations

import typer

from youguan.auth.actor import Actor
from youguan.cli_support import cli_context, emit_json, err, fail

app = typer.Typer(help="数据湖维护：检查与合并小文件 (lake maintenance)", no_args_is_help=True)


@app.command()
def check(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report only, remove nothing"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """检查数据湖：清理中断提交留下的孤儿文件和暂存目录，核对清单 (find and clean orphans).

    Also marks submissions left open by a dead process as failed. Exit 2 when a committed file
    is missing or damaged."""
    from youguan.ingest.service import recover
    from youguan.lake.maintenance import check as run_check

    with cli_context() as ctx:
        recovered = [] if dry_run else recover(ctx)
        report = run_check(ctx.lake, dry_run=dry_run)
    doc = {**report.as_dict(), "submissions_failed": recovered}
    if json_out:
        emit_json(doc)
    else:
        verb = "将清理" if dry_run else "已清理"
        err.print(
            f"{verb}：孤儿文件 {len(report.orphans_removed)} 个，已退役文件 "
            f"{len(report.retired_removed)} 个，暂存目录 {len(report.staging_removed)} 个；"
            f"中断批次 {len(recovered)} 个；进行中的暂存 {len(report.staging_live)} 个",
            highlight=False,
        )
        for path in report.missing:
            err.print(f"[red]缺失[/]：{path}", highlight=False)
        for path in report.damaged:
            err.print(f"[red]损坏[/]：{path}", highlight=False)
    if not report.healthy:
        if not json_out:
            fail(f"清单中有 {len(report.missing)} 个文件缺失、{len(report.damaged)} 个文件损坏")
        raise typer.Exit(2)


@app.command()
def compact(
    dataset_name: str | None = typer.Option(None, "--dataset"),
    brand: str | None = typer.Option(None, "--brand"),
    month: str | None = typer.Option(None, "--month", help="YYYY-MM"),
    dry_run: bool = typer.Option(False, "--dry-run"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """合并各分区的小文件，查询结果不变 (merge small files per partition)."""
    from youguan.lake.maintenance import compact as run_compact

    with cli_context() as ctx:
        try:
            done = run_compact(
                ctx.lake,
                Actor.system(),
                dataset_name=dataset_name,
                brand=brand,
                month=month,
                dry_run=dry_run,
            )
        except KeyError as exc:
            fail(str(exc))
    doc = {
        "dry_run": dry_run,
        "partitions": [
            {
                "dataset": c.dataset,
                "brand": c.brand,
                "month": c.month,
                "files_before": c.files_before,
                "files_after": c.files_after,
                "rows": c.rows,
                "batch_id": c.batch_id,
            }
            for c in done
        ],
    }
    if json_out:
        emit_json(doc)
        return
    if not done:
        err.print("没有需要合并的分区")
    for c in done:
        err.print(
            f"{c.dataset}/{c.brand}/{c.month}: {c.files_before} 个文件 → {c.files_after} 个"
            f"（{c.rows} 行）",
            highlight=False,
        )
