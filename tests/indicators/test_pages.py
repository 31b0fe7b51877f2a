"""服务质量, 寄递安全, the drill-down page, 总览's headline figures and 本企业指标: known answers on
the seeded lake (``tests.indicators.seed``), each persona's scope, the JSON twins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.indicators.seed import JINGHONG, MENGHAI
from tests.web.conftest import World, open_world
from youguan.auth.actor import Actor, Role
from youguan.indicators import pages
from youguan.indicators.pages import brand_indicators

MARCH = "from=2025-03&to=2025-03"
DAVE = Actor(name="dave", role=Role.ENTERPRISE, user_id=4, brand="sf")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("kpi-pages"), sqlite_template) as w:
        yield w


def _json(world: World, persona: str, path: str) -> Any:
    r = world.as_(persona).get(path)
    assert r.status_code == 200, r.text[:500]
    return r.json()


def _panel(page: dict[str, Any], code: str) -> dict[str, Any]:
    return next(p for p in page["panels"] if p["definition"]["code"] == code)


# ---- 服务质量 --------------------------------------------------------------------------------
def test_quality_for_one_month_uses_the_stored_facts(world: World) -> None:
    page = _json(world, "bob", f"/quality.json?{MARCH}")
    assert (page["title"], page["range_label"], page["focus"]) == (
        "服务质量",
        "2025年3月",
        "on_time_72h_rate",
    )
    on_time = _panel(page, "on_time_72h_rate")
    assert on_time["total"]["value"] == pytest.approx(2 / 3)
    assert on_time["total"]["text"] == "66.67%"
    assert on_time["total"]["fact_id"] == world.facts["all_fact"]
    assert on_time["total"]["url"] == f"/indicators/facts/{world.facts['all_fact']}"
    assert on_time["target_text"] == "规划目标（2025年）≥90%" and on_time["total"]["below_target"]
    assert on_time["definition"]["local_method"] and on_time["definition"]["version"] == 1
    ranks = {r["code"]: r["figure"]["value"] for r in page["by_brand"]}
    assert ranks == {"zto": 1.0, "sf": 0.5, "ems": None}
    assert [r["code"] for r in page["by_brand"]] == ["zto", "sf", "ems"]  # best first
    counties = {r["code"]: r["figure"]["text"] for r in page["by_county"]}
    assert counties[JINGHONG] == "50.00%" and counties[MENGHAI] == "100.00%"
    assert "数据基础" in page["basis"] and "不是用户申诉数据" in page["basis"]
    assert page["export_urls"]["xlsx"].startswith("/api/v1/indicators/on_time_72h_rate/values/")


def test_a_range_of_months_is_combined_exactly_and_quantiles_need_a_stored_period(
    world: World,
) -> None:
    half = _json(world, "bob", "/quality.json?from=2025-01&to=2025-06")
    total = _panel(half, "on_time_72h_rate")["total"]
    # inter-city items on time: Jan 2/2, Feb 1/2, Mar 2/3, Apr 1/2, May 1/2, Jun 1/2
    assert (total["numerator"], total["denominator"]) == (8, 13)
    assert total["periods"] == 6 and total["fact_id"] is None
    assert _panel(half, "transit_hours_p50")["total"]["value"] is None
    assert len(half["months"]) == 6 and half["months"][2]["figure"]["fact_id"] is not None
    quarter = _json(world, "bob", "/quality.json?from=2025-01&to=2025-03")
    assert quarter["range_label"] == "2025年第1季度"
    q_total = _panel(quarter, "on_time_72h_rate")["total"]
    assert q_total["periods"] == 1 and q_total["fact_id"] is not None
    assert (q_total["numerator"], q_total["denominator"]) == (5, 7)
    assert _panel(quarter, "transit_hours_p50")["total"]["value"] is not None
    # the page says why a quantile is blank and how to see it
    assert (
        'data-testid="quantile-note"'
        in world.as_("bob").get("/quality?from=2025-01&to=2025-06").text
    )
    assert (
        'data-testid="quantile-note"'
        not in world.as_("bob").get("/quality?from=2025-01&to=2025-03").text
    )


def test_stage_times_by_brand(world: World) -> None:
    page = _json(world, "alice", "/quality.json?from=2025-01&to=2025-06")
    stages = {r["code"]: r for r in page["stages"]}
    assert set(stages) == {"all", "sf"}
    assert stages["sf"]["hours"]["origin_processing_hours_mean"] == pytest.approx(2.0)
    assert stages["sf"]["hours"]["transport_hours_mean"] == pytest.approx(13.0)
    assert stages["sf"]["items"] == 5
    html = world.as_("alice").get("/quality?from=2025-01&to=2025-06").text
    assert 'data-chart="stages"' in html and 'data-chart="county_map"' in html


def test_dave_sees_sf_only(world: World) -> None:
    page = _json(world, "dave", f"/quality.json?{MARCH}&brand=zto")
    assert _panel(page, "on_time_72h_rate")["total"]["value"] == 0.5  # sf, not 2/3
    assert [r["code"] for r in page["by_brand"]] == ["sf"]
    assert not page["show_brand_filter"]
    html = world.as_("dave").get(f"/quality?{MARCH}").text
    assert "中通" not in html.split("<main>", 1)[1].split('name="brand"', 1)[0]
    assert str(world.facts["zto_fact"]) not in re.findall(r"/indicators/facts/(\d+)", html)


def test_carol_sees_jinghong_only(world: World) -> None:
    page = _json(world, "carol", f"/security.json?{MARCH}")
    assert [r["code"] for r in page["by_county"]] == [JINGHONG]
    assert not page["show_county_filter"]
    quality = _json(world, "carol", f"/quality.json?{MARCH}&county={MENGHAI}")
    assert _panel(quality, "on_time_72h_rate")["total"]["fact_id"] == world.facts["jh_fact"]


def test_security_against_the_plans_100_percent_with_alerts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _json(world, "bob", f"/security.json?{MARCH}")
    xray = _panel(page, "xray_rate")
    assert xray["total"]["text"] == "75.00%" and xray["target_text"] == "规划目标（2025年）≥100%"
    assert _panel(page, "xray_required_rate")["target_text"] == "规划目标（2025年）≥100%"
    assert page["alerts"] == []  # one item is too few for an alert
    monkeypatch.setattr(pages, "ALERT_MIN_ITEMS", 1)
    alerted = _json(world, "bob", f"/security.json?{MARCH}&indicator=xray_rate")
    zto = [a for a in alerted["alerts"] if a["where"] == "中通" and a["indicator"] == "xray_rate"]
    assert zto and zto[0]["text"] == "0.00%"
    fact = _json(world, "bob", "/api/v1/facts/" + zto[0]["url"].rsplit("/", 1)[1])
    assert (fact["indicator"], fact["brand"], fact["division"]) == ("xray_rate", "zto", "5328")
    real_name = [a for a in alerted["alerts"] if a["indicator"] == "real_name_rate"]
    assert {a["where"] for a in real_name} == {"邮政", "勐腊县"}  # ems's item without real name
    may = _json(world, "bob", "/security.json?from=2025-05&to=2025-05")
    invalid = [a for a in may["alerts"] if a["indicator"] == "id_invalid_rate"]
    assert {(a["where"], a["text"]) for a in invalid} == {("邮政", "50.00%"), ("勐腊县", "100.00%")}
    assert _panel(may, "id_invalid_rate")["definition"]["local_method"]


@pytest.mark.parametrize(
    "query",
    [
        "brand=nobody",
        "indicator=xray_rate",  # not a quality indicator
        "from=2025-05&to=2025-01",
        "from=2025-13",
        "county=999999",
        "direction=up",
    ],
)
def test_bad_filters_are_422(world: World, query: str) -> None:
    assert world.as_("bob").get(f"/quality.json?{query}").status_code == 422
    html = world.as_("bob").get(f"/quality?{query}")
    assert html.status_code == 422 and "<h1>" in html.text


def test_blank_filters_of_the_form_are_no_filters(world: World) -> None:
    r = world.as_("bob").get("/quality?from=&to=&brand=&county=&direction=&indicator=")
    assert r.status_code == 200
    page = _json(world, "bob", "/security.json?brand=&county=")
    assert page["end"] == "2025-06" and page["start"] == "2024-07"  # twelve months to June


# ---- the drill-down page -------------------------------------------------------------------
def test_the_drill_down_page_lists_the_rows_behind_a_figure(world: World) -> None:
    sf = world.facts["sf_fact"]
    html = world.as_("dave").get(f"/indicators/facts/{sf}")
    assert html.status_code == 200 and "<h1>快递服务72小时准时率明细</h1>" in html.text
    assert "未达标的快件（1 件）" in html.text and "本地口径" in html.text
    assert f"/api/v1/facts/{sf}/rows/export?which=shortfall&amp;format=xlsx" in html.text
    page = _json(world, "dave", f"/indicators/facts/{sf}.json?which=denominator&page_size=1")
    assert page["rows"]["total"] == 2 and len(page["rows"]["rows"]) == 1
    assert page["back_url"].startswith("/quality?indicator=on_time_72h_rate&from=2025-03")
    assert world.as_("erin").get(f"/indicators/facts/{sf}").status_code == 404
    assert world.as_("carol").get(f"/indicators/facts/{world.facts['zto_fact']}").status_code == 404
    assert world.as_("anon").get(f"/indicators/facts/{sf}").status_code == 303


# ---- 总览 ------------------------------------------------------------------------------------
def test_the_overview_shows_real_headline_figures_against_the_targets(world: World) -> None:
    page = _json(world, "bob", "/overview.json")
    assert page["month"] == "2025-06"
    quality = next(s for s in page["sections"] if s["code"] == "quality")
    on_time = next(c for c in quality["cards"] if c["code"] == "on_time_72h_rate")
    assert on_time["text"] == "50.00%" and on_time["period"] == "2025年6月"  # sf on time, zto late
    assert on_time["ytd_text"] == "61.54%" and on_time["ytd_period"] == "2025年1—6月"  # 8 / 13
    assert on_time["on_target"] is False and on_time["target_text"] == "规划目标（2025年）≥90%"
    assert on_time["url"].startswith("/indicators/facts/")
    kinds = {a["kind"] for a in page["alerts"]}
    assert {"off_target", "late_filing"} <= kinds
    off = next(a for a in page["alerts"] if "72小时" in a["message"])
    assert off["url"] == "/quality?indicator=on_time_72h_rate"
    assert page["trend_periods"][-1] == "2025-06" and len(page["trend_periods"]) == 12
    html = world.as_("bob").get("/overview").text
    assert 'data-chart="quality_trend"' in html and 'data-chart="security_trend"' in html
    assert 'data-testid="headline-on_time_72h_rate"' in html


def test_a_county_regulator_sees_her_countys_figures_on_the_overview(world: World) -> None:
    page = _json(world, "carol", "/overview.json")
    quality = next(s for s in page["sections"] if s["code"] == "quality")
    on_time = next(c for c in quality["cards"] if c["code"] == "on_time_72h_rate")
    assert on_time["ytd_text"] == "85.71%"  # 景洪: sf's items, 6 of 7 on time


def test_the_overview_lists_refused_submissions_of_the_last_days(
    world: World, tmp_path: Path
) -> None:
    from youguan.ingest.service import submit_file

    bad = tmp_path / "waybills.csv"
    bad.write_text("nonsense,columns\n1,2\n", encoding="utf-8")
    assert submit_file(world.ctx, DAVE, "waybills", bad).status == "refused"
    alerts = _json(world, "alice", "/overview.json")["alerts"]
    refused = [a for a in alerts if a["kind"] == "submission"]
    assert refused and "顺丰" in refused[0]["message"] and "被拒收" in refused[0]["message"]


# ---- 本企业指标 -------------------------------------------------------------------------------
def test_brand_indicators_for_the_enterprise_portal(world: World) -> None:
    summary = brand_indicators(world.ctx, DAVE, months=6)
    assert summary.brand == "sf" and summary.months[0].period == "2025-01"
    march = next(m for m in summary.months if m.period == "2025-03")
    assert march.figures["on_time_72h_rate"].text == "50.00%"
    url = march.figures["on_time_72h_rate"].url
    assert url is not None and url.startswith("/indicators/facts/")  # sf in the whole prefecture
    with pytest.raises(ValueError, match="品牌"):
        brand_indicators(world.ctx, Actor(name="bob", role=Role.REGULATOR, user_id=2))
    env = world.app.state.templates
    html = env.get_template("indicators/_brand_indicators.html").render(summary=summary)
    assert "顺丰" in html and "50.00%" in html and "口径" in html
    assert 'href="/indicators/facts/' in html
