"""Writing a batch into staging as one Parquet file per partition (dataset / brand / month),
streaming: rows arrive in pieces, are buffered per partition up to a row-group size and written
as they fill, so memory stays bounded whatever the batch size.

Row groups are encoded and compressed on a background thread (Arrow releases the GIL while it
does), overlapping with the caller's work on the next piece; at most :data:`WRITES_IN_FLIGHT`
row groups wait for it, which bounds the memory the overlap costs.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd"}
# Columns too varied for dictionary pages (encoding them costs time and saves nothing).
NO_DICTIONARY = ("waybill_no", "source_row", "occurred_at", "accepted_at", "checked_at")
NO_DICTIONARY_SUFFIXES = ("_hash", "_enc", "_masked")
# Columns without min/max statistics: free text and codes of a few values that every row group
# holds, so no reader can skip a row group by them (readers filter by brand, month, batch,
# waybill and time, whose statistics stay); computing them cost a fifth of the encoding.
NO_STATISTICS = ("event", "reason", "location_code", "facility", "raw_code", "raw_text")
ROW_GROUP_ROWS = 128 * 1024  # close to DuckDB's own (122 880): good for scans, bounded memory
BUFFER_ROWS = 512 * 1024  # rows buffered across all partitions before the largest is flushed
WRITES_IN_FLIGHT = 2
SEP = "\x1f"


def dictionary_columns(schema: pa.Schema) -> list[str]:
    return [
        f.name
        for f in schema
        if f.name not in NO_DICTIONARY and not f.name.endswith(NO_DICTIONARY_SUFFIXES)
    ]


def statistics_columns(schema: pa.Schema) -> list[str]:
    return [f.name for f in schema if f.name not in NO_STATISTICS]


def delta_columns(schema: pa.Schema) -> dict[str, str]:
    """Row numbers and instants (no dictionary) as deltas: they mostly rise through a file, so
    the deltas are small — a third smaller files, and less for zstd to compress."""
    dictionary = set(dictionary_columns(schema))
    return {
        f.name: "DELTA_BINARY_PACKED"
        for f in schema
        if f.name not in dictionary and (pa.types.is_int64(f.type) or pa.types.is_timestamp(f.type))
    }


def open_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        schema,
        use_dictionary=dictionary_columns(schema),
        write_statistics=statistics_columns(schema),
        column_encoding=delta_columns(schema) or None,
        **PARQUET_OPTIONS,
    )


@dataclass(frozen=True)
class StagedFile:
    """A finished Parquet file in staging, waiting to be published."""

    brand: str
    month: str
    path: Path
    rows: int


class _Part:
    def __init__(self, path: Path, schema: pa.Schema, row_group_rows: int) -> None:
        self.path = path
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | None = None

    def take_pending(self) -> pa.Table | None:
        if not self.pending:
            return None
        table = pa.concat_tables(self.pending)
        self.pending, self.pending_rows = [], 0
        self.rows += table.num_rows
        return table

    def write(self, table: pa.Table) -> None:  # on the writing thread
        if self.writer is None:
            self.writer = open_writer(self.path, self.schema)
        self.writer.write_table(table, row_group_size=self.row_group_rows)

    def close(self) -> None:  # on the writing thread
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class PartitionWriter:
    """Split tables by (brand, month) and stream each partition into its own staging file."""

    def __init__(
        self,
        folder: Path,
        dataset: str,
        batch_id: str,
        schema: pa.Schema,
        *,
        row_group_rows: int = ROW_GROUP_ROWS,
        buffer_rows: int = BUFFER_ROWS,
        suffix: str = "",
    ) -> None:
        self.suffix = suffix
        self.row_group_rows = row_group_rows
        self.buffer_rows = buffer_rows
        self.folder = folder
        self.dataset = dataset
        self.batch_id = batch_id
        self.schema = schema
        self.parts: dict[tuple[str, str], _Part] = {}
        self.buffered = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-writer")
        self._in_flight: deque[Future[None]] = deque()
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        table = table.select(self.schema.names).cast(self.schema)
        brand, month = table["brand"], table["month"]
        first = (brand[0].as_py(), month[0].as_py())
        if None not in first and all(
            c.null_count == 0 and pc.all(pc.equal(c, v)).as_py()
            for c, v in zip((brand, month), first, strict=True)
        ):  # one partition (usual: a file is one brand in time order): two comparisons
            self._add(first, table)
        else:
            self._split(table)
        while self.buffered > self.buffer_rows:
            self._flush(max(self.parts.values(), key=lambda p: p.pending_rows))

    def _split(self, table: pa.Table) -> None:
        # partition codes from the two columns' dictionaries (no per-row string building)
        by_brand = pc.dictionary_encode(table["brand"].combine_chunks())
        by_month = pc.dictionary_encode(table["month"].combine_chunks())
        months = by_month.dictionary.to_pylist()
        labels = [f"{b}{SEP}{m}" for b in by_brand.dictionary.to_pylist() for m in months]
        codes = by_brand.indices.to_numpy() * len(months) + by_month.indices.to_numpy()
        # Rows of a partition usually come in runs (a file is one brand, roughly in time
        # order): zero-copy slices per run then. Shuffled rows are sorted by partition once.
        bounds = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        if len(bounds) < max(8, 2 * len(labels)):
            starts = [0, *bounds.tolist()]
            ends = [*bounds.tolist(), len(codes)]
            for start, end in zip(starts, ends, strict=True):
                brand, month = labels[codes[start]].split(SEP)
                self._add((brand, month), table.slice(start, end - start))
        else:
            order = np.argsort(codes, kind="stable")
            counts = np.bincount(codes, minlength=len(labels))
            ordered = table.take(pa.array(order))
            start = 0
            for code, count in enumerate(counts):
                if count:
                    brand, month = labels[code].split(SEP)
                    self._add((brand, month), ordered.slice(start, int(count)))
                    start += int(count)

    def _add(self, key: tuple[str, str], table: pa.Table) -> None:
        part = self.parts.get(key)
        if part is None:
            name = f"{self.dataset}-{key[0]}-{key[1]}-{self.batch_id}{self.suffix}.parquet"
            part = self.parts[key] = _Part(self.folder / name, self.schema, self.row_group_rows)
        part.pending.append(table)
        part.pending_rows += table.num_rows
        self.buffered += table.num_rows
        if part.pending_rows >= self.row_group_rows:
            self._flush(part)

    def _flush(self, part: _Part) -> None:
        self.buffered -= part.pending_rows
        table = part.take_pending()
        if table is None:
            return
        while len(self._in_flight) >= WRITES_IN_FLIGHT:
            self._in_flight.popleft().result()  # re-raises a failed write
        self._in_flight.append(self._pool.submit(part.write, table))

    def _drain(self) -> None:
        while self._in_flight:
            self._in_flight.popleft().result()

    def close(self) -> list[StagedFile]:
        try:
            for part in self.parts.values():
                self._flush(part)
            self._drain()
            for part in self.parts.values():
                self._pool.submit(part.close).result()
        finally:
            self._pool.shutdown(wait=True)
        out = [
            StagedFile(brand, month, part.path, part.rows)
            for (brand, month), part in sorted(self.parts.items())
            if part.rows
        ]
        self.parts.clear()
        self.buffered = 0
        return out

    def abort(self) -> None:
        for future in self._in_flight:
            future.cancel()
        self._pool.shutdown(wait=True)
        for part in self.parts.values():
            part.close()
        self.parts.clear()
