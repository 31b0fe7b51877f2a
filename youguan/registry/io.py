"""Import and export of the registry as CSV or Excel (the column contract with data suppliers and
the demo generator).

Columns (header row, in this order on export; on import any order, and any subset that includes
the key, which is the first column):

- enterprises: ``uscc,name,brand,kind,parent_uscc,licence_no,licence_issuer,licence_scope,
  licence_valid_from,licence_valid_to,address,county_code,status`` + optional ``closed_on``
- facilities: ``code,name,type,brand,enterprise_uscc,division_code,lon,lat,coord_system,address,
  opened_on,closed_on,status,filed_on,standardized,sorting_lines,area_m2,daily_capacity,
  served_villages,deliveries_per_week`` + export-only ``wgs84_lon,wgs84_lat,filed_within_deadline``
- vehicles: ``plate,brand,enterprise_uscc,kind,vehicle_type,new_energy,county_code,status,
  registered_on`` + optional ``closed_on``

Documented extras: ``closed_on`` (注销日期) of enterprises and vehicles is read and written like
any column. The facility columns ``wgs84_lon``/``wgs84_lat`` (the stored WGS-84 point) and
``filed_within_deadline`` (the 20-day 备案 flag as of the export day) are written on export for
readers and ignored on import. A facility's ``lon``/``lat`` are exported as entered, with their
``coord_system``, so that a re-import converts them identically and changes nothing.

Values: dates ``YYYY-MM-DD``; booleans ``true/false/1/0/是/否``; lists (``licence_scope``,
``served_villages``) ``;``-separated; choices as codes or their Chinese labels; headers as the
names above or their Chinese labels. Import upserts by the key (uscc / code / plate): a new key is
created, an existing one updated with the columns the file has (an empty cell clears a value; a
column the file lacks keeps its value), an identical row is left unchanged. Each bad row is
reported with its row number (the header is row 1), field, code and Chinese message; good rows are
kept. Import enterprises before the facilities and vehicles that name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from youguan.auth.actor import Actor
from youguan.auth.permissions import REGISTRY_WRITE
from youguan.registry import queries
from youguan.registry.errors import PermissionDenied, Problem, ValidationFailed
from youguan.registry.models import Facility
from youguan.registry.service import SPECS, EntitySpec, save
from youguan.registry.tabular import FileProblem, read_table, write_table

ENTITIES = tuple(SPECS)  # enterprises, facilities, vehicles

COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": (
        "uscc",
        "name",
        "brand",
        "kind",
        "parent_uscc",
        "licence_no",
        "licence_issuer",
        "licence_scope",
        "licence_valid_from",
        "licence_valid_to",
        "address",
        "county_code",
        "status",
    ),
    "facilities": (
        "code",
        "name",
        "type",
        "brand",
        "enterprise_uscc",
        "division_code",
        "lon",
        "lat",
        "coord_system",
        "address",
        "opened_on",
        "closed_on",
        "status",
        "filed_on",
        "standardized",
        "sorting_lines",
        "area_m2",
        "daily_capacity",
        "served_villages",
        "deliveries_per_week",
    ),
    "vehicles": (
        "plate",
        "brand",
        "enterprise_uscc",
        "kind",
        "vehicle_type",
        "new_energy",
        "county_code",
        "status",
        "registered_on",
    ),
}
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": ("closed_on",),
    "facilities": (),
    "vehicles": ("closed_on",),
}

READ_ONLY_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": (),
    "facilities": ("wgs84_lon", "wgs84_lat", "filed_within_deadline"),
    "vehicles": (),
}
READ_ONLY_LABELS = {
    "wgs84_lon": "WGS-84经度",
    "wgs84_lat": "WGS-84纬度",
    "filed_within_deadline": "20日内备案",
}


def _facility_extras(obj: Facility) -> list[Any]:
    return [obj.lon, obj.lat, obj.filed_within_deadline()]


def export_header(entity: str) -> list[str]:
    return [*COLUMNS[entity], *EXTRA_COLUMNS[entity], *READ_ONLY_COLUMNS[entity]]


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    code: str
    message: str


@dataclass
class ImportReport:
    entity: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    encoding: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def map_header(entity: str, header: Sequence[str]) -> list[str | None]:
    """The field each column feeds (None for export-only columns). Raises :class:`FileProblem`
    for unknown or repeated columns, or when the key column is missing."""
    spec = SPECS[entity]
    writable = (*COLUMNS[entity], *EXTRA_COLUMNS[entity])
    names: dict[str, str | None] = {}
    for name in writable:
        names[name] = name
        names[spec.schema.labels[name].lower()] = name
    for name in READ_ONLY_COLUMNS[entity]:
        names[name] = None
        names[READ_ONLY_LABELS[name].lower()] = None
    out: list[str | None] = []
    unknown, seen, repeated = [], set(), []
    for raw in header:
        key = raw.strip().lower()
        if key not in names:
            unknown.append(raw or "(空)")
            continue
        target = names[key]
        if target is not None and target in seen:
            repeated.append(raw)
        seen.add(target)
        out.append(target)
    if unknown:
        raise FileProblem(f"未知的列：{'、'.join(unknown)}（{entity} 的列为 {','.join(writable)}）")
    if repeated:
        raise FileProblem(f"重复的列：{'、'.join(repeated)}")
    if spec.key not in seen:
        raise FileProblem(f"缺少主键列 {spec.key}（{spec.schema.labels[spec.key]}）")
    return out


def _row_data(columns: Sequence[str | None], cells: Sequence[Any]) -> tuple[dict[str, Any], bool]:
    data = {name: cell for name, cell in zip(columns, cells, strict=False) if name is not None}
    overflow = any(c is not None and str(c).strip() for c in cells[len(columns) :])
    return data, overflow


def import_file(
    session: Session,
    actor: Actor,
    entity: str,
    path: Path,
    *,
    encoding: str | None = None,
    on_row: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import ``path`` (CSV or Excel) into the register of ``entity`` inside the caller's
    transaction. File-level problems raise :class:`FileProblem` before anything is written;
    row-level problems are collected in the report. ``source`` names the file in the report and
    the audit notes (default: ``path``; an upload passes the name it was uploaded under)."""
    if not actor.can(REGISTRY_WRITE):
        raise PermissionDenied(f"{actor.name} 无权维护名录", details={"permission": REGISTRY_WRITE})
    spec = SPECS[entity]
    table = read_table(path, encoding=encoding)
    columns = map_header(entity, table.header)
    report = ImportReport(entity=entity, source=source or str(path), encoding=table.encoding)
    first_row_of: dict[str, int] = {}
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        report.rows += 1
        problems = _import_row(session, actor, spec, columns, number, cells, first_row_of, report)
        if problems:
            report.rejected += 1
            report.errors.extend(RowError(number, p.field, p.code, p.message) for p in problems)
        if on_row is not None:
            on_row(done, total)
    return report


def _import_row(
    session: Session,
    actor: Actor,
    spec: EntitySpec[Any],
    columns: Sequence[str | None],
    number: int,
    cells: Sequence[Any],
    first_row_of: dict[str, int],
    report: ImportReport,
) -> list[Problem]:
    data, overflow = _row_data(columns, cells)
    if overflow:
        return [Problem("", "extra_cells", f"第{number}行的单元格多于表头的列")]
    raw_key = data.get(spec.key)
    if raw_key is not None and str(raw_key).strip():
        key = spec.normalise_key(str(raw_key).strip())
        if key in first_row_of:
            label = spec.schema.labels[spec.key]
            reason = f"{label}：与第{first_row_of[key]}行重复"
            return [Problem(spec.key, "duplicate_in_file", reason)]
        first_row_of[key] = number
    try:
        _, outcome = save(session, actor, spec, data, note=f"import {Path(report.source).name}")
    except ValidationFailed as exc:
        return exc.problems
    except PermissionDenied as exc:
        field = exc.details.get("field") if isinstance(exc.details, dict) else None
        return [Problem(field or spec.key, "out_of_scope", exc.message)]
    setattr(report, outcome, getattr(report, outcome) + 1)
    return []


def _export_query(entity: str, filters: Any, actor: Actor | None) -> Select[Any]:
    if entity == "enterprises":
        return queries.enterprise_query(filters or queries.EnterpriseFilter(), actor)
    if entity == "facilities":
        return queries.facility_query(filters or queries.FacilityFilter(), actor)
    return queries.vehicle_query(filters or queries.VehicleFilter(), actor)


def record_row(entity: str, obj: Any) -> list[Any]:
    """One record as a row of the export columns (values, not text)."""
    values = SPECS[entity].schema.from_record(obj)
    row = [values[n] for n in (*COLUMNS[entity], *EXTRA_COLUMNS[entity])]
    if entity == "facilities":
        row.extend(_facility_extras(obj))
    return row


def export_rows(
    session: Session, entity: str, filters: Any = None, actor: Actor | None = None
) -> Iterator[list[Any]]:
    """Rows of the export of ``entity`` in key order, of the records in ``actor``'s scope (all
    of them without an actor). ``filters`` is the entity's filter model; its ``limit`` and
    ``offset`` are ignored (all matches are exported)."""
    for obj in session.scalars(_export_query(entity, filters, actor)):
        yield record_row(entity, obj)


def export_file(
    session: Session, entity: str, path: Path, *, filters: Any = None, actor: Actor | None = None
) -> int:
    """Write the register of ``entity`` to ``path`` (.csv or .xlsx by extension); returns the
    number of rows written. The file re-imports unchanged."""
    return write_table(
        path, export_header(entity), export_rows(session, entity, filters, actor), sheet=entity
    )
