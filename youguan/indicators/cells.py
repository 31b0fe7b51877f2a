"""Which fact cells a computation must (re)write.

A *cell* is (period kind, period start, brand): all facts of one brand (or ``all``) in one
period, over every division and dimension. Cells are the unit of recomputation because quantiles
are not additive — a month, quarter or year is recomputed from its items, never from smaller
cells.

Incremental recomputation maps each batch committed since the last run to the acceptance months
of the items it touches:

- a waybill batch touches the (brand, month) partitions it wrote (the month is the acceptance
  month);
- an events or security batch touches the acceptance months of the waybills it names, found by
  joining its waybill numbers to the brand's waybills — an item accepted on 31 January has its
  delivery in February's event partition, and that changes January's figures;
- a batch that retired files (a compaction or correction) touches those files' partitions; for
  retired events or security files, whose rows can no longer be read, every acceptance month of the
  brand up to the month after the file's month is taken (conservative, and rare).

Each touched (brand, month) makes the cells of its month, quarter and year dirty for that brand
and for ``all``. Cells whose stored facts still had pending items are recomputed as well: time
alone makes those items evaluable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from youguan.indicators.lakeview import LakeView
from youguan.indicators.models import ALL_BRANDS
from youguan.indicators.periods import (
    PeriodKind,
    month_key_index,
    month_of_index,
    months_between,
    period_end,
    period_index,
    period_start,
)
from youguan.lake.models import LakeBatch, LakeFile

ITEM_DATASETS = ("events", "security")


@dataclass(frozen=True, order=True)
class Cell:
    kind: PeriodKind
    start: dt.date
    brand: str  # a brand code or ALL_BRANDS

    @property
    def end(self) -> dt.date:
        return period_end(self.kind, self.start)

    @property
    def year(self) -> int:
        return self.start.year


def month_start(key: str) -> dt.date:
    return month_of_index(month_key_index(key))


def cells_for_months(
    touched: Iterable[tuple[str, str]], periods: Iterable[PeriodKind]
) -> set[Cell]:
    """The cells of every period kind containing each touched (brand, ``YYYY-MM``), for that
    brand and for all brands."""
    out: set[Cell] = set()
    kinds = list(periods)
    for brand, month in touched:
        first = month_start(month)
        for kind in kinds:
            if kind is PeriodKind.DAY:
                starts = [
                    first + dt.timedelta(days=i)
                    for i in range((period_end(PeriodKind.MONTH, first) - first).days + 1)
                ]
            else:
                starts = [period_start(kind, period_index(kind, first))]
            for start in starts:
                out.add(Cell(kind, start, brand))
                out.add(Cell(kind, start, ALL_BRANDS))
    return out


def months_of_cells(cells: Iterable[Cell]) -> list[str]:
    months: set[str] = set()
    for c in cells:
        months.update(months_between(c.start, c.end))
    return sorted(months)


def touched_months(view: LakeView, since_seq: int) -> set[tuple[str, str]]:
    """(brand, acceptance month) of every item changed by batches after ``since_seq`` up to the
    view's version."""
    touched: set[tuple[str, str]] = set()
    item_keys: list[pa.Table] = []
    unreadable: dict[str, str] = {}  # brand → latest month of an unreadable events/security file
    with view.lake.ctx.read() as s:
        batches = list(
            s.scalars(
                select(LakeBatch).where(LakeBatch.seq > since_seq, LakeBatch.seq <= view.version)
            )
        )
        seqs = [b.seq for b in batches]
        added = list(s.scalars(select(LakeFile).where(LakeFile.batch_seq.in_(seqs))))
        retired = list(s.scalars(select(LakeFile).where(LakeFile.retired_seq.in_(seqs))))
    for f in added:
        if f.dataset == "waybills":
            touched.add((f.brand, f.month))
        elif f.dataset in ITEM_DATASETS:
            path = view.lake.root / f.path
            if path.exists():
                item_keys.append(pq.read_table(path, columns=["brand", "waybill_no"]))
            else:  # replaced since by a later batch, whose own files are read instead
                continue
    for f in retired:
        if f.dataset == "waybills":
            touched.add((f.brand, f.month))
        elif f.dataset in ITEM_DATASETS:
            unreadable[f.brand] = max(unreadable.get(f.brand, f.month), f.month)
    if item_keys:
        touched |= _acceptance_months(view, pa.concat_tables(item_keys))
    for brand, month in unreadable.items():
        limit = month_of_index(month_key_index(month) + 1).strftime("%Y-%m")
        for info in view.files("waybills", brands=[brand], month_to=limit):
            touched.add((brand, info.month))
    return touched


def _acceptance_months(view: LakeView, keys: pa.Table) -> set[tuple[str, str]]:
    """(brand, month) of the waybills named in ``keys`` (brand, waybill_no)."""
    import ibis

    keys = keys.group_by(["brand", "waybill_no"]).aggregate([])
    brands = sorted(set(keys.column("brand").to_pylist()))
    waybills = view.table("waybills", brands=brands)
    named = ibis.memtable(keys)
    months = (
        waybills.select("brand", "waybill_no", "month")
        .semi_join(named, ["brand", "waybill_no"])
        .select("brand", "month")
        .distinct()
    )
    return {(r["brand"], r["month"]) for r in months.to_pyarrow().to_pylist()}


def cells_by_year(cells: Iterable[Cell]) -> dict[int, list[Cell]]:
    out: dict[int, list[Cell]] = defaultdict(list)
    for c in cells:
        out[c.year].append(c)
    return {y: sorted(cs) for y, cs in sorted(out.items())}
