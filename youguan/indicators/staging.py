"""Bounding memory: the per-item table of a large scope is built in chunks.

Building the item table aggregates every tracking event per item; on DuckDB that hash table
grows with the number of items, so a month at the plan's 2025 volume (5.4 M items) in one piece
would need some 4.5 GB. A scope larger than ``chunk_items`` is therefore split by brand — brands
are lake partitions, so a chunk reads only its own files — and a brand larger than that by a
hash of the waybill number. Each chunk is then either aggregated at once
(:func:`aggregate_chunks`, one grouping: counts and sums add up across chunks, quantiles are
taken over the values collected from every chunk) or written to Parquet in a scratch directory
under ``YOUGUAN_HOME`` (:func:`staged_items`, for the many groupings of the facts, which then
read the compact staged table). Spark spreads the work over its executors and gets one chunk.

For :func:`aggregate_chunks` on DuckDB every chunk holds one brand (events are then matched on
the waybill number alone) and the chunks run side by side, one single-threaded query per core,
all from one compiled query (:func:`chunk_results`). On the benchmark month that takes 0.75 GB
at peak with chunks of up to 1.5 M items (the largest brand, 1.1 M, in one piece).
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.indicators.aggregates import Metrics, metrics
from youguan.indicators.definitions import Definition
from youguan.indicators.items import ItemScope, build_items
from youguan.indicators.lakeview import LakeView
from youguan.indicators.parameters import Parameters
from youguan.ingest.schemas import dataset

if TYPE_CHECKING:
    import ibis.expr.types as ir

CHUNK_ITEMS = 1_000_000  # items per staged chunk on DuckDB (two threads): about 1.2 GB at peak
AGGREGATE_CHUNK_ITEMS = 1_500_000  # per chunk of aggregate_chunks (one thread each): see above


def plan_chunks(
    view: LakeView, scope: ItemScope, chunk_items: int | None, *, one_brand: bool = False
) -> list[ItemScope]:
    """Split ``scope`` so that each chunk holds at most about ``chunk_items`` items (by the
    manifest's row counts of the waybill partitions read). None: one chunk. ``one_brand``:
    every chunk of one brand (small brands are not packed together), matched on the waybill
    number alone (see :attr:`ItemScope.one_brand`)."""
    files = view.files(
        "waybills",
        brands=scope.brands,
        month_from=scope.first_month,
        month_to=scope.last_month,
    )
    rows: dict[str, int] = {}
    for f in files:
        rows[f.brand] = rows.get(f.brand, 0) + f.rows
    if chunk_items is None or sum(rows.values()) <= chunk_items:
        return [scope]
    if one_brand:
        return [
            dataclasses.replace(
                scope, brands=(brand,), bucket=bucket, buckets=buckets, one_brand=True
            )
            for brand, n in sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))
            for buckets in [math.ceil(n / chunk_items)]
            for bucket in range(buckets)
        ]
    chunks: list[ItemScope] = []
    bins: list[tuple[int, list[str]]] = []  # small brands packed together, first fit decreasing
    for brand, n in sorted(rows.items(), key=lambda kv: (-kv[1], kv[0])):
        if n > chunk_items:
            buckets = math.ceil(n / chunk_items)
            for bucket in range(buckets):
                chunks.append(
                    dataclasses.replace(scope, brands=(brand,), bucket=bucket, buckets=buckets)
                )
            continue
        for i, (size, members) in enumerate(bins):
            if size + n <= chunk_items:
                bins[i] = (size + n, [*members, brand])
                break
        else:
            bins.append((n, [brand]))
    chunks += [dataclasses.replace(scope, brands=tuple(sorted(members))) for _, members in bins]
    return chunks


def default_chunk_items(view: LakeView, *, staged: bool = True) -> int | None:
    """Items per chunk: none on Spark; on DuckDB fewer for staged chunks (facts, drill-downs)
    than for :func:`aggregate_chunks`, whose chunks run single-threaded."""
    if view.lake.backend.name == "pyspark":
        return None
    return CHUNK_ITEMS if staged else AGGREGATE_CHUNK_ITEMS


def aggregate_chunks(
    view: LakeView,
    chunks: Sequence[ItemScope],
    params: Parameters,
    keys_of: Callable[[ir.Table], dict[str, ir.Value]],
    definitions: Sequence[Definition],
) -> list[dict[str, Any]]:
    """Aggregate each chunk and combine: one record per group, as one aggregate over all the
    items would give (quantiles by linear interpolation, like the engines' ``quantile_cont`` /
    ``percentile``)."""
    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    samples: dict[tuple[Any, ...], dict[str, list[np.ndarray]]] = {}
    m: Metrics | None = None
    names: list[str] = []

    def query(v: LakeView, chunk: ItemScope) -> ir.Table:
        nonlocal m, names
        items = build_items(v, chunk, params)
        keys = keys_of(items)
        names = list(keys)
        m = metrics(items, definitions, params)
        exprs = {**m.additive, **m.samples}
        return items.group_by(**keys).aggregate(**exprs) if keys else items.aggregate(**exprs)

    for table in chunk_results(view, chunks, query):
        assert m is not None
        key_columns = [table[k].to_pylist() for k in names]
        additive = {n: table[n].to_pylist() for n in m.additive}
        lists = {n: _split(table[n]) for n in m.samples}
        for i in range(table.num_rows):
            key = tuple(column[i] for column in key_columns)
            acc = sums.setdefault(key, {})
            for n, column in additive.items():
                value = column[i]
                acc[n] = value if acc.get(n) is None else acc[n] + (value or 0)
            collected = samples.setdefault(key, {})
            for n, values in lists.items():
                collected.setdefault(n, []).append(values[i])
    if m is None:
        return []
    records = []
    for key, acc in sums.items():
        record: dict[str, Any] = dict(zip(names, key, strict=True)) | acc
        for column, (sample, q) in m.sampled.items():
            pieces = samples[key].get(sample, [])
            flat = np.concatenate(pieces) if pieces else np.empty(0)
            record[column] = float(np.quantile(flat, q)) if len(flat) else None
        records.append(m.expand(record))
    return records


def chunk_results(
    view: LakeView,
    chunks: Sequence[ItemScope],
    query: Callable[[LakeView, ItemScope], ir.Table],
) -> Iterator[pa.Table]:
    """The result of ``query`` for each chunk, in order.

    On DuckDB, several chunks run side by side, one per core, each query single-threaded: a
    hash aggregate run by two threads builds a table per thread over the same items and then
    merges them, which measured a quarter more CPU time and a third more memory than one thread
    per query (the per-item event aggregate dominates). The queries run on a scratch in-memory
    DuckDB (``threads`` is a setting of the whole database) with the lake connection's memory
    limit, each on a connection of its own; the results are combined while the next chunks run.

    The chunks differ only in the files they read (and a bucket of waybill numbers), so the
    query is built and compiled once, over views named ``chunk_<dataset>`` that each worker's
    connection defines over its chunk's files: building and compiling the Ibis expression of
    every chunk cost about 0.4 s of CPU each."""
    backend = view.table_backend
    if backend.name != "duckdb" or len(chunks) < 2:
        for chunk in chunks:
            yield query(view, chunk).to_pyarrow()
        return
    import ibis

    workers = min(len(chunks), _duckdb_threads(backend))
    if len({c.one_brand for c in chunks}) > 1:
        raise ValueError("chunks of one brand and of several brands mixed")
    limit = backend.con.execute("SELECT current_setting('memory_limit')").fetchone()
    pool_backend = ibis.duckdb.connect(threads=1)
    try:
        if limit:
            pool_backend.raw_sql(f"SET memory_limit = '{limit[0]}'")
        pool_backend.raw_sql("SET TimeZone = 'UTC'")
        pool_backend.raw_sql("SET preserve_insertion_order = false")  # aggregates: no order
        template = _ChunkTables(view.lake, view.version, view.exact, backend=pool_backend)
        expr = query(template, dataclasses.replace(chunks[0], brands=None, bucket=0, buckets=1))
        sql = str(pool_backend.compile(expr))
        schema = expr.schema().to_pyarrow()
        setups = [template.definitions(view, chunk) for chunk in chunks]

        def run(i: int) -> pa.Table:
            cursor = pool_backend.con.cursor()
            try:
                for name, definition in setups[i]:
                    if isinstance(definition, pa.Table):
                        cursor.register(name, definition)
                    else:
                        cursor.execute(definition)
                table = cursor.sql(sql).to_arrow_table()
            finally:
                cursor.close()
            return table.cast(schema)

        with ThreadPoolExecutor(workers) as pool:
            yield from pool.map(run, range(len(chunks)))
    finally:
        pool_backend.disconnect()


@dataclasses.dataclass
class _ChunkTables(LakeView):
    """A lake view whose tables are placeholders ``chunk_<dataset>`` (empty, of the stored
    schema), remembering which months each dataset was read for."""

    read_months: dict[str, tuple[str | None, str | None]] = dataclasses.field(default_factory=dict)

    def table(
        self,
        dataset_name: str,
        *,
        brands: Iterable[str] | None = None,
        month_from: str | None = None,
        month_to: str | None = None,
    ) -> ir.Table:
        months = self.read_months.setdefault(dataset_name, (month_from, month_to))
        if months != (month_from, month_to):
            raise ValueError(f"{dataset_name} read for two ranges of months")
        name = f"chunk_{dataset_name}"
        self.table_backend.con.register(name, dataset(dataset_name).stored.empty_table())
        return self.table_backend.table(name)

    def definitions(self, view: LakeView, chunk: ItemScope) -> list[tuple[str, str | pa.Table]]:
        """What each placeholder is for ``chunk``: a temporary view over its files (of its
        bucket of waybill numbers), or an empty table."""
        import sqlglot as sg
        import sqlglot.expressions as sge

        out: list[tuple[str, str | pa.Table]] = []
        for name, (month_from, month_to) in self.read_months.items():
            files = view.files(name, brands=chunk.brands, month_from=month_from, month_to=month_to)
            if not files:
                out.append((f"chunk_{name}", dataset(name).stored.empty_table()))
                continue
            paths = sge.Array(expressions=[sge.convert(str(f.path)) for f in files])
            query = sg.select(sge.Star()).from_(sg.func("read_parquet", paths))
            if chunk.buckets > 1:  # DuckDB's hash is unsigned
                bucket = sg.func("hash", sg.column("waybill_no")) % chunk.buckets
                query = query.where(bucket.eq(chunk.bucket))
            create = sge.Create(
                kind="VIEW",
                this=sg.table(f"chunk_{name}"),
                expression=query,
                properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
            )
            out.append((f"chunk_{name}", create.sql("duckdb")))
        return out


def _duckdb_threads(backend: Any) -> int:
    row = backend.con.execute("SELECT current_setting('threads')").fetchone()
    return int(row[0]) if row else 1


def _split(column: pa.ChunkedArray) -> list[np.ndarray]:
    """A list column as one numpy array of floats per row (no Python objects per value)."""
    array = column.combine_chunks()
    offsets = array.offsets.to_numpy()
    flat = pc.cast(array.values, pa.float64()).to_numpy(zero_copy_only=False)
    return [flat[offsets[i] : offsets[i + 1]] for i in range(len(array))]


@contextmanager
def staged_items(
    view: LakeView,
    scope: ItemScope,
    params: Parameters,
    *,
    scratch_root: Path,
    chunk_items: int | None,
    always: bool = False,
    on_chunk: Callable[[int, int], None] | None = None,
    display: Sequence[str] = (),
    transform: Callable[[ir.Table], ir.Table] | None = None,
) -> Iterator[ir.Table]:
    """The per-item table of ``scope`` (each chunk passed through ``transform`` when given):
    the expression itself when it fits in one chunk (unless ``always``), otherwise the chunks
    staged as Parquet, removed when the block ends."""

    def chunk_table(chunk: ItemScope) -> ir.Table:
        items = build_items(view, chunk, params, display=display)
        return transform(items) if transform is not None else items

    chunks = plan_chunks(view, scope, chunk_items)
    if len(chunks) == 1 and not always:
        yield chunk_table(chunks[0])
        return
    backend = view.lake.backend
    scratch = Path(tempfile.mkdtemp(prefix="items-", dir=scratch_root))
    try:
        paths = []
        for i, chunk in enumerate(chunks):
            path = scratch / f"chunk-{i:04d}.parquet"
            backend.to_parquet(chunk_table(chunk), path)
            paths.append(str(path))
            if on_chunk is not None:
                on_chunk(i + 1, len(chunks))
        if backend.name == "pyspark":  # each chunk is a directory of part files
            yield backend.read_parquet(str(scratch), recursiveFileLookup="true")
        else:
            yield backend.read_parquet(paths[0] if len(paths) == 1 else paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
