"""Registry services: create, update, close and get enterprises, facilities and vehicles, and the
brand list loader. Every function works inside the caller's unit of work (a session from
``Context.transaction()``) and records each change in the audit log in that same transaction.

Scope (:mod:`youguan.auth.scope`): :func:`lookup` and :func:`load` read one record in the
actor's scope (out of scope is :class:`NotFound`, like a missing record), and every write is
checked twice — the record as it is and as it would become must both be in the actor's scope
for ``change`` (else :class:`PermissionDenied` naming the field). Updating and closing by key go
through :func:`lookup`, so they answer NotFound for a record the actor cannot see.

Listing and the aggregate helpers live in :mod:`~youguan.registry.queries` and
:mod:`~youguan.registry.aggregates`; they are re-exported here so that callers have one module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from youguan.audit import service as audit
from youguan.auth.actor import Actor
from youguan.auth.permissions import REGISTRY_WRITE
from youguan.auth.scope import DENIED, Action, restrict, violations
from youguan.geo.divisions import divisions
from youguan.registry import rules
from youguan.registry.aggregates import (
    facility_counts,
    sorting_line_count,
    township_coverage,
    village_direct_service,
)
from youguan.registry.brands import brand_label, brands
from youguan.registry.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from youguan.registry.models import Brand, Enterprise, Facility, Vehicle
from youguan.registry.queries import (
    EnterpriseFilter,
    FacilityFilter,
    Page,
    VehicleFilter,
    list_enterprises,
    list_facilities,
    list_vehicles,
)
from youguan.registry.schemas import EnterpriseIn, FacilityIn, RegistryInput, VehicleIn

__all__ = [
    "ENTERPRISES",
    "FACILITIES",
    "SPECS",
    "VEHICLES",
    "EnterpriseFilter",
    "FacilityFilter",
    "Page",
    "VehicleFilter",
    "close",
    "close_enterprise",
    "close_facility",
    "close_vehicle",
    "create_enterprise",
    "create_facility",
    "create_vehicle",
    "facility_counts",
    "get_enterprise",
    "get_facility",
    "get_vehicle",
    "list_enterprises",
    "list_facilities",
    "list_vehicles",
    "load",
    "lookup",
    "save",
    "sorting_line_count",
    "sync_brands",
    "township_coverage",
    "update",
    "update_enterprise",
    "update_facility",
    "update_vehicle",
    "village_direct_service",
]

M = TypeVar("M", Enterprise, Facility, Vehicle)
Outcome = Literal["created", "updated", "unchanged"]
_AUDIT_EXCLUDE = ("id", "created_at", "updated_at")


@dataclass(frozen=True)
class EntitySpec(Generic[M]):
    name: str  # audit entity name
    label: str  # 中文名
    model: type[M]
    schema: type[RegistryInput]

    @property
    def key(self) -> str:
        return self.schema.key_field

    def normalise_key(self, key: str) -> str:
        if self.key == "uscc":
            return rules.normalise_uscc(key)
        if self.key == "plate":
            return rules.normalise_plate(key)
        return key.strip()


ENTERPRISES = EntitySpec("enterprise", "企业", Enterprise, EnterpriseIn)
FACILITIES = EntitySpec("facility", "网点与设施", Facility, FacilityIn)
VEHICLES = EntitySpec("vehicle", "车辆", Vehicle, VehicleIn)
SPECS: dict[str, EntitySpec[Any]] = {
    "enterprises": ENTERPRISES,
    "facilities": FACILITIES,
    "vehicles": VEHICLES,
}


def sync_brands(session: Session) -> int:
    """Insert or update the shipped brand list; returns how many rows changed."""
    existing = {b.code: b for b in session.scalars(select(Brand))}
    changed = 0
    for info in brands().values():
        values = {
            "name": info.name,
            "short": info.short,
            "kind": info.kind,
            "color": info.color,
            "active": info.until is None,
        }
        row = existing.get(info.code)
        if row is None:
            session.add(Brand(code=info.code, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    session.flush()
    return changed


# --- generic machinery --------------------------------------------------------------------------


def find(session: Session, spec: EntitySpec[M], key: str) -> M | None:
    """The record with this key, whoever asks (internal: writes check scope themselves)."""
    column = getattr(spec.model, spec.key)
    return session.scalars(select(spec.model).where(column == spec.normalise_key(key))).first()


def _get(session: Session, spec: EntitySpec[M], key: str) -> M:
    obj = find(session, spec, key)
    if obj is None:
        raise NotFound(spec.label, key)
    return obj


def lookup(
    session: Session, actor: Actor, spec: EntitySpec[M], key: str, action: Action = "view"
) -> M:
    """The record with key ``key`` if ``actor`` may see it (``view``) or change it (``change``:
    also needs ``registry.write``; a record seen but not changeable is
    :class:`PermissionDenied`). A record out of sight is :class:`NotFound`, like a missing one."""
    column = getattr(spec.model, spec.key)
    stmt = select(spec.model).where(column == spec.normalise_key(key))
    obj = session.scalars(restrict(stmt, actor)).first()
    if obj is None:
        raise NotFound(spec.label, key)
    if action == "change":
        _authorise(actor, spec, obj, existing=True)
    return obj


def load(
    session: Session, actor: Actor, spec: EntitySpec[M], record_id: int, action: Action = "view"
) -> M:
    """The record with row id ``record_id``, under the rules of :func:`lookup`."""
    stmt = select(spec.model).where(spec.model.id == record_id)
    obj = session.scalars(restrict(stmt, actor)).first()
    if obj is None:
        raise NotFound(spec.label, f"（编号 {record_id}）")
    if action == "change":
        _authorise(actor, spec, obj, existing=True)
    return obj


def _county_name(code: str | None) -> str:
    d = divisions().get(code or "")
    return d.name if d else (code or "")


def _authorise(actor: Actor, spec: EntitySpec[Any], record: Any, *, existing: bool) -> None:
    """Registry writes need ``registry.write``, and ``record`` — the stored record, or the values
    it is about to take — must be in the actor's scope for ``change``: a county regulator keeps
    her county's register, an enterprise granted the permission its own brand's."""
    if not actor.can(REGISTRY_WRITE):
        raise PermissionDenied(f"{actor.name} 无权维护名录", details={"permission": REGISTRY_WRITE})
    bad = violations(record, actor, "change", spec.model.__scope__)
    if not bad:
        return
    field = bad[0]
    if field == DENIED:
        raise PermissionDenied(f"{actor.name} 无权维护{spec.label}")
    if field == spec.model.__scope__.brand or field == spec.model.__scope__.entity:
        where = f"本企业（{brand_label(actor.brand or '')}）"
    else:
        where = _county_name(actor.county_code)
    label = spec.schema.labels.get(field, field)
    if existing:
        message = f"{spec.label} {obj_key(spec, record)} 不在您的管辖范围（{where}）内，不能修改"
    else:
        message = f"{label}：只能维护{where}的{spec.label}"
    raise PermissionDenied(message, details={"field": field})


def _store_problems(session: Session, inp: RegistryInput) -> list[Problem]:
    """Checks that need the store: the operating enterprise exists and its brand agrees."""
    uscc = getattr(inp, "enterprise_uscc", None)
    if uscc is None:
        return []
    enterprise = find(session, ENTERPRISES, uscc)
    if enterprise is None:
        return [inp.problem("enterprise_uscc", "unknown_enterprise", f"名录中没有企业 {uscc}")]
    brand = getattr(inp, "brand", None)
    if brand is not None and brand != enterprise.brand:
        return [
            inp.problem("brand", "brand_mismatch", f"与所属企业的品牌 {enterprise.brand} 不一致")
        ]
    return []


def _validate(session: Session, spec: EntitySpec[Any], data: Mapping[str, Any]) -> RegistryInput:
    inp = spec.schema.parse(data)
    problems = _store_problems(session, inp)
    if problems:
        raise ValidationFailed(problems)
    return inp


def _action(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    if after.get("status") == "closed" and before.get("status") != "closed":
        return "close"
    if before.get("status") == "closed" and after.get("status") != "closed":
        return "reopen"
    return "update"


def save(
    session: Session,
    actor: Actor,
    spec: EntitySpec[M],
    data: Mapping[str, Any],
    *,
    note: str | None = None,
    create: bool = True,
    update: bool = True,
) -> tuple[M, Outcome]:
    """Create the record named by ``data``'s key, or update it with the fields ``data`` gives
    (fields not given keep their values; a blank value clears a field). Nothing is written and
    no audit row is recorded when nothing changes."""
    raw_key = data.get(spec.key)
    if raw_key is None or not str(raw_key).strip():
        label = spec.schema.labels[spec.key]
        raise ValidationFailed([Problem(spec.key, "required", f"{label}：必填")])
    obj = find(session, spec, str(raw_key))
    if obj is None:
        if not create:
            raise NotFound(spec.label, str(raw_key))
        inp = _validate(session, spec, data)
        _authorise(actor, spec, SimpleNamespace(**inp.stored_values()), existing=False)
        obj = spec.model(**inp.stored_values())
        session.add(obj)
        session.flush()
        audit.record(
            session,
            actor,
            "create",
            spec.name,
            inp.key,
            after=audit.snapshot(obj, _AUDIT_EXCLUDE),
            note=note,
        )
        return obj, "created"
    if not update:
        label = spec.schema.labels[spec.key]
        raise ValidationFailed(
            [Problem(spec.key, "duplicate", f"{label}：{obj_key(spec, obj)} 已存在")]
        )
    current = spec.schema.from_record(obj)
    inp = _validate(session, spec, {**current, **data})
    if inp.model_dump() == current:
        return obj, "unchanged"
    _authorise(actor, spec, obj, existing=True)
    _authorise(actor, spec, SimpleNamespace(**inp.stored_values()), existing=False)
    before = audit.snapshot(obj, _AUDIT_EXCLUDE)
    for name, value in inp.stored_values().items():
        setattr(obj, name, value)
    session.flush()
    after = audit.snapshot(obj, _AUDIT_EXCLUDE)
    audit.record(
        session,
        actor,
        _action(before, after),
        spec.name,
        inp.key,
        before=before,
        after=after,
        note=note,
    )
    return obj, "updated"


def obj_key(spec: EntitySpec[Any], obj: Any) -> str:
    return str(getattr(obj, spec.key))


def update(
    session: Session, actor: Actor, spec: EntitySpec[M], key: str, changes: Mapping[str, Any]
) -> M:
    obj = lookup(session, actor, spec, key)
    given = changes.get(spec.key)
    if given is not None and spec.normalise_key(str(given)) != obj_key(spec, obj):
        label = spec.schema.labels[spec.key]
        raise ValidationFailed([Problem(spec.key, "key_immutable", f"{label}：不能修改")])
    obj, _ = save(session, actor, spec, {**changes, spec.key: obj_key(spec, obj)}, create=False)
    return obj


def close(
    session: Session,
    actor: Actor,
    spec: EntitySpec[M],
    key: str,
    closed_on: dt.date,
    reason: str | None,
) -> M:
    obj = lookup(session, actor, spec, key)
    if obj.status == "closed":
        label = spec.schema.labels["status"]
        raise ValidationFailed([Problem("status", "already_closed", f"{label}：已经关闭")])
    changes = {spec.key: obj_key(spec, obj), "status": "closed", "closed_on": closed_on}
    obj, _ = save(session, actor, spec, changes, note=reason, create=False)
    return obj


# --- enterprises --------------------------------------------------------------------------------


def create_enterprise(session: Session, actor: Actor, data: Mapping[str, Any]) -> Enterprise:
    """Register an enterprise (fields of :class:`~youguan.registry.schemas.EnterpriseIn`)."""
    return save(session, actor, ENTERPRISES, data, update=False)[0]


def update_enterprise(
    session: Session, actor: Actor, uscc: str, changes: Mapping[str, Any]
) -> Enterprise:
    """Change the given fields of an enterprise (the USCC itself cannot change)."""
    return update(session, actor, ENTERPRISES, uscc, changes)


def close_enterprise(
    session: Session, actor: Actor, uscc: str, *, closed_on: dt.date, reason: str | None = None
) -> Enterprise:
    """Mark an enterprise closed (注销) on ``closed_on``; the record stays."""
    return close(session, actor, ENTERPRISES, uscc, closed_on, reason)


def get_enterprise(session: Session, uscc: str) -> Enterprise:
    return _get(session, ENTERPRISES, uscc)


# --- facilities ---------------------------------------------------------------------------------


def create_facility(session: Session, actor: Actor, data: Mapping[str, Any]) -> Facility:
    """Register an outlet or facility (fields of :class:`~youguan.registry.schemas.FacilityIn`;
    GCJ-02 coordinates are converted to WGS-84 on entry)."""
    return save(session, actor, FACILITIES, data, update=False)[0]


def update_facility(
    session: Session, actor: Actor, code: str, changes: Mapping[str, Any]
) -> Facility:
    return update(session, actor, FACILITIES, code, changes)


def close_facility(
    session: Session, actor: Actor, code: str, *, closed_on: dt.date, reason: str | None = None
) -> Facility:
    """Close an outlet or facility: ``closed_on`` is its first day out of service."""
    return close(session, actor, FACILITIES, code, closed_on, reason)


def get_facility(session: Session, code: str) -> Facility:
    return _get(session, FACILITIES, code)


# --- vehicles -----------------------------------------------------------------------------------


def create_vehicle(session: Session, actor: Actor, data: Mapping[str, Any]) -> Vehicle:
    return save(session, actor, VEHICLES, data, update=False)[0]


def update_vehicle(
    session: Session, actor: Actor, plate: str, changes: Mapping[str, Any]
) -> Vehicle:
    return update(session, actor, VEHICLES, plate, changes)


def close_vehicle(
    session: Session, actor: Actor, plate: str, *, closed_on: dt.date, reason: str | None = None
) -> Vehicle:
    """Take a vehicle out of service (停用/报废) on ``closed_on``; the record stays."""
    return close(session, actor, VEHICLES, plate, closed_on, reason)


def get_vehicle(session: Session, plate: str) -> Vehicle:
    return _get(session, VEHICLES, plate)
