"""Bounding memory: the per-item table of a large scope is built in chunks.

Building the item table aggregates every tracking event per item; on DuckDB that hash table
grows with the number of items (about 0.8 KB per item at peak, measured on the benchmark), so a
month at the plan's 2025 volume (5.4 M items) in one piece would need some 4.5 GB. A scope larger
than ``chunk_items`` is therefore split by brand — brands are lake partitions, so a chunk reads
only its own files; small brands share a chunk — and a brand larger than that by a hash of the
waybill number. Each
chunk is then either aggregated at once (:func:`aggregate_chunks`, one grouping: counts and sums
add up across chunks, quantiles are taken over the values collected from every chunk) or written
to Parquet in a scratch directory under ``YOUGUAN_HOME`` (:func:`staged_items`, for the many
groupings of the facts, which then read the compact staged table). Spark spreads the work over
its executors and gets one chunk.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
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

if TYPE_CHECKING:
    import ibis.expr.types as ir

CHUNK_ITEMS = 1_000_000  # items per chunk on DuckDB: about 1.2 GB at peak, measured


def plan_chunks(view: LakeView, scope: ItemScope, chunk_items: int | None) -> list[ItemScope]:
    """Split ``scope`` so that each chunk holds at most about ``chunk_items`` items (by the
    manifest's row counts of the waybill partitions read). None: one chunk."""
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


def default_chunk_items(view: LakeView) -> int | None:
    return None if view.lake.backend.name == "pyspark" else CHUNK_ITEMS


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
    for chunk in chunks:
        items = build_items(view, chunk, params)
        keys = keys_of(items)
        names = list(keys)
        m = metrics(items, definitions, params)
        exprs = {**m.additive, **m.samples}
        expr = items.group_by(**keys).aggregate(**exprs) if keys else items.aggregate(**exprs)
        table = expr.to_pyarrow()
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
