"""Memory stays bounded by the batch and row-group sizes, not by the file: a file ten times
larger peaks at about the same Arrow and Python allocations (measured, not timed)."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

import pyarrow as pa

from tests.ingest.factories import NOW, event
from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.ingest import service
from youguan.ingest.pipeline import Tuning

TUNING = Tuning(
    batch_bytes=64 << 10,
    batch_rows=1000,
    row_group_rows=4096,
    buffer_rows=8192,
    memory_limit="128MB",
)


def _events_csv(path: Path, n: int) -> Path:
    names = list(event(0))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for i in range(n):
            r = event(i)
            w.writerow([r[k] for k in names])
    return path


def _peaks(ctx: Context, path: Path) -> tuple[int, int, int]:
    pool = pa.proxy_memory_pool(pa.default_memory_pool())
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    tracemalloc.start()
    try:
        result = service.submit_file(ctx, Actor.system("t"), "events", path, now=NOW, tuning=TUNING)
        _, py_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(previous)
    assert result.status == "committed"
    return pool.max_memory(), py_peak, result.accepted


def test_a_ten_times_larger_file_needs_about_the_same_memory(ctx: Context, tmp_path: Path) -> None:
    small = _events_csv(tmp_path / "small.csv", 15_000)
    large = _events_csv(tmp_path / "large.csv", 150_000)
    assert large.stat().st_size > 100 * TUNING.batch_bytes  # many batches
    arrow_small, py_small, n_small = _peaks(ctx, small)
    arrow_large, py_large, n_large = _peaks(ctx, large)
    assert (n_small, n_large) == (15_000, 150_000 - 15_000)  # the overlap is duplicates
    assert arrow_large < 2 * arrow_small, (arrow_small, arrow_large)
    assert py_large < 2 * py_small + (4 << 20), (py_small, py_large)
    assert arrow_large < large.stat().st_size  # far below the file itself
