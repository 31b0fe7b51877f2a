"""``youguan ingest …`` (DESIGN.md "Stable interfaces"):

    youguan ingest waybills|events|security|statistics PATH [--brand CODE] [--json]
                   [--encoding ENC] [--format FMT] [--correct] [--allow-15-digit-id]

Exit 0 when the batch committed (rejected rows are reported, not fatal), 2 when nothing was
committed. ``--json`` prints ``{"dataset", "batch_id", "rows", "accepted", "rejected",
"duplicates", "errors": [{"row", "field", "code", "message"}], "quarantine"}`` (plus ``status``,
``corrected``, ``unmapped``, ``errors_total``, ``refusal``) and nothing else on standard output.
Also: ``list``, ``show``, ``quarantine``, ``unmapped``, ``unmask``, ``recover``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from youguan.auth.actor import Actor
from youguan.cli_support import cli_context, emit_json, err, fail, progress
from youguan.ingest.schemas import DATASETS

app = typer.Typer(
    help="报送数据入库：校验、保护个人信息、去重、原子提交 (enterprise submissions)",
    no_args_is_help=True,
)

SHOWN_ERRORS = 20


def _ingest(
    dataset_name: str,
    path: Path,
    brand: str | None,
    json_out: bool,
    encoding: str | None,
    fmt: str | None,
    correct: bool,
    allow_15: bool,
) -> None:
    from youguan.ingest import service
    from youguan.ingest.errors import Forbidden
    from youguan.ingest.runtime import tune_process

    with cli_context() as ctx, progress() as bar:
        tune_process()
        task = bar.add_task(f"读取校验 {path.name}", total=100)

        def report(phase: str, fraction: float | None) -> None:
            if phase == "read" and fraction is not None:
                bar.update(task, completed=round(fraction * 100, 1))
            elif phase == "settle":
                bar.update(task, completed=100, description="去重与湖内校验")
            elif phase == "commit":
                bar.update(task, description="提交入湖")

        try:
            result = service.submit_file(
                ctx,
                Actor.system(),
                dataset_name,
                path,
                brand=brand,
                correct=correct,
                encoding=encoding,
                fmt=fmt,
                allow_15_digit_id=allow_15,
                progress=report,
            )
        except Forbidden as exc:
            bar.stop()
            fail(exc.message)
        except Exception as exc:  # a library message may quote file content: name the type only
            bar.stop()
            fail(f"处理失败（{type(exc).__name__}），未入库；详情见日志")
        bar.update(task, description="完成")
        home = ctx.settings.home_dir
    doc = result.cli_document(home)
    if json_out:
        emit_json(doc)
    else:
        _summary(doc)
    if not result.committed:
        if not json_out:
            fail(result.refusal.message if result.refusal else "未入库")
        raise typer.Exit(2)


def _summary(doc: dict[str, Any]) -> None:
    status = "已入库" if doc["status"] == "committed" else "未入库"
    err.print(
        f"{status} {doc['dataset']} 批次 {doc['batch_id']}：共 {doc['rows']} 行，"
        f"入库 {doc['accepted']} 行，拒收 {doc['rejected']} 行，重复 {doc['duplicates']} 行"
        + (f"，更正 {doc['corrected']} 行" if doc["corrected"] else "")
        + (f"，未映射状态 {doc['unmapped']} 行" if doc["unmapped"] else ""),
        highlight=False,
    )
    for e in doc["errors"][:SHOWN_ERRORS]:
        err.print(
            f"  第 {e['row']} 行 {e['field']} [{e['code']}] {e['message']}",
            highlight=False,
            markup=False,
        )
    if doc["errors_total"] > SHOWN_ERRORS:
        err.print(f"  …… 共 {doc['errors_total']} 条错误", highlight=False)
    if doc["quarantine"]:
        err.print(f"拒收行已隔离：{doc['quarantine']}", highlight=False)


def _make_command(dataset_name: str) -> None:
    label = DATASETS[dataset_name].label

    def command(
        path: Path = typer.Argument(..., help="CSV, JSON Lines, Parquet or Excel file"),
        brand: str | None = typer.Option(None, "--brand", help="Brand code submitted for"),
        json_out: bool = typer.Option(False, "--json", help="Print the JSON result only"),
        encoding: str | None = typer.Option(
            None, "--encoding", help="Text encoding (default: detect)"
        ),
        fmt: str | None = typer.Option(None, "--format", help="csv|tsv|jsonl|parquet|excel"),
        correct: bool = typer.Option(
            False, "--correct", help="Replace committed rows with the same key (audited)"
        ),
        allow_15: bool = typer.Option(
            False, "--allow-15-digit-id", help="Accept old 15-digit resident ID numbers as valid"
        ),
    ) -> None:
        _ingest(dataset_name, path, brand, json_out, encoding, fmt, correct, allow_15)

    command.__doc__ = f"报送{label} ({dataset_name})"
    app.command(name=dataset_name)(command)


for _name in DATASETS:
    _make_command(_name)


@app.command("list")
def list_(
    brand: str | None = typer.Option(None, "--brand"),
    dataset_name: str | None = typer.Option(None, "--dataset"),
    status: str | None = typer.Option(None, "--status"),
    limit: int = typer.Option(50, "--limit"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """列出报送批次 (list submissions, newest first)."""
    from youguan.ingest import service

    with cli_context() as ctx:
        subs = service.list_submissions(
            ctx, Actor.system(), brand=brand, dataset_name=dataset_name, status=status, limit=limit
        )
    if json_out:
        emit_json([s.model_dump(mode="json", exclude={"errors"}) for s in subs])
        return
    for s in subs:
        err.print(
            f"{s.received_at:%Y-%m-%d %H:%M} {s.id} {s.dataset} {s.brand or '-'} {s.status_label} "
            f"行 {s.rows} 入库 {s.accepted} 拒收 {s.rejected} 重复 {s.duplicates} {s.source_name}",
            highlight=False,
        )


@app.command()
def show(batch_id: str, json_out: bool = typer.Option(False, "--json")) -> None:
    """查看一个报送批次 (show one submission)."""
    from youguan.ingest import service
    from youguan.ingest.errors import NotFound

    with cli_context() as ctx:
        try:
            sub = service.get_submission(ctx, Actor.system(), batch_id)
        except NotFound as exc:
            fail(exc.message)
        home = ctx.settings.home_dir
    if json_out:
        emit_json(sub.model_dump(mode="json"))
    else:
        _summary(sub.cli_document(home))


@app.command()
def quarantine(
    batch_id: str,
    offset: int = typer.Option(0, "--offset"),
    limit: int = typer.Option(100, "--limit"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """查看批次的拒收行 (rejected rows; personal data masked)."""
    from youguan.ingest import service
    from youguan.ingest.errors import NotFound

    with cli_context() as ctx:
        try:
            rows = service.quarantine_rows(
                ctx, Actor.system(), batch_id, offset=offset, limit=limit
            )
        except NotFound as exc:
            fail(exc.message)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        err.print(f"第 {r['row']} 行 [{r['codes']}] {r['messages']}", highlight=False, markup=False)


@app.command()
def unmapped(
    brand: str | None = typer.Option(None, "--brand"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """列出各品牌未映射的原始状态码及条数 (unmapped raw status codes per brand)."""
    from youguan.ingest import service

    with cli_context() as ctx:
        codes = service.unmapped_codes(ctx, Actor.system(), brand)
    if json_out:
        emit_json([c.model_dump(mode="json") for c in codes])
        return
    if not codes:
        err.print("没有未映射的状态码")
    for c in codes:
        err.print(
            f"{c.brand}\t{c.raw_code or '-'}\t{c.raw_text or '-'}\t{c.rows} 条", highlight=False
        )


@app.command()
def unmask(
    brand: str,
    waybill_no: str,
    field: str = typer.Argument(..., help="sender_id_no | sender_name | sender_phone"),
    reason: str = typer.Option(..., "--reason", help="Why the clear value is needed (audited)"),
) -> None:
    """查看个人信息明文（需权限，留审计记录） (unmask one value; audited)."""
    from youguan.ingest.errors import Forbidden, NotFound
    from youguan.ingest.pii import unmask as do_unmask

    with cli_context() as ctx:
        try:
            value = do_unmask(ctx, Actor.system(), brand, waybill_no, field, reason)
        except (Forbidden, NotFound) as exc:
            fail(exc.message)
        except ValueError as exc:
            fail(str(exc))
    typer.echo("" if value is None else value)


@app.command()
def recover(json_out: bool = typer.Option(False, "--json")) -> None:
    """把中断的报送批次标记为失败 (mark submissions of dead processes as failed)."""
    from youguan.ingest import service

    with cli_context() as ctx:
        ids = service.recover(ctx)
    if json_out:
        emit_json({"recovered": ids})
    else:
        err.print(f"标记中断批次 {len(ids)} 个")
