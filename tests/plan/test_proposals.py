"""Toward 十五五: a draft plan from the 2025 actuals that validates and passes its own audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.plan import service
from youguan.plan.audit import audit_plan
from youguan.plan.definitions import Plan
from youguan.plan.loader import load_plan_file, parse_plan_text
from youguan.plan.proposals import five_year_plan_name

ACTUALS = """indicator,year,value
express_volume,2021,2100
express_volume,2022,2950
express_volume,2023,3900
express_volume,2024,5100
express_volume,2025,6600
business_volume_value,2023,8.0
business_volume_value,2025,11.0
on_time_72h_rate,2023,88
on_time_72h_rate,2025,93.4
e_waybill_rate,2025,100
delay_rate,2023,0.6
delay_rate,2025,0.42
damage_per_100k,2025,12
new_jobs,2025,1.5
village_service_points_built,2021,40
village_service_points_built,2022,50
village_service_points_built,2023,45
village_service_points_built,2024,47
village_service_points_built,2025,43
universal_service_satisfaction,2025,86
"""


@pytest.fixture
def draft(ctx: Context, tmp_path: Path) -> tuple[Plan, str]:
    path = tmp_path / "a.csv"
    path.write_text(ACTUALS, encoding="utf-8")
    assert service.import_actuals(ctx, path, Actor.system()).errors == []
    return service.propose_plan(ctx, 2025, 2030)


def test_plan_names() -> None:
    assert five_year_plan_name(2021) == "十四五"
    assert five_year_plan_name(2026) == "十五五"
    assert five_year_plan_name(2016) == "十三五"
    assert five_year_plan_name(2046) == "十九五"
    assert five_year_plan_name(2051) == "二十五"


def test_the_draft_validates_and_passes_its_own_audit(draft: tuple[Plan, str]) -> None:
    plan, text = draft
    again = parse_plan_text(text)
    assert [i.code for i in again.indicators] == [i.code for i in plan.indicators]
    assert again.id == "xsbn-2026-2030-draft" and again.status == "draft"
    assert (again.baseline_year, again.target_year) == (2025, 2030)
    assert "十五五" in again.title
    assert audit_plan(again) == []
    assert text.startswith("# ")  # a header for the person who edits
    # the text's restatements are left out, every other indicator is there
    assert "text_delay_rate" not in {i.code for i in again.indicators}
    assert "new_jobs" in {i.code for i in again.indicators}


def _variants(plan: Plan, code: str) -> tuple[float, float, float]:
    v = plan.indicator(code).variants
    assert v is not None
    return v.trend.value, v.ambitious.value, v.conservative.value


def test_growing_indicators(draft: tuple[Plan, str]) -> None:
    plan, _ = draft
    volume = plan.indicator("express_volume")
    assert volume.baseline is not None and volume.baseline.printed == "6600.00"
    trend, ambitious, conservative = _variants(plan, "express_volume")
    assert ambitious > trend > conservative > 6600
    assert volume.target.value == trend
    assert volume.stated_growth is not None and volume.stated_growth.decimals == 2


def test_shares_stay_within_100_and_a_level_at_its_limit_is_held(draft: tuple[Plan, str]) -> None:
    plan, _ = draft
    trend, ambitious, conservative = _variants(plan, "on_time_72h_rate")
    assert 93.4 <= conservative <= trend <= ambitious <= 100
    assert _variants(plan, "e_waybill_rate") == (100, 100, 100)


def test_lower_is_better_bounds_move_down_and_stay_bounds(draft: tuple[Plan, str]) -> None:
    plan, _ = draft
    delay = plan.indicator("delay_rate")
    assert delay.target.bound == "<"
    trend, ambitious, conservative = _variants(plan, "delay_rate")
    assert ambitious < trend < conservative < 0.42
    assert delay.baseline is not None and delay.baseline.printed == "0.42"


def test_a_worsening_trend_is_not_extrapolated(draft: tuple[Plan, str]) -> None:
    plan, _ = draft
    # 损毁率 went from <10 to 12: trend and conservative hold 12, ambitious uses the old
    # plan's required −12.94 %/yr.
    trend, ambitious, conservative = _variants(plan, "damage_per_100k")
    assert trend == conservative == 12
    assert ambitious == pytest.approx(12 * (0.5 ** (1 / 5)) ** 5, abs=0.5)
    satisfaction = _variants(plan, "universal_service_satisfaction")  # 88 → 86: worse
    assert satisfaction[0] == satisfaction[2] == 86


def test_linear_and_yearly_targets(draft: tuple[Plan, str]) -> None:
    plan, _ = draft
    jobs = plan.indicator("new_jobs")  # 1.5 万 in 5 years: 0.3/yr, counted again from 0
    assert jobs.baseline is not None and jobs.baseline.value == 0
    assert jobs.target.value == pytest.approx(1.5)
    points = plan.indicator("village_service_points_built")  # mean 45 a year
    # 45 × 1.25 = 56.25 rounded toward better, 45 × 0.75 = 33.75 toward worse
    assert _variants(plan, "village_service_points_built") == (45, 57, 33)
    assert points.baseline is None


def test_indicators_without_a_2025_actual_keep_the_old_target(draft: tuple[Plan, str]) -> None:
    plan, _ = draft
    revenue = plan.indicator("business_revenue")
    assert revenue.variants is None and revenue.target.printed == "9.15"
    assert revenue.note and "无 2025 年实际值" in revenue.note


def test_cli_writes_a_file_the_validator_accepts(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import TEST_PII_KEY, TEST_SECRET_KEY
    from youguan.cli import app
    from youguan.settings import get_settings

    monkeypatch.setenv("YOUGUAN_HOME", str(ctx.settings.home_dir))
    monkeypatch.setenv("YOUGUAN_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("YOUGUAN_PII_KEY", TEST_PII_KEY)
    get_settings.cache_clear()
    try:
        out = tmp_path / "draft.yaml"
        result = CliRunner().invoke(
            app,
            ["plan", "propose", "--base-year", "2025", "--target-year", "2030", "--out", str(out)],
        )
        assert result.exit_code == 0, result.output
        assert load_plan_file(out).status == "draft"
        assert CliRunner().invoke(app, ["plan", "validate", str(out)]).exit_code == 0
    finally:
        get_settings.cache_clear()
