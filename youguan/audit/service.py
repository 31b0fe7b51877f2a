"""Writing and reading the audit log (STYLE.md habit 8: audit by default).

``record`` joins the caller's transaction, so the audit row commits or rolls back together with
the change it describes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from youguan.audit.models import AuditLog
from youguan.auth.actor import Actor


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def snapshot(obj: Any, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """The column values of an ORM object as a JSON-able dict (for ``before``/``after``)."""
    mapper = inspect(obj).mapper
    return {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in exclude
    }


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Keys whose value differs, with ``[old, new]``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditLog:
    row = AuditLog(
        actor=actor.name,
        actor_role=actor.role.value,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        note=note,
    )
    session.add(row)
    return row


def history(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | int | None = None,
    action: str | None = None,
    limit: int = 200,
) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity is not None:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditLog.entity_id == str(entity_id))
    if action is not None:
        stmt = stmt.where(AuditLog.action == action)
    return list(session.scalars(stmt))
