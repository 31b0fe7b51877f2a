"""Registry services. Each public function owns its unit of work through the session it is given
inside ``Context.transaction()``, and records every change in the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from youguan.registry.brands import brands
from youguan.registry.models import Brand


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
