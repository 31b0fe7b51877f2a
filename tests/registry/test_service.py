"""Create, update, close and get, with an audit row (who, when, before, after) for every change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.registry.factories import (
    ALICE,
    BOB,
    CAROL,
    LOCAL_SF,
    LOCAL_ZTO,
    MENGHAI,
    enterprise,
    facility,
    vehicle,
)
from youguan.audit import service as audit
from youguan.audit.models import AuditLog
from youguan.context import Context
from youguan.registry import service
from youguan.registry.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.postgres


def audit_rows(ctx: Context, entity: str, key: str) -> list[AuditLog]:
    with ctx.read() as s:
        return list(reversed(audit.history(s, entity=entity, entity_id=key)))


def test_create_update_close_each_leave_an_audit_row_with_before_and_after(ctx: Context) -> None:
    with ctx.transaction() as s:
        service.create_enterprise(s, ALICE, enterprise())
        service.create_facility(s, ALICE, facility(enterprise_uscc=LOCAL_SF, brand="sf"))
    with ctx.transaction() as s:
        service.update_facility(
            s, ALICE, "F-0001", {"name": "磨憨顺丰驿站", "filed_on": "2021-03-30"}
        )
    with ctx.transaction() as s:
        service.close_facility(s, ALICE, "F-0001", closed_on=dt.date(2023, 6, 30), reason="撤点")

    create, update, close = audit_rows(ctx, "facility", "F-0001")
    assert [r.action for r in (create, update, close)] == ["create", "update", "close"]
    assert all(r.actor == "alice" and r.actor_role == "admin" for r in (create, update, close))
    assert create.before is None and create.after is not None
    assert create.after["name"] == "磨憨口岸快递超市" and create.after["opened_on"] == "2021-03-01"
    assert update.before is not None and update.after is not None
    assert (update.before["name"], update.after["name"]) == ("磨憨口岸快递超市", "磨憨顺丰驿站")
    assert (update.before["filing_delay_days"], update.after["filing_delay_days"]) == (None, 29)
    assert close.before is not None and close.after is not None
    assert (close.before["status"], close.after["status"]) == ("active", "closed")
    assert close.after["closed_on"] == "2023-06-30" and close.note == "撤点"
    assert all(r.at.tzinfo is not None for r in (create, update, close))

    with ctx.read() as s:
        f = service.get_facility(s, "F-0001")  # closing never deletes
        assert (f.status, f.closed_on, f.name) == ("closed", dt.date(2023, 6, 30), "磨憨顺丰驿站")
        assert f.filed_within_deadline() is False  # filed on day 29
        assert f.created_at.tzinfo is not None and f.updated_at >= f.created_at


def test_an_update_that_changes_nothing_writes_nothing(ctx: Context) -> None:
    with ctx.transaction() as s:
        service.create_vehicle(s, ALICE, vehicle())
    with ctx.transaction() as s:
        _, outcome = service.save(s, ALICE, service.VEHICLES, vehicle(kind="快递", new_energy="否"))
    assert outcome == "unchanged"
    assert [r.action for r in audit_rows(ctx, "vehicle", "云K12345")] == ["create"]


def test_a_blank_value_clears_a_field_and_keys_cannot_change(ctx: Context) -> None:
    with ctx.transaction() as s:
        service.create_enterprise(s, ALICE, enterprise())
        e = service.update_enterprise(
            s, ALICE, LOCAL_SF.lower(), {"address": "", "licence_scope": []}
        )
        assert e.address is None and e.licence_scope == []
        with pytest.raises(ValidationFailed) as info:
            service.update_enterprise(s, ALICE, LOCAL_SF, {"uscc": LOCAL_ZTO})
        assert [p.code for p in info.value.problems] == ["key_immutable"]


def test_create_refuses_an_existing_key_and_closing_twice(ctx: Context) -> None:
    with ctx.transaction() as s:
        service.create_vehicle(s, ALICE, vehicle())
        with pytest.raises(ValidationFailed) as dup:
            service.create_vehicle(s, ALICE, vehicle(plate="云k-12345"))
        assert [p.code for p in dup.value.problems] == ["duplicate"]
        service.close_vehicle(s, ALICE, "云K12345", closed_on=dt.date(2024, 1, 1))
        with pytest.raises(ValidationFailed) as twice:
            service.close_vehicle(s, ALICE, "云K12345", closed_on=dt.date(2024, 2, 1))
        assert [p.code for p in twice.value.problems] == ["already_closed"]


def test_reopening_is_audited_as_such(ctx: Context) -> None:
    with ctx.transaction() as s:
        service.create_enterprise(s, ALICE, enterprise())
        service.close_enterprise(s, ALICE, LOCAL_SF, closed_on=dt.date(2022, 1, 1))
        service.update_enterprise(s, ALICE, LOCAL_SF, {"status": "active", "closed_on": None})
    assert [r.action for r in audit_rows(ctx, "enterprise", LOCAL_SF)] == [
        "create",
        "close",
        "reopen",
    ]


def test_the_operating_enterprise_must_exist_and_share_the_brand(ctx: Context) -> None:
    with ctx.transaction() as s:
        with pytest.raises(ValidationFailed) as unknown:
            service.create_facility(s, ALICE, facility(enterprise_uscc=LOCAL_SF))
        assert [(p.field, p.code) for p in unknown.value.problems] == [
            ("enterprise_uscc", "unknown_enterprise")
        ]
        service.create_enterprise(s, ALICE, enterprise())
        with pytest.raises(ValidationFailed) as mismatch:
            service.create_vehicle(s, ALICE, vehicle(brand="zto", enterprise_uscc=LOCAL_SF))
        assert [(p.field, p.code) for p in mismatch.value.problems] == [("brand", "brand_mismatch")]


def test_a_rejected_write_leaves_no_row_and_no_audit(ctx: Context) -> None:
    with pytest.raises(ValidationFailed), ctx.transaction() as s:
        service.create_facility(s, ALICE, facility(opened_on="2021-02-30"))
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_writes_need_the_permission_and_stay_in_the_county(ctx: Context) -> None:
    with ctx.transaction() as s:
        with pytest.raises(PermissionDenied):
            service.create_vehicle(s, CAROL, vehicle())  # enterprise users do not keep the register
        with pytest.raises(PermissionDenied):
            service.create_vehicle(s, BOB, vehicle())  # 勐海 regulator, 景洪 vehicle
        v = service.create_vehicle(s, BOB, vehicle(county_code=MENGHAI))
        assert v.county_code == MENGHAI
        with pytest.raises(PermissionDenied):  # moving it out of 勐海 is out of scope too
            service.update_vehicle(s, BOB, v.plate, {"county_code": "532801"})


def test_get_of_an_unknown_key_raises_not_found(ctx: Context) -> None:
    with ctx.read() as s, pytest.raises(NotFound, match="未找到网点与设施 NOPE"):
        service.get_facility(s, "NOPE")
