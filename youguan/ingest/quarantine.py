"""Quarantine files: the rejected rows of one submission, for the submitter to download.

One CSV per batch (UTF-8 with BOM, which Excel opens correctly), one line per rejected row:
``row`` (the data row number in the submitted file), ``fields``, ``codes`` and ``messages``
(several errors of a row joined by ``; ``), then the row's values as sent. Personal data never
appears in clear: each personal-data column is replaced by its masked form and keyed hash
(``<field>_masked``, ``<field>_hash``). A malformed record (one that could not be split into
fields) has no values, only its row number and error.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from youguan.ingest.schemas import Dataset

SEP = "; "


def quarantine_schema(ds: Dataset) -> pa.Schema:
    fields = [
        pa.field("row", pa.int64()),
        pa.field("fields", pa.string()),
        pa.field("codes", pa.string()),
        pa.field("messages", pa.string()),
    ]
    for c in ds.columns:
        if c.pii:
            fields += [
                pa.field(f"{c.name}_masked", pa.string()),
                pa.field(f"{c.name}_hash", pa.string()),
            ]
        else:
            fields.append(pa.field(c.name, pa.string()))
    return pa.schema(fields)


class QuarantineWriter:
    """Streams rejected rows into a quarantine CSV (created on the first row; writing again
    after ``close`` appends)."""

    def __init__(self, path: Path, ds: Dataset) -> None:
        self.path = path
        self.ds = ds
        self.schema = quarantine_schema(ds)
        self.rows = 0
        self._fh: IO[bytes] | None = None
        self._writer: pv.CSVWriter | None = None

    def write(self, errors: pa.Table, values: pa.Table) -> None:
        """``errors``: (row, field, code, message); ``values``: a ``row`` column plus the
        rejected rows' values by column name (text; personal data already as
        ``<field>_masked``/``<field>_hash``)."""
        if errors.num_rows == 0:
            return
        grouped = errors.group_by("row", use_threads=False).aggregate(
            [("field", "list"), ("code", "list"), ("message", "list")]
        )
        summary = pa.table(
            {
                "row": grouped["row"],
                "fields": pc.binary_join(grouped["field_list"], SEP),
                "codes": pc.binary_join(grouped["code_list"], SEP),
                "messages": pc.binary_join(grouped["message_list"], SEP),
            }
        ).sort_by("row")
        # each rejected row's values (none for a malformed record): a look-up by row number,
        # which is unique in ``values`` (a join costs an Acero plan per batch)
        at = pc.index_in(summary["row"], value_set=pa.chunked_array(values["row"]).combine_chunks())
        columns = []
        for f in self.schema:
            if f.name in summary.column_names:
                columns.append(summary[f.name].cast(f.type))
            elif f.name in values.column_names:
                columns.append(values[f.name].take(at).cast(f.type))
            else:
                columns.append(pa.nulls(summary.num_rows, f.type))
        table = pa.Table.from_arrays(columns, schema=self.schema)
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.rows:  # reopened after close(): append without a second header
                self._fh = self.path.open("ab")
                options = pv.WriteOptions(include_header=False)
            else:
                self._fh = self.path.open("wb")
                self._fh.write(codecs.BOM_UTF8)
                options = pv.WriteOptions(include_header=True)
            self._writer = pv.CSVWriter(self._fh, self.schema, write_options=options)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> Path | None:
        if self._writer is not None:
            self._writer.close()
        if self._fh is not None:
            self._fh.flush()
            self._fh.close()
        self._writer, self._fh = None, None
        return self.path if self.rows else None


def read_quarantine(path: Path, *, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Rows ``offset`` … ``offset + limit`` of a quarantine file (streamed, not loaded whole)."""
    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8-sig", newline="") as text:
        names = next(csv.reader(text), [])
    types = {n: (pa.int64() if n == "row" else pa.string()) for n in names}
    with path.open("rb") as fh:
        reader = pv.open_csv(
            fh,
            read_options=pv.ReadOptions(block_size=4 << 20),
            convert_options=pv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
        skipped = 0
        for batch in reader:
            if skipped + batch.num_rows <= offset:
                skipped += batch.num_rows
                continue
            start = max(offset - skipped, 0)
            skipped += batch.num_rows
            for row in batch.slice(start).to_pylist():
                out.append(row)
                if len(out) >= limit:
                    return out
    return out
