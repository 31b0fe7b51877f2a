"""Status of the shipped plan on hand-built actuals, through the service and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_PII_KEY, TEST_SECRET_KEY
from youguan.auth.actor import Actor
from youguan.cli import app
from youguan.context import Context
from youguan.plan import service
from youguan.plan.schemas import IndicatorStatus
from youguan.settings import get_settings

ACTUALS = """indicator,year,value
business_volume_value,2021,5.1
business_volume_value,2022,6.2
business_volume_value,2023,7.4
express_volume,2021,1965.006
express_volume,2022,2652.7581
express_volume,2023,3581.2234
delay_rate,2023,0.55
damage_per_100k,2023,12
loss_per_100k,2023,3
on_time_72h_rate,2023,91
township_outlet_coverage,2023,98
new_jobs,2021,0.3
new_jobs,2022,0.6
new_jobs,2023,0.9
village_service_points_built,2023,40
major_accidents,2023,0
smart_postbox_coverage,2023,60
old_community_letterbox_rate,2023,50
mohan_clearances,2021,55
mohan_clearances,2022,85
mohan_clearances,2023,70
"""


@pytest.fixture
def loaded(ctx: Context, tmp_path: Path) -> Context:
    path = tmp_path / "actuals.csv"
    path.write_text(ACTUALS, encoding="utf-8")
    result = service.import_actuals(ctx, path, Actor.system())
    assert result.errors == []
    return ctx


def _rows(ctx: Context, year: int) -> dict[str, IndicatorStatus]:
    return {r.code: r for r in service.plan_status(ctx, year).indicators}


def test_known_answers_in_2023(loaded: Context) -> None:
    rows = _rows(loaded, 2023)
    bvv = rows["business_volume_value"]
    assert (bvv.status, bvv.milestone, bvv.ratio) == ("acceleration_needed", 7.7148, 0.931)
    assert bvv.required_growth == pytest.approx(24.9908)  # percent, like the plan's 年均增长
    assert bvv.observed_growth == pytest.approx(23.2759)
    assert bvv.growth_needed == pytest.approx(27.6079)
    assert bvv.series == {2021: 5.1, 2022: 6.2, 2023: 7.4}
    assert bvv.milestones[2021] == pytest.approx(4.9375)
    text = rows["text_business_volume_value"]  # the text's 11.83 on the same actuals
    assert text.actual == 7.4 and text.required_growth == pytest.approx(24.5310)

    volume = rows["express_volume"]  # exactly on the 35 %/yr path
    assert volume.status == "on_track"
    assert volume.projection == pytest.approx(6526.7797, abs=1e-3)
    assert volume.projection_method == "compound_trend"

    delay = rows["delay_rate"]  # a bound, lower is better
    assert (delay.status, delay.ratio) == ("on_track", 1.309)
    assert rows["text_delay_rate"].actual == 0.55
    assert rows["damage_per_100k"].status == "deterioration"
    assert rows["loss_per_100k"].status == "achieved"  # 3 reaches <3: a bound counts as its number
    assert rows["on_time_72h_rate"].status == "achieved"
    assert rows["township_outlet_coverage"].status == "deterioration"  # 100 to keep, 98
    jobs = rows["new_jobs"]  # zero baseline, linear
    assert (jobs.path, jobs.status, jobs.ratio, jobs.milestone) == (
        "linear",
        "acceleration_needed",
        0.75,
        1.2,
    )
    assert jobs.required_growth == pytest.approx(0.4)  # 万个 per year
    assert jobs.growth_needed == pytest.approx(0.55)
    points = rows["village_service_points_built"]
    assert (points.status, points.milestone) == ("acceleration_needed", 45.0)
    assert rows["major_accidents"].status == "achieved"
    assert rows["smart_postbox_coverage"].status == "not_assessable"  # one value, no baseline
    assert rows["old_community_letterbox_rate"].status == "achieved"
    assert rows["business_revenue"].status == "no_data"


def test_counts_take_each_quantity_once(loaded: Context) -> None:
    status = service.plan_status(loaded, 2023)
    assert len(status.indicators) == 54
    assert sum(status.counts.values()) == 48  # 6 restatements of table rows not counted
    assert status.counts["deterioration"] == 2  # 损毁率 and 乡镇网点覆盖率, not 损毁率 twice


def test_a_target_for_an_earlier_year_is_judged_in_that_year(loaded: Context) -> None:
    clearances = _rows(loaded, 2025)["mohan_clearances"]
    assert (clearances.year, clearances.actual, clearances.status) == (2022, 85.0, "achieved")
    assert _rows(loaded, 2021)["mohan_clearances"].status == "not_assessable"


def test_final_year_without_actuals_is_no_data(loaded: Context) -> None:
    rows = _rows(loaded, 2025)
    assert rows["business_volume_value"].status == "no_data"
    assert rows["business_volume_value"].milestone == pytest.approx(12.0544, abs=1e-4)


@pytest.fixture
def cli_env(loaded: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("YOUGUAN_HOME", str(loaded.settings.home_dir))
    monkeypatch.setenv("YOUGUAN_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("YOUGUAN_PII_KEY", TEST_PII_KEY)
    monkeypatch.delenv("YOUGUAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_status_json_is_the_stable_interface(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["plan", "status", "--year", "2023", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["plan"] == "xsbn-2021-2025" and doc["year"] == 2023
    row = next(r for r in doc["indicators"] if r["code"] == "business_volume_value")
    for key in ("code", "actual", "milestone", "status", "ratio", "projection", "required_growth"):
        assert key in row
    assert (row["actual"], row["status"], row["required_growth"]) == (
        7.4,
        "acceleration_needed",
        24.9908,
    )


def test_cli_audit_json_is_the_stable_interface(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["plan", "audit", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["plan"] == "xsbn-2021-2025"
    assert len(doc["findings"]) == 7
    for f in doc["findings"]:
        assert set(f) >= {"indicator", "kind", "stated", "computed", "message"}
        assert f["kind"] in ("growth_mismatch", "text_table_conflict")


def test_cli_import_reports_rows_and_exits_2_when_nothing_is_kept(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,year,value\nbogus,2023,1\n", encoding="utf-8")
    result = cli_env.invoke(app, ["plan", "actuals", "import", str(bad), "--json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["errors"] == [
        {
            "row": 2,
            "field": "indicator",
            "code": "unknown_indicator",
            "message": "规划中没有指标“bogus”（请填指标代码，如 express_volume）",
        }
    ]
    good = tmp_path / "good.csv"
    good.write_text("indicator,year,value\nexpress_parks,2023,2\n", encoding="utf-8")
    assert cli_env.invoke(app, ["plan", "actuals", "import", str(good)]).exit_code == 0


def test_cli_validate_names_lines(cli_env: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: x\ntitle: t\n", encoding="utf-8")
    result = cli_env.invoke(app, ["plan", "validate", str(path), "--json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["valid"] is False and all("line" in e for e in doc["errors"])
