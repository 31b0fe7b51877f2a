"""Reading indicators: definitions, stored facts and their values, scoped to the actor.

Scope (STYLE.md habit 7) is applied in one place, :func:`restrict`: staff with ``view.all`` see
every brand — a county regulator only the facts of her county (never the prefecture's totals,
which include the other counties); an enterprise sees only its own brand's facts (never the
all-brand totals); anyone else sees none. Out-of-scope facts are reported as not found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, select

from youguan.auth.actor import Actor
from youguan.auth.permissions import VIEW_ALL
from youguan.context import Context
from youguan.geo.divisions import PREFECTURE_CODE, PREFECTURE_NAME, divisions
from youguan.indicators.definitions import Definition
from youguan.indicators.dimensions import DIMENSIONS, DIRECTION_LABELS, DimensionError
from youguan.indicators.facts import parse_dims_key
from youguan.indicators.models import ALL_BRANDS, Fact
from youguan.indicators.parameters import PARAMETER_INFO, Parameters, load_parameters
from youguan.indicators.periods import (
    PeriodKind,
    period_end,
    period_index,
    period_label,
    period_start,
)
from youguan.indicators.registry import definition, registry
from youguan.indicators.schemas import (
    DefinitionPublic,
    FactPublic,
    FactValue,
    ParameterPublic,
    ValuesPublic,
)
from youguan.registry.brands import brand_label, brands

STORED_DIMENSIONS = ("brand", "county", "direction")


class NotFound(LookupError):
    """No such fact, or not one the actor may see (answered as 404)."""


# ---- definitions ---------------------------------------------------------------------------
def describe(d: Definition, params: Parameters) -> DefinitionPublic:
    values = params.as_dict()
    return DefinitionPublic(
        code=d.code,
        name=d.name,
        unit=d.unit.value,
        unit_label=d.unit.label,
        direction=d.direction.value,
        direction_label=d.direction.label,
        category=d.category.value,
        category_label=d.category.label,
        measure=d.measure.value,
        text=d.render_text(params),
        version=d.version,
        local_method=d.local_method,
        source=d.source,
        parameters=[
            ParameterPublic(
                name=p,
                label=PARAMETER_INFO[p].label,
                value=values[p],
                unit=PARAMETER_INFO[p].unit,
                source=PARAMETER_INFO[p].source,
            )
            for p in d.parameters
        ],
        drill=d.drill.value,
    )


def list_definitions(ctx: Context) -> list[DefinitionPublic]:
    """Every registered indicator, texts rendered with the deployment's parameters
    (``GET /api/v1/indicators``)."""
    params = load_parameters(ctx.settings)
    return [describe(d, params) for d in registry().values()]


def get_definition(ctx: Context, code: str) -> DefinitionPublic:
    """One definition; raises :class:`~youguan.indicators.registry.UnknownIndicator`."""
    return describe(definition(code), load_parameters(ctx.settings))


# ---- scope ---------------------------------------------------------------------------------
def restrict(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """Limit a query of :class:`Fact` rows to what ``actor`` may read."""
    if actor.can(VIEW_ALL):
        if actor.county_code:
            return stmt.where(Fact.division == actor.county_code)
        return stmt
    if actor.brand:
        stmt = stmt.where(Fact.brand == actor.brand)
        if actor.county_code:
            stmt = stmt.where(Fact.division == actor.county_code)
        return stmt
    return stmt.where(false())


def scoped_filters(
    actor: Actor, brand: str | None, county: str | None
) -> tuple[str | None, str | None]:
    """The brand and county a query of ``actor`` is narrowed to: an enterprise always reads its
    own brand, a county regulator her county, whatever they asked for."""
    if not actor.can(VIEW_ALL) and actor.brand:
        brand = actor.brand
    if actor.county_code:
        county = actor.county_code
    return brand, county


def check_filters(brand: str | None, county: str | None, direction: str | None) -> None:
    """Unknown codes are errors naming the allowed ones (not an empty answer)."""
    if brand is not None and brand not in brands():
        raise DimensionError(f"未知品牌 {brand!r}；可用品牌：{', '.join(brands())}")
    counties = [d.code for d in divisions().prefecture_counties()]
    if county is not None and county not in counties:
        raise DimensionError(f"未知县（市）代码 {county!r}；可用：{', '.join(counties)}")
    if direction is not None and direction not in DIRECTION_LABELS:
        raise DimensionError(f"未知流向 {direction!r}；可用：{', '.join(DIRECTION_LABELS)}")


def fact_public(f: Fact) -> FactPublic:
    kind = PeriodKind(f.period_kind)
    if f.division == PREFECTURE_CODE:
        division_name = PREFECTURE_NAME
    else:
        d = divisions().get(f.division)
        division_name = d.name if d else f.division
    return FactPublic(
        **FactValue.model_validate(f).model_dump(),
        id=f.id,
        indicator=f.indicator,
        period_kind=f.period_kind,
        period=period_label(kind, f.period_start),
        period_start=f.period_start,
        period_end=period_end(kind, f.period_start),
        division=f.division,
        division_name=division_name,
        brand=f.brand,
        brand_name="全部品牌" if f.brand == ALL_BRANDS else brand_label(f.brand),
        dims=parse_dims_key(f.dims),
        run_id=f.run_id,
    )


def get_fact(ctx: Context, actor: Actor, fact_id: int) -> Fact:
    """A fact the actor may see, or :class:`NotFound`."""
    with ctx.read() as s:
        f = s.scalars(restrict(select(Fact).where(Fact.id == fact_id), actor)).first()
    if f is None:
        raise NotFound(f"没有编号为 {fact_id} 的指标值")
    return f


# ---- values --------------------------------------------------------------------------------
def yearly_value(
    ctx: Context, code: str, year: int, *, division: str = "5328", brand: str | None = None
) -> FactValue | None:
    """The stored value of ``code`` for calendar ``year`` (Asia/Shanghai) in ``division`` (the
    prefecture by default, or a county code) for ``brand`` (all brands by default), without
    further dimensions; None when it has not been computed."""
    definition(code)  # an unknown code is an error, not "no data"
    with ctx.read() as s:
        f = s.scalars(
            select(Fact).where(
                Fact.indicator == code,
                Fact.period_kind == PeriodKind.YEAR.value,
                Fact.period_start == dt.date(year, 1, 1),
                Fact.division == division,
                Fact.brand == (brand or ALL_BRANDS),
                Fact.dims == "",
            )
        ).first()
    return None if f is None else FactValue.model_validate(f)


def parse_value_dims(by: Sequence[str]) -> tuple[PeriodKind, list[str]]:
    """Split ``by`` into the period kind (default month) and the stored dimensions."""
    period = PeriodKind.MONTH
    dims: list[str] = []
    periods = [b for b in by if b in {k.value for k in PeriodKind}]
    if len(periods) > 1:
        raise DimensionError("只能按一种时间周期分组 (day, month, quarter 或 year)")
    if periods:
        period = PeriodKind(periods[0])
    for b in by:
        if b in periods:
            continue
        if b not in DIMENSIONS:
            raise DimensionError(f"未知维度 {b!r}；可用维度：{', '.join(STORED_DIMENSIONS)}")
        if b not in STORED_DIMENSIONS:
            raise DimensionError(
                f"维度 {b!r} 不在已存储的指标值中（可用：{', '.join(STORED_DIMENSIONS)}）；"
                "请用 youguan kpi 直接计算"
            )
        dims.append(b)
    return period, dims


def cells_query(
    actor: Actor,
    codes: Sequence[str],
    period: PeriodKind,
    date_from: dt.date,
    date_to: dt.date,
    *,
    by_brand: bool = False,
    by_county: bool = False,
    by_direction: bool = False,
    brand: str | None = None,
    county: str | None = None,
    direction: str | None = None,
) -> Select[Any]:
    """The stored facts of ``codes`` for the periods of kind ``period`` overlapping
    ``date_from``–``date_to``, in ``actor``'s scope: one per brand (else all-brand totals), per
    county (else the prefecture, or ``county``), per direction (else over every direction, or
    ``direction``) — the one query behind the API's values and the pages."""
    brand, county = scoped_filters(actor, brand, county)
    first = period_index(period, date_from)
    stmt = select(Fact).where(
        Fact.indicator.in_(list(codes)),
        Fact.period_kind == period.value,
        Fact.period_start >= period_start(period, first),
        Fact.period_start <= date_to,
    )
    if by_brand:
        stmt = stmt.where(Fact.brand != ALL_BRANDS)
        if brand:
            stmt = stmt.where(Fact.brand == brand)
    else:
        stmt = stmt.where(Fact.brand == (brand or ALL_BRANDS))
    if county:
        stmt = stmt.where(Fact.division == county)
    elif by_county:
        stmt = stmt.where(Fact.division != PREFECTURE_CODE)
    else:
        stmt = stmt.where(Fact.division == PREFECTURE_CODE)
    if direction:
        stmt = stmt.where(Fact.dims == f"direction={direction}")
    elif by_direction:
        stmt = stmt.where(Fact.dims.like("direction=%"))
    else:
        stmt = stmt.where(Fact.dims == "")
    return restrict(stmt, actor).order_by(
        Fact.indicator, Fact.period_start, Fact.brand, Fact.division, Fact.dims
    )


def read_facts(ctx: Context, stmt: Select[Any]) -> list[FactPublic]:
    with ctx.read() as s:
        return [fact_public(f) for f in s.scalars(stmt)]


def indicator_values(
    ctx: Context,
    actor: Actor,
    code: str,
    *,
    date_from: dt.date,
    date_to: dt.date,
    by: Sequence[str] = (),
    brand: str | None = None,
    county: str | None = None,
    direction: str | None = None,
) -> ValuesPublic:
    """Stored values of one indicator for periods overlapping ``date_from``–``date_to``
    (``GET /api/v1/indicators/{code}/values?from=&to=&by=``).

    ``by`` may name one period kind (``day``, ``month`` — the default —, ``quarter``, ``year``)
    and any of ``brand``, ``county``, ``direction``; without ``brand`` the figures are all-brand
    totals, without ``county`` prefecture-wide, without ``direction`` over every direction.
    ``brand``, ``county`` and ``direction`` narrow the figures to one of each. An enterprise
    always gets its own brand's figures, a county regulator her county's."""
    d = definition(code)
    if date_to < date_from:
        raise DimensionError(f"结束日期 {date_to} 早于开始日期 {date_from}")
    period, dims = parse_value_dims(by)
    check_filters(brand, county, direction)
    stmt = cells_query(
        actor,
        [code],
        period,
        date_from,
        date_to,
        by_brand="brand" in dims,
        by_county="county" in dims,
        by_direction="direction" in dims,
        brand=brand,
        county=county,
        direction=direction,
    )
    return ValuesPublic(
        definition=describe(d, load_parameters(ctx.settings)),
        date_from=date_from,
        date_to=date_to,
        period_kind=period.value,
        by=list(by),
        facts=read_facts(ctx, stmt),
    )
