"""Loading the shipped reference data into the operational store (idempotent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from youguan.geo.divisions import divisions
from youguan.geo.models import DivisionRow


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
