"""The drill-down page of one fact (``/indicators/facts/{id}``): the figure with its definition,
then the items behind it, a page at a time, personal data masked, with CSV and Excel exports of
every row (the API's ``/api/v1/facts/{id}/rows/export``). Out of scope is 404, like the API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from youguan.indicators import pages
from youguan.indicators.errors import web_errors
from youguan.indicators.page_schemas import DrillView
from youguan.web.deps import CtxDep, CurrentActor, IdPath
from youguan.web.pages import page

router = APIRouter()


@page(
    router, "/indicators/facts/{fact_id}", name="indicators.fact", template="indicators/drill.html"
)
def fact_rows(
    ctx: CtxDep,
    actor: CurrentActor,
    fact_id: IdPath,
    which: Annotated[
        Literal["numerator", "shortfall", "denominator", "pending"] | None,
        Query(description="明细范围"),
    ] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DrillView:
    """指标明细."""
    with web_errors():
        return pages.drill_view(ctx, actor, fact_id, which, page_number, page_size)
