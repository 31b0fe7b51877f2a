"""Drill-down: the items behind a fact, masked, paginated, exported."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.indicators.factories import T0, LakeFactory, days, hours
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.indicators.drill import drill_down, export_drill
from youguan.indicators.facts import compute
from youguan.indicators.models import ALL_BRANDS, Fact
from youguan.indicators.service import NotFound

UTC = dt.UTC
LATER = T0 + days(60)
SYSTEM = Actor.system("test")
BOB = Actor(name="bob", role=Role.ENTERPRISE, user_id=2, brand="zto")


def _fact_id(ctx: Context, code: str, brand: str = ALL_BRANDS, **where: object) -> int:
    with ctx.read() as s:
        stmt = select(Fact.id).where(
            Fact.indicator == code,
            Fact.period_kind == where.get("period_kind", "month"),
            Fact.brand == brand,
            Fact.division == where.get("division", "5328"),
            Fact.dims == where.get("dims", ""),
        )
        return int(s.scalars(stmt).one())


def test_the_waybills_that_missed_72_hours(lake: LakeFactory) -> None:
    late = lake.item().delivered(after=hours(73))
    lake.item().delivered(after=hours(10))
    never = lake.item(accepted=T0 + hours(1))
    lake.commit()
    compute(lake.ctx, as_of=LATER)
    page = drill_down(lake.ctx, SYSTEM, _fact_id(lake.ctx, "on_time_72h_rate"))
    assert (page.which, page.total, page.exact) == ("shortfall", 2, True)
    assert [r["waybill_no"] for r in page.rows] == [late.waybill_no, never.waybill_no]
    first = page.rows[0]
    assert first["accepted_at"] == "2025-03-03T10:00:00+08:00"
    assert first["first_delivery_at"] == "2025-03-06T11:00:00+08:00"
    assert first["hours_to_delivery"] == 73.0 and first["limit_hours"] == 72
    assert page.rows[1]["first_delivery_at"] is None
    on_time = drill_down(lake.ctx, SYSTEM, page.fact.id, which="numerator")
    assert on_time.total == 1


def test_items_without_xray_with_personal_data_masked(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    missing = lake.item(xray=False)
    lake.item(xray=False).security_record("xray")
    lake.item(xray=True)
    lake.commit()
    compute(ctx, as_of=LATER)
    page = drill_down(ctx, SYSTEM, _fact_id(ctx, "xray_rate"))
    assert [r["waybill_no"] for r in page.rows] == [missing.waybill_no]
    names = [c.name for c in page.columns]
    assert "sender_id_no_masked" in names and "sender_phone_masked" in names
    assert not any(n.endswith(("_hash", "_enc")) or n == "sender_id_no" for n in names)
    assert set(page.rows[0]) == set(names)
    assert page.rows[0]["sender_id_no_masked"] == "******************"


def test_pages_and_the_group_of_the_fact(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    for i in range(5):
        lake.item(brand="zto", e_waybill=False, accepted=T0 + hours(i))
    lake.item(brand="zto", direction="inbound", e_waybill=False)
    lake.item(brand="sf", e_waybill=False)
    lake.commit()
    compute(ctx, as_of=LATER)
    fact = _fact_id(ctx, "e_waybill_rate", "zto", division="532801", dims="direction=outbound")
    first = drill_down(ctx, SYSTEM, fact, page=1, page_size=2)
    third = drill_down(ctx, SYSTEM, fact, page=3, page_size=2)
    assert (first.total, len(first.rows), len(third.rows)) == (5, 2, 1)
    assert {r["brand"] for r in first.rows + third.rows} == {"zto"}
    assert {r["direction"] for r in first.rows + third.rows} == {"outbound"}
    with pytest.raises(ValueError):
        drill_down(ctx, SYSTEM, fact, page=0)


def test_an_enterprise_drills_only_into_its_own_brand(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    lake.item(brand="sf", xray=False)
    lake.item(brand="zto", xray=False)
    lake.commit()
    compute(ctx, as_of=LATER)
    assert drill_down(ctx, BOB, _fact_id(ctx, "xray_rate", "zto")).total == 1
    with pytest.raises(NotFound):
        drill_down(ctx, BOB, _fact_id(ctx, "xray_rate", "sf"))
    with pytest.raises(NotFound):
        drill_down(ctx, BOB, _fact_id(ctx, "xray_rate", ALL_BRANDS))


def test_the_rows_are_those_of_the_facts_data_version(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    lake.item(xray=False)
    lake.commit()
    compute(ctx, as_of=LATER)
    fact = _fact_id(ctx, "xray_rate")
    lake.item(xray=False)
    lake.commit()  # not yet computed: the fact still describes one item
    assert drill_down(ctx, SYSTEM, fact).total == 1
    files = ctx.lake.files("waybills")
    ctx.lake.commit(
        "waybills",
        ctx.lake.arrow("waybills"),
        actor=SYSTEM,
        kind="compact",
        retire=[f.id for f in files],
    )
    replaced = drill_down(ctx, SYSTEM, fact)
    assert (replaced.exact, replaced.total) == (False, 2)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_of_a_drill_down(ctx: Context, tmp_path: Path, suffix: str) -> None:
    lake = LakeFactory(ctx)
    lake.item(real_name=False)
    lake.item(id_valid=False)
    lake.item()
    lake.commit()
    compute(ctx, as_of=LATER)
    path = tmp_path / f"实名.{suffix.lstrip('.')}"
    assert export_drill(ctx, SYSTEM, _fact_id(ctx, "real_name_rate"), path) == 2
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][:3] == ["运单号", "品牌", "收寄时间"]
        assert len(rows) == 3
    else:
        wb = load_workbook(path, read_only=True)
        assert wb.sheetnames == ["明细", "口径说明"]
        data = list(wb["明细"].iter_rows(values_only=True))
        assert data[0][0] == "运单号" and len(data) == 3
        notes = dict(wb["口径说明"].iter_rows(values_only=True))
        assert "实名收寄率" in str(notes["指标"]) and "GB 11643" in str(notes["口径"])
    with pytest.raises(ValueError, match=r"\.csv"):
        export_drill(ctx, SYSTEM, 1, tmp_path / "x.pdf")


def test_a_drill_down_built_in_chunks_lists_the_same_rows(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = LakeFactory(ctx)
    for i in range(4):
        lake.item(brand=("sf", "zto")[i % 2], xray=False, accepted=T0 + hours(i))
    lake.item(brand="zto", xray=True)
    lake.commit()
    compute(ctx, as_of=LATER)
    fact = _fact_id(ctx, "xray_rate")
    whole = drill_down(ctx, SYSTEM, fact)
    monkeypatch.setattr("youguan.indicators.drill.default_chunk_items", lambda view: 1)
    chunked = drill_down(ctx, SYSTEM, fact)
    assert chunked.rows == whole.rows and chunked.total == 4
