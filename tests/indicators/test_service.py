"""Definitions and stored values as the API serves them, scoped to the actor."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.indicators.factories import LakeFactory, hours
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.indicators.dimensions import DimensionError
from youguan.indicators.facts import compute
from youguan.indicators.registry import UnknownIndicator
from youguan.indicators.service import (
    get_definition,
    indicator_values,
    list_definitions,
    yearly_value,
)

UTC = dt.UTC
LATER = dt.datetime(2025, 7, 1, tzinfo=UTC)
ALICE = Actor(name="alice", role=Role.REGULATOR, user_id=1)  # 州局 regulator
BOB = Actor(name="bob", role=Role.ENTERPRISE, user_id=2, brand="zto")  # 中通 staff
CHARLIE = Actor.anonymous()
JAN1, DEC31 = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture
def computed(ctx: Context) -> Context:
    lake = LakeFactory(ctx)
    march = dt.datetime(2025, 3, 3, 2, tzinfo=UTC)
    april = dt.datetime(2025, 4, 8, 2, tzinfo=UTC)
    lake.item(brand="sf", accepted=march).delivered(after=hours(20))
    lake.item(brand="zto", accepted=march).delivered(after=hours(100))
    lake.item(brand="zto", accepted=april, direction="inbound").delivered(after=hours(30))
    lake.commit()
    compute(ctx, as_of=LATER)
    return ctx


def test_every_definition_is_listed_with_its_rendered_text(ctx: Context) -> None:
    listed = {d.code: d for d in list_definitions(ctx)}
    assert list(listed)[:2] == ["on_time_72h_rate", "delay_rate"]
    assert "real_name_rate" in listed and "xray_required_rate" in listed
    delay = listed["delay_rate"]
    assert delay.local_method and delay.text.endswith("（本地口径）")
    assert "同城 3 天" in delay.text and "{" not in delay.text
    assert {p.name: p.value for p in delay.parameters}["window_intercity_days"] == 7
    assert (delay.unit, delay.direction, delay.unit_label) == ("rate", "lower", "%")
    assert not listed["inspection_rate"].local_method
    (ctx.settings.home_dir / "indicators.toml").write_text(
        "[parameters]\nwindow_same_city_days = 2\n", encoding="utf-8"
    )
    assert "同城 2 天" in get_definition(ctx, "delay_rate").text
    with pytest.raises(UnknownIndicator):
        get_definition(ctx, "happiness_rate")


def test_values_by_month_for_the_whole_prefecture(computed: Context) -> None:
    result = indicator_values(computed, ALICE, "on_time_72h_rate", date_from=JAN1, date_to=DEC31)
    assert result.period_kind == "month" and result.definition.code == "on_time_72h_rate"
    assert [(f.period, f.brand, f.division, f.value) for f in result.facts] == [
        ("2025-03", "all", "5328", 0.5),
        ("2025-04", "all", "5328", 1.0),
    ]
    assert result.facts[0].brand_name == "全部品牌"
    assert result.facts[0].division_name == "西双版纳傣族自治州"


def test_values_by_brand_county_direction_and_year(computed: Context) -> None:
    by = ["year", "brand", "county", "direction"]
    result = indicator_values(
        computed, ALICE, "e_waybill_rate", by=by, date_from=JAN1, date_to=DEC31
    )
    assert [(f.period, f.brand, f.division, f.dims) for f in result.facts] == [
        ("2025", "sf", "532801", {"direction": "outbound"}),
        ("2025", "zto", "532801", {"direction": "outbound"}),
        ("2025", "zto", "532822", {"direction": "inbound"}),
    ]


def test_an_enterprise_sees_only_its_own_brand(computed: Context) -> None:
    own = indicator_values(computed, BOB, "on_time_72h_rate", date_from=JAN1, date_to=DEC31)
    assert {f.brand for f in own.facts} == {"zto"}
    assert [f.value for f in own.facts] == [0.0, 1.0]
    asked = indicator_values(
        computed, BOB, "on_time_72h_rate", by=["brand"], brand="sf", date_from=JAN1, date_to=DEC31
    )
    assert {f.brand for f in asked.facts} == {"zto"}
    public = indicator_values(computed, CHARLIE, "on_time_72h_rate", date_from=JAN1, date_to=DEC31)
    assert public.facts == []


def test_periods_overlapping_the_dates_are_returned(computed: Context) -> None:
    result = indicator_values(
        computed,
        ALICE,
        "on_time_72h_rate",
        date_from=dt.date(2025, 3, 15),
        date_to=dt.date(2025, 3, 20),
        by=["quarter"],
    )
    assert [f.period for f in result.facts] == ["2025-Q1"]


def test_unstored_dimensions_are_refused(computed: Context) -> None:
    with pytest.raises(DimensionError, match="scope"):
        indicator_values(
            computed, ALICE, "on_time_72h_rate", by=["scope"], date_from=JAN1, date_to=DEC31
        )
    with pytest.raises(DimensionError):
        indicator_values(
            computed, ALICE, "on_time_72h_rate", by=["month", "year"], date_from=JAN1, date_to=DEC31
        )


def test_yearly_value_refuses_an_unknown_code(computed: Context) -> None:
    with pytest.raises(UnknownIndicator):
        yearly_value(computed, "nope", 2025)
