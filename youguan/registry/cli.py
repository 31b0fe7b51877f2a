"""``youguan registry import|export|list`` — the register of enterprises, outlets and facilities,
and vehicles from the command line. Column formats: :mod:`youguan.registry.io`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.progress import Progress, TaskID
from rich.table import Table
from sqlalchemy.orm import Session

from youguan.cli_support import cli_context, emit_json, err, fail, out, progress

app = typer.Typer(
    name="registry",
    help="名录：企业、网点与设施、车辆的导入、导出与查询 (registry)",
    no_args_is_help=True,
)

PROGRESS_FROM_ROWS = 200  # smaller files finish before a bar is worth drawing
SHOWN_ERRORS = 50


class Entity(StrEnum):
    enterprises = "enterprises"
    facilities = "facilities"
    vehicles = "vehicles"


ENTITY_LABELS = {"enterprises": "企业", "facilities": "网点与设施", "vehicles": "车辆"}

EntityArg = typer.Argument(..., help="enterprises | facilities | vehicles", case_sensitive=False)
JsonOpt = typer.Option(False, "--json", help="Print a JSON document on standard output")


@app.command("import")
def import_(
    entity: Entity = EntityArg,
    path: Path = typer.Argument(..., help="CSV (UTF-8 or GB18030) or Excel (.xlsx) file"),
    json_out: bool = JsonOpt,
    encoding: str | None = typer.Option(None, help="CSV encoding (default: detected)"),
) -> None:
    """导入名录文件：逐行校验，错误行报告行号、字段与原因，正确行保留 (import a register file)."""
    from youguan.auth.actor import Actor
    from youguan.context import initialise
    from youguan.registry.io import import_file
    from youguan.registry.tabular import FileProblem

    with cli_context() as ctx, ExitStack() as stack:
        initialise(ctx)
        bars: list[tuple[Progress, TaskID]] = []

        def on_row(done: int, total: int) -> None:
            if total < PROGRESS_FROM_ROWS:
                return
            if not bars:  # the bar starts only for a file big enough to wait for
                bar = stack.enter_context(progress(transient=True))
                bars.append((bar, bar.add_task(f"导入{ENTITY_LABELS[entity]}", total=total)))
            bars[0][0].update(bars[0][1], completed=done)

        try:
            with ctx.transaction() as session:
                report = import_file(
                    session, Actor.system(), entity.value, path, encoding=encoding, on_row=on_row
                )
        except FileProblem as exc:
            fail(f"{path}: {exc}")
    if json_out:
        emit_json(report.as_dict())
        return
    err.print(
        f"导入{ENTITY_LABELS[entity]} {path.name}：共 {report.rows} 行，新增 {report.created}，"
        f"更新 {report.updated}，未变 {report.unchanged}，拒绝 {report.rejected}",
        highlight=False,
    )
    if report.errors:
        table = Table("行", "字段", "代码", "原因", title="被拒绝的行", title_justify="left")
        for e in report.errors[:SHOWN_ERRORS]:
            table.add_row(str(e.row), e.field, e.code, e.message)
        err.print(table)
        if len(report.errors) > SHOWN_ERRORS:
            err.print(f"… 另有 {len(report.errors) - SHOWN_ERRORS} 条错误（用 --json 查看全部）")


def _filters(
    entity: Entity,
    *,
    brand: str | None = None,
    status: str | None = None,
    type_: str | None = None,
    division: str | None = None,
    active_on: dt.datetime | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Any:
    from youguan.registry import queries

    if entity is not Entity.facilities and (type_ or active_on):
        fail("--type 和 --active-on 只适用于 facilities")
    values: dict[str, Any] = {"brand": brand, "status": status, "q": q}
    values.update(limit=limit, offset=offset)
    model: type[queries.ListFilter]
    if entity is Entity.facilities:
        model = queries.FacilityFilter
        values.update(type=type_, division=division)
        values["active_on"] = active_on.date() if active_on else None
    else:
        model = queries.EnterpriseFilter if entity is Entity.enterprises else queries.VehicleFilter
        values["county"] = division
    try:
        return model(**values)
    except ValidationError as exc:
        fail(f"筛选条件无效：{exc.errors()[0]['msg']}")


BrandOpt = typer.Option(None, "--brand", help="Brand code, e.g. sf")
StatusOpt = typer.Option(None, "--status", help="active | suspended | closed")
TypeOpt = typer.Option(None, "--type", help="Facility type, e.g. express_outlet")
DivisionOpt = typer.Option(
    None, "--division", help="Division code prefix (county/township/village)"
)
ActiveOpt = typer.Option(None, "--active-on", formats=["%Y-%m-%d"], help="Open on this date")


@app.command("export")
def export(
    entity: Entity = EntityArg,
    path: Path = typer.Argument(..., help="Output file: .csv or .xlsx"),
    brand: str | None = BrandOpt,
    status: str | None = StatusOpt,
    type_: str | None = TypeOpt,
    division: str | None = DivisionOpt,
    active_on: dt.datetime | None = ActiveOpt,
) -> None:
    """导出名录为 CSV 或 Excel，可再导入且不产生变化 (export a register, re-importable)."""
    from youguan.context import initialise
    from youguan.registry.io import export_file
    from youguan.registry.tabular import FileProblem

    f = _filters(
        entity, brand=brand, status=status, type_=type_, division=division, active_on=active_on
    )
    with cli_context() as ctx:
        initialise(ctx)
        try:
            with ctx.read() as session:
                n = export_file(session, entity.value, path, filters=f)
        except FileProblem as exc:
            fail(f"{path}: {exc}")
        except OSError as exc:
            fail(f"{path}: 无法写入：{exc.strerror or exc}")
    err.print(f"已导出{ENTITY_LABELS[entity]} {n} 条到 {path}", highlight=False)


@app.command("list")
def list_(
    entity: Entity = EntityArg,
    brand: str | None = BrandOpt,
    status: str | None = StatusOpt,
    type_: str | None = TypeOpt,
    division: str | None = DivisionOpt,
    active_on: dt.datetime | None = ActiveOpt,
    q: str | None = typer.Option(None, "-q", "--search", help="Text in the name, key or address"),
    limit: int = typer.Option(50, help="Rows per page"),
    offset: int = typer.Option(0, help="Rows to skip"),
    json_out: bool = JsonOpt,
) -> None:
    """查询名录 (list the register with filters)."""
    from youguan.context import initialise
    from youguan.registry import queries
    from youguan.registry.io import export_header, record_row

    f = _filters(
        entity,
        brand=brand,
        status=status,
        type_=type_,
        division=division,
        active_on=active_on,
        q=q,
        limit=limit,
        offset=offset,
    )
    listers: dict[Entity, Callable[[Session, Any], queries.Page[Any]]] = {
        Entity.enterprises: queries.list_enterprises,
        Entity.facilities: queries.list_facilities,
        Entity.vehicles: queries.list_vehicles,
    }
    with cli_context() as ctx:
        initialise(ctx)
        with ctx.read() as session:
            page = listers[entity](session, f)
            header = export_header(entity.value)
            rows = [
                dict(zip(header, record_row(entity.value, obj), strict=True)) for obj in page.items
            ]
    if json_out:
        emit_json(
            {"entity": entity.value, "total": page.total, "limit": limit, "offset": offset}
            | {"items": rows}
        )
        return
    if not rows:
        err.print(f"共 {page.total} 条，本页没有记录", highlight=False)
        return
    _print_rows(entity, rows)
    err.print(f"共 {page.total} 条，显示第 {offset + 1}–{offset + len(rows)} 条", highlight=False)


SUMMARY_COLUMNS = {
    Entity.enterprises: ("uscc", "name", "brand", "kind", "county_code", "status"),
    Entity.facilities: ("code", "name", "type", "brand", "division_code", "opened_on", "status"),
    Entity.vehicles: ("plate", "brand", "kind", "vehicle_type", "new_energy", "status"),
}


def _print_rows(entity: Entity, rows: list[dict[str, Any]]) -> None:
    from youguan.registry import choices
    from youguan.registry.brands import brand_label

    labelled = {
        "type": choices.FACILITY_TYPES,
        "status": choices.STATUSES,
        "vehicle_type": choices.VEHICLE_TYPES,
    }
    kinds = choices.ENTERPRISE_KINDS if entity is Entity.enterprises else choices.VEHICLE_KINDS
    cols = SUMMARY_COLUMNS[entity]
    table = Table(*cols)
    for row in rows:
        cells = []
        for c in cols:
            v = row[c]
            if c == "brand":
                cells.append(brand_label(v) if v else "")
            elif c == "kind":
                cells.append(kinds.label_of(v))
            elif c in labelled:
                cells.append(labelled[c].label_of(v))
            else:
                cells.append("" if v is None else str(v))
        table.add_row(*cells)
    out.print(table)
