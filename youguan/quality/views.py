"""服务质量 (``quality.index``): the service-quality indicators of DOMAIN §2.3 by month, brand and
county, with their definitions, targets, stage times and drill-down links — read from the stored
facts (:func:`youguan.indicators.pages.board_page`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from youguan.indicators import page_charts, pages
from youguan.indicators.definitions import Category
from youguan.indicators.errors import web_errors
from youguan.indicators.page_schemas import BoardPage, BoardQuery
from youguan.web.deps import CtxDep, CurrentActor
from youguan.web.pages import page

router = APIRouter()


@page(
    router,
    "/quality",
    name="quality.index",
    template="quality/index.html",
    charts=page_charts.quality_charts,
)
def quality_index(ctx: CtxDep, actor: CurrentActor, q: Annotated[BoardQuery, Query()]) -> BoardPage:
    """服务质量."""
    with web_errors():
        return pages.board_page(ctx, actor, Category.QUALITY, q)
