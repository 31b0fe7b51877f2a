"""Aggregates of the registry that indicators and the network package compute from (DOMAIN.md §4.4
"derived from the registry", §5 coverage). A facility counts on ``as_of`` when it is open that day
(:func:`youguan.registry.rules.is_open`: opened on or before, not yet closed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from youguan.geo.divisions import PREFECTURE_CODE
from youguan.geo.models import DivisionRow
from youguan.registry import rules
from youguan.registry.models import Facility


def facility_counts(
    session: Session,
    *,
    as_of: dt.date,
    type: str | None = None,
    brand: str | None = None,
    county: str | None = None,
    standardized: bool | None = None,
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
    return int(session.scalar(stmt) or 0)


def sorting_line_count(session: Session, *, as_of: dt.date) -> int:
    """自动化分拣线: the sorting lines of every facility open on ``as_of``."""
    stmt = select(func.coalesce(func.sum(Facility.sorting_lines), 0)).where(Facility.open_on(as_of))
    return int(session.scalar(stmt) or 0)


def _prefecture_units(session: Session, level: str, kinds: Sequence[str]) -> set[str]:
    stmt = select(DivisionRow.code).where(
        DivisionRow.level == level,
        DivisionRow.kind.in_(list(kinds)),
        DivisionRow.code.startswith(PREFECTURE_CODE),
    )
    return set(session.scalars(stmt))


def township_coverage(
    session: Session,
    *,
    as_of: dt.date,
    types: Sequence[str],
    brands: Sequence[str] | None = None,
) -> float:
    """Share (0–1) of the prefecture's township-level units (乡、镇、街道;
    :data:`~youguan.registry.rules.COVERAGE_TOWNSHIP_KINDS`) with at least one facility of
    ``types`` (and ``brands`` when given) open on ``as_of`` (DOMAIN.md §5). A facility located only
    to the county covers no township."""
    townships = _prefecture_units(session, "township", rules.COVERAGE_TOWNSHIP_KINDS)
    if not townships:
        return 0.0
    prefix = func.substr(Facility.division_code, 1, 9)
    stmt = (
        select(prefix)
        .distinct()
        .where(
            Facility.open_on(as_of),
            Facility.type.in_(list(types)),
            func.length(Facility.division_code) >= 9,
        )
    )
    if brands is not None:
        stmt = stmt.where(Facility.brand.in_(list(brands)))
    covered = set(session.scalars(stmt)) & townships
    return len(covered) / len(townships)


def village_direct_service(session: Session, *, as_of: dt.date) -> float:
    """快递服务直投到村比例 (DOMAIN.md §5 [P]): share (0–1) of the prefecture's 建制村 (村民委员会)
    with a fixed hand-over point on ``as_of`` — an open facility of
    :data:`~youguan.registry.rules.DIRECT_SERVICE_TYPES` located in the village, or listing it
    in ``served_villages`` with at least
    :data:`~youguan.registry.rules.MIN_SCHEDULED_DELIVERIES_PER_WEEK` deliveries a week."""
    villages = _prefecture_units(session, "village", ("villager_committee",))
    if not villages:
        return 0.0
    stmt = select(
        Facility.division_code, Facility.served_villages, Facility.deliveries_per_week
    ).where(Facility.open_on(as_of), Facility.type.in_(sorted(rules.DIRECT_SERVICE_TYPES)))
    served: set[str] = set()
    for division_code, served_villages, per_week in session.execute(stmt):
        served.add(division_code)
        if served_villages and (per_week or 0) >= rules.MIN_SCHEDULED_DELIVERIES_PER_WEEK:
            served.update(served_villages)
    return len(served & villages) / len(villages)
