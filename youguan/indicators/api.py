"""Indicators over JSON (``/api/v1``): the definitions, the stored values of one indicator by
period, brand, county and direction, one fact, the rows behind a fact (drill-down, personal data
masked) — each result also as CSV or Excel (``…/export?format=csv|xlsx``).

Scope is the service's (:func:`youguan.indicators.service.restrict`): an enterprise reads only its
own brand's figures (never another brand's, never the all-brand totals), a county regulator only
her county's; a fact out of scope answers 404, like one that does not exist. Reads never compute:
values come from the facts store, and only the drill-down reads the lake. Operation ids are the
function names.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from youguan.errors import Invalid
from youguan.indicators import drill, service
from youguan.indicators.errors import web_errors
from youguan.indicators.registry import definition
from youguan.indicators.schemas import DefinitionPublic, DrillPage, FactPublic, ValuesPublic
from youguan.indicators.tables import values_table
from youguan.paging import Page, paginate_list
from youguan.web.deps import CtxDep, CurrentActor, IdPath, Pagination

router = APIRouter(tags=["indicators"])

ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BINARY = {"schema": {"type": "string", "format": "binary"}}
EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "CSV（UTF-8，Excel 可直接打开）或 Excel 文件；Excel 另有“口径说明”工作表",
        "content": {media: BINARY for media in MEDIA_TYPES.values()},
    }
}

Code = Annotated[
    str, Path(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$", description="指标代码")
]
Format = Annotated[
    ExportFormat, Query(alias="format", description="csv（UTF-8，Excel 可直接打开）或 xlsx")
]
Which = Annotated[
    Literal["numerator", "shortfall", "denominator", "pending"] | None,
    Query(
        description="明细范围：numerator 计入分子、shortfall 未达标、denominator 计入分母、"
        "pending 尚不可评价；默认为该指标最常看的一类"
    ),
]


@dataclass(frozen=True)
class ValuesRequest:
    date_from: dt.date
    date_to: dt.date
    by: list[str]
    brand: str | None
    county: str | None
    direction: str | None


def values_request(
    date_from: Annotated[dt.date, Query(alias="from", description="开始日期（含，北京时间）")],
    date_to: Annotated[dt.date, Query(alias="to", description="结束日期（含，北京时间）")],
    by: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^[a-z_,]*$",
            description="分组，逗号分隔：周期 month（默认）、quarter、year、day 之一，"
            "及 brand、county、direction",
        ),
    ] = None,
    brand: Annotated[str | None, Query(max_length=16, description="只看一个品牌，如 sf")] = None,
    county: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="只看一个县（市），如 532801")
    ] = None,
    direction: Annotated[
        Literal["outbound", "inbound", "local"] | None,
        Query(description="只看一个流向：outbound 出港、inbound 进港、local 本地"),
    ] = None,
) -> ValuesRequest:
    if date_to < date_from:
        message = f"结束日期 {date_to} 早于开始日期 {date_from}"
        raise Invalid(message, details=[{"field": "to", "code": "date_order", "message": message}])
    names = [b.strip() for b in (by or "").split(",") if b.strip()]
    return ValuesRequest(date_from, date_to, names, brand or None, county or None, direction)


ValuesArgs = Annotated[ValuesRequest, Depends(values_request)]


@router.get("/indicators", summary="指标定义（口径、单位、方向、版本、参数）")
def indicators_list(ctx: CtxDep, actor: CurrentActor, page: Pagination) -> Page[DefinitionPublic]:
    return paginate_list(service.list_definitions(ctx), page)


@router.get("/indicators/{code}", summary="一个指标的定义")
def indicator_get(ctx: CtxDep, actor: CurrentActor, code: Code) -> DefinitionPublic:
    with web_errors():
        return service.get_definition(ctx, code)


def _values(ctx: CtxDep, actor: CurrentActor, code: str, q: ValuesRequest) -> ValuesPublic:
    with web_errors():
        return service.indicator_values(
            ctx,
            actor,
            code,
            date_from=q.date_from,
            date_to=q.date_to,
            by=q.by,
            brand=q.brand,
            county=q.county,
            direction=q.direction,
        )


@router.get("/indicators/{code}/values", summary="指标值（按周期、品牌、县、流向）")
def indicator_values_get(
    ctx: CtxDep, actor: CurrentActor, code: Code, q: ValuesArgs
) -> ValuesPublic:
    """Stored facts with their provenance (definition version, data version, as-of time). Rates
    are fractions 0–1, ``*_per_100k`` per 100 000 items, ``*_hours_*`` hours."""
    return _values(ctx, actor, code, q)


@router.get(
    "/indicators/{code}/values/export",
    summary="导出指标值（CSV 或 Excel）",
    response_class=FileResponse,
    responses=EXPORT_RESPONSES,
)
def indicator_values_export(
    ctx: CtxDep, actor: CurrentActor, code: Code, q: ValuesArgs, fmt: Format = "xlsx"
) -> FileResponse:
    """The same figures as ``/values``, with Chinese headings and the definition beside them."""
    values = _values(ctx, actor, code, q)
    name = f"{definition(code).name}_{q.date_from}至{q.date_to}.{fmt}"
    ascii_name = f"{code}-{q.date_from}-{q.date_to}.{fmt}"
    return _export(fmt, values_table(values).write, ascii_name, name)


@router.get("/facts/{fact_id}", summary="一个指标值及其来源")
def fact_get(ctx: CtxDep, actor: CurrentActor, fact_id: IdPath) -> FactPublic:
    with web_errors():
        return service.fact_public(service.get_fact(ctx, actor, fact_id))


@router.get("/facts/{fact_id}/rows", summary="指标值背后的快件明细（个人信息已脱敏）")
def fact_rows_list(
    ctx: CtxDep, actor: CurrentActor, fact_id: IdPath, page: Pagination, which: Which = None
) -> DrillPage:
    """The items behind a fact (e.g. the waybills that missed 72 h), read from the lake files
    of the fact's data version, one page at a time."""
    with web_errors():
        return drill.drill_down(
            ctx, actor, fact_id, which=which, page=page.page, page_size=page.page_size
        )


@router.get(
    "/facts/{fact_id}/rows/export",
    summary="导出指标值背后的快件明细（CSV 或 Excel）",
    response_class=FileResponse,
    responses=EXPORT_RESPONSES,
)
def fact_rows_export(
    ctx: CtxDep, actor: CurrentActor, fact_id: IdPath, which: Which = None, fmt: Format = "xlsx"
) -> FileResponse:
    with web_errors():
        fact = service.get_fact(ctx, actor, fact_id)  # 404 before any file is made
        name = f"{definition(fact.indicator).name}_明细_{fact_id}.{fmt}"
        return _export(
            fmt,
            lambda path: drill.export_drill(ctx, actor, fact_id, path, which=which),
            f"fact-{fact_id}-rows.{fmt}",
            name,
        )


def _export(fmt: str, write: Callable[[FilePath], int], ascii_name: str, name: str) -> FileResponse:
    """``write`` a file in a scratch folder and send it as an attachment; the folder is removed
    once the file has been sent (or at once when writing failed)."""
    folder = FilePath(tempfile.mkdtemp(prefix="youguan-export-"))
    path = folder / f"export.{fmt}"
    try:
        rows = write(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    # RFC 6266: a plain ASCII name for old clients, the Chinese one for the others.
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": disposition, "X-Rows": str(rows)},
        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True),
    )
