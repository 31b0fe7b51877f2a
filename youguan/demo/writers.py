"""Writing the demo's files byte-for-byte reproducibly: CSV (UTF-8 or GB18030), Parquet, JSON
Lines and Excel, each returning the manifest entry (rows and sha256).

Excel files carry timestamps (document properties and zip entries) that openpyxl sets from the
clock; :func:`write_xlsx` pins them so the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from youguan.demo.schemas import DemoFile

FIXED_TIME = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # pinned document and zip entry times


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _entry(
    root: Path, path: Path, dataset: str, fmt: str, rows: int, encoding: str | None, **meta: object
) -> DemoFile:
    return DemoFile(
        path=path.relative_to(root).as_posix(),
        dataset=dataset,
        format=fmt,
        encoding=encoding,
        rows=rows,
        sha256=sha256(path),
        **meta,
    )


def write_rows_csv(
    root: Path,
    rel: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, object]],
    dataset: str,
    *,
    encoding: str = "utf-8",
    **meta: object,
) -> DemoFile:
    """Small files (registry, plan actuals): Python's csv module, minimal quoting, LF lines."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in columns})
        n += 1
    path.write_bytes(buf.getvalue().encode(encoding))
    return _entry(root, path, dataset, "csv", n, encoding, **meta)


def write_table_csv(
    root: Path, rel: str, table: pa.Table, dataset: str, *, encoding: str = "utf-8", **meta: object
) -> DemoFile:
    """Large files: Arrow's CSV writer (every column should already be a string)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    data = sink.getvalue()
    if encoding != "utf-8":
        data = data.decode("utf-8").encode(encoding)
    path.write_bytes(data)
    return _entry(root, path, dataset, "csv", table.num_rows, encoding, **meta)


def write_parquet(root: Path, rel: str, table: pa.Table, dataset: str, **meta: object) -> DemoFile:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd")
    return _entry(root, path, dataset, "parquet", table.num_rows, None, **meta)


def write_jsonl(root: Path, rel: str, table: pa.Table, dataset: str, **meta: object) -> DemoFile:
    """One JSON object per line; null fields left out, as an API client would send them."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for rec in table.to_pylist():
        clean = {k: v for k, v in rec.items() if v is not None}
        lines.append(json.dumps(clean, ensure_ascii=False, separators=(",", ":")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _entry(root, path, dataset, "jsonl", table.num_rows, None, **meta)


def write_xlsx(
    root: Path,
    rel: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    dataset: str,
    *,
    sheet: str = "Sheet1",
    **meta: object,
) -> DemoFile:
    from openpyxl import Workbook

    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(columns))
    for r in rows:
        ws.append(list(r))
    naive = FIXED_TIME.replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = "youguan demo"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_pin_zip(buf.getvalue()))
    return _entry(root, path, dataset, "xlsx", len(rows), None, **meta)


def _pin_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times and fixed core-property times."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text
                )
                content = text.encode("utf-8")
            pinned = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            dst.writestr(pinned, content)
    return out.getvalue()
