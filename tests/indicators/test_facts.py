"""Facts: stored values with provenance, incremental recomputation equal to a full one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.indicators.factories import T0, LakeFactory, days, hours
from youguan.context import Context
from youguan.indicators.facts import compute
from youguan.indicators.models import ALL_BRANDS, Fact, IndicatorRun
from youguan.indicators.service import yearly_value

UTC = dt.UTC
APRIL = dt.datetime(2025, 4, 10, 2, tzinfo=UTC)
LATER = dt.datetime(2025, 7, 1, tzinfo=UTC)


def _facts(ctx: Context, **where: object) -> list[Fact]:
    with ctx.read() as s:
        stmt = select(Fact)
        for k, v in where.items():
            stmt = stmt.where(getattr(Fact, k) == v)
        return list(s.scalars(stmt))


def _one(ctx: Context, **where: object) -> Fact:
    found = _facts(ctx, **where)
    assert len(found) == 1, (where, len(found))
    return found[0]


def _snapshot(ctx: Context) -> dict[tuple[object, ...], tuple[object, ...]]:
    return {
        (f.indicator, f.period_kind, f.period_start, f.division, f.brand, f.dims): (
            f.value,
            f.numerator,
            f.denominator,
            f.pending,
            f.definition_version,
        )
        for f in _facts(ctx)
    }


def _march(lake: LakeFactory) -> None:
    lake.item(brand="sf").delivered(after=hours(20))
    lake.item(brand="sf", accepted=dt.datetime(2025, 3, 31, 15, tzinfo=UTC))  # late events
    lake.item(brand="zto", direction="inbound").delivered(after=hours(100))
    lake.item(brand="zto", scope="same_city", xray=False)
    lake.commit()


@pytest.mark.postgres
def test_compute_stores_every_cell_with_provenance(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    _march(lake)
    summary = compute(ctx, as_of=LATER)
    assert summary.kind == "full" and summary.data_version == ctx.lake.version()
    month = dict(period_kind="month", period_start=dt.date(2025, 3, 1))
    f = _one(ctx, indicator="on_time_72h_rate", division="5328", brand=ALL_BRANDS, dims="", **month)
    assert (f.value, f.numerator, f.denominator, f.pending) == (1 / 3, 1, 3, 0)
    assert f.definition_version == 1 and f.run_id == summary.run_id
    assert f.as_of == LATER and f.data_version == summary.data_version
    zto = _one(ctx, indicator="xray_rate", division="5328", brand="zto", dims="", **month)
    assert (zto.numerator, zto.denominator) == (1, 2)
    county = _one(ctx, indicator="xray_rate", division="532822", brand=ALL_BRANDS, dims="", **month)
    assert county.denominator == 1  # the inbound zto parcel to 勐海
    inbound = _one(
        ctx, indicator="xray_rate", division="5328", brand="zto", dims="direction=inbound", **month
    )
    assert inbound.denominator == 1
    assert {f.period_kind for f in _facts(ctx)} == {"month", "quarter", "year"}
    q1 = _one(
        ctx,
        indicator="e_waybill_rate",
        period_kind="quarter",
        period_start=dt.date(2025, 1, 1),
        division="5328",
        brand=ALL_BRANDS,
        dims="",
    )
    assert q1.denominator == 4


@pytest.mark.postgres
def test_yearly_value_reads_the_stored_year(ctx: Context) -> None:
    _march(LakeFactory(ctx))
    compute(ctx, as_of=LATER)
    v = yearly_value(ctx, "on_time_72h_rate", 2025)
    assert v is not None
    assert (v.value, v.numerator, v.denominator, v.pending) == (1 / 3, 1, 3, 0)
    assert v.definition_version == 1 and v.data_version == ctx.lake.version()
    assert v.computed_at.tzinfo is not None
    sf = yearly_value(ctx, "on_time_72h_rate", 2025, brand="sf")
    assert sf is not None and sf.value == 0.5  # one on time, one never delivered
    menghai = yearly_value(ctx, "e_waybill_rate", 2025, division="532822")
    assert menghai is not None and menghai.denominator == 1
    assert yearly_value(ctx, "on_time_72h_rate", 2024) is None


def test_a_batch_recomputes_only_the_cells_it_touches(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    _march(lake)
    first = compute(ctx, as_of=LATER)
    lake.item(brand="zto", accepted=APRIL).delivered(after=hours(10))
    lake.commit()
    second = compute(ctx, as_of=LATER)
    assert second.kind == "incremental" and second.since_version == first.data_version

    def run_of(kind: str, start: dt.date, brand: str) -> set[int]:
        return {f.run_id for f in _facts(ctx, period_kind=kind, period_start=start, brand=brand)}

    new, old = {second.run_id}, {first.run_id}
    assert run_of("month", dt.date(2025, 4, 1), "zto") == new
    assert run_of("month", dt.date(2025, 4, 1), ALL_BRANDS) == new
    assert run_of("quarter", dt.date(2025, 4, 1), "zto") == new
    assert run_of("year", dt.date(2025, 1, 1), "zto") == new
    assert run_of("year", dt.date(2025, 1, 1), ALL_BRANDS) == new
    assert run_of("month", dt.date(2025, 3, 1), "zto") == old
    assert run_of("month", dt.date(2025, 3, 1), ALL_BRANDS) == old
    assert run_of("year", dt.date(2025, 1, 1), "sf") == old
    assert run_of("month", dt.date(2025, 4, 1), "sf") == set()
    assert second.cells == 6


def test_late_events_recompute_the_month_of_acceptance(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    late = lake.item(brand="sf", accepted=dt.datetime(2025, 3, 31, 15, tzinfo=UTC))
    lake.commit()
    first = compute(ctx, as_of=LATER)
    march = dict(period_kind="month", period_start=dt.date(2025, 3, 1), division="5328", dims="")
    assert _one(ctx, indicator="on_time_72h_rate", brand="sf", **march).value == 0.0
    late.delivered(after=hours(30))  # 1 April: an events file in April's partition
    [batch] = lake.commit()
    assert batch.partitions == (("sf", "2025-04"),)
    second = compute(ctx, as_of=LATER)
    fact = _one(ctx, indicator="on_time_72h_rate", brand="sf", **march)
    assert (fact.value, fact.run_id) == (1.0, second.run_id)
    assert _facts(ctx, period_kind="month", period_start=dt.date(2025, 4, 1)) == []
    assert first.run_id != second.run_id


def test_incremental_runs_give_the_same_facts_as_a_full_run(lake: LakeFactory) -> None:
    ctx = lake.ctx
    _march(lake)
    compute(ctx, as_of=T0 + days(2))  # items still pending
    lake.item(brand="sf", accepted=APRIL).delivered(after=hours(80))
    lake.item(brand="jt", accepted=APRIL, xray=False).security_record("xray", after=hours(1))
    lake.commit()
    compute(ctx, as_of=APRIL + days(1))
    late = lake.item(brand="zto", accepted=dt.datetime(2025, 3, 31, 15, 30, tzinfo=UTC))
    lake.commit()
    late.delivered(after=days(1)).exception("damaged", after=hours(2))
    lake.commit()
    last = compute(ctx, as_of=LATER)
    assert last.kind == "incremental"
    incremental = _snapshot(ctx)
    full = compute(ctx, as_of=LATER, full=True)
    assert full.kind == "full"
    assert _snapshot(ctx) == incremental
    assert len(incremental) > 100


def test_pending_cells_are_refreshed_as_time_passes(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    lake.item().delivered(after=hours(10))
    lake.commit()
    compute(ctx, as_of=T0 + days(1))
    where = dict(indicator="on_time_72h_rate", period_kind="month", division="5328", dims="")
    before = _one(ctx, brand=ALL_BRANDS, **where)
    assert (before.pending, before.value) == (1, None)
    run = compute(ctx, as_of=T0 + days(8))
    after = _one(ctx, brand=ALL_BRANDS, **where)
    assert (after.pending, after.value, after.run_id) == (0, 1.0, run.run_id)
    assert run.kind == "incremental"


def test_changed_parameters_force_a_full_run(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    lake.item().delivered(after=hours(10))
    lake.commit()
    assert compute(ctx, as_of=LATER).kind == "full"
    assert compute(ctx, as_of=LATER).kind == "incremental"
    (ctx.settings.home_dir / "indicators.toml").write_text(
        "[parameters]\nwindow_intercity_days = 10\n", encoding="utf-8"
    )
    run = compute(ctx, as_of=LATER)
    assert (run.kind, run.reason) == ("full", "parameters changed")
    with ctx.read() as s:
        stored = s.get(IndicatorRun, run.run_id)
    assert stored is not None and stored.params["window_intercity_days"] == 10


def test_a_date_range_recomputes_the_periods_it_overlaps(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    _march(lake)
    lake.item(brand="sf", accepted=APRIL)
    lake.commit()
    full = compute(ctx, as_of=LATER)
    ranged = compute(ctx, as_of=LATER, date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 4, 30))
    assert ranged.kind == "range"
    march = _facts(ctx, period_kind="month", period_start=dt.date(2025, 3, 1))
    april = _facts(ctx, period_kind="month", period_start=dt.date(2025, 4, 1))
    year = _facts(ctx, period_kind="year")
    assert {f.run_id for f in march} == {full.run_id}
    assert {f.run_id for f in april} == {ranged.run_id}
    assert {f.run_id for f in year} == {ranged.run_id}


def test_an_empty_lake_computes_nothing(ctx: Context) -> None:
    run = compute(ctx, as_of=LATER)
    assert (run.kind, run.cells, run.facts) == ("full", 0, 0)


def test_one_query_over_the_union_of_groupings_gives_the_same_facts(ctx: Context) -> None:
    _march(LakeFactory(ctx))
    compute(ctx, as_of=LATER, union_groupings=False)
    separate = _snapshot(ctx)
    compute(ctx, as_of=LATER, full=True, union_groupings=True)
    assert _snapshot(ctx) == separate
