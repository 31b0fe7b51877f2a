"""Filtered listing of the registry. One filter model per entity serves the CLI, the JSON list,
the HTML list and the export alike (STYLE.md: one filterset for both).

Every query builder takes the ``actor`` it lists for and narrows the rows to the actor's scope
(:func:`youguan.auth.scope.restrict`); ``None`` lists the whole register (the CLI and the system).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from youguan.auth.actor import Actor
from youguan.auth.scope import restrict
from youguan.registry import rules
from youguan.registry.models import Enterprise, Facility, Vehicle

T = TypeVar("T")
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ListFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(None, description="text in the name, key or address")
    brand: str | None = None
    status: str | None = None
    limit: int = Field(50, ge=1, le=10_000)
    offset: int = Field(0, ge=0)


class EnterpriseFilter(ListFilter):
    kind: str | None = None
    county: str | None = Field(None, description="county code (prefix)")


class FacilityFilter(ListFilter):
    type: str | None = None
    division: str | None = Field(None, description="county, township or village code (prefix)")
    active_on: dt.date | None = Field(None, description="open on this date")
    enterprise_uscc: str | None = None
    standardized: bool | None = None
    filed_late: bool | None = Field(
        None, description="filed after the 20-day deadline, or still unfiled past it"
    )


class VehicleFilter(ListFilter):
    kind: str | None = None
    vehicle_type: str | None = None
    new_energy: bool | None = None
    county: str | None = Field(None, description="county code (prefix)")
    enterprise_uscc: str | None = None


def _text(q: str, columns: Sequence[InstrumentedAttribute[Any]]) -> ColumnElement[bool]:
    needle = q.strip().lower()
    return or_(*(func.lower(c).contains(needle, autoescape=True) for c in columns))


def _page(session: Session, stmt: Select[Any], f: ListFilter) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(f.limit).offset(f.offset)))
    return Page(items=items, total=total, limit=f.limit, offset=f.offset)


def _common(stmt: Select[Any], model: Any, f: ListFilter, text_cols: Sequence[Any]) -> Select[Any]:
    if f.q:
        stmt = stmt.where(_text(f.q, text_cols))
    if f.brand:
        stmt = stmt.where(model.brand == f.brand)
    if f.status:
        stmt = stmt.where(model.status == f.status)
    return stmt


def _scoped(stmt: S, actor: Actor | None) -> S:
    return stmt if actor is None else restrict(stmt, actor)


def enterprise_query(f: EnterpriseFilter, actor: Actor | None = None) -> Select[tuple[Enterprise]]:
    E = Enterprise
    stmt = _common(select(E), E, f, [E.name, E.uscc, E.address, E.licence_no])
    if f.kind:
        stmt = stmt.where(E.kind == f.kind)
    if f.county:
        stmt = stmt.where(E.county_code.startswith(f.county, autoescape=True))
    return _scoped(stmt, actor).order_by(E.uscc)


def list_enterprises(
    session: Session, f: EnterpriseFilter | None = None, actor: Actor | None = None
) -> Page[Enterprise]:
    f = f or EnterpriseFilter()
    return _page(session, enterprise_query(f, actor), f)


def filed_late(as_of: dt.date) -> ColumnElement[bool]:
    """SQL form of ``filed_within_deadline(...) is False``."""
    deadline = rules.FILING_DEADLINE_DAYS
    return or_(
        func.coalesce(Facility.filing_delay_days, 0) > deadline,
        and_(
            Facility.filed_on.is_(None),
            Facility.type.in_(sorted(rules.FILING_REQUIRED_TYPES)),
            Facility.opened_on < as_of - dt.timedelta(days=deadline),
        ),
    )


def facility_query(f: FacilityFilter, actor: Actor | None = None) -> Select[tuple[Facility]]:
    F = Facility
    stmt = _common(select(F), F, f, [F.name, F.code, F.address])
    if f.type:
        stmt = stmt.where(F.type == f.type)
    if f.division:
        stmt = stmt.where(F.division_code.startswith(f.division, autoescape=True))
    if f.active_on:
        stmt = stmt.where(F.open_on(f.active_on))
    if f.enterprise_uscc:
        stmt = stmt.where(F.enterprise_uscc == f.enterprise_uscc)
    if f.standardized is not None:
        stmt = stmt.where(F.standardized == f.standardized)
    if f.filed_late is not None:
        late = filed_late(rules.local_today())
        stmt = stmt.where(late if f.filed_late else ~late)
    return _scoped(stmt, actor).order_by(F.code)


def list_facilities(
    session: Session, f: FacilityFilter | None = None, actor: Actor | None = None
) -> Page[Facility]:
    f = f or FacilityFilter()
    return _page(session, facility_query(f, actor), f)


def vehicle_query(f: VehicleFilter, actor: Actor | None = None) -> Select[tuple[Vehicle]]:
    V = Vehicle
    stmt = _common(select(V), V, f, [V.plate])
    for name in ("kind", "vehicle_type", "enterprise_uscc"):
        value = getattr(f, name)
        if value:
            stmt = stmt.where(getattr(V, name) == value)
    if f.new_energy is not None:
        stmt = stmt.where(V.new_energy == f.new_energy)
    if f.county:
        stmt = stmt.where(V.county_code.startswith(f.county, autoescape=True))
    return _scoped(stmt, actor).order_by(V.plate)


def list_vehicles(
    session: Session, f: VehicleFilter | None = None, actor: Actor | None = None
) -> Page[Vehicle]:
    f = f or VehicleFilter()
    return _page(session, vehicle_query(f, actor), f)
