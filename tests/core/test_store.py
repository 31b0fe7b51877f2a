from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from youguan.audit import service as audit
from youguan.audit.models import AuditLog
from youguan.auth.actor import Actor, Role
from youguan.context import Context, initialise
from youguan.db import current_heads, script_heads
from youguan.geo.models import DivisionRow
from youguan.models import metadata
from youguan.registry.models import Brand

pytestmark = pytest.mark.postgres


def test_migrations_build_exactly_the_models(ctx: Context) -> None:
    with ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_every_branch_is_at_its_head(ctx: Context) -> None:
    assert current_heads(ctx.engine) == script_heads(ctx.engine)


def test_init_twice_is_harmless(ctx: Context) -> None:
    assert initialise(ctx) == {"divisions": 0, "brands": 0}
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(DivisionRow)) == 3723
        assert s.scalar(select(func.count()).select_from(Brand)) == 13


def test_reference_hierarchy_is_loaded(ctx: Context) -> None:
    with ctx.read() as s:
        village = s.get(DivisionRow, "532823105001")
        assert village is not None and village.parent_code == "532823105"
        township = s.get(DivisionRow, village.parent_code)
        assert township is not None and township.name == "磨憨镇"
        assert township.parent_code == "532823"


def test_audit_rows_round_trip_with_utc_times(ctx: Context) -> None:
    actor = Actor(name="alice", role=Role.ADMIN, user_id=1)
    with ctx.transaction() as s:
        audit.record(
            s,
            actor,
            "update",
            "outlet",
            7,
            before={"name": "旧"},
            after={"name": "新", "n": 1},
            note="改名",
        )
    with ctx.read() as s:
        [row] = audit.history(s, entity="outlet", entity_id=7)
    assert row.actor == "alice" and row.actor_role == "admin" and row.action == "update"
    assert row.before == {"name": "旧"} and row.after == {"name": "新", "n": 1}
    assert row.at.tzinfo is not None
    assert abs(row.at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_an_audit_row_rolls_back_with_its_change(ctx: Context) -> None:
    with pytest.raises(RuntimeError), ctx.transaction() as s:
        audit.record(s, Actor.system("test"), "create", "outlet", 1)
        s.flush()
        raise RuntimeError("boom")
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_naive_datetimes_are_refused(ctx: Context) -> None:
    with pytest.raises(Exception, match="naive"), ctx.transaction() as s:
        s.add(
            AuditLog(
                at=dt.datetime(2024, 1, 1),
                actor="x",
                actor_role="system",
                action="x",
                entity="x",
            )
        )
        s.flush()


def test_permissions_come_from_the_role_and_explicit_grants() -> None:
    from youguan.auth.permissions import PII_UNMASK, REGISTRY_WRITE, SUBMIT

    regulator = Actor(name="bob", role=Role.REGULATOR)
    assert regulator.can(REGISTRY_WRITE) and not regulator.can(PII_UNMASK)
    assert Actor(name="bob", role=Role.REGULATOR, grants=frozenset({PII_UNMASK})).can(PII_UNMASK)
    assert Actor(name="sf", role=Role.ENTERPRISE, brand="sf").can(SUBMIT)
    assert not Actor.anonymous().can(SUBMIT)
