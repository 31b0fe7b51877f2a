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

from youguan.indicators.aggregates import Figure, aggregate, figure
from youguan.indicators.definitions import Definition
from youguan.indicators.dimensions import Dimension
from youguan.indicators.items import ItemScope, build_items
from youguan.indicators.lakeview import LakeView
from youguan.indicators.parameters import Parameters
from youguan.indicators.periods import (
    epoch_seconds,
    local_day,
    local_midnight_epoch,
    month_of_index,
)
from youguan.indicators.registry import registry
from youguan.indicators.staging import aggregate_chunks, default_chunk_items, plan_chunks

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from youguan.context import Context


class RangeError(ValueError):
    pass


@dataclass
class Row:
    keys: dict[str, Any]  # raw engine keys (period indexes as integers)
    dims: dict[str, str | None]  # rendered dimension values
    items: int
    pending: int
    figures: dict[str, Figure] = field(default_factory=dict)


def collect(
    records: Sequence[Mapping[str, Any]],
    dims: Sequence[Dimension],
    definitions: Sequence[Definition],
) -> list[Row]:
    """Finish aggregated records into rows, sorted by their dimension values."""
    rows = []
    for record in records:
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
    size = chunk_items if chunk_items is not None else default_chunk_items(view, staged=False)
    chunks = plan_chunks(view, scope, size, one_brand=True)

    def keys(items: ir.Table) -> dict[str, ir.Value]:
        return {d.name: d.key(items) for d in by}

    if len(chunks) == 1:
        items = build_items(view, scope, params)
        records = aggregate(items, keys(items), defs, params).records()
    else:
        records = aggregate_chunks(view, chunks, params, keys, defs)
    rows = collect(records, by, defs)
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
