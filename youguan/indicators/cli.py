"""Command line: ``youguan kpi`` (DESIGN.md "Stable interfaces"), ``youguan compute`` and the
``youguan indicators`` sub-commands (definitions, stored values, drill-down)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from youguan.cli_support import cli_context, emit_json, err, fail, out, progress

if TYPE_CHECKING:
    from youguan.indicators.tables import Table

app = typer.Typer(
    help="指标口径、已计算的指标值与明细 (indicator definitions, stored values, drill-down)",
    no_args_is_help=True,
)

FROM = typer.Option(..., "--from", help="开始日期 YYYY-MM-DD（北京时间，含当日）")
TO = typer.Option(..., "--to", help="结束日期 YYYY-MM-DD（北京时间，含当日）")
AS_OF = typer.Option(None, "--as-of", help="计算时点，ISO 8601（无时区按北京时间；默认当前时间）")
JSON = typer.Option(False, "--json", help="只在标准输出打印 JSON")
OUT = typer.Option(None, "--out", help="导出为 .csv 或 .xlsx 文件")


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: 日期应写作 YYYY-MM-DD，得到 {value!r}")


def _instant(value: str | None) -> dt.datetime | None:
    """ISO 8601; a time without an offset is Asia/Shanghai time (DOMAIN.md §1)."""
    from youguan.indicators.periods import SHANGHAI

    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"--as-of: 时间应为 ISO 8601 格式（如 2025-04-01T08:00:00+08:00），得到 {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn the errors a user can cause into one-line failures (exit 2)."""
    from youguan.indicators.dimensions import DimensionError
    from youguan.indicators.export import ExportError
    from youguan.indicators.parameters import ParameterError
    from youguan.indicators.registry import UnknownIndicator
    from youguan.indicators.service import NotFound

    try:
        yield
    except (DimensionError, ExportError, ParameterError, NotFound, ValueError) as exc:
        fail(str(exc))
    except UnknownIndicator as exc:
        fail(str(exc))


def _export(table: Table, path: Path, sheet: str) -> None:
    n = table.write(path, sheet=sheet)
    err.print(f"已导出 {n} 行到 {path}")


def kpi(
    date_from: str = FROM,
    date_to: str = TO,
    by: str = typer.Option(
        "",
        "--by",
        help="分组维度，逗号分隔：brand,county,origin_county,dest_county,direction,scope,"
        "day,month,quarter,year（不给则为全州合计）",
    ),
    as_of: str | None = AS_OF,
    json_out: bool = JSON,
    export: Path | None = OUT,
    param: list[str] = typer.Option(
        [], "--param", help="临时改变口径参数：名称=值（可重复），见 youguan indicators params"
    ),
) -> None:
    """按口径直接从数据湖计算服务质量与寄递安全指标 (evaluate indicators on the lake)."""
    from youguan.indicators.dimensions import parse_by
    from youguan.indicators.evaluate import as_document, evaluate
    from youguan.indicators.export import check_path
    from youguan.indicators.parameters import load_parameters, parse_assignments
    from youguan.indicators.tables import evaluation_table

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    when = _instant(as_of)
    with cli_context() as ctx, _reported():
        if export is not None:
            check_path(export)
        params = load_parameters(ctx.settings, parse_assignments(param))
        result = evaluate(
            ctx, date_from=start, date_to=end, by=parse_by(by), as_of=when, params=params
        )
        table = evaluation_table(result)
        if export is not None:
            _export(table, export, "指标")
    if json_out:
        emit_json(as_document(result))
    else:
        _print_evaluation(table, result)


def _print_evaluation(table: Table, result: object) -> None:
    from rich.table import Table as RichTable

    from youguan.indicators.evaluate import Evaluation
    from youguan.indicators.tables import format_value

    assert isinstance(result, Evaluation)
    if not result.rows:
        err.print("所选期间没有收寄记录。")
        return
    defs = {d.code: d for d in result.definitions}
    dims = [d.name for d in result.by]
    # Indicators down, groups across: there are more indicators than groups in most reports.
    grid = RichTable(
        title=f"{result.date_from} 至 {result.date_to}（计算时点 {result.as_of:%F %T%z}）"
    )
    grid.add_column("指标")
    for row in table.rows:
        grid.add_column(" / ".join(str(row[d]) for d in dims) or "全州", justify="right")
    grid.add_row("收寄快件数", *(f"{row['items']:,}" for row in table.rows))
    grid.add_row("待评价快件数", *(f"{row['pending']:,}" for row in table.rows))
    for code, label in table.columns[len(dims) + 2 :]:
        grid.add_row(label, *(format_value(defs[code], row[code]) for row in table.rows))
    out.print(grid)
    err.print("口径说明：youguan indicators list；本地口径的指标按项目提出的方法计算。")


def compute(
    full: bool = typer.Option(False, "--full", help="全部重算（默认只重算新数据涉及的期间）"),
    date_from: str | None = typer.Option(None, "--from", help="只重算与此日期起的期间"),
    date_to: str | None = typer.Option(None, "--to", help="只重算至此日期止的期间"),
    as_of: str | None = AS_OF,
    json_out: bool = JSON,
) -> None:
    """计算并保存指标值 (compute and store indicator facts; incremental by default)."""
    from youguan.indicators.facts import compute as run

    start = _date(date_from, "--from") if date_from else None
    end = _date(date_to, "--to") if date_to else None
    when = _instant(as_of)
    with cli_context() as ctx, _reported(), progress() as bar:
        task = bar.add_task("计算指标", total=None)

        def advance(description: str, done: int, total: int) -> None:
            bar.update(task, description=f"计算指标 {description}", completed=done, total=total)

        summary = run(ctx, full=full, date_from=start, date_to=end, as_of=when, progress=advance)
    if json_out:
        emit_json(summary.as_dict())
        return
    kinds = {"full": "全部重算", "incremental": "增量计算", "range": "按期间重算"}
    reason = f"（{summary.reason}）" if summary.reason else ""
    err.print(
        f"{kinds[summary.kind]}{reason}：写入指标值 {summary.facts} 条，涉及 {summary.cells} 个"
        f"期间×品牌，数据版本 {summary.data_version}，计算时点 {summary.as_of.isoformat()}"
    )


@app.command("list")
def list_command(json_out: bool = JSON) -> None:
    """列出全部指标及其口径 (list every indicator definition)."""
    from rich.table import Table as RichTable

    from youguan.indicators.service import list_definitions

    with cli_context() as ctx, _reported():
        defs = list_definitions(ctx)
    if json_out:
        emit_json([d.model_dump() for d in defs])
        return
    grid = RichTable(show_lines=True)
    for heading in ("代码", "名称", "单位", "方向", "版本", "口径"):
        grid.add_column(heading)
    for d in defs:
        grid.add_row(d.code, d.name, d.unit_label, d.direction_label, str(d.version), d.text)
    out.print(grid)


@app.command("show")
def show_command(code: str, json_out: bool = JSON) -> None:
    """显示一个指标的口径与参数 (show one definition)."""
    from youguan.indicators.service import get_definition

    with cli_context() as ctx, _reported():
        d = get_definition(ctx, code)
    if json_out:
        emit_json(d.model_dump())
        return
    out.print(
        f"[bold]{d.name}[/] ({d.code}) 第 {d.version} 版 · {d.unit_label} · {d.direction_label}"
    )
    out.print(d.text)
    out.print(f"来源：{d.source}")
    for p in d.parameters:
        out.print(f"参数 {p.label}（{p.name}）= {p.value} {p.unit} · {p.source}")


@app.command("params")
def params_command(json_out: bool = JSON) -> None:
    """显示口径参数的当前值 (current parameter values, from indicators.toml)."""
    from youguan.indicators.parameters import PARAMETER_INFO, load_parameters

    with cli_context() as ctx, _reported():
        values = load_parameters(ctx.settings).as_dict()
    if json_out:
        emit_json(values)
        return
    for name, value in values.items():
        info = PARAMETER_INFO[name]
        out.print(f"{name} = {value} {info.unit}  # {info.label}，{info.source}")


@app.command("values")
def values_command(
    code: str,
    date_from: str = FROM,
    date_to: str = TO,
    by: str = typer.Option(
        "", "--by", help="day|month|quarter|year 之一，及 brand,county,direction（默认按月）"
    ),
    brand: str | None = typer.Option(None, "--brand", help="只看一个品牌"),
    county: str | None = typer.Option(None, "--county", help="只看一个县（市），如 532801"),
    direction: str | None = typer.Option(
        None, "--direction", help="只看一个流向：outbound|inbound|local"
    ),
    json_out: bool = JSON,
    export: Path | None = OUT,
) -> None:
    """已保存的指标值 (stored values of one indicator, with provenance)."""
    from youguan.auth.actor import Actor
    from youguan.indicators.service import indicator_values
    from youguan.indicators.tables import format_value, values_table

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    names = [b.strip() for b in by.split(",") if b.strip()]
    with cli_context() as ctx, _reported():
        result = indicator_values(
            ctx,
            Actor.system(),
            code,
            date_from=start,
            date_to=end,
            by=names,
            brand=brand,
            county=county,
            direction=direction,
        )
        table = values_table(result)
        if export is not None:
            _export(table, export, "指标值")
    if json_out:
        emit_json(result.model_dump(mode="json"))
        return
    from youguan.indicators.registry import definition

    d = definition(code)
    if not result.facts:
        err.print("没有已计算的指标值；请先运行 youguan compute。")
        return
    for f in result.facts:
        dims = ",".join(f"{k}={v}" for k, v in f.dims.items())
        out.print(
            f"#{f.id} {f.period} {f.division_name} {f.brand_name} {dims} "
            f"{format_value(d, f.value)} ({f.numerator}/{f.denominator}，待评价 {f.pending})"
        )
    err.print(result.definition.text)


@app.command("drill")
def drill_command(
    fact_id: int,
    which: str | None = typer.Option(
        None, "--which", help="numerator|shortfall|denominator|pending（默认按指标）"
    ),
    page: int = typer.Option(1, "--page"),
    page_size: int = typer.Option(50, "--page-size"),
    json_out: bool = JSON,
    export: Path | None = OUT,
) -> None:
    """指标值背后的快件明细（个人信息脱敏）(the items behind a stored value, masked)."""
    from youguan.auth.actor import Actor
    from youguan.indicators.drill import drill_down, export_drill

    actor = Actor.system()
    with cli_context() as ctx, _reported():
        if export is not None:
            n = export_drill(ctx, actor, fact_id, export, which=which)
            err.print(f"已导出 {n} 行到 {export}")
            return
        result = drill_down(ctx, actor, fact_id, which=which, page=page, page_size=page_size)
    if json_out:
        emit_json(result.model_dump(mode="json"))
        return
    _print_drill(result.rows, [(c.name, c.label) for c in result.columns])
    err.print(
        f"{result.which_label}：共 {result.total} 件，第 {result.page} 页"
        + ("" if result.exact else "（原数据文件已被替换，明细按当前数据列出）")
    )


def _print_drill(rows: list[dict[str, object]], columns: list[tuple[str, str]]) -> None:
    from rich.table import Table as RichTable

    grid = RichTable()
    for _, label in columns:
        grid.add_column(label, overflow="fold")
    for row in rows:
        grid.add_row(*("" if row.get(n) is None else str(row.get(n)) for n, _ in columns))
    out.print(grid)


__all__ = ["app", "compute", "kpi"]
