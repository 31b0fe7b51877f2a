"""总览's headline figures: the indicators a regulator looks at first, for the latest complete month
and the year to date, against the plan's targets, with their twelve-month trends and the alerts
they raise — all from the stored facts, in the actor's scope (a county regulator: her county).

The year to date runs from January to the latest complete month and is combined from the months
(exact for ratios, see :func:`youguan.indicators.board.combine`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.indicators.board import MonthRange, combine, latest_month, read_cells
from youguan.indicators.definitions import Unit
from youguan.indicators.pages import drill_url, value_text
from youguan.indicators.periods import PeriodKind, period_label
from youguan.indicators.registry import definition
from youguan.indicators.schemas import FactPublic
from youguan.indicators.targets import Target, plan_targets
from youguan.web.schemas import IndicatorCard, OverviewSection

# (section, title, page, indicator codes) — DOMAIN §2.3–2.4
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "quality",
        "服务质量",
        "/quality",
        ("on_time_72h_rate", "delay_rate", "loss_per_100k", "damage_per_100k"),
    ),
    ("security", "寄递安全", "/security", ("real_name_rate", "inspection_rate", "xray_rate")),
)
TREND_MONTHS = 12


@dataclass(frozen=True)
class TrendSeries:
    code: str
    name: str
    unit: str
    values: list[float | None]


@dataclass
class Headlines:
    sections: list[OverviewSection]
    month: dt.date | None
    periods: list[str] = field(default_factory=list)  # the trend's months
    trends: dict[str, list[TrendSeries]] = field(default_factory=dict)  # by section
    off_target: list[IndicatorCard] = field(default_factory=list)


def _percent(code: str, value: float | None) -> float | None:
    if value is None:
        return None
    return value * 100 if definition(code).unit is Unit.RATE else value


def _unit(code: str) -> str:
    d = definition(code)
    return "%" if d.unit is Unit.RATE else d.unit.label


def _basis(code: str) -> str:
    d = definition(code)
    local = "，本地口径" if d.local_method else ""
    return f"运营数据全量统计（非申诉数据）{local}，口径第 {d.version} 版"


def headlines(ctx: Context, actor: Actor, *, today: dt.date | None = None) -> Headlines:
    """The headline sections of 总览 (cards without values when no facts exist yet)."""
    codes = [c for _, _, _, cs in SECTIONS for c in cs]
    month = latest_month(ctx, actor, today=today)
    if month is None:
        return Headlines(_sections({}), None)
    ytd = MonthRange(dt.date(month.year, 1, 1), month)
    span = MonthRange.ending(month, TREND_MONTHS)
    cells = read_cells(ctx, actor, codes, MonthRange(min(span.first, ytd.first), month))
    by_month = cells.by("period")
    targets = plan_targets(ctx, month.year)
    cards: dict[str, IndicatorCard] = {}
    for code in codes:
        this = by_month.get((code, period_label(PeriodKind.MONTH, month)), [])
        year = [
            f
            for start in ytd.month_starts()
            for f in by_month.get((code, period_label(PeriodKind.MONTH, start)), [])
        ]
        cards[code] = _card(code, this, year, month, ytd, targets)
    out = Headlines(_sections(cards), month)
    out.periods = [period_label(PeriodKind.MONTH, s) for s in span.month_starts()]
    for section, _, _, section_codes in SECTIONS:
        out.trends[section] = [_series(code, by_month, out.periods) for code in section_codes]
    out.off_target = [c for c in cards.values() if c.on_target is False]
    return out


def _card(
    code: str,
    month_facts: list[FactPublic],
    year_facts: list[FactPublic],
    month: dt.date,
    ytd: MonthRange,
    targets: dict[str, Target],
) -> IndicatorCard:
    d = definition(code)
    this = combine(code, month_facts) if month_facts else None
    year = combine(code, year_facts) if year_facts else None
    target = targets.get(code)
    ytd_value = year.value if year else None
    return IndicatorCard(
        code=code,
        label=d.name,
        unit=_unit(code),
        value=_percent(code, this.value) if this else None,
        text=value_text(code, this.value) if this else None,
        period=f"{month.year}年{month.month}月",
        basis=_basis(code),
        url=drill_url(this.fact_id) if this else None,
        ytd=_percent(code, ytd_value),
        ytd_text=value_text(code, ytd_value) if year else None,
        ytd_period=ytd.label(),
        target_text=target.text if target else None,
        on_target=target.met_by(ytd_value) if target else None,
        local_method=d.local_method,
        definition_version=d.version,
    )


def _series(
    code: str, by_month: dict[tuple[str, str], list[FactPublic]], periods: list[str]
) -> TrendSeries:
    values = []
    for p in periods:
        facts = by_month.get((code, p), [])
        values.append(_percent(code, combine(code, facts).value) if facts else None)
    return TrendSeries(code, definition(code).name, _unit(code), values)


def _sections(cards: dict[str, IndicatorCard]) -> list[OverviewSection]:
    out = []
    for section, title, url, codes in SECTIONS:
        out.append(
            OverviewSection(
                code=section,
                title=title,
                cards=[
                    cards.get(c)
                    or IndicatorCard(
                        code=c, label=definition(c).name, unit=_unit(c), basis=_basis(c)
                    )
                    for c in codes
                ],
                empty_message=(
                    f"暂无数据 — 企业报送收寄和轨迹数据并计算指标后，{title}指标将在此显示。"
                ),
                detail_url=url,
            )
        )
    return out
