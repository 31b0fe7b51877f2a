"""Loading the shipped reference data into the operational store (idempotent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from youguan.context import Context
from youguan.errors import NotFound
from youguan.geo.divisions import Kind, Level, divisions
from youguan.geo.models import DivisionRow
from youguan.geo.schemas import CountySummary, DivisionPublic
from youguan.paging import Page, PageRequest, paginate


def sync_divisions(session: Session) -> int:
    """Insert or update every shipped division; returns how many rows changed."""
    existing = {r.code: r for r in session.scalars(select(DivisionRow))}
    changed = 0
    # Parents first so the self-referencing foreign key holds on every insert.
    for d in sorted(divisions().all(), key=lambda d: (len(d.code), d.code)):
        row = existing.get(d.code)
        values = {
            "name": d.name,
            "level": d.level.value,
            "kind": d.kind.value,
            "parent_code": d.parent,
        }
        if row is None:
            session.add(DivisionRow(code=d.code, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    session.flush()
    return changed


def county_summaries(county_prefix: str | None = None) -> list[CountySummary]:
    """The prefecture's counties with their township, village and 建制村 counts (from the shipped
    reference data), optionally only the county ``county_prefix``."""
    reg = divisions()
    out = []
    for county in reg.prefecture_counties():
        if county_prefix and not county.code.startswith(county_prefix):
            continue
        villages = reg.within(county.code, Level.VILLAGE)
        out.append(
            CountySummary(
                code=county.code,
                name=county.name,
                townships=len(reg.within(county.code, Level.TOWNSHIP)),
                villages=len(villages),
                admin_villages=sum(v.kind is Kind.VILLAGER_COMMITTEE for v in villages),
            )
        )
    return out


def to_public(d: DivisionRow) -> DivisionPublic:
    level = Level(d.level)
    kind = Kind(d.kind)
    return DivisionPublic(
        code=d.code,
        name=d.name,
        level=level.value,
        level_label=level.label,
        kind=kind.value,
        kind_label=kind.label,
        parent_code=d.parent_code,
        full_name=divisions().full_name(d.code),
    )


def list_divisions(
    ctx: Context, page: PageRequest, *, parent: str | None = None, level: Level | None = None
) -> Page[DivisionPublic]:
    """Divisions (public reference data), ordered by code."""
    stmt = select(DivisionRow).order_by(DivisionRow.code)
    if parent is not None:
        stmt = stmt.where(DivisionRow.parent_code == parent)
    if level is not None:
        stmt = stmt.where(DivisionRow.level == level.value)
    with ctx.read() as s:
        return paginate(s, stmt, page, to_public)


def get_division(ctx: Context, code: str) -> DivisionPublic:
    with ctx.read() as s:
        row = s.get(DivisionRow, code)
        if row is None:
            raise NotFound(f"行政区划代码 {code} 不存在", details={"code": code})
        return to_public(row)
