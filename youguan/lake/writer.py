"""Writing a batch into staging as one Parquet file per partition (dataset / brand / month),
streaming: rows arrive in pieces, are buffered per partition up to a row-group size and written
as they fill, so memory stays bounded whatever the batch size."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True}
ROW_GROUP_ROWS = 256 * 1024
BUFFER_ROWS = 1024 * 1024  # rows buffered across all partitions before the largest is flushed
SEP = "\x1f"


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

    def flush(self) -> None:
        if not self.pending:
            return
        table = pa.concat_tables(self.pending)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, **PARQUET_OPTIONS)
        self.writer.write_table(table, row_group_size=self.row_group_rows)
        self.rows += table.num_rows
        self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


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
    ) -> None:
        self.row_group_rows = row_group_rows
        self.buffer_rows = buffer_rows
        self.folder = folder
        self.dataset = dataset
        self.batch_id = batch_id
        self.schema = schema
        self.parts: dict[tuple[str, str], _Part] = {}
        self.buffered = 0
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        table = table.select(self.schema.names).cast(self.schema)
        brand, month = table["brand"], table["month"]
        if pc.count_distinct(brand).as_py() == 1 and pc.count_distinct(month).as_py() == 1:
            self._add((brand[0].as_py(), month[0].as_py()), table)
        else:
            keys = pc.binary_join_element_wise(brand, month, SEP)
            for key in pc.unique(keys).to_pylist():
                b, m = key.split(SEP)
                self._add((b, m), table.filter(pc.equal(keys, key)))
        while self.buffered > self.buffer_rows:
            largest = max(self.parts.values(), key=lambda p: p.pending_rows)
            self.buffered -= largest.pending_rows
            largest.flush()

    def _add(self, key: tuple[str, str], table: pa.Table) -> None:
        part = self.parts.get(key)
        if part is None:
            name = f"{self.dataset}-{key[0]}-{key[1]}-{self.batch_id}.parquet"
            part = self.parts[key] = _Part(self.folder / name, self.schema, self.row_group_rows)
        part.pending.append(table)
        part.pending_rows += table.num_rows
        self.buffered += table.num_rows
        if part.pending_rows >= self.row_group_rows:
            self.buffered -= part.pending_rows
            part.flush()

    def close(self) -> list[StagedFile]:
        out: list[StagedFile] = []
        for (brand, month), part in sorted(self.parts.items()):
            part.close()
            if part.rows:
                out.append(StagedFile(brand, month, part.path, part.rows))
        self.parts.clear()
        self.buffered = 0
        return out

    def abort(self) -> None:
        for part in self.parts.values():
            if part.writer is not None:
                part.writer.close()
        self.parts.clear()
