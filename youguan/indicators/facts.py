"""Computing facts: the stored indicator values every page, report and plan figure reads.

``compute`` decides which cells to (re)write (everything, a date range, or — incrementally — the
cells new batches touch plus those with pending items), then, year by year: builds the per-item
table of the months those cells span once (materialised as Parquet in a scratch directory, so the
events are aggregated once), runs one aggregate per grouping over it (every indicator at once),
and replaces the cells' facts in one transaction. A crash leaves the run ``running``; the next
incremental run starts again from the last finished one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, insert, or_, select, update

from youguan.auth.actor import Actor
from youguan.db import utcnow
from youguan.geo.divisions import PREFECTURE_CODE
from youguan.indicators.aggregates import Aggregation, figure, metrics
from youguan.indicators.cells import (
    Cell,
    cells_by_year,
    cells_for_months,
    month_start,
    months_of_cells,
    touched_months,
)
from youguan.indicators.definitions import Definition
from youguan.indicators.dimensions import DIMENSIONS
from youguan.indicators.items import ItemScope
from youguan.indicators.lakeview import LakeView
from youguan.indicators.models import ALL_BRANDS, Fact, IndicatorRun
from youguan.indicators.parameters import Parameters, load_parameters
from youguan.indicators.periods import (
    PeriodKind,
    epoch_seconds,
    local_day,
    local_midnight_epoch,
    months_of_period,
    period_index,
    period_start,
)
from youguan.indicators.registry import registry
from youguan.indicators.staging import default_chunk_items, staged_items

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from youguan.context import Context

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (description, done, total)


@dataclass(frozen=True)
class FactGrain:
    """Which facts are stored: period kinds × (whole prefecture and each county) × (all brands
    and each brand) × each set of further dimensions (``()`` = none)."""

    periods: tuple[PeriodKind, ...] = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
    dims: tuple[tuple[str, ...], ...] = ((), ("direction",))

    def groupings(self) -> list[Grouping]:
        out = []
        for period in self.periods:
            for by_brand in (False, True):
                for by_county in (False, True):
                    for extra in self.dims:
                        out.append(Grouping(period, by_brand, by_county, extra))
        return out


DEFAULT_GRAIN = FactGrain()


@dataclass(frozen=True)
class Grouping:
    period: PeriodKind
    by_brand: bool
    by_county: bool
    extra: tuple[str, ...]

    def keys(self, items: ir.Table) -> dict[str, ir.Value]:
        """The grouping's keys in one shape for every grouping: period index, brand (or
        ``all``), division (a county or the prefecture), further dimensions as a ``dims`` key."""
        import ibis

        dims: ir.StringValue = ibis.literal("")
        for i, name in enumerate(sorted(self.extra)):
            part = ibis.literal(f"{';' if i else ''}{name}=") + items[name].fill_null("")
            dims = part if i == 0 else dims + part
        return {
            "period": DIMENSIONS[self.period.value].key(items).cast("int64"),
            "brand_key": items.brand if self.by_brand else ibis.literal(ALL_BRANDS),
            "county_key": items.county if self.by_county else ibis.literal(PREFECTURE_CODE),
            "dims_key": dims,
        }


@dataclass
class ComputeSummary:
    run_id: int
    kind: str
    data_version: int
    since_version: int
    as_of: dt.datetime
    cells: int
    facts: int
    years: list[int] = field(default_factory=list)
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "data_version": self.data_version,
            "since_version": self.since_version,
            "as_of": self.as_of.isoformat(),
            "cells": self.cells,
            "facts": self.facts,
            "years": self.years,
            "reason": self.reason,
        }


def dims_key(values: dict[str, str | None]) -> str:
    """``{"direction": "outbound"}`` → ``"direction=outbound"`` (sorted; empty for none)."""
    return ";".join(f"{k}={v if v is not None else ''}" for k, v in sorted(values.items()))


def parse_dims_key(key: str) -> dict[str, str]:
    if not key:
        return {}
    return dict(part.split("=", 1) for part in key.split(";"))


def definition_versions() -> dict[str, int]:
    return {code: d.version for code, d in registry().items()}


def last_run(ctx: Context) -> IndicatorRun | None:
    with ctx.read() as s:
        return s.scalars(
            select(IndicatorRun)
            .where(IndicatorRun.status == "done")
            .order_by(IndicatorRun.id.desc())
            .limit(1)
        ).first()


def compute(
    ctx: Context,
    *,
    full: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    as_of: dt.datetime | None = None,
    actor: Actor | None = None,
    grain: FactGrain = DEFAULT_GRAIN,
    progress: Progress | None = None,
    union_groupings: bool | None = None,
    chunk_items: int | None = None,
) -> ComputeSummary:
    """(Re)compute facts. Without arguments: incrementally since the last run (or fully when
    there is none, or when the parameters or definition versions changed). ``full``: every
    period with data. ``date_from``/``date_to``: every period overlapping those dates.

    ``union_groupings`` evaluates all groupings of a year in one query over their union instead
    of one query each. Default: on Spark, where every query costs a job's fixed overhead and a
    cluster has the memory; not on DuckDB, where a quantile holds every value of its groups and
    a union would hold a year's values (65 M items at 2025 volume) once per grouping.
    ``chunk_items`` bounds the memory of building the item table (see
    :mod:`youguan.indicators.staging`; default by engine)."""
    actor = actor or Actor.system()
    as_of = as_of or utcnow()
    union = ctx.lake.backend.name == "pyspark" if union_groupings is None else union_groupings
    view = LakeView.current(ctx.lake)
    if chunk_items is None:
        chunk_items = default_chunk_items(view)
    params = load_parameters(ctx.settings)
    previous = last_run(ctx)
    kind, since, reason = _choose_kind(previous, params, as_of, full, date_from, date_to)

    if kind == "range":
        assert date_from is not None and date_to is not None
        cells = _range_cells(ctx, view, date_from, date_to, grain)
    elif kind == "full":
        cells = _range_cells(ctx, view, None, None, grain)
    else:
        cells = cells_for_months(touched_months(view, since), grain.periods)
        cells |= _pending_cells(ctx, as_of, grain)

    with ctx.transaction() as s:
        run = IndicatorRun(
            kind=kind,
            as_of=as_of,
            since_version=since,
            data_version=view.version,
            params=params.as_dict(),
            definitions=definition_versions(),
            actor=actor.name,
            note=reason or None,
        )
        s.add(run)
        s.flush()
        run_id = run.id
    summary = ComputeSummary(run_id, kind, view.version, since, as_of, len(cells), 0, reason=reason)
    try:
        by_year = cells_by_year(cells)
        total = len(by_year) * len(_batches(grain.groupings(), union))
        done = 0
        for year, year_cells in by_year.items():

            def step(description: str, counted: bool = True, _year: int = year) -> None:
                nonlocal done
                done += int(counted)
                if progress is not None:
                    progress(f"{_year} {description}", done, total)

            summary.facts += _compute_year(
                ctx, view, year_cells, params, as_of, run_id, grain, step, union, chunk_items
            )
            summary.years.append(year)
    except BaseException:
        with ctx.transaction() as s:
            s.execute(
                update(IndicatorRun)
                .where(IndicatorRun.id == run_id)
                .values(status="failed", finished_at=utcnow())
            )
        raise
    with ctx.transaction() as s:
        if kind == "full":  # facts of periods that no longer have any data
            s.execute(delete(Fact).where(Fact.run_id != run_id))
        s.execute(
            update(IndicatorRun)
            .where(IndicatorRun.id == run_id)
            .values(status="done", finished_at=utcnow(), cells=len(cells), facts=summary.facts)
        )
    log.info(
        "indicators: %s run %d wrote %d facts in %d cells (data version %d)",
        kind,
        run_id,
        summary.facts,
        len(cells),
        view.version,
    )
    return summary


def _choose_kind(
    previous: IndicatorRun | None,
    params: Parameters,
    as_of: dt.datetime,
    full: bool,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> tuple[str, int, str]:
    if (date_from is None) != (date_to is None):
        raise ValueError("--from 与 --to 须同时给出 (give both --from and --to)")
    if date_from is not None and date_to is not None:
        if date_to < date_from:
            raise ValueError(f"结束日期 {date_to} 早于开始日期 {date_from}")
        return "range", 0, ""
    if full:
        return "full", 0, "requested"
    if previous is None:
        return "full", 0, "no earlier run"
    if previous.params != params.as_dict():
        return "full", 0, "parameters changed"
    if previous.definitions != definition_versions():
        return "full", 0, "definition versions changed"
    if as_of < previous.as_of:
        return "full", 0, "as-of time earlier than the last run's"
    return "incremental", previous.data_version, ""


def _range_cells(
    ctx: Context,
    view: LakeView,
    date_from: dt.date | None,
    date_to: dt.date | None,
    grain: FactGrain,
) -> set[Cell]:
    """Cells of every period overlapping the dates (every period with waybills when None), for
    every brand with waybills in the period or facts stored for it, and for all brands."""
    brands_by_month: dict[str, set[str]] = {}
    for f in view.files("waybills"):
        brands_by_month.setdefault(f.month, set()).add(f.brand)
    if date_from is None or date_to is None:
        touched = {(b, m) for m, bs in brands_by_month.items() for b in bs}
        return cells_for_months(touched, grain.periods)
    cells: set[Cell] = set()
    with ctx.read() as s:
        for kind in grain.periods:
            index = period_index(kind, date_from)
            while (start := period_start(kind, index)) <= date_to:
                brands = {ALL_BRANDS}
                for month in months_of_period(kind, start):
                    brands |= brands_by_month.get(month, set())
                stored = select(Fact.brand).where(
                    Fact.period_kind == kind.value, Fact.period_start == start
                )
                brands |= set(s.scalars(stored.distinct()))
                cells |= {Cell(kind, start, b) for b in brands}
                index += 1
    return cells


def _pending_cells(ctx: Context, as_of: dt.datetime, grain: FactGrain) -> set[Cell]:
    kinds = [k.value for k in grain.periods]
    with ctx.read() as s:
        rows = s.execute(
            select(Fact.period_kind, Fact.period_start, Fact.brand)
            .where(Fact.pending > 0, Fact.as_of < as_of, Fact.period_kind.in_(kinds))
            .distinct()
        ).all()
    return {Cell(PeriodKind(k), start, brand) for k, start, brand in rows}


def _compute_year(
    ctx: Context,
    view: LakeView,
    cells: Sequence[Cell],
    params: Parameters,
    as_of: dt.datetime,
    run_id: int,
    grain: FactGrain,
    step: Callable[..., None],
    union: bool,
    chunk_items: int | None,
) -> int:
    months = months_of_cells(cells)
    first, last = month_start(months[0]), month_start(months[-1])
    last_day = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    scope = ItemScope(
        start_s=local_midnight_epoch(first),
        end_s=local_midnight_epoch(last_day),
        first_month=months[0],
        last_month=months[-1],
        as_of_s=epoch_seconds(as_of),
        as_of_month=local_day(as_of).strftime("%Y-%m"),
    )
    wanted = set(cells)
    defs = list(registry().values())
    provenance = {
        "data_version": view.version,
        "as_of": as_of,
        "computed_at": utcnow(),
        "run_id": run_id,
    }
    rows: list[dict[str, Any]] = []
    with staged_items(
        view,
        scope,
        params,
        scratch_root=ctx.settings.home_dir,
        chunk_items=chunk_items,
        always=True,
        on_chunk=lambda i, n: step(f"快件明细 {i}/{n}", counted=False),
    ) as items:
        for batch in _batches(grain.groupings(), union):
            for g, record in _aggregate_groupings(items, batch, defs, params):
                start = period_start(g.period, int(record["period"]))
                brand = str(record["brand_key"])
                county = record["county_key"]
                if Cell(g.period, start, brand) not in wanted or county is None:
                    continue  # an item without a county still counts in the prefecture
                dims = str(record["dims_key"])
                for d in defs:
                    fact = _fact(d, figure(d, record), g.period, start, str(county), brand, dims)
                    rows.append(fact | provenance)
            step(" ".join(_grouping_label(g) for g in batch))
    _replace(ctx, cells, rows)
    return len(rows)


def _batches(groupings: list[Grouping], union: bool) -> list[list[Grouping]]:
    """Groupings evaluated per query: all of them in one query over a union when ``union``,
    otherwise one each."""
    return [groupings] if union else [[g] for g in groupings]


KEY_COLUMNS = ("grp", "period", "brand_key", "county_key", "dims_key")


def _aggregate_groupings(
    items: ir.Table, batch: Sequence[Grouping], defs: Sequence[Definition], params: Parameters
) -> Iterator[tuple[Grouping, dict[str, Any]]]:
    """One aggregate over the union of the groupings' keyed items; yields (grouping, record)."""
    import ibis

    parts = [
        items.mutate(grp=ibis.literal(i).cast("int64"), **g.keys(items))
        for i, g in enumerate(batch)
    ]
    keyed = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    m = metrics(keyed, defs, params)
    expr = keyed.group_by(list(KEY_COLUMNS)).aggregate(**m.exprs)
    for record in Aggregation(expr, m).records():
        yield batch[int(record["grp"])], record


def _fact(
    d: Definition,
    f: Any,
    period: PeriodKind,
    start: dt.date,
    division: str,
    brand: str,
    dims: str,
) -> dict[str, Any]:
    return {
        "indicator": d.code,
        "definition_version": d.version,
        "period_kind": period.value,
        "period_start": start,
        "division": division,
        "brand": brand,
        "dims": dims,
        "value": f.value,
        "numerator": f.numerator,
        "denominator": f.denominator,
        "pending": f.pending,
    }


def _grouping_label(g: Grouping) -> str:
    parts = [g.period.label]
    if g.by_brand:
        parts.append("品牌")
    if g.by_county:
        parts.append("县")
    parts.extend(DIMENSIONS[n].label for n in g.extra)
    return "×".join(parts)


def _replace(ctx: Context, cells: Iterable[Cell], rows: list[dict[str, Any]]) -> None:
    """Delete the cells' facts and insert the new ones, in one transaction."""
    cells = list(cells)
    with ctx.transaction() as s:
        for i in range(0, len(cells), 200):
            chunk = cells[i : i + 200]
            s.execute(
                delete(Fact).where(
                    or_(
                        *(
                            and_(
                                Fact.period_kind == c.kind.value,
                                Fact.period_start == c.start,
                                Fact.brand == c.brand,
                            )
                            for c in chunk
                        )
                    )
                )
            )
        for i in range(0, len(rows), 5000):
            s.execute(insert(Fact), rows[i : i + 5000])
