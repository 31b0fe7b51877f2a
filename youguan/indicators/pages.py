"""Context builders of the indicator pages: 服务质量 and 寄递安全 (one board per category), a
fact's drill-down, and 本企业指标 for the enterprise portal.

A board reads three queries of stored facts (by month, by brand, by county — see
:mod:`youguan.indicators.board`) and never the lake; the drill-down page is the one page that
reads the lake (the rows behind one fact, a page at a time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from youguan.auth.actor import Actor
from youguan.auth.permissions import VIEW_ALL
from youguan.auth.service import scope_label
from youguan.context import Context
from youguan.geo.divisions import divisions
from youguan.indicators import drill, service
from youguan.indicators.board import (
    Cells,
    Combined,
    MonthRange,
    combine,
    latest_month,
    read_cells,
)
from youguan.indicators.definitions import Category, Direction, DrillSet, Unit
from youguan.indicators.dimensions import DIRECTION_LABELS, SCOPE_LABELS, DimensionError
from youguan.indicators.page_schemas import (
    BASIS,
    Alert,
    BoardPage,
    BoardQuery,
    BrandIndicators,
    BrandMonth,
    DrillView,
    FigureOut,
    Option,
    Panel,
    RankRow,
    StageRow,
    TrendPoint,
)
from youguan.indicators.periods import (
    SHANGHAI,
    PeriodKind,
    month_index,
    period_label,
)
from youguan.indicators.registry import definition, registry
from youguan.indicators.schemas import DefinitionPublic, FactPublic
from youguan.indicators.tables import format_value, heading
from youguan.indicators.targets import Target, plan_targets
from youguan.registry.brands import brand_label, brands
from youguan.security.definitions import ID_INVALID_RATE

TREND_MONTHS = 12
STAGES = {
    "origin_processing_hours_mean": "收寄处理",
    "transport_hours_mean": "运输",
    "dest_processing_hours_mean": "寄达地处理",
    "delivery_hours_mean": "投递",
}
# 寄递安全 alerts: a brand or county whose monthly compliance rate is under the threshold — or
# whose share of invalid ID numbers is over its own — on enough items for the rate to mean
# something.
ALERT_THRESHOLD = 0.95
ID_INVALID_THRESHOLD = 0.01
ALERT_MIN_ITEMS = 30
ALERTS_SHOWN = 20
# Chinese labels of the coded columns of a drill-down (the JSON twin keeps the codes)
CODE_LABELS = {
    "direction": DIRECTION_LABELS,
    "scope": SCOPE_LABELS,
    "service": {"standard": "标准", "express": "特快", "economy": "经济", "intra_city": "同城急送"},
    "transport": {"road": "公路", "air": "航空", "rail": "铁路", "water": "水路"},
    "sender_kind": {
        "person": "个人",
        "organisation": "单位",
        "agreement_customer": "协议客户",
        "letter": "信件",
    },
}
# 本企业指标: the figures an enterprise looks at first.
BRAND_CODES = (
    "on_time_72h_rate",
    "delay_rate",
    "loss_per_100k",
    "damage_per_100k",
    "e_waybill_rate",
    "real_name_rate",
    "inspection_rate",
    "xray_rate",
)


@dataclass(frozen=True)
class BoardSpec:
    category: Category
    path: str
    title: str
    focus: str
    codes: tuple[str, ...]


def board_spec(category: Category) -> BoardSpec:
    codes = tuple(c for c, d in registry().items() if d.category is category and c not in STAGES)
    if category is Category.QUALITY:
        return BoardSpec(category, "/quality", "服务质量", "on_time_72h_rate", codes)
    return BoardSpec(category, "/security", "寄递安全", "real_name_rate", codes)


# ---- figures -------------------------------------------------------------------------------
def drill_url(fact_id: int | None) -> str | None:
    return None if fact_id is None else f"/indicators/facts/{fact_id}"


def value_text(code: str, value: float | None) -> str:
    d = definition(code)
    text = format_value(d, value)
    if value is None or d.unit is Unit.RATE:
        return text
    return f"{text} {d.unit.label}"


def figure_out(c: Combined, target: Target | None = None) -> FigureOut:
    met = target.met_by(c.value) if target else None
    return FigureOut(
        value=c.value,
        text=value_text(c.code, c.value),
        numerator=c.numerator,
        denominator=c.denominator,
        pending=c.pending,
        fact_id=c.fact_id,
        url=drill_url(c.fact_id),
        periods=c.periods,
        below_target=met is False,
    )


def _empty(code: str) -> Combined:
    return Combined(code, None, None, 0, 0, None, 0, None, None)


def _county_name(code: str) -> str:
    d = divisions().get(code)
    return d.name if d else code


def this_month() -> dt.date:
    """The first day of the current month, Asia/Shanghai."""
    today = dt.datetime.now(SHANGHAI).date()
    return dt.date(today.year, today.month, 1)


# ---- the boards ----------------------------------------------------------------------------
def month_range(ctx: Context, actor: Actor, q: BoardQuery) -> MonthRange:
    """The months of the filters: ``to`` defaults to the latest complete month with facts (this
    month's first day without any), ``from`` to the twelve months ending there."""

    def parse(text: str) -> dt.date:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)

    last = parse(q.end) if q.end else latest_month(ctx, actor)
    if last is None:
        last = this_month()
    first = parse(q.start) if q.start else MonthRange.ending(last, TREND_MONTHS).first
    if first > last:
        raise DimensionError(
            f"开始月份 {q.start} 晚于结束月份 {q.end or period_label(PeriodKind.MONTH, last)}"
        )
    if month_index(last) - month_index(first) >= 120:
        raise DimensionError("一次最多查看 120 个月")
    return MonthRange(first, last)


def _options(actor: Actor, spec: BoardSpec) -> dict[str, list[Option]]:
    return {
        "brands": [Option(code=b.code, label=b.short) for b in brands().values()],
        "counties": [Option(code=d.code, label=d.name) for d in divisions().prefecture_counties()],
        "directions": [Option(code=k, label=v) for k, v in DIRECTION_LABELS.items()],
        "indicators": [Option(code=c, label=definition(c).name) for c in spec.codes],
    }


def _filters(q: BoardQuery, months: MonthRange, focus: str) -> dict[str, str]:
    out = {
        "from": months.first.strftime("%Y-%m"),
        "to": months.last.strftime("%Y-%m"),
        "indicator": focus,
    }
    for key in ("brand", "county", "direction"):
        value = getattr(q, key)
        if value:
            out[key] = value
    return out


def _export_urls(focus: str, q: BoardQuery, months: MonthRange) -> dict[str, str]:
    params = {"from": months.date_from.isoformat(), "to": months.date_to.isoformat()}
    params |= {k: v for k in ("brand", "county", "direction") if (v := getattr(q, k))}
    params["by"] = "month"
    base = f"/api/v1/indicators/{focus}/values/export?"
    return {fmt: base + urlencode({**params, "format": fmt}) for fmt in ("xlsx", "csv")}


def _scope_label(actor: Actor) -> str:
    return scope_label(actor.role, actor.county_code, actor.brand, actor.entity_uscc)


def _totals(
    codes: Sequence[str],
    months: MonthRange,
    trend: Cells,
    cells: Callable[[PeriodKind], Cells],
) -> dict[str, Combined]:
    """Each indicator over the whole range: the stored fact when the range is one stored
    period, else combined from the months."""
    kind = months.single_period()
    source = cells(kind) if kind is not None and kind is not PeriodKind.MONTH else trend
    grouped: dict[str, list[FactPublic]] = {}
    for f in source.facts:
        grouped.setdefault(f.indicator, []).append(f)
    return {code: combine(code, fs) for code, fs in grouped.items() if code in codes}


def board_page(ctx: Context, actor: Actor, category: Category, q: BoardQuery) -> BoardPage:
    """服务质量 or 寄递安全: every indicator of the category over the filters' months (with its
    definition and target), the focused one by month, brand and county, and — by category —
    the stage times or the alerts."""
    spec = board_spec(category)
    focus = q.indicator or spec.focus
    if focus not in spec.codes:
        raise DimensionError(f"{spec.title}页面没有指标 {focus!r}；可用：{', '.join(spec.codes)}")
    service.check_filters(q.brand, q.county, q.direction)
    months = month_range(ctx, actor, q)
    codes = list(spec.codes) + (list(STAGES) if category is Category.QUALITY else [])
    # ranks over one stored period use its facts (exact quantiles, a drill-down link each);
    # over any other range they are combined from the months
    grain = months.single_period() or PeriodKind.MONTH

    def cells(period: PeriodKind, by_brand: bool = False, by_county: bool = False) -> Cells:
        return read_cells(
            ctx,
            actor,
            codes,
            months,
            period=period,
            by_brand=by_brand,
            by_county=by_county,
            brand=q.brand,
            county=q.county,
            direction=q.direction,
        )

    trend = cells(PeriodKind.MONTH)
    by_brand = cells(grain, by_brand=True)
    by_county = cells(grain, by_county=True)
    totals = _totals(codes, months, trend, cells)
    targets = plan_targets(ctx, months.last.year)
    params = service.list_definitions(ctx)
    described = {d.code: d for d in params}
    monthly = trend.by("period")
    starts = months.month_starts()

    def trend_of(code: str) -> list[TrendPoint]:
        points = []
        for start in starts:
            label = period_label(PeriodKind.MONTH, start)
            facts = monthly.get((code, label), [])
            c = combine(code, facts) if facts else _empty(code)
            points.append(TrendPoint(period=label, figure=figure_out(c, targets.get(code))))
        return points

    base = {k: v for k, v in _filters(q, months, focus).items() if k != "indicator"}
    panels = [
        Panel(
            definition=described[code],
            heading=heading(definition(code)),
            total=figure_out(totals.get(code) or _empty(code), targets.get(code)),
            target=targets[code].value if code in targets else None,
            target_text=targets[code].text if code in targets else None,
            trend=trend_of(code),
            url=f"{spec.path}?{urlencode({**base, 'indicator': code})}",
        )
        for code in spec.codes
    ]
    brand_totals = by_brand.combined("brand")
    county_totals = by_county.combined("division")
    target = targets.get(focus)
    brand_rows = sorted(
        (
            RankRow(code=b, name=brand_label(b), figure=figure_out(c, target))
            for (code, b), c in brand_totals.items()
            if code == focus
        ),
        key=lambda r: _rank_key(focus, r.figure.value),
    )
    county_rows = [
        RankRow(code=county, name=_county_name(county), figure=figure_out(c, target))
        for (code, county), c in sorted(county_totals.items())
        if code == focus
    ]
    has_data = any(p.total.denominator for p in panels)
    page = BoardPage(
        title=spec.title,
        category=category.value,
        scope_label=_scope_label(actor),
        basis=BASIS,
        range_label=months.label(),
        filters=_filters(q, months, focus),
        start=months.first.strftime("%Y-%m"),
        end=months.last.strftime("%Y-%m"),
        options=_options(actor, spec),
        show_brand_filter=actor.can(VIEW_ALL),
        show_county_filter=actor.county_code is None,
        has_data=has_data,
        empty_message=(
            f"{months.label()}暂无{spec.title}指标 — 企业报送收寄和轨迹数据并计算指标"
            "（youguan compute）后显示。"
        ),
        panels=panels,
        focus=focus,
        by_brand=brand_rows,
        by_county=county_rows,
        months=trend_of(focus),
        export_urls=_export_urls(focus, q, months),
    )
    if category is Category.QUALITY:
        page.stages, page.stage_names = _stages(brand_totals, totals), dict(STAGES)
    else:
        page.alerts, page.alerts_total = _alerts(spec, by_brand, by_county)
        page.alert_rule = (
            f"某品牌或某县（市）的实名、验视、过机安检率低于 {ALERT_THRESHOLD:.0%}，"
            f"或证件号码无效率高于 {ID_INVALID_THRESHOLD:.0%}（收寄不少于 {ALERT_MIN_ITEMS} 件）；"
            "三项制度的规划目标为 100%。"
        )
    return page


def _rank_key(code: str, value: float | None) -> tuple[int, float]:
    """Best first; no value last."""
    if value is None:
        return (1, 0.0)
    higher = definition(code).direction.value == "higher"
    return (0, -value if higher else value)


def _stages(
    brand_totals: dict[tuple[str, str], Combined], totals: dict[str, Combined]
) -> list[StageRow]:
    """Mean hours of the four stages, all brands first, then each brand (none without any
    item whose events give the whole chain)."""

    def row(code: str, name: str, figures: dict[str, Combined | None]) -> StageRow | None:
        hours = {s: (f.value if f else None) for s, f in figures.items()}
        if all(v is None for v in hours.values()):
            return None
        items = figures.get("transport_hours_mean")
        return StageRow(code=code, name=name, hours=hours, items=items.denominator if items else 0)

    rows = [row("all", "全部品牌", {s: totals.get(s) for s in STAGES})]
    for b in sorted({b for (code, b) in brand_totals if code in STAGES}):
        rows.append(row(b, brand_label(b), {s: brand_totals.get((s, b)) for s in STAGES}))
    return [r for r in rows if r is not None]


def alert_threshold(code: str) -> float:
    return ID_INVALID_THRESHOLD if code == ID_INVALID_RATE else ALERT_THRESHOLD


def _alerts(spec: BoardSpec, by_brand: Cells, by_county: Cells) -> tuple[list[Alert], int]:
    """Brands and counties off the alert line (from the stored facts), worst first."""
    found: list[tuple[float, Alert]] = []
    for cells, kind in ((by_brand, "brand"), (by_county, "county")):
        for f in cells.facts:
            if f.indicator not in spec.codes or f.value is None:
                continue
            threshold = alert_threshold(f.indicator)
            higher = definition(f.indicator).direction is Direction.HIGHER
            gap = threshold - f.value if higher else f.value - threshold
            if gap <= 0 or f.denominator < ALERT_MIN_ITEMS:
                continue
            where = f.brand_name if kind == "brand" else f.division_name
            alert = Alert(
                indicator=f.indicator,
                indicator_name=definition(f.indicator).name,
                where=where,
                period=f.period,
                text=value_text(f.indicator, f.value),
                value=f.value,
                threshold=threshold,
                denominator=f.denominator,
                url=drill_url(f.id),
            )
            found.append((gap, alert))
    found.sort(key=lambda pair: (-pair[0], pair[1].period))
    return [a for _, a in found[:ALERTS_SHOWN]], len(found)


# ---- the drill-down ------------------------------------------------------------------------
def drill_view(
    ctx: Context,
    actor: Actor,
    fact_id: int,
    which: str | None,
    page: int,
    page_size: int,
) -> DrillView:
    """A fact with its definition and one page of the items behind it (masked)."""
    rows = drill.drill_down(ctx, actor, fact_id, which=which, page=page, page_size=page_size)
    fact = rows.fact
    d = definition(fact.indicator)
    described = service.get_definition(ctx, fact.indicator)
    spec = board_spec(d.category)
    back = {"indicator": fact.indicator if fact.indicator in spec.codes else spec.focus}
    if fact.period_kind == PeriodKind.MONTH.value:
        back |= {"from": fact.period, "to": fact.period}
    if fact.brand != "all" and actor.can(VIEW_ALL):
        back["brand"] = fact.brand
    if fact.division != "5328" and actor.county_code is None:
        back["county"] = fact.division
    if "direction" in fact.dims:
        back["direction"] = fact.dims["direction"]
    export = {
        fmt: f"/api/v1/facts/{fact_id}/rows/export?"
        + urlencode({"which": rows.which, "format": fmt})
        for fmt in ("xlsx", "csv")
    }
    where = fact.division_name + ("" if fact.brand == "all" else f" · {fact.brand_name}")
    dims = "".join(f" · {DIRECTION_LABELS.get(v, v)}" for v in fact.dims.values())
    return DrillView(
        title=f"{d.name}明细",
        definition=described,
        fact=fact,
        value_text=value_text(d.code, fact.value),
        rows=rows,
        which_options=[Option(code=w.value, label=w.label) for w in DrillSet],
        export_urls=export,
        back_url=f"{spec.path}?{urlencode(back)}",
        labels=CODE_LABELS | {"brand": {b.code: b.short for b in brands().values()}},
        back_label=f"返回{spec.title}（{fact.period} · {where}{dims}）",
        data_note=(
            "明细按该指标值计算时的数据版本和计算时点重建；个人信息仅显示脱敏形式。"
            if rows.exact
            else "该指标值计算所用的数据文件已被整理或更正，明细按当前文件重建，"
            "可能与指标值略有出入。"
        ),
    )


# ---- 本企业指标 (the enterprise portal) -------------------------------------------------------
def brand_indicators(
    ctx: Context,
    actor: Actor,
    *,
    months: int = 6,
    brand: str | None = None,
    last: dt.date | None = None,
) -> BrandIndicators:
    """One brand's headline indicators for its last ``months`` complete months — the actor's
    own brand for an enterprise (``brand`` is then ignored), ``brand`` for the staff — ending
    with ``last`` (a month's first day) when the caller already knows it. Each figure links to
    the items behind it."""
    own = actor.brand if not actor.can(VIEW_ALL) else brand
    if not own:
        raise DimensionError("需要指定品牌（企业账号为其本企业品牌）")
    service.check_filters(own, None, None)
    last = last or latest_month(ctx, actor) or this_month()
    span = MonthRange.ending(last, months)
    cells = read_cells(ctx, actor, BRAND_CODES, span, by_brand=True, brand=own)
    grouped = cells.by("period")
    out = []
    for start in span.month_starts():
        label = period_label(PeriodKind.MONTH, start)
        figures = {}
        for code in BRAND_CODES:
            facts = grouped.get((code, label), [])
            figures[code] = figure_out(combine(code, facts) if facts else _empty(code))
        out.append(BrandMonth(period=label, period_start=start, figures=figures))
    described: list[DefinitionPublic] = [service.get_definition(ctx, c) for c in BRAND_CODES]
    return BrandIndicators(
        brand=own,
        brand_name=brand_label(own),
        definitions=described,
        months=out,
        basis=BASIS,
    )
