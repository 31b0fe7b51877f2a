"""Reading submitted files in bounded memory: CSV (UTF-8 with or without BOM, GB18030), JSON
Lines, Parquet and Excel, chosen by extension.

Every reader yields :class:`RawBatch` objects — a slice of the file with canonical column names
(a header may use the column code in any case or its Chinese label) and the 1-based data row
number of each row — and never holds more than one batch. Values stay as the file has them:
strings for text formats, typed columns for Parquet; parsing is vectorised later
(:mod:`youguan.ingest.parse`).

Row numbers: the n-th data record of the file (the header excluded, blank lines not counted). The
fast CSV path (Arrow's multi-threaded streaming reader) cannot number a malformed record (a row
with the wrong number of fields), so when it meets one it raises :class:`NeedsExactRead` and the
pipeline reads the file again with the exact reader (Python's ``csv``), which numbers and
reports every row.

Excel: ``.xlsx`` files up to :data:`EXCEL_STREAM_BYTES` are read with python-calamine (fast, the
sheet in memory); larger ones stream through openpyxl's read-only mode; legacy ``.xls`` and
``.ods`` go through calamine (their formats cannot be streamed; Excel's own limit of 1 048 576 rows
bounds them).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import mmap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq

from youguan.ingest.errors import FileRefused, NeedsExactRead
from youguan.ingest.schemas import Dataset

CSV_BLOCK_BYTES = 4 << 20
PY_BATCH_ROWS = 100_000
EXCEL_STREAM_BYTES = 8 << 20
SNIFF_BYTES = 1 << 20

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".ods": "excel",
}


@dataclass
class RawBatch:
    table: pa.Table  # canonical column names
    rows: pa.Array  # int64 data row number of each row
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (row, detail) of bad records


@dataclass
class Header:
    """How a file's columns map onto a dataset."""

    names: list[str | None]  # canonical name per file column (None: an empty, ignored header)

    @property
    def columns(self) -> list[str]:
        return [n for n in self.names if n is not None]


def resolve_header(ds: Dataset, raw: Sequence[Any]) -> Header:
    """Map header cells to canonical columns; refuse unknown or repeated ones."""
    names: list[str | None] = []
    unknown: list[str] = []
    for cell in raw:
        text = "" if cell is None else str(cell).strip().lstrip("\ufeff").strip()
        if not text:
            names.append(None)
            continue
        name = ds.resolve(text)
        if name is None:
            unknown.append(text[:40])
        names.append(name)
    if unknown:
        raise FileRefused(
            f"文件含有{ds.label}数据集中不存在的列：{'、'.join(unknown)}",
            code="unknown_columns",
        )
    present = [n for n in names if n is not None]
    repeated = sorted({n for n in present if present.count(n) > 1})
    if repeated:
        raise FileRefused(f"列重复出现：{'、'.join(repeated)}", code="duplicate_columns")
    if not any(names):
        raise FileRefused("文件没有表头", code="empty")
    return Header(names)


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in set(FORMATS.values()):
            raise FileRefused(f"不支持的文件格式：{fmt}", code="unsupported_format")
        return fmt
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise FileRefused(
            f"不支持的文件类型“{path.suffix or '(无扩展名)'}”："
            "请提交 CSV、JSON Lines、Parquet 或 Excel 文件",
            code="unsupported_format",
        )
    return found


def detect_encoding(head: bytes) -> str:
    """UTF-8 (a BOM or valid UTF-8) or else GB18030 (a superset of GBK and GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRefused(
            "无法识别文件编码：请使用 UTF-8 或 GB18030 编码，或用 --encoding 指定",
            code="unreadable",
        ) from None


def _check_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FileRefused(f"未知的文件编码：{name}", code="unreadable") from None


class Source:
    """An opened submission file. ``batches()`` may be called again (a fresh read)."""

    def __init__(
        self,
        ds: Dataset,
        path: Path,
        *,
        fmt: str | None = None,
        encoding: str | None = None,
        batch_bytes: int = CSV_BLOCK_BYTES,
        batch_rows: int = PY_BATCH_ROWS,
    ) -> None:
        self.ds = ds
        self.path = Path(path)
        if not self.path.is_file():
            raise FileRefused("文件不存在或不可读", code="unreadable")
        self.format = detect_format(self.path, fmt)
        self.size = self.path.stat().st_size
        if self.size == 0:
            raise FileRefused("文件为空", code="empty")
        self.batch_bytes = batch_bytes
        self.batch_rows = batch_rows
        self.encoding: str | None = None
        self.exact = False
        self._done = 0.0  # fraction of the file read, for progress
        if self.format in ("csv", "tsv", "jsonl"):
            with self.path.open("rb") as fh:
                head = fh.read(SNIFF_BYTES)
            self.encoding = _check_encoding(encoding) if encoding else detect_encoding(head)
            if self.encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
        self.header: Header | None = None

    @property
    def progress(self) -> float:
        return self._done

    def batches(self) -> Iterator[RawBatch]:
        if self.format in ("csv", "tsv"):
            return self._csv_exact() if self.exact else self._csv_fast()
        if self.format == "jsonl":
            return self._jsonl()
        if self.format == "parquet":
            return self._parquet()
        return self._excel()

    # ---- CSV ------------------------------------------------------------------------------
    @property
    def _delimiter(self) -> str:
        return "\t" if self.format == "tsv" else ","

    def _text(self, fh: IO[bytes]) -> io.TextIOWrapper:
        return io.TextIOWrapper(fh, encoding=self.encoding or "utf-8", newline="", errors="strict")

    def _read_header(self) -> Header:
        with self.path.open("rb") as fh:
            try:
                first = next(csv.reader(self._text(fh), delimiter=self._delimiter), None)
            except UnicodeDecodeError:
                raise self._bad_encoding() from None
            except csv.Error as exc:
                raise FileRefused(f"CSV 表头无法解析：{exc}", code="unreadable") from None
        if not first:
            raise FileRefused("文件没有表头", code="empty")
        self.header = resolve_header(self.ds, first)
        return self.header

    def _csv_fast(self) -> Iterator[RawBatch]:
        header = self._read_header()
        names = [n or f"__ignored_{i}" for i, n in enumerate(header.names)]
        read = pv.ReadOptions(
            column_names=names,
            skip_rows=1,
            block_size=self.batch_bytes,
            encoding=self.encoding if self.encoding not in ("utf-8", "utf-8-sig") else "utf8",
        )
        # A newline can only sit inside a quoted value, and Arrow's reader is markedly faster when
        # told there is none: tell it so when the file has no quote character at all.
        parse = pv.ParseOptions(delimiter=self._delimiter, newlines_in_values=self._has_quotes())
        convert = pv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            include_columns=header.columns,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        )
        start = 1
        with self.path.open("rb") as fh:
            try:
                reader = pv.open_csv(
                    fh, read_options=read, parse_options=parse, convert_options=convert
                )
                for batch in reader:
                    n = batch.num_rows
                    self._done = min(fh.tell() / self.size, 1.0)
                    if n == 0:
                        continue
                    yield RawBatch(pa.Table.from_batches([batch]), _rows(start, n))
                    start += n
            except pa.ArrowInvalid as exc:
                if "CSV parse error" in str(exc) or "Expected" in str(exc):
                    raise NeedsExactRead() from None
                raise FileRefused("文件无法按 CSV 读取", code="unreadable") from None
            except UnicodeDecodeError:
                raise self._bad_encoding() from None
        self._done = 1.0

    def _bad_encoding(self) -> FileRefused:
        return FileRefused(
            f"文件不是有效的 {self.encoding} 编码：请用 --encoding 指定正确的编码",
            code="unreadable",
        )

    def _has_quotes(self) -> bool:
        """Whether a quote character follows the header line (a quoted header is common and
        harmless; the header is parsed on its own)."""
        with self.path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b'"', mm.find(b"\n") + 1) != -1

    def _csv_exact(self) -> Iterator[RawBatch]:
        header = self._read_header()
        width = len(header.names)
        keep = [i for i, n in enumerate(header.names) if n is not None]
        cols = header.columns
        row = 0
        with self.path.open("rb") as fh:
            text = self._text(fh)
            records = csv.reader(text, delimiter=self._delimiter)
            try:
                next(records)
                buf: list[list[str | None]] = [[] for _ in cols]
                rows: list[int] = []
                bad: list[tuple[int, str]] = []
                for record in records:
                    if not record or (len(record) == 1 and not record[0].strip() and width > 1):
                        continue  # blank line: not a data row (as in the fast reader)
                    row += 1
                    if len(record) != width:
                        bad.append((row, f"{len(record)}/{width}"))
                        continue
                    rows.append(row)
                    for j, i in enumerate(keep):
                        buf[j].append(record[i] if record[i] != "" else None)
                    if len(rows) >= self.batch_rows:
                        self._done = min(fh.tell() / self.size, 1.0)
                        yield _py_batch(cols, buf, rows, bad)
                        buf, rows, bad = [[] for _ in cols], [], []
                if rows or bad:
                    yield _py_batch(cols, buf, rows, bad)
            except UnicodeDecodeError:
                raise self._bad_encoding() from None
            except csv.Error as exc:
                raise FileRefused(f"第 {row} 行无法按 CSV 解析：{exc}", code="unreadable") from None
        self._done = 1.0

    # ---- JSON Lines -----------------------------------------------------------------------
    def _jsonl(self) -> Iterator[RawBatch]:
        """One JSON object per line; keys are columns (a key may first appear on any line, and a
        line without a key leaves that column empty)."""
        keymap: dict[str, str] = {}  # key as written → canonical column
        buf: dict[str, list[str | None]] = {}
        rows: list[int] = []
        bad: list[tuple[int, str]] = []
        row = 0
        with self.path.open("rb") as fh:
            text = io.TextIOWrapper(fh, encoding=self.encoding or "utf-8", errors="strict")
            try:
                for line in text:
                    if not line.strip():
                        continue
                    row += 1
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        obj = None
                    if not isinstance(obj, dict):
                        bad.append((row, "json"))
                        continue
                    for key in obj:
                        if key not in keymap:
                            name = self._json_column(key, keymap)
                            keymap[key] = name
                            buf[name] = [None] * len(rows)
                    for key, name in keymap.items():
                        buf[name].append(_to_text(obj.get(key)))
                    rows.append(row)
                    if len(rows) >= self.batch_rows:
                        self._done = min(fh.tell() / self.size, 1.0)
                        yield _py_batch(list(buf), list(buf.values()), rows, bad)
                        buf = {k: [] for k in buf}
                        rows, bad = [], []
            except UnicodeDecodeError:
                raise self._bad_encoding() from None
        if rows or bad:
            yield _py_batch(list(buf), list(buf.values()), rows, bad)
        self.header = Header(list(buf))
        self._done = 1.0

    def _json_column(self, key: str, keymap: dict[str, str]) -> str:
        name = self.ds.resolve(key)
        if name is None:
            raise FileRefused(
                f"文件含有{self.ds.label}数据集中不存在的列：{key[:40]}", code="unknown_columns"
            )
        if name in keymap.values():
            raise FileRefused(f"列重复出现：{name}", code="duplicate_columns")
        return name

    # ---- Parquet --------------------------------------------------------------------------
    def _parquet(self) -> Iterator[RawBatch]:
        try:
            pf = pq.ParquetFile(self.path)
        except Exception:
            raise FileRefused("文件不是有效的 Parquet 文件", code="unreadable") from None
        header = resolve_header(self.ds, pf.schema_arrow.names)
        self.header = header
        total = max(pf.metadata.num_rows, 1)
        start = 1
        read = 0
        originals = [n for n, c in zip(pf.schema_arrow.names, header.names, strict=True) if c]
        for batch in pf.iter_batches(batch_size=self.batch_rows, columns=originals):
            n = batch.num_rows
            if n == 0:
                continue
            table = pa.Table.from_batches([batch]).rename_columns(header.columns)
            read += n
            self._done = read / total
            yield RawBatch(table, _rows(start, n))
            start += n
        self._done = 1.0

    # ---- Excel ----------------------------------------------------------------------------
    def _excel_rows(self) -> Iterator[Sequence[Any]]:
        suffix = self.path.suffix.lower()
        if suffix in (".xlsx", ".xlsm") and self.size > EXCEL_STREAM_BYTES:
            import openpyxl

            try:
                wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            except Exception:
                raise FileRefused("文件不是有效的 Excel 文件", code="unreadable") from None
            try:
                ws = wb.worksheets[0]
                total = max(ws.max_row or 1, 1)
                for i, values in enumerate(ws.iter_rows(values_only=True)):
                    if i % 1000 == 0:
                        self._done = min(i / total, 1.0)
                    yield values
            finally:
                wb.close()
            return
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(self.path))
            sheet = wb.get_sheet_by_index(0)
        except Exception:
            raise FileRefused("文件不是有效的 Excel 文件", code="unreadable") from None
        total = max(sheet.height, 1)
        for i, values in enumerate(sheet.iter_rows()):
            if i % 1000 == 0:
                self._done = min(i / total, 1.0)
            yield values

    def _excel(self) -> Iterator[RawBatch]:
        it = iter(self._excel_rows())
        first = next(it, None)
        if first is None:
            raise FileRefused("工作表为空", code="empty")
        header = resolve_header(self.ds, list(first))
        self.header = header
        keep = [i for i, n in enumerate(header.names) if n is not None]
        cols = header.columns
        buf: list[list[str | None]] = [[] for _ in cols]
        rows: list[int] = []
        row = 0
        for values in it:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            row += 1
            rows.append(row)
            for j, i in enumerate(keep):
                buf[j].append(_to_text(values[i]) if i < len(values) else None)
            if len(rows) >= self.batch_rows:
                yield _py_batch(cols, buf, rows, [])
                buf, rows = [[] for _ in cols], []
        if rows:
            yield _py_batch(cols, buf, rows, [])
        self._done = 1.0


def _rows(start: int, n: int) -> pa.Array:
    return pa.array(np.arange(start, start + n, dtype=np.int64))


def _py_batch(
    cols: list[str], buf: Sequence[list[str | None]], rows: list[int], bad: list[tuple[int, str]]
) -> RawBatch:
    table = pa.table({c: pa.array(v, pa.string()) for c, v in zip(cols, buf, strict=True)})
    return RawBatch(table, pa.array(rows, pa.int64()), list(bad))


def _to_text(v: Any) -> str | None:
    """A cell or JSON value as the text a CSV would carry."""
    if v is None:
        return None
    if isinstance(v, str):
        return v if v.strip() else None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time | dt.timedelta):
        return str(v)
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)
