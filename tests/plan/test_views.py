"""The plan pages: 规划监测 (table by area, statuses, sources, audit, downloads, forms), an
indicator's page (chart, growth, projection, corrections with their history) and the plan on
信息公开 — each with its JSON twin, and nothing personal or enterprise-identifying in public."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.plan.factories import HIDDEN_PLAN_ID, SHIPPED_PLAN_ID, load_sample_actuals
from tests.web.conftest import World, build_world, open_world
from youguan.context import Context
from youguan.plan.actuals import MAX_UPLOAD_BYTES

INDICATOR = f"/plans/{SHIPPED_PLAN_ID}/indicators"
FILE = "actuals-2021-2023.csv"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("plan-views"), sqlite_template) as w:
        load_sample_actuals(w.ctx, w.ctx.settings.home_dir)
        yield w


@pytest.fixture
def fresh(ctx: Context) -> World:
    world = build_world(ctx)
    load_sample_actuals(ctx, ctx.settings.home_dir)
    return world


def _chart(html: str, name: str) -> dict[str, Any]:
    m = re.search(rf'<script type="application/json" id="chart-option-{name}">(.*?)</script>', html)
    assert m, f"no chart {name}"
    option: dict[str, Any] = json.loads(m.group(1))
    return option


def _row(html: str, code: str) -> str:
    m = re.search(rf'<tr data-indicator="{code}".*?</tr>', html, re.S)
    assert m, code
    return m.group(0)


# --- 规划监测 ----------------------------------------------------------------------------------


def test_the_table_opens_on_the_latest_year_with_figures(world: World) -> None:
    page = world.as_("bob").get("/plans.json").json()
    progress = page["progress"]
    assert (page["title"], progress["year"], progress["mode_label"]) == (
        "规划监测",
        2023,
        "中期评估",
    )
    assert progress["years"] == [2021, 2022, 2023, 2024, 2025]
    assert [a["name"] for a in progress["areas"]][:3] == ["发展规模", "服务能力", "服务质量"]
    assert sum(len(a["rows"]) for a in progress["areas"]) == 54
    counts = {c["code"]: c["count"] for c in progress["counts"]}
    assert sum(counts.values()) == progress["assessed"] == 48
    assert counts["on_track"] >= 1 and counts["deterioration"] >= 1
    rows = {r["code"]: r for a in progress["areas"] for r in a["rows"]}
    volume = rows["express_volume"]
    assert (volume["baseline"], volume["target"], volume["milestone"], volume["actual"]) == (
        "1455.56",
        "6526.73",
        "3581.22",  # 1455.56 × 1.35³: the plan's own 35.0 % a year
        "3600.80",
    )
    assert (volume["source"]["label"], volume["status"]["label"]) == ("人工填报", "按计划推进")
    assert volume["provenance"] == f"人工填报：导入文件 {FILE} 第 7 行"
    assert rows["express_parks"]["source"] is None  # no registry snapshot yet
    assert rows["express_parks"]["provenance"].startswith("名录统计：facility_counts")
    assert rows["text_delay_rate"]["restates"] == "delay_rate"
    assert progress["report_docx"] == (
        f"/api/v1/plans/{SHIPPED_PLAN_ID}/report?year=2023&format=docx"
    )


def test_the_page_draws_statuses_sources_audit_and_downloads(world: World) -> None:
    html = world.as_("alice").get("/plans?year=2022").text
    assert "<h1>规划监测</h1>" in html and "2022年中期评估" in html
    assert '<option value="2022" selected>' in html
    row = _row(html, "delay_rate")
    assert 'data-code="manual"' in row and f'title="人工填报：导入文件 {FILE}' in row
    assert 'data-code="on_track"' in row  # 0.60 % in 2022 from <0.8 %, towards <0.5 %
    assert re.search(
        r'<tbody data-area="quality">\s*<tr class="area-head"><th colspan="9">服务质量', html
    )
    assert html.count("<tr data-finding=") == 7
    assert "印刷末位的半个单位" in html and 'data-testid="computed"' in html
    assert f'href="/api/v1/plans/{SHIPPED_PLAN_ID}/report?year=2022&amp;format=docx"' in html
    status = _chart(html, "status")
    assert [d["value"] for d in status["series"][0]["data"]][::-1] == [
        c["count"]
        for c in world.as_("alice").get("/plans.json?year=2022").json()["progress"]["counts"]
    ]
    areas = _chart(html, "areas")
    assert areas["yAxis"]["data"][0] == "发展规模"
    assert 'data-testid="import-form"' in html and 'enctype="multipart/form-data"' in html


def test_a_county_regulator_reads_without_the_forms(world: World) -> None:
    html = world.as_("carol").get("/plans").text
    assert 'data-testid="plan-table"' in html
    assert "import-form" not in html and "refresh-form" not in html
    assert world.as_("carol").get("/plans.json").json()["can_write"] is False


def test_the_staff_choose_among_plans_and_see_the_draft(world: World) -> None:
    html = world.as_("bob").get(f"/plans?plan={HIDDEN_PLAN_ID}").text
    assert "十五五规划讨论稿（未公开）" in html and "<strong>未公开</strong>" in html
    page = world.as_("bob").get(f"/plans.json?plan={HIDDEN_PLAN_ID}").json()
    assert page["progress"]["plan"]["id"] == HIDDEN_PLAN_ID
    assert page["progress"]["has_data"] is False
    assert "暂无2026年的实际值" in html
    # switching plans keeps the year only where it is in the other plan's period
    switched = world.as_("bob").get(f"/plans.json?plan={HIDDEN_PLAN_ID}&year=2023").json()
    assert switched["progress"]["year"] == 2026
    assert switched["notice"] == (
        "2023 年不在《西双版纳州邮政业“十五五”发展规划（内部讨论稿）》的评估期内，显示 2026 年。"
    )


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/plans?plan=no-such-plan", 404),
        (f"{INDICATOR}/no_such_indicator", 404),
        (f"{INDICATOR}/Bad", 422),
    ],
)
def test_refusals_are_chinese_error_pages(world: World, path: str, status: int) -> None:
    response = world.as_("bob").get(path)
    assert response.status_code == status
    assert '<html lang="zh-CN">' in response.text


# --- an indicator ---------------------------------------------------------------------------


def test_an_indicator_page_and_its_twin(world: World) -> None:
    bob = world.as_("bob")
    html = bob.get(f"{INDICATOR}/express_volume").text
    twin = bob.get(f"{INDICATOR}/express_volume.json").json()
    assert (
        twin
        == bob.get(f"{INDICATOR}/express_volume", headers={"Accept": "application/json"}).json()
    )
    assert "<h1>快递业务量</h1>" in html and "附表第 6 行：6. 快递业务量(万件)" in html
    assert twin["growth"] == {
        "observed": "35.25%",
        "required": "35.00%",
        "needed": "34.63%",
        "projection": twin["growth"]["projection"],
        "basis": twin["growth"]["basis"],
    }
    assert twin["growth"]["projection"].startswith("6888.29万件（5663.40—8378.10）")
    points = {p["year"]: p for p in twin["projection"]}
    assert points[2023] == {"year": 2023, "value": 3600.8, "low": 3600.8, "high": 3600.8}
    assert points[2025]["value"] == twin["status"]["projection"]
    assert points[2024]["low"] < points[2024]["value"] < points[2024]["high"]
    trend = _chart(html, "trend")
    names = [s["name"] for s in trend["series"]]
    assert names == ["规划路径（里程碑）", "实际值", "趋势预测", "预测区间下限", "80%预测区间"]
    assert trend["xAxis"]["data"] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    actual = trend["series"][1]["data"]
    assert actual == [1455.56, 2100.0, 2900.0, 3600.8, None, None]
    band = dict(zip(trend["xAxis"]["data"], trend["series"][4]["data"], strict=True))
    assert band["2023"] == 0 and band["2025"] > band["2024"] > 0
    assert trend["series"][0]["markLine"]["data"] == [{"yAxis": 6526.73}]
    assert [a["year"] for a in twin["actuals"]] == [2023, 2022, 2021]
    assert twin["actuals"][0]["provenance"] == f"人工填报：导入文件 {FILE} 第 7 行"


def test_an_audited_row_shows_both_numbers(world: World) -> None:
    twin = world.as_("bob").get(f"{INDICATOR}/damage_per_100k.json").json()
    (finding,) = twin["findings"]
    assert (finding["kind"], finding["stated"], finding["computed"]) == (
        "growth_mismatch",
        "-14.87%",
        "-12.9449%",
    )
    assert finding["tolerance"] == "±0.005 个百分点"
    html = world.as_("bob").get(f"{INDICATOR}/damage_per_100k").text
    assert 'data-finding="growth_mismatch"' in html
    # a text restating a table row with another target: found from either side
    text = world.as_("bob").get(f"{INDICATOR}/text_business_volume_value.json").json()
    assert [(f["kind"], f["stated"], f["computed"]) for f in text["findings"]] == [
        ("text_table_conflict", "12.05", "11.83")
    ]


def test_a_text_restatement_points_to_the_table_row(world: World) -> None:
    html = world.as_("alice").get(f"{INDICATOR}/text_delay_rate").text
    assert "correct-form" not in html
    assert f'href="{INDICATOR}/delay_rate?year=2023">附表指标</a>' in html
    twin = world.as_("alice").get(f"{INDICATOR}/text_delay_rate.json").json()
    assert twin["write_code"] == "delay_rate" and twin["status"]["actual"] == 0.55


def test_a_correction_from_the_page_is_audited_and_shown(fresh: World) -> None:
    alice = fresh.as_("alice")
    saved = alice.post(
        f"{INDICATOR}/express_volume/actual",
        data={"year": "2023", "value": "3 650", "note": "复核"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{INDICATOR}/express_volume?year=2023&saved=1"
    html = alice.get(saved.headers["location"]).text
    assert 'data-testid="saved"' in html
    history = fresh.as_("alice").get(f"{INDICATOR}/express_volume.json").json()["history"]
    latest = history[0]
    assert (latest["action_label"], latest["actor"], latest["year"]) == ("更正", "alice", 2023)
    assert (latest["before"], latest["after"], latest["note"]) == (3600.8, 3650.0, "复核")
    assert [h["action"] for h in history].count("plan.actual.create") == 3
    assert '<tr data-action="plan.actual.correct">' in html
    bad = alice.post(f"{INDICATOR}/express_volume/actual", data={"year": "2023", "value": "三千"})
    assert bad.status_code == 422 and "“三千”不是数字" in bad.text
    assert 'data-testid="form-error"' in bad.text
    assert (
        alice.post(f"{INDICATOR}/nope/actual", data={"year": "2023", "value": "1"}).status_code
        == 404
    )


# --- forms of 规划监测 ------------------------------------------------------------------------


def test_an_import_from_the_page_lists_its_row_errors(fresh: World) -> None:
    content = "指标,年份,数值\n快递业务量,2024,4500\nbogus,2024,1\ndelay_rate,2024,abc\n"
    response = fresh.as_("bob").post(
        f"/plans/{SHIPPED_PLAN_ID}/import",
        files={"file": ("2024年.csv", content.encode())},
        data={"year": "2024"},
    )
    assert response.status_code == 200
    html = response.text
    assert "2024年.csv：共 3 行，写入 1 行（新增 1，更正 0，未变 0），有错 2 行。" in html
    assert '<tr data-row="3">' in html and '<tr data-row="4">' in html
    assert "规划中没有指标“bogus”" in html and "“abc”不是数字" in html
    assert '<option value="2024" selected>' in html


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("a.pdf", b"%PDF", 415, "不支持的文件类型 .pdf"),
        ("a.csv", b"", 422, "缺少表头"),
        ("big.csv", b"x" * (MAX_UPLOAD_BYTES + 1), 413, "超过 5 MB 的上限"),
    ],
)
def test_an_import_that_fails_as_a_whole_says_why(
    fresh: World, name: str, content: bytes, status: int, message: str
) -> None:
    response = fresh.as_("alice").post(
        f"/plans/{SHIPPED_PLAN_ID}/import", files={"file": (name, content)}
    )
    assert response.status_code == status
    assert message in response.text and '<div class="alert error" role="alert">' in response.text


def test_the_refresh_form_reports_what_changed(fresh: World) -> None:
    response = fresh.as_("alice").post(f"/plans/{SHIPPED_PLAN_ID}/refresh", data={"year": "2023"})
    assert response.status_code == 200
    assert 'data-testid="refreshed"' in response.text
    assert re.search(r"新增或变化 \d+ 项，未变 \d+ 项，来源无值 \d+ 项", response.text)


# --- 信息公开 ----------------------------------------------------------------------------------


def test_the_public_page_publishes_progress_without_drill_downs(world: World) -> None:
    anon = world.as_("anon")
    page = anon.get("/public.json").json()
    (progress,) = page["plans"]  # the draft is not published
    assert (progress["plan"]["id"], progress["year"]) == (SHIPPED_PLAN_ID, 2023)
    assert next(p for p in page["published"] if p["code"] == "plan_progress")["available"]
    html = anon.get("/public").text
    section = html.split('data-testid="public-plan"', 1)[1].split("</section>", 1)[0]
    assert section.count("<tr data-indicator=") == 54
    assert "/plans/" not in section.replace(f"/api/v1/plans/{SHIPPED_PLAN_ID}/report", "")
    assert FILE not in html and FILE not in json.dumps(page, ensure_ascii=False)
    assert "人工填报：文件导入" in html
    assert "import-form" not in html and 'csrf_token" value' not in section
    assert 'data-chart="plan_status_0"' in html and 'data-chart="plan_areas_0"' in html
    assert f"/api/v1/plans/{SHIPPED_PLAN_ID}/report?year=2023&amp;format=docx" in html


def test_the_public_chooses_a_year(world: World) -> None:
    page = world.as_("anon").get("/public.json?year=2022").json()
    assert page["plans"][0]["year"] == 2022
    outside = world.as_("anon").get("/public.json?year=2030").json()
    assert outside["plans"][0]["year"] == 2023  # outside the period: the default year


def test_without_figures_the_public_page_says_so(fresh: World, ctx: Context) -> None:
    with ctx.transaction() as s:
        from sqlalchemy import delete

        from youguan.plan.models import PlanActual

        s.execute(delete(PlanActual))
    html = fresh.as_("anon").get("/public").text
    assert "暂无2025年的规划实施数据" in html
    assert 'data-chart="plan_status_0"' not in html


def test_the_overview_counts_the_plan_statuses(world: World) -> None:
    page = world.as_("carol").get("/overview.json").json()
    plan = next(s for s in page["sections"] if s["code"] == "plan")
    assert {c["code"]: c["value"] for c in plan["cards"]} == {
        "plan_achieved": 1,
        "plan_on_track": 2,
        "plan_acceleration_needed": 2,
        "plan_limited_progress": 0,
        "plan_deterioration": 1,
    }
    assert {c["period"] for c in plan["cards"]} == {"2023年"}
    html = world.as_("carol").get("/overview").text
    assert '<a href="/plans">查看详情</a>' in html
