"""Actual values of plan indicators: manual entry, CSV/Excel import, snapshots of the derived
sources, and the choice of the value that counts.

The value that counts for an indicator and year is the one of its declared source; where that
source has none (its package not there yet, no fact for the year), a manual value is used if one
was entered — so a plan works on imported figures before the engine lands, and says so in the
provenance. Every manual change is in the audit log with the values before and after.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from youguan.audit import service as audit
from youguan.auth.actor import Actor
from youguan.db import utcnow
from youguan.plan.catalogue import PlanError, PlanNotFound, require_write
from youguan.plan.definitions import Indicator, Plan
from youguan.plan.models import SOURCE_LABELS, PlanActual
from youguan.plan.printed import normalise
from youguan.plan.schemas import ActualOut, HistoryEntry, ImportResult, RefreshResult, RowError
from youguan.plan.sources import SourceValue, Unavailable, get_source, spec_method

if TYPE_CHECKING:
    from youguan.context import Context

ENTITY = "plan_actual"
COLUMNS = ("indicator", "year", "value")
OPTIONAL_COLUMNS = ("note",)
HEADER_ALIASES = {
    "indicator": "indicator",
    "code": "indicator",
    "指标": "indicator",
    "指标代码": "indicator",
    "year": "year",
    "年份": "year",
    "年度": "year",
    "value": "value",
    "数值": "value",
    "实际值": "value",
    "note": "note",
    "备注": "note",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # an upload over the web (~200 000 rows: far beyond a plan)
HISTORY_YEARS = 20  # actuals accepted this many years before the baseline (for trends)


IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")


class ImportFileError(PlanError):
    """The file as a whole cannot be imported (nothing was written)."""


class UnsupportedFileType(ImportFileError):
    """Neither CSV nor Excel (415 on the web)."""

    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class ParsedRow:
    row: int
    indicator: str
    year: int
    value: float
    note: str | None


# ---------------------------------------------------------------------------------- reading files


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as a person sees it — the header is row 1, data from 2 —, cells by column)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _csv_rows(path)
    if suffix in (".xlsx", ".xlsm"):
        return _excel_rows(path)
    raise UnsupportedFileType(
        f"不支持的文件类型 {suffix or '（无扩展名）'}：请用 CSV 或 Excel（.xlsx）",
        details={"suffix": suffix, "accepted": list(IMPORT_SUFFIXES)},
    )


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    data = path.read_bytes()
    # Excel in a Chinese locale saves CSV as GB18030; everything else should be UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportFileError("无法识别文件编码（请保存为 UTF-8）")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    columns = _columns(header)
    return ((n, dict(zip(columns, cells, strict=False))) for n, cells in enumerate(reader, 2))


def _excel_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"无法读取 Excel 文件：{exc}") from None
    sheet = wb.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    columns = _columns(None if header is None else ["" if c is None else str(c) for c in header])

    def gen() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for n, cells in enumerate(rows, 2):
                yield n, dict(zip(columns, cells, strict=False))
        finally:
            wb.close()

    return gen()


def _columns(header: list[str] | None) -> list[str]:
    if not header or not any(str(h).strip() for h in header):
        raise ImportFileError("文件为空或缺少表头（需要列：indicator,year,value）")
    columns = []
    unknown = []
    for h in header:
        key = HEADER_ALIASES.get(str(h).strip().lstrip("\ufeff").lower(), "")
        if not key and str(h).strip():
            unknown.append(str(h).strip())
        columns.append(key or f"?{h}")
    if unknown:
        raise ImportFileError(
            f"未知的列：{'、'.join(unknown)}（允许的列：indicator,year,value,note）"
        )
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(f"缺少列：{'、'.join(missing)}（需要列：indicator,year,value）")
    return columns


# ------------------------------------------------------------------------------- validating rows


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_rows(
    plan: Plan, rows: Iterable[tuple[int, dict[str, Any]]]
) -> tuple[list[ParsedRow], list[RowError], int]:
    """Validate every row; returns the good rows, the errors (row, field, code, message) and
    how many non-blank rows there were."""
    by_code = {i.code: i for i in plan.indicators}
    by_name = {i.name: i for i in plan.indicators}
    good: list[ParsedRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, int], int] = {}
    total = 0
    for n, cells in rows:
        if all(_blank(cells.get(c)) for c in (*COLUMNS, *OPTIONAL_COLUMNS)):
            continue
        total += 1
        row_errors: list[RowError] = []
        ind = _indicator(n, cells.get("indicator"), by_code, by_name, row_errors)
        year = _year(n, cells.get("year"), plan, ind, row_errors)
        value = _value(n, cells.get("value"), ind, row_errors)
        if ind is not None and year is not None and value is not None:
            key = (ind.code, year)
            if key in seen:
                row_errors.append(
                    RowError(
                        row=n,
                        field="indicator",
                        code="duplicate_row",
                        message=f"{ind.code} {year} 年与第 {seen[key]} 行重复",
                    )
                )
            else:
                seen[key] = n
        if row_errors:
            errors.extend(row_errors)
            continue
        assert ind is not None and year is not None and value is not None
        note = cells.get("note")
        good.append(
            ParsedRow(n, ind.code, year, value, None if _blank(note) else str(note).strip())
        )
    return good, errors, total


def _indicator(
    n: int,
    cell: Any,
    by_code: dict[str, Indicator],
    by_name: dict[str, Indicator],
    errors: list[RowError],
) -> Indicator | None:
    if _blank(cell):
        errors.append(RowError(row=n, field="indicator", code="missing_value", message="指标为空"))
        return None
    text = str(cell).strip()
    ind = by_code.get(text) or by_name.get(text)
    if ind is None:
        errors.append(
            RowError(
                row=n,
                field="indicator",
                code="unknown_indicator",
                message=f"规划中没有指标“{text}”（请填指标代码，如 express_volume）",
            )
        )
        return None
    if ind.restates is not None:
        errors.append(
            RowError(
                row=n,
                field="indicator",
                code="restated_indicator",
                message=f"{ind.code} 重述附表指标 {ind.restates}，请填报 {ind.restates}",
            )
        )
        return None
    return ind


def _year(
    n: int, cell: Any, plan: Plan, ind: Indicator | None, errors: list[RowError]
) -> int | None:
    if _blank(cell):
        errors.append(RowError(row=n, field="year", code="missing_value", message="年份为空"))
        return None
    text = str(cell).strip().removesuffix("年")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number != int(number):
        errors.append(
            RowError(row=n, field="year", code="invalid_year", message=f"年份“{cell}”不是整数年份")
        )
        return None
    year = int(number)
    first = plan.baseline_year - HISTORY_YEARS
    last = ind.target_year if ind is not None and ind.target_year else plan.target_year
    last = max(last, plan.target_year)
    if not first <= year <= last:
        errors.append(
            RowError(
                row=n,
                field="year",
                code="year_out_of_range",
                message=f"年份 {year} 不在 {first}—{last} 之间",
            )
        )
        return None
    return year


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _value(n: int, cell: Any, ind: Indicator | None, errors: list[RowError]) -> float | None:
    if _blank(cell):
        errors.append(RowError(row=n, field="value", code="missing_value", message="数值为空"))
        return None
    if isinstance(cell, bool):
        cell = str(cell)
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = normalise(str(cell))
        if text.endswith("%"):
            if ind is not None and not ind.is_percent:
                errors.append(
                    RowError(
                        row=n,
                        field="value",
                        code="unit_mismatch",
                        message=f"“{cell}”带百分号，但 {ind.code} 的单位是 {ind.unit}",
                    )
                )
                return None
            text = text[:-1]
        if text[:1] in "<>≦≧":
            errors.append(
                RowError(
                    row=n,
                    field="value",
                    code="invalid_number",
                    message=f"实际值应为一个数，不能是范围“{cell}”",
                )
            )
            return None
        if not _NUMBER.match(text):
            errors.append(
                RowError(row=n, field="value", code="invalid_number", message=f"“{cell}”不是数字")
            )
            return None
        value = float(text)
    if not math.isfinite(value):
        errors.append(
            RowError(row=n, field="value", code="invalid_number", message=f"“{cell}”不是有限的数字")
        )
        return None
    if ind is not None and ind.limits is not None:
        lo, hi = ind.limits
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                bounds = f"{lo:g} 至 {hi:g}"
            else:
                bounds = f"不小于 {lo:g}" if lo is not None else f"不大于 {hi:g}"
            errors.append(
                RowError(
                    row=n,
                    field="value",
                    code="out_of_range",
                    message=f"{ind.code} 的值 {value:g} {ind.unit} 超出取值范围（{bounds}）",
                )
            )
            return None
    return value


# ---------------------------------------------------------------------------- writing manual rows


def _manual_row(s: Session, plan_id: str, code: str, year: int) -> PlanActual | None:
    return s.scalar(
        select(PlanActual).where(
            PlanActual.plan_id == plan_id,
            PlanActual.indicator == code,
            PlanActual.year == year,
            PlanActual.source == "manual",
        )
    )


def upsert_manual(
    s: Session,
    plan: Plan,
    code: str,
    year: int,
    value: float,
    actor: Actor,
    *,
    note: str | None,
    provenance: dict[str, Any],
) -> str:
    """Create or correct one manual value, with its audit row. Returns created | corrected |
    unchanged."""
    row = _manual_row(s, plan.id, code, year)
    if row is None:
        row = PlanActual(
            plan_id=plan.id,
            indicator=code,
            year=year,
            source="manual",
            value=value,
            provenance=provenance,
            note=note,
            recorded_by=actor.name,
        )
        s.add(row)
        s.flush()
        audit.record(s, actor, "plan.actual.create", ENTITY, row.id, after=_audit_view(row))
        return "created"
    if row.value == value and (note is None or row.note == note):
        return "unchanged"
    before = _audit_view(row)
    row.value = value
    row.provenance = provenance
    if note is not None:
        row.note = note
    row.recorded_by = actor.name
    row.updated_at = utcnow()
    s.flush()
    audit.record(
        s, actor, "plan.actual.correct", ENTITY, row.id, before=before, after=_audit_view(row)
    )
    return "corrected"


def _audit_view(row: PlanActual) -> dict[str, Any]:
    return audit.snapshot(row, exclude=("recorded_at", "updated_at"))


def import_file(
    ctx: Context, plan: Plan, path: Path, actor: Actor, *, name: str | None = None
) -> ImportResult:
    """Import ``indicator,year,value[,note]`` rows (CSV or Excel) as manual actuals. Good rows
    are written in one transaction; bad rows are reported and skipped. A file that cannot be read
    as a whole raises :class:`ImportFileError` and writes nothing. ``name`` is the file's name
    as the person knows it (an upload is stored under a temporary path); it goes into the
    provenance and the result."""
    require_write(plan, actor)
    if not path.is_file():
        raise ImportFileError(f"找不到文件 {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    good, errors, total = parse_rows(plan, read_rows(path))
    counts = {"created": 0, "corrected": 0, "unchanged": 0}
    if good:
        with ctx.transaction() as s:
            for r in good:
                outcome = upsert_manual(
                    s,
                    plan,
                    r.indicator,
                    r.year,
                    r.value,
                    actor,
                    note=r.note,
                    provenance={
                        "method": "import",
                        "file": name or path.name,
                        "row": r.row,
                        "sha256": digest,
                    },
                )
                counts[outcome] += 1
    return ImportResult(
        plan=plan.id,
        file=name or str(path),
        rows=total,
        accepted=len(good),
        rejected=total - len(good),
        errors=errors,
        **counts,
    )


def set_manual(
    ctx: Context,
    plan: Plan,
    code: str,
    year: int,
    value: float | str,
    actor: Actor,
    *,
    note: str | None = None,
) -> ActualOut:
    """Enter or correct one manual value (validated like an imported row)."""
    require_write(plan, actor)
    if not any(i.code == code for i in plan.indicators):
        raise PlanNotFound(f"规划中没有指标 {code}", details={"indicator": code})
    good, errors, _ = parse_rows(plan, [(1, {"indicator": code, "year": year, "value": value})])
    if errors:
        raise PlanError(
            "；".join(e.message for e in errors),
            details=[{"field": e.field, "code": e.code, "message": e.message} for e in errors],
        )
    r = good[0]
    with ctx.transaction() as s:
        upsert_manual(
            s, plan, r.indicator, r.year, r.value, actor, note=note, provenance={"method": "entry"}
        )
        row = _manual_row(s, plan.id, r.indicator, r.year)
        assert row is not None
        return actual_out(row)


def delete_manual(ctx: Context, plan: Plan, code: str, year: int, actor: Actor) -> bool:
    require_write(plan, actor)
    with ctx.transaction() as s:
        row = _manual_row(s, plan.id, code, year)
        if row is None:
            return False
        audit.record(s, actor, "plan.actual.delete", ENTITY, row.id, before=_audit_view(row))
        s.delete(row)
    return True


ACTION_LABELS = {
    "plan.actual.create": "录入",
    "plan.actual.correct": "更正",
    "plan.actual.delete": "删除",
}
HISTORY_LIMIT = 5000  # audit rows of plan actuals scanned for one indicator's history


def history(ctx: Context, plan: Plan, code: str) -> list[HistoryEntry]:
    """Every audited change of ``code``'s manual values, newest first. Read from the audit log
    (the rows' before/after name plan, indicator and year), so deleted values keep their past."""
    with ctx.read() as s:
        rows = audit.history(s, entity=ENTITY, limit=HISTORY_LIMIT)
    out = []
    for row in rows:
        view = row.after or row.before or {}
        if view.get("plan_id") != plan.id or view.get("indicator") != code:
            continue
        after = row.after or {}
        out.append(
            HistoryEntry(
                at=row.at,
                actor=row.actor,
                action=row.action,
                action_label=ACTION_LABELS.get(row.action, row.action),
                year=int(view["year"]),
                before=None if row.before is None else row.before.get("value"),
                after=after.get("value"),
                note=after.get("note"),
                method=(after.get("provenance") or {}).get("method"),
            )
        )
    return out


def list_actuals(
    ctx: Context, plan: Plan, *, year: int | None = None, indicator: str | None = None
) -> list[ActualOut]:
    stmt = select(PlanActual).where(PlanActual.plan_id == plan.id)
    if year is not None:
        stmt = stmt.where(PlanActual.year == year)
    if indicator is not None:
        stmt = stmt.where(PlanActual.indicator == indicator)
    stmt = stmt.order_by(PlanActual.indicator, PlanActual.year, PlanActual.source)
    with ctx.read() as s:
        return [actual_out(r) for r in s.scalars(stmt)]


def actual_out(row: PlanActual) -> ActualOut:
    return ActualOut(
        plan_id=row.plan_id,
        indicator=row.indicator,
        year=row.year,
        value=row.value,
        source=row.source,
        source_label=SOURCE_LABELS.get(row.source, row.source),
        provenance=dict(row.provenance),
        note=row.note,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        updated_at=row.updated_at,
    )


# ------------------------------------------------------------------------------ derived sources


def refresh(ctx: Context, plan: Plan, years: Iterable[int], actor: Actor) -> RefreshResult:
    """Take the values of the derived sources (engine facts, registry counts) for ``years`` and
    store them with their provenance. A source that cannot answer leaves what is stored alone."""
    years = sorted(set(years))
    unavailable: dict[str, str] = {}
    fetched: list[tuple[str, int, str, SourceValue]] = []
    missing = 0
    for ind in plan.indicators:
        if ind.restates is not None:
            continue
        spec = plan.source_of(ind)
        method = spec_method(spec)
        if method == "manual":
            continue
        source = get_source(method)
        if method not in unavailable:
            reason = source.availability()
            if reason is not None:
                unavailable[method] = reason
        if method in unavailable:
            missing += len(years)
            continue
        for year in years:
            result = source.fetch(ctx, plan, ind, spec, year)
            if isinstance(result, Unavailable):
                missing += 1
            else:
                fetched.append((ind.code, year, method, result))
    stored = unchanged = 0
    if fetched:
        with ctx.transaction() as s:
            existing = {
                (r.indicator, r.year, r.source): r
                for r in s.scalars(
                    select(PlanActual).where(
                        PlanActual.plan_id == plan.id, PlanActual.source != "manual"
                    )
                )
            }
            for code, year, method, result in fetched:
                row = existing.get((code, year, method))
                if row is None:
                    s.add(
                        PlanActual(
                            plan_id=plan.id,
                            indicator=code,
                            year=year,
                            source=method,
                            value=result.value,
                            provenance=result.provenance,
                            recorded_by=actor.name,
                        )
                    )
                    stored += 1
                elif row.value != result.value or row.provenance != result.provenance:
                    row.value, row.provenance = result.value, result.provenance
                    row.recorded_by, row.updated_at = actor.name, utcnow()
                    stored += 1
                else:
                    unchanged += 1
            if stored:
                audit.record(
                    s,
                    actor,
                    "plan.actuals.refresh",
                    "plan",
                    plan.id,
                    after={"years": years, "stored": stored},
                )
    return RefreshResult(
        plan=plan.id,
        years=years,
        stored=stored,
        unchanged=unchanged,
        missing=missing,
        unavailable=unavailable,
    )


@dataclass(frozen=True)
class Resolved:
    """The actual that counts for an indicator and year, and where it came from."""

    value: float
    source: str
    provenance: dict[str, Any]
    recorded_by: str
    note: str | None


def resolve(ctx: Context, plan: Plan) -> dict[str, dict[int, Resolved]]:
    """Actual code → year → the value that counts: the declared source's, else a manual one."""
    with ctx.read() as s:
        rows = list(s.scalars(select(PlanActual).where(PlanActual.plan_id == plan.id)))
    by_key: dict[tuple[str, int], dict[str, PlanActual]] = {}
    for r in rows:
        by_key.setdefault((r.indicator, r.year), {})[r.source] = r
    declared = {
        ind.code: spec_method(plan.source_of(ind))
        for ind in plan.indicators
        if ind.restates is None
    }
    out: dict[str, dict[int, Resolved]] = {}
    for (code, year), sources in by_key.items():
        method = declared.get(code)
        if method is None:
            continue  # an indicator no longer in the plan file
        row = sources.get(method) or sources.get("manual")
        if row is None:
            continue
        provenance = dict(row.provenance)
        if row.source != method:
            provenance["fallback"] = f"声明来源（{SOURCE_LABELS[method]}）无值，采用人工填报值"
        out.setdefault(code, {})[year] = Resolved(
            row.value, row.source, provenance, row.recorded_by, row.note
        )
    return out
