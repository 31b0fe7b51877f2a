"""Reading and writing registry tables as CSV or Excel.

CSV input may be UTF-8 (with or without a byte-order mark) or GB18030 (which includes GBK and
GB2312, what Chinese office software writes); the encoding is detected unless given. Excel input
(.xlsx, .xlsm, .xls, .ods) is read with python-calamine, the first sheet only. Output is CSV in
UTF-8 with a byte-order mark (so that Excel opens it with the right characters) or .xlsx through
openpyxl. Row numbers are those a person sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from youguan.registry.errors import RegistryError

CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
WRITE_SUFFIXES = (".csv", ".xlsx")
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")


class FileProblem(RegistryError):
    """The file as a whole cannot be used (unreadable, wrong format, unknown columns)."""

    status = 422
    code = "invalid_file"


class UnsupportedFile(FileProblem):
    """A file of a type the importer does not read (neither CSV nor Excel)."""

    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number, cells); blank rows left out
    encoding: str | None = None  # the CSV encoding found


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileProblem(f"无法按 {encoding} 编码读取：{exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    for candidate in ("utf-8", "gb18030"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise FileProblem("无法识别文件编码（应为 UTF-8 或 GB18030）")


def _table(records: Iterable[Sequence[Any]], encoding: str | None) -> Table:
    it = iter(records)
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, record in enumerate(it, start=1):
        cells = list(record)
        if header is None:
            if all(_blank(c) for c in cells):
                raise FileProblem("第1行应为表头，实为空行")
            header = [str(c).strip() if c is not None else "" for c in cells]
            while header and not header[-1]:
                header.pop()  # trailing empty header cells (Excel's used range)
            continue
        if not all(_blank(c) for c in cells):
            rows.append((number, cells))
    if header is None:
        raise FileProblem("文件为空，没有表头")
    return Table(header=header, rows=rows, encoding=encoding)


def read_table(path: Path, *, encoding: str | None = None) -> Table:
    """Read a CSV or Excel file into a header and numbered rows of cells."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileProblem(f"文件不存在：{path}")
    if suffix in CSV_SUFFIXES:
        try:
            text, used = _decode(path.read_bytes(), encoding)
        except OSError as exc:
            raise FileProblem(f"无法读取文件：{exc}") from None
        try:
            return _table(csv.reader(io.StringIO(text, newline="")), used)
        except csv.Error as exc:
            raise FileProblem(f"CSV 格式错误：{exc}") from None
    if suffix in EXCEL_SUFFIXES:
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            return _table(sheet.to_python(skip_empty_area=False), None)
        except FileProblem:
            raise
        except Exception as exc:  # calamine raises its own error types for every defect
            raise FileProblem(f"无法读取 Excel 文件：{exc}") from None
    raise UnsupportedFile(f"不支持的文件类型 {suffix or '(无扩展名)'}，应为 .csv 或 .xlsx")


def csv_cell(value: Any) -> str:
    """The text of a value in an exported CSV (re-imported to the same value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)  # str(float) is the shortest text that reads back as the same float


def write_table(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data"
) -> int:
    """Write ``rows`` under ``header`` to ``path`` (.csv or .xlsx); returns the number of rows."""
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise FileProblem(f"不支持导出为 {suffix or '(无扩展名)'}，应为 .csv 或 .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        n = 0
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow([csv_cell(v) for v in row])
                n += 1
        return n
    return _write_xlsx(path, header, rows, sheet)


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    n = 0
    for row in rows:
        out: list[Any] = []
        for v in row:
            if isinstance(v, dt.date):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            elif isinstance(v, list | tuple):
                out.append(";".join(str(x) for x in v))
            else:
                out.append(v)  # text stays text, so codes keep their leading digits
        ws.append(out)
        n += 1
    wb.save(path)
    return n
