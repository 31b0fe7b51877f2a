"""The registry for the API and the pages: every read and write in its own unit of work, for one
actor, in the actor's scope, returning public schemas.

These are thin: the queries are those of :mod:`~youguan.registry.queries` narrowed by
:func:`youguan.auth.scope.restrict`, single records come through
:func:`youguan.registry.service.load` (out of scope = 404) and writes through the session-level
services, which check ``registry.write`` and scope again before anything is written.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import Select

from youguan.audit import service as audit
from youguan.auth.actor import Actor
from youguan.auth.permissions import REGISTRY_WRITE, require
from youguan.context import Context
from youguan.paging import Page, PageRequest, paginate
from youguan.registry import io, queries, service
from youguan.registry.public import (
    AuditEntry,
    CloseRequest,
    EnterprisePublic,
    EnterpriseQuery,
    EnterprisesPage,
    FacilitiesPage,
    FacilityPublic,
    FacilityQuery,
    FieldChange,
    ImportReportPublic,
    ListQuery,
    RowErrorPublic,
    VehiclePublic,
    VehicleQuery,
    VehiclesPage,
    display_value,
    enterprise_public,
    facility_public,
    vehicle_public,
)
from youguan.registry.rules import local_today
from youguan.registry.tabular import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    WRITE_SUFFIXES,
    UnsupportedFile,
)

ExportFormat = Literal["csv", "xlsx"]
IMPORT_SUFFIXES = CSV_SUFFIXES + EXCEL_SUFFIXES
EXPORT_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ACTION_LABELS = {"create": "新增", "update": "修改", "close": "关闭", "reopen": "重新启用"}

P = TypeVar("P")
Q = TypeVar("Q", bound=ListQuery)


@dataclass(frozen=True)
class Access(Generic[P, Q]):
    """How one register is listed and shown."""

    spec: service.EntitySpec[Any]
    to_public: Callable[[Any], P]
    page_model: type[Page[P]]
    query: Callable[[Any, Actor | None], Select[Any]]

    @property
    def name(self) -> str:
        return self.spec.name


ENTERPRISES: Access[EnterprisePublic, EnterpriseQuery] = Access(
    service.ENTERPRISES, enterprise_public, EnterprisesPage, queries.enterprise_query
)
FACILITIES: Access[FacilityPublic, FacilityQuery] = Access(
    service.FACILITIES, facility_public, FacilitiesPage, queries.facility_query
)
VEHICLES: Access[VehiclePublic, VehicleQuery] = Access(
    service.VEHICLES, vehicle_public, VehiclesPage, queries.vehicle_query
)
REGISTERS: dict[str, Access[Any, Any]] = {
    "enterprises": ENTERPRISES,
    "facilities": FACILITIES,
    "vehicles": VEHICLES,
}
ENTITY_LABELS = {name: a.spec.label for name, a in REGISTERS.items()}


def list_records(
    ctx: Context, actor: Actor, register: Access[P, Q], filters: Q, page: PageRequest
) -> Page[P]:
    """One page of the register, filtered, in the actor's scope, in key order."""
    stmt = register.query(filters.to_filter(), actor)
    with ctx.read() as s:
        found = paginate(s, stmt, page, register.to_public)
    return register.page_model(**found.model_dump(exclude={"items"}), items=found.items)


def get_record(ctx: Context, actor: Actor, register: Access[P, Any], record_id: int) -> P:
    """One record by row id (404 when missing or out of scope)."""
    with ctx.read() as s:
        return register.to_public(service.load(s, actor, register.spec, record_id))


def create_record(
    ctx: Context, actor: Actor, register: Access[P, Any], data: Mapping[str, Any]
) -> P:
    """Create a record (``registry.write``, in the actor's scope); the audit row commits with
    it."""
    require(actor, REGISTRY_WRITE)
    with ctx.transaction() as s:
        obj, _ = service.save(s, actor, register.spec, data, update=False)
        return register.to_public(obj)


def update_record(
    ctx: Context,
    actor: Actor,
    register: Access[P, Any],
    record_id: int,
    changes: Mapping[str, Any],
) -> P:
    """Change the given fields of a record (its key cannot change); the record must be visible
    (else 404) and stay in the actor's scope (else 403)."""
    require(actor, REGISTRY_WRITE)
    with ctx.transaction() as s:
        obj = service.load(s, actor, register.spec, record_id, "change")
        key = service.obj_key(register.spec, obj)
        updated = service.update(s, actor, register.spec, key, changes)
        return register.to_public(updated)


def close_record(
    ctx: Context, actor: Actor, register: Access[P, Any], record_id: int, request: CloseRequest
) -> P:
    """Close (注销、停用) a record as of ``request.closed_on``; the record stays."""
    require(actor, REGISTRY_WRITE)
    with ctx.transaction() as s:
        obj = service.load(s, actor, register.spec, record_id, "change")
        key = service.obj_key(register.spec, obj)
        closed = service.close(s, actor, register.spec, key, request.closed_on, request.reason)
        return register.to_public(closed)


def history(
    ctx: Context, actor: Actor, register: Access[Any, Any], record_id: int
) -> list[AuditEntry]:
    """The audit history of a record the actor may see, newest first: who changed what, from
    what to what."""
    with ctx.read() as s:
        obj = service.load(s, actor, register.spec, record_id)
        key = service.obj_key(register.spec, obj)
        rows = audit.history(s, entity=register.spec.name, entity_id=key)
        labels = register.spec.schema.labels
        return [_entry(r, register.spec.name, labels) for r in rows]


_HIDDEN_IN_HISTORY = frozenset({"id", "created_at", "updated_at"})
_EXTRA_LABELS = {
    "input_lon": "录入经度",
    "input_lat": "录入纬度",
    "lon": "经度（WGS-84）",
    "lat": "纬度（WGS-84）",
    "filing_delay_days": "备案用时（天）",
}


def _entry(row: Any, entity: str, labels: Mapping[str, str]) -> AuditEntry:
    before, after = row.before or {}, row.after or {}
    if row.before is None:  # a creation: the values entered
        pairs = {k: [None, v] for k, v in after.items() if v not in (None, "", [], False)}
    else:
        pairs = audit.changed(before, after)
    changes = [
        FieldChange(
            field=name,
            label=_EXTRA_LABELS.get(name, labels.get(name, name)),
            before=b,
            after=a,
            before_text=display_value(entity, name, b),
            after_text=display_value(entity, name, a),
        )
        for name, (b, a) in pairs.items()
        if name not in _HIDDEN_IN_HISTORY
    ]
    return AuditEntry(
        at=row.at,
        actor=row.actor,
        actor_role=row.actor_role,
        action=row.action,
        action_label=ACTION_LABELS.get(row.action, row.action),
        note=row.note,
        changes=changes,
    )


# --- import and export --------------------------------------------------------------------------


_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def upload_suffix(filename: str) -> str:
    """The suffix of an uploaded file the importer reads, or :class:`UnsupportedFile`."""
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise UnsupportedFile(
            f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传 CSV（.csv）或 Excel（.xlsx）文件"
        )
    return suffix


def import_upload(
    ctx: Context, actor: Actor, entity: str, filename: str, content: bytes
) -> ImportReportPublic:
    """Import an uploaded CSV or Excel file into a register in one unit of work: good rows are
    kept, bad rows reported by row, field and reason. A file that cannot be read at all raises
    :class:`~youguan.registry.tabular.FileProblem` (nothing written)."""
    require(actor, REGISTRY_WRITE)
    suffix = upload_suffix(filename)
    display = _SAFE_NAME.sub("_", Path(filename).name)[:120] or f"upload{suffix}"
    with tempfile.TemporaryDirectory(prefix="youguan-import-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        with ctx.transaction() as s:
            report = io.import_file(s, actor, entity, path, source=display)
    labels = service.SPECS[entity].schema.labels
    return ImportReportPublic(
        entity=entity,
        entity_label=ENTITY_LABELS[entity],
        filename=display,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        errors=[
            RowErrorPublic(
                row=e.row,
                field=e.field,
                field_label=labels.get(e.field, e.field),
                code=e.code,
                message=e.message,
            )
            for e in report.errors
        ],
        encoding=report.encoding,
    )


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    content: bytes
    rows: int


def export(
    ctx: Context, actor: Actor, entity: str, filters: ListQuery, fmt: ExportFormat
) -> Export:
    """The register's records in the actor's scope matching ``filters``, as CSV (UTF-8 with a
    byte-order mark, for Excel) or .xlsx — the import's columns, so the file re-imports."""
    suffix = f".{fmt}"
    assert suffix in WRITE_SUFFIXES
    stamp = local_today().strftime("%Y%m%d")
    with tempfile.TemporaryDirectory(prefix="youguan-export-") as tmp:
        path = Path(tmp) / f"{entity}{suffix}"
        with ctx.read() as s:
            rows = io.export_file(
                s,
                entity,
                path,
                filters=filters.to_filter(),
                actor=actor,
            )
        content = path.read_bytes()
    return Export(f"{entity}-{stamp}{suffix}", EXPORT_MEDIA_TYPES[fmt], content, rows)
