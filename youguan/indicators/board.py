"""Figures for pages, read from the facts store only (a page load never computes and never reads
the lake): the stored facts of a set of indicators by month, brand or county, and figures over a
range of months combined from them.

Combining is exact where the definition allows it (STYLE.md habit 6, pure): a ratio is
Σ numerator ÷ Σ denominator (× its scale), a mean is Σ hours ÷ Σ items (facts of a mean keep the
sum of hours as their numerator); a quantile cannot be combined from its months and is shown only
for a range that is one stored period (a month, a quarter, a year), whose fact is then used as it
is — with its id, so the figure links to its drill-down.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.indicators.definitions import Measure
from youguan.indicators.models import ALL_BRANDS, Fact
from youguan.indicators.periods import (
    SHANGHAI,
    PeriodKind,
    month_index,
    month_of_index,
    period_end,
)
from youguan.indicators.registry import definition
from youguan.indicators.schemas import FactPublic
from youguan.indicators.service import cells_query, read_facts, restrict


@dataclass(frozen=True)
class MonthRange:
    """Whole months ``first``–``last`` (their first days)."""

    first: dt.date
    last: dt.date

    @property
    def date_from(self) -> dt.date:
        return self.first

    @property
    def date_to(self) -> dt.date:
        return period_end(PeriodKind.MONTH, self.last)

    @property
    def months(self) -> int:
        return month_index(self.last) - month_index(self.first) + 1

    def month_starts(self) -> list[dt.date]:
        return [
            month_of_index(i) for i in range(month_index(self.first), month_index(self.last) + 1)
        ]

    def single_period(self) -> PeriodKind | None:
        """The stored period kind this range is exactly one period of, if any."""
        if self.months == 1:
            return PeriodKind.MONTH
        if self.months == 3 and self.first.month % 3 == 1:
            return PeriodKind.QUARTER
        if self.months == 12 and self.first.month == 1:
            return PeriodKind.YEAR
        return None

    def label(self) -> str:
        a, b = self.first, self.last
        if a == b:
            return f"{a.year}年{a.month}月"
        kind = self.single_period()
        if kind is PeriodKind.QUARTER:
            return f"{a.year}年第{(a.month - 1) // 3 + 1}季度"
        if kind is PeriodKind.YEAR:
            return f"{a.year}年"
        if a.year == b.year:
            return f"{a.year}年{a.month}—{b.month}月"
        return f"{a.year}年{a.month}月—{b.year}年{b.month}月"

    @classmethod
    def ending(cls, last: dt.date, months: int) -> MonthRange:
        end = month_index(last)
        return cls(month_of_index(end - months + 1), month_of_index(end))


@dataclass(frozen=True)
class Combined:
    """A figure over one or more stored facts of the same indicator and cell."""

    code: str
    value: float | None
    numerator: float | None
    denominator: int
    pending: int
    fact_id: int | None  # the stored fact, when the figure is exactly one
    periods: int  # how many stored periods it combines
    data_version: int | None
    definition_version: int | None


def combine(code: str, facts: Sequence[FactPublic]) -> Combined:
    """Combine facts of one indicator (months of a range) into one figure (see the module)."""
    d = definition(code)
    if len(facts) == 1:
        f = facts[0]
        return Combined(
            code,
            f.value,
            f.numerator,
            f.denominator,
            f.pending,
            f.id,
            1,
            f.data_version,
            f.definition_version,
        )
    den = sum(f.denominator for f in facts)
    pending = sum(f.pending for f in facts)
    versions = [f.data_version for f in facts]
    defs = {f.definition_version for f in facts}
    common = dict(
        fact_id=None,
        periods=len(facts),
        data_version=max(versions) if versions else None,
        definition_version=defs.pop() if len(defs) == 1 else None,
    )
    if d.measure is Measure.QUANTILE or not facts:
        return Combined(code, None, None, den, pending, **common)  # type: ignore[arg-type]
    num = sum(f.numerator or 0.0 for f in facts)
    if not den:
        value = None
    elif d.measure is Measure.RATIO:
        value = num / den * d.unit.scale
    else:
        value = num / den
    return Combined(code, value, num, den, pending, **common)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Cells:
    """Stored facts of one query, by indicator and cell."""

    facts: list[FactPublic]

    def by(self, key: str) -> dict[tuple[str, str], list[FactPublic]]:
        """Facts grouped by (indicator, ``key``) — ``key`` one of period, brand, division."""
        out: dict[tuple[str, str], list[FactPublic]] = defaultdict(list)
        for f in self.facts:
            out[(f.indicator, str(getattr(f, key)))].append(f)
        return out

    def combined(self, key: str) -> dict[tuple[str, str], Combined]:
        return {k: combine(k[0], fs) for k, fs in self.by(key).items()}


def read_cells(
    ctx: Context,
    actor: Actor,
    codes: Iterable[str],
    months: MonthRange,
    *,
    period: PeriodKind = PeriodKind.MONTH,
    by_brand: bool = False,
    by_county: bool = False,
    brand: str | None = None,
    county: str | None = None,
    direction: str | None = None,
) -> Cells:
    """The stored facts of ``codes`` over ``months`` in the actor's scope (one query)."""
    stmt = cells_query(
        actor,
        list(codes),
        period,
        months.date_from,
        months.date_to,
        by_brand=by_brand,
        by_county=by_county,
        brand=brand,
        county=county,
        direction=direction,
    )
    return Cells(read_facts(ctx, stmt))


def latest_month(ctx: Context, actor: Actor, *, today: dt.date | None = None) -> dt.date | None:
    """The first day of the latest complete month (ended before ``today``, Asia/Shanghai) with a
    stored fact the actor may see; None without any."""
    today = today or dt.datetime.now(SHANGHAI).date()
    current = month_of_index(month_index(today))
    stmt = select(func.max(Fact.period_start)).where(
        Fact.period_kind == PeriodKind.MONTH.value, Fact.period_start < current
    )
    if actor.brand and not actor.is_staff:
        stmt = stmt.where(Fact.brand == actor.brand)
    else:
        stmt = stmt.where(Fact.brand == ALL_BRANDS)
    stmt = restrict(stmt.select_from(Fact), actor)
    with ctx.read() as s:
        return s.scalar(stmt)
