"""Evaluating definitions: one aggregate over the per-item table gives every indicator of a
grouping (its numerator, denominator, pending count and, for quantiles, the value), and the
values are finished in Python (division, scale, seconds → hours) so no engine-specific float
arithmetic is involved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from youguan.indicators.definitions import Definition, Measure
from youguan.indicators.dimensions import Dimension
from youguan.indicators.items import ItemScope
from youguan.indicators.lakeview import LakeView
from youguan.indicators.parameters import Parameters
from youguan.indicators.periods import (
    epoch_seconds,
    local_day,
    local_midnight_epoch,
    month_of_index,
)
from youguan.indicators.registry import registry
from youguan.indicators.staging import default_chunk_items, staged_items

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from youguan.context import Context

SECONDS_PER_HOUR = 3600


class RangeError(ValueError):
    pass


@dataclass(frozen=True)
class Figure:
    """One indicator in one group. ``numerator`` is a count for ratios, the sum of hours for
    means and None for quantiles; ``value`` is None when the denominator is 0."""

    value: float | None
    numerator: float | None
    denominator: int
    pending: int


@dataclass
class Row:
    keys: dict[str, Any]  # raw engine keys (period indexes as integers)
    dims: dict[str, str | None]  # rendered dimension values
    items: int
    pending: int
    figures: dict[str, Figure] = field(default_factory=dict)


def _col(code: str, part: str) -> str:
    return f"{code}__{part}"


@dataclass
class Metrics:
    """The aggregate expressions of a set of definitions, each distinct one computed once
    (several definitions share a denominator or a pending count); ``aliases`` maps every
    ``<code>__<part>`` name to the column that holds it."""

    exprs: dict[str, ir.Value]
    aliases: dict[str, str]

    def expand(self, record: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(record)
        for name, column in self.aliases.items():
            out[name] = record[column]
        return out


def metrics(items: ir.Table, definitions: Sequence[Definition], params: Parameters) -> Metrics:
    """The aggregates of ``definitions`` (plus ``items`` and ``pending``) over ``items``."""
    exprs: dict[str, ir.Value] = {}
    aliases: dict[str, str] = {}
    seen: dict[Any, str] = {}

    def add(name: str, expr: ir.Value) -> None:
        node = expr.op()
        if node in seen:
            aliases[name] = seen[node]
        else:
            seen[node] = name
            exprs[name] = expr

    add("items", items.count())
    add("pending", (items.domestic & ~items.evaluable).sum())
    for d in definitions:
        pop = d.population(items, params)
        add(_col(d.code, "den"), pop.sum())
        if d.pending is not None:
            add(_col(d.code, "pending"), d.pending(items, params).sum())
        if d.measure is Measure.RATIO:
            assert d.numerator is not None
            add(_col(d.code, "num"), (pop & d.numerator(items, params)).sum())
        else:
            assert d.value is not None
            seconds = d.value(items, params)
            if d.measure is Measure.MEAN:
                add(_col(d.code, "num"), seconds.sum(where=pop))
            else:
                assert d.quantile is not None
                add(_col(d.code, "q"), seconds.cast("float64").quantile(d.quantile, where=pop))
    return Metrics(exprs, aliases)


@dataclass
class Aggregation:
    """An aggregate query and how to read its records."""

    expr: ir.Table
    metrics: Metrics

    def records(self) -> list[dict[str, Any]]:
        return [self.metrics.expand(r) for r in self.expr.to_pyarrow().to_pylist()]


def aggregate(
    items: ir.Table,
    keys: Mapping[str, ir.Value],
    definitions: Sequence[Definition],
    params: Parameters,
) -> Aggregation:
    """One aggregate of every definition grouped by ``keys`` (name → expression)."""
    m = metrics(items, definitions, params)
    if not keys:
        return Aggregation(items.aggregate(**m.exprs), m)
    return Aggregation(items.group_by(**dict(keys)).aggregate(**m.exprs), m)


def figure(d: Definition, record: Mapping[str, Any]) -> Figure:
    """Finish one definition's figure from an aggregated record."""
    den = int(record[_col(d.code, "den")] or 0)
    pending = int(record.get(_col(d.code, "pending")) or 0)
    if d.measure is Measure.RATIO:
        num = int(record[_col(d.code, "num")] or 0)
        value = num / den * d.unit.scale if den else None
        return Figure(value, float(num), den, pending)
    if d.measure is Measure.MEAN:
        total = record[_col(d.code, "num")]
        hours = float(total) / SECONDS_PER_HOUR if total is not None and den else None
        value = hours / den if hours is not None else None
        return Figure(value, hours if hours is not None else 0.0, den, pending)
    q = record[_col(d.code, "q")]
    value = float(q) / SECONDS_PER_HOUR if q is not None and den else None
    return Figure(value, None, den, pending)


def collect(
    aggregation: Aggregation, dims: Sequence[Dimension], definitions: Sequence[Definition]
) -> list[Row]:
    """Run an aggregate and finish its rows, sorted by their dimension values."""
    rows = []
    for record in aggregation.records():
        keys = {d.name: record[d.name] for d in dims}
        rows.append(
            Row(
                keys=keys,
                dims={d.name: d.render(keys[d.name]) for d in dims},
                items=int(record["items"] or 0),
                pending=int(record["pending"] or 0),
                figures={d.code: figure(d, record) for d in definitions},
            )
        )
    rows.sort(key=lambda r: tuple((v is None, v or "") for v in r.dims.values()))
    return rows


def scope_for_dates(
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.datetime,
    brands: Sequence[str] | None = None,
) -> ItemScope:
    """Items accepted from ``date_from`` to ``date_to`` inclusive (Asia/Shanghai), as of
    ``as_of``."""
    if date_to < date_from:
        raise RangeError(f"结束日期 {date_to} 早于开始日期 {date_from}")
    first = month_of_index(date_from.year * 12 + date_from.month - 1)
    last = month_of_index(date_to.year * 12 + date_to.month - 1)
    as_of_day = local_day(as_of)
    return ItemScope(
        start_s=local_midnight_epoch(date_from),
        end_s=local_midnight_epoch(date_to + dt.timedelta(days=1)),
        first_month=first.strftime("%Y-%m"),
        last_month=last.strftime("%Y-%m"),
        as_of_s=epoch_seconds(as_of),
        as_of_month=as_of_day.strftime("%Y-%m"),
        brands=tuple(brands) if brands is not None else None,
    )


@dataclass
class Evaluation:
    date_from: dt.date
    date_to: dt.date
    as_of: dt.datetime
    by: list[Dimension]
    definitions: list[Definition]
    params: Parameters
    data_version: int
    rows: list[Row]


def evaluate(
    ctx: Context,
    *,
    date_from: dt.date,
    date_to: dt.date,
    by: Sequence[Dimension] = (),
    as_of: dt.datetime | None = None,
    params: Parameters | None = None,
    codes: Sequence[str] | None = None,
    brands: Sequence[str] | None = None,
    chunk_items: int | None = None,
) -> Evaluation:
    """Evaluate indicators live on the committed lake: items accepted from ``date_from`` to
    ``date_to`` (inclusive, Asia/Shanghai), grouped by ``by``, as of ``as_of`` (default now).
    This is what ``youguan kpi`` prints; stored facts come from :mod:`youguan.indicators.facts`.
    ``chunk_items`` bounds memory (see :mod:`youguan.indicators.staging`; default by engine).
    """
    from youguan.db import utcnow
    from youguan.indicators.parameters import load_parameters
    from youguan.indicators.registry import definition

    as_of = as_of or utcnow()
    params = params or load_parameters(ctx.settings)
    defs = [definition(c) for c in codes] if codes else list(registry().values())
    view = LakeView.current(ctx.lake)
    scope = scope_for_dates(date_from, date_to, as_of, brands)
    chunks = chunk_items if chunk_items is not None else default_chunk_items(view)
    with staged_items(
        view, scope, params, scratch_root=ctx.settings.home_dir, chunk_items=chunks
    ) as items:
        aggregation = aggregate(items, {d.name: d.key(items) for d in by}, defs, params)
        rows = collect(aggregation, by, defs)
    if not by:
        rows = [r for r in rows if r.items]  # no items at all: no row, as with groups
    return Evaluation(date_from, date_to, as_of, list(by), defs, params, view.version, rows)


def as_document(evaluation: Evaluation) -> dict[str, Any]:
    """The ``youguan kpi --json`` document (DESIGN.md "Stable interfaces"): ``from``, ``to``,
    ``as_of``, ``by`` and ``rows`` of ``{dimensions…, "items", "pending", <code>: value, …}``.
    Rates are fractions 0–1, ``*_per_100k`` per 100 000, ``transit_hours_*`` in hours; a value
    is null when nothing is in its denominator."""
    rows = []
    for r in evaluation.rows:
        row: dict[str, Any] = dict(r.dims)
        row["items"] = r.items
        row["pending"] = r.pending
        for code, f in r.figures.items():
            row[code] = f.value
        rows.append(row)
    return {
        "from": evaluation.date_from.isoformat(),
        "to": evaluation.date_to.isoformat(),
        "as_of": evaluation.as_of.astimezone(dt.UTC).isoformat(),
        "by": [d.name for d in evaluation.by],
        "rows": rows,
    }
