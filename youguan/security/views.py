"""寄递安全 (``security.index``): 实名收寄、收寄验视 and 过机安检 rates (DOMAIN §2.4) against the
plan's 100 % by month, brand and county, with the alerts derived from the stored facts and
drill-down to the items without real name, inspection or X-ray
(:func:`youguan.indicators.pages.board_page`)."""

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
    "/security",
    name="security.index",
    template="security/index.html",
    charts=page_charts.security_charts,
)
def security_index(
    ctx: CtxDep, actor: CurrentActor, q: Annotated[BoardQuery, Query()]
) -> BoardPage:
    """寄递安全."""
    with web_errors():
        return pages.board_page(ctx, actor, Category.SECURITY, q)
