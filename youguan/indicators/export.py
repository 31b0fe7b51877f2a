"""CSV and Excel export of any tabular result (kpi rows, stored values, drill-downs).

CSV is written as UTF-8 with a byte-order mark so that Excel on Chinese Windows opens it with
the right encoding; Excel files are written with openpyxl in write-only mode (constant memory)
and carry a second sheet with the definitions of the figures (口径说明), so a figure never leaves
the platform without its definition.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

FORMATS = (".csv", ".xlsx")


class ExportError(ValueError):
    pass


def check_path(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ExportError(f"只能导出为 .csv 或 .xlsx 文件，得到 {path.name!r}")


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return str(value)
    return value


def write_table(
    path: Path,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Mapping[str, Any]],
    *,
    sheet: str = "数据",
    notes: Sequence[tuple[str, str]] = (),
    number_formats: Mapping[str, str] | None = None,
) -> int:
    """Write ``rows`` with ``columns`` (name, Chinese heading) to ``path`` (.csv or .xlsx).
    ``notes`` (heading, text) go to an Excel sheet "口径说明" (after the data in CSV they would
    break parsers, so CSV has none). Returns the number of rows written."""
    check_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        return _write_csv(path, columns, rows)
    return _write_xlsx(path, columns, rows, sheet, notes, number_formats or {})


def _write_csv(
    path: Path, columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]
) -> int:
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([label for _, label in columns])
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name, _ in columns])
            n += 1
    return n


def _write_xlsx(
    path: Path,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Mapping[str, Any]],
    sheet: str,
    notes: Sequence[tuple[str, str]],
    number_formats: Mapping[str, str],
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    bold = Font(bold=True)
    header = []
    for _, label in columns:
        c = WriteOnlyCell(ws, value=label)
        c.font = bold
        header.append(c)
    ws.append(header)
    n = 0
    for row in rows:
        cells = []
        for name, _ in columns:
            c = WriteOnlyCell(ws, value=_cell(row.get(name)))
            if name in number_formats:
                c.number_format = number_formats[name]
            cells.append(c)
        ws.append(cells)
        n += 1
    if notes:
        ns = wb.create_sheet("口径说明")
        ns.append([WriteOnlyCell(ns, value="项目"), WriteOnlyCell(ns, value="说明")])
        for heading, text in notes:
            ns.append([heading, text])
    tmp = path.with_suffix(".xlsx.part")
    wb.save(tmp)
    tmp.replace(path)
    return n
