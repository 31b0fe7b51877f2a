"""Bounding memory: the per-item table of a large scope is built in chunks and staged as Parquet.

Building the item table aggregates every tracking event per item; on DuckDB that hash table
grows with the number of items (about 0.8 KB per item at peak, measured on the benchmark), so a
month at the plan's 2025 volume (5.4 M items) in one piece would need some 4.5 GB. A scope larger
than ``chunk_items`` is therefore split by brand — brands are lake partitions, so a chunk reads
only its own files — and a brand still larger than that by a hash of the waybill number. Each
chunk is written to Parquet in a scratch directory under ``YOUGUAN_HOME``; the groupings then
read the compact staged table (quantiles need every item of a group, so chunks cannot be
aggregated separately). Spark spreads the work over its executors and gets one chunk.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from youguan.indicators.items import ItemScope, build_items
from youguan.indicators.lakeview import LakeView
from youguan.indicators.parameters import Parameters

if TYPE_CHECKING:
    import ibis.expr.types as ir

CHUNK_ITEMS = 1_500_000  # items per chunk on DuckDB: about 1.3 GB at peak


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
    chunks = []
    for brand, n in sorted(rows.items()):
        buckets = max(1, math.ceil(n / chunk_items))
        for bucket in range(buckets):
            chunks.append(
                dataclasses.replace(scope, brands=(brand,), bucket=bucket, buckets=buckets)
            )
    return chunks


def default_chunk_items(view: LakeView) -> int | None:
    return None if view.lake.backend.name == "pyspark" else CHUNK_ITEMS


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
) -> Iterator[ir.Table]:
    """The per-item table of ``scope``: the expression itself when it fits in one chunk (unless
    ``always``), otherwise the chunks staged as Parquet, removed when the block ends."""
    chunks = plan_chunks(view, scope, chunk_items)
    if len(chunks) == 1 and not always:
        yield build_items(view, chunks[0], params)
        return
    backend = view.lake.backend
    scratch = Path(tempfile.mkdtemp(prefix="items-", dir=scratch_root))
    try:
        paths = []
        for i, chunk in enumerate(chunks):
            path = scratch / f"chunk-{i:04d}.parquet"
            backend.to_parquet(build_items(view, chunk, params), path)
            paths.append(str(path))
            if on_chunk is not None:
                on_chunk(i + 1, len(chunks))
        if backend.name == "pyspark":  # each chunk is a directory of part files
            yield backend.read_parquet(str(scratch), recursiveFileLookup="true")
        else:
            yield backend.read_parquet(paths[0] if len(paths) == 1 else paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
