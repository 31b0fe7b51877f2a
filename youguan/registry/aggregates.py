"""Aggregates of the registry that indicators, the network package and the map compute from
(DOMAIN.md §4.4 "derived from the registry", §5 coverage). A facility counts on ``as_of`` when it is
open that day (:func:`youguan.registry.rules.is_open`: opened on or before, not yet closed).

Every function takes an optional ``actor``: given one, only the facilities in the actor's scope
count (:func:`youguan.auth.scope.restrict` — pages and the API always pass it); without one the
whole register counts (indicators computed for the prefecture by the system).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from youguan.auth.actor import Actor
from youguan.auth.scope import restrict
from youguan.geo.divisions import PREFECTURE_CODE
from youguan.geo.models import DivisionRow
from youguan.registry import rules
from youguan.registry.models import Facility

S = TypeVar("S", bound=Select[*tuple[Any, ...]])
Dimension = Literal["type", "brand", "county"]
DIMENSIONS: tuple[Dimension, ...] = ("type", "brand", "county")


def _scoped(stmt: S, actor: Actor | None) -> S:
    return stmt if actor is None else restrict(stmt, actor, model=Facility)


def facility_counts(
    session: Session,
    *,
    as_of: dt.date,
    type: str | None = None,
    brand: str | None = None,
    county: str | None = None,
    standardized: bool | None = None,
    actor: Actor | None = None,
) -> int:
    """Facilities open on ``as_of``, optionally of one type, brand, county (a division code
    prefix) and standardisation (标准化网点)."""
    stmt = select(func.count()).select_from(Facility).where(Facility.open_on(as_of))
    if type is not None:
        stmt = stmt.where(Facility.type == type)
    if brand is not None:
        stmt = stmt.where(Facility.brand == brand)
    if county is not None:
        stmt = stmt.where(Facility.division_code.startswith(county, autoescape=True))
    if standardized is not None:
        stmt = stmt.where(Facility.standardized == standardized)
    return int(session.scalar(_scoped(stmt, actor)) or 0)


@dataclass(frozen=True)
class CountRow:
    """One group of :func:`facility_count_rows`; a dimension not grouped by is None."""

    count: int
    type: str | None = None
    brand: str | None = None
    county: str | None = None


def _county_of_division() -> ColumnElement[str]:
    return func.substr(Facility.division_code, 1, 6)


def facility_count_rows(
    session: Session,
    *,
    as_of: dt.date,
    by: Sequence[Dimension],
    where: Sequence[ColumnElement[bool]] = (),
    actor: Actor | None = None,
) -> list[CountRow]:
    """Facilities open on ``as_of`` counted by any of type, brand and county (the first six
    digits of the division code), with extra conditions ``where``; groups sorted by type, then
    brand, then county. Facilities without a brand form their own group (``brand`` None, last)."""
    columns: dict[str, Any] = {
        "type": Facility.type,
        "brand": Facility.brand,
        "county": _county_of_division(),
    }
    dims = [d for d in DIMENSIONS if d in by]
    keys = [columns[d].label(d) for d in dims]
    stmt = select(*keys, func.count().label("n")).select_from(Facility)
    stmt = stmt.where(Facility.open_on(as_of), *where)
    if keys:
        # in dimension order (type, brand, county); facilities without a brand last
        stmt = stmt.group_by(*keys).order_by(*(columns[d].asc().nulls_last() for d in dims))
    rows = session.execute(_scoped(stmt, actor)).all()
    return [CountRow(count=int(r.n), **{d: getattr(r, d) for d in dims}) for r in rows]


def sorting_line_count(session: Session, *, as_of: dt.date, actor: Actor | None = None) -> int:
    """自动化分拣线: the sorting lines of every facility open on ``as_of``."""
    stmt = select(func.coalesce(func.sum(Facility.sorting_lines), 0)).where(Facility.open_on(as_of))
    return int(session.scalar(_scoped(stmt.select_from(Facility), actor)) or 0)


def _units(session: Session, level: str, kinds: Sequence[str], within: str) -> set[str]:
    stmt = select(DivisionRow.code).where(
        DivisionRow.level == level,
        DivisionRow.kind.in_(list(kinds)),
        DivisionRow.code.startswith(within),
    )
    return set(session.scalars(stmt))


def coverage_townships(session: Session, county: str | None = None) -> set[str]:
    """The township-level units that count for coverage (乡、镇、街道) in the prefecture or in one
    county."""
    return _units(session, "township", rules.COVERAGE_TOWNSHIP_KINDS, county or PREFECTURE_CODE)


def covered_townships(
    session: Session,
    *,
    as_of: dt.date,
    types: Sequence[str],
    brands: Sequence[str] | None = None,
    county: str | None = None,
    actor: Actor | None = None,
) -> set[str]:
    """The coverage townships (of ``county`` or the prefecture) with at least one facility of
    ``types`` (and ``brands``) open on ``as_of``. A facility located only to its county covers
    no township."""
    townships = coverage_townships(session, county)
    prefix = func.substr(Facility.division_code, 1, 9)
    stmt = (
        select(prefix)
        .distinct()
        .select_from(Facility)
        .where(
            Facility.open_on(as_of),
            Facility.type.in_(list(types)),
            func.length(Facility.division_code) >= 9,
        )
    )
    if brands is not None:
        stmt = stmt.where(Facility.brand.in_(list(brands)))
    return set(session.scalars(_scoped(stmt, actor))) & townships


def township_coverage(
    session: Session,
    *,
    as_of: dt.date,
    types: Sequence[str],
    brands: Sequence[str] | None = None,
    county: str | None = None,
    actor: Actor | None = None,
) -> float:
    """Share (0–1) of the township-level units (乡、镇、街道;
    :data:`~youguan.registry.rules.COVERAGE_TOWNSHIP_KINDS`) of the prefecture (or of ``county``)
    with at least one facility of ``types`` (and ``brands`` when given) open on ``as_of``
    (DOMAIN.md §5)."""
    townships = coverage_townships(session, county)
    if not townships:
        return 0.0
    covered = covered_townships(
        session, as_of=as_of, types=types, brands=brands, county=county, actor=actor
    )
    return len(covered) / len(townships)


def admin_villages(session: Session, county: str | None = None) -> set[str]:
    """The 建制村 (村民委员会) of the prefecture or of one county."""
    return _units(session, "village", ("villager_committee",), county or PREFECTURE_CODE)


def directly_served_villages(
    session: Session, *, as_of: dt.date, county: str | None = None, actor: Actor | None = None
) -> set[str]:
    """The 建制村 (of ``county`` or the prefecture) with a fixed hand-over point on ``as_of``: an
    open facility of :data:`~youguan.registry.rules.DIRECT_SERVICE_TYPES` located in the village,
    or listing it in ``served_villages`` with at least
    :data:`~youguan.registry.rules.MIN_SCHEDULED_DELIVERIES_PER_WEEK` deliveries a week."""
    villages = admin_villages(session, county)
    stmt = select(
        Facility.division_code, Facility.served_villages, Facility.deliveries_per_week
    ).where(Facility.open_on(as_of), Facility.type.in_(sorted(rules.DIRECT_SERVICE_TYPES)))
    if actor is not None:
        stmt = restrict(stmt, actor, model=Facility)
    served: set[str] = set()
    for division_code, served_villages, per_week in session.execute(stmt):
        served.add(division_code)
        if served_villages and (per_week or 0) >= rules.MIN_SCHEDULED_DELIVERIES_PER_WEEK:
            served.update(served_villages)
    return served & villages


def village_direct_service(
    session: Session, *, as_of: dt.date, county: str | None = None, actor: Actor | None = None
) -> float:
    """快递服务直投到村比例 (DOMAIN.md §5 [P]): share (0–1) of the 建制村 of the prefecture (or of
    ``county``) that are directly served on ``as_of`` (:func:`directly_served_villages`)."""
    villages = admin_villages(session, county)
    if not villages:
        return 0.0
    served = directly_served_villages(session, as_of=as_of, county=county, actor=actor)
    return len(served) / len(villages)
