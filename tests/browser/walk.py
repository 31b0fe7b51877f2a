"""The browser walk: which pages exist, who may see them, what each must show.

Later capabilities add their pages by appending a :class:`Stop` to :data:`WALK` (and, if the
page needs more than its heading and charts checked, a ``check`` function taking the Playwright
page and the persona name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

STAFF = ("alice", "bob", "carol")
ENTERPRISES = ("dave", "erin")
LOGGED_IN = STAFF + ENTERPRISES
EVERYONE = (*LOGGED_IN, "anon")


# Seeded register (tests.registry.factories): the facilities each persona may see.
VISIBLE_FACILITIES = {"alice": 5, "bob": 5, "carol": 2, "dave": 3, "erin": 2}


def _map_shows_the_three_counties(page: Any, persona: str) -> None:
    seen = page.evaluate(
        """() => {
            const el = document.querySelector('[data-chart="county_map"]');
            const option = echarts.getInstanceByDom(el).getOption();
            const features = echarts.getMap(option.geo[0].map).geoJSON.features;
            const [regions, ...layers] = option.series;
            return {data: regions.data.map(d => d.name),
                    features: features.map(f => f.properties.name),
                    points: layers.reduce((n, s) => n + s.data.length, 0),
                    layers: layers.map(s => s.name)};
        }"""
    )
    assert sorted(seen["features"]) == ["勐海县", "勐腊县", "景洪市"], seen
    assert sorted(seen["data"]) == ["勐海县", "勐腊县", "景洪市"], seen
    assert seen["points"] == VISIBLE_FACILITIES[persona], seen
    assert "快递营业网点" in seen["layers"], seen
    rows = page.locator("[data-testid=county-summary] tr[data-county]").count()
    assert rows == (1 if persona == "carol" else 4), rows  # 3 counties and the prefecture


def _facilities_in_scope(page: Any, persona: str) -> None:
    rows = page.locator("[data-testid=facilities] tbody tr")
    counties = {rows.nth(i).get_attribute("data-county") for i in range(rows.count())}
    brands = {rows.nth(i).get_attribute("data-brand") for i in range(rows.count())}
    assert rows.count() == VISIBLE_FACILITIES[persona], rows.count()
    if persona == "carol":
        assert counties == {"532801"}, counties
    if persona in ("dave", "erin"):
        own = "sf" if persona == "dave" else "zto"
        assert brands == {own, ""}, brands  # its own brand's and the public ones
    # the late filing (顺丰, 景洪) is highlighted wherever it is visible
    if persona in ("alice", "bob", "carol", "dave"):
        assert page.locator("tr.late[data-code='SF-JH-01'] .badge.late").inner_text() == "逾期备案"


def _overview_is_scoped(page: Any, persona: str) -> None:
    text = page.locator("main").inner_text()
    assert "服务质量" in text and "寄递安全" in text
    # real headline figures of the seeded lake (tests.indicators.seed): June 2025 and Jan–Jun
    on_time = page.get_by_test_id("headline-on_time_72h_rate").inner_text()
    assert on_time == ("100.00%" if persona == "carol" else "50.00%"), on_time
    assert "2025年1—6月" in text and "规划目标（2025年）≥90%" in text
    assert page.locator("[data-testid=alerts] li[data-kind=off_target]").count() >= 1
    if persona == "carol":
        assert "勐海县" not in text and "景洪市" in text


OWN_BRAND = {"dave": "sf", "erin": "zto"}


def _board_is_scoped(page: Any, persona: str) -> None:
    """服务质量 / 寄递安全: figures with their definitions, each persona in its scope."""
    panels = page.locator("[data-testid=panels] .kpi-panel")
    assert panels.count() >= 4
    assert page.locator("details.definition").count() >= panels.count()
    assert "不是用户申诉数据" in page.get_by_test_id("basis").inner_text()
    brands = page.locator("[data-testid=by-brand] tbody tr[data-brand]")
    seen = {brands.nth(i).get_attribute("data-brand") for i in range(brands.count())}
    counties = page.locator("[data-testid=by-county] tbody tr[data-county]")
    places = {counties.nth(i).get_attribute("data-county") for i in range(counties.count())}
    if persona in OWN_BRAND:
        assert seen == {OWN_BRAND[persona]}, seen
        assert page.locator("select[name=brand]").count() == 0
    elif persona == "carol":  # 景洪 has sf's and ems's items; zto's all went to 勐海
        assert seen == {"sf", "ems"}, seen
        assert places == {"532801"}, places
        assert page.locator("select[name=county]").count() == 0
    else:
        assert seen == {"sf", "zto", "ems"}, seen
    xlsx = page.get_by_test_id("export-xlsx").get_attribute("href")
    response = page.request.get(urljoin(page.url, xlsx))
    assert response.status == 200 and response.body()[:2] == b"PK"


def _quality_has_stage_times(page: Any, persona: str) -> None:
    _board_is_scoped(page, persona)
    if persona != "erin":  # the seeded zto items have no departure or arrival scans
        page.wait_for_selector('[data-chart="stages"][data-chart-ready="1"]')


def _drill_down_lists_the_late_waybill(page: Any, persona: str) -> None:
    rows = page.locator("[data-testid=rows] tbody tr")
    assert rows.count() == 1, rows.count()
    assert "100" in rows.first.inner_text()  # delivered after 100 hours
    href = page.get_by_test_id("export-csv").get_attribute("href")
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200 and "运单号" in response.text()


def _account_shows_scope(page: Any, persona: str) -> None:
    scope = page.get_by_test_id("scope").inner_text()
    expected = {"dave": "顺丰", "erin": "中通", "alice": "西双版纳傣族自治州（全州）"}
    if persona in expected:
        assert scope == expected[persona], scope


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAN = "xsbn-2021-2025"


def _download_is_a_docx(page: Any) -> None:
    """The report link answers a Word document (fetched with the page's own cookies)."""
    link = page.get_by_test_id("report-docx")
    href = link.get_attribute("href")
    assert href and href.startswith(f"/api/v1/plans/{PLAN}/report?"), href
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200, response.status
    assert response.headers["content-type"] == DOCX
    assert response.body()[:2] == b"PK"  # a .docx is a zip


def _plan_table_audit_and_report(page: Any, persona: str) -> None:
    table = page.get_by_test_id("plan-table")
    assert table.locator("tr[data-indicator]").count() == 54
    volume = table.locator('tr[data-indicator="express_volume"]')
    assert volume.get_by_test_id("actual").inner_text() == "3600.80"  # as printed: 2 decimals
    assert volume.locator('.badge[data-code="manual"]').get_attribute("title") == (
        "人工填报：导入文件 actuals-2021-2023.csv 第 7 行"
    )
    assert volume.locator('.badge[data-code="on_track"]').count() == 1
    audit = page.get_by_test_id("audit")
    assert audit.locator("tr[data-finding]").count() == 7
    assert "印刷末位的半个单位" in audit.inner_text()
    _download_is_a_docx(page)
    # a county regulator reads the prefecture's plan but does not enter its figures
    assert page.get_by_test_id("import-form").count() == (0 if persona == "carol" else 1)


def _indicator_chart_and_growth(page: Any, persona: str) -> None:
    names = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector('[data-chart="trend"]'));
            return chart.getOption().series.map(s => s.name);
        }"""
    )
    assert names == ["规划路径（里程碑）", "实际值", "趋势预测", "预测区间下限", "80%预测区间"], (
        names
    )
    assert page.get_by_test_id("observed").inner_text() == "35.25%"
    assert page.get_by_test_id("required").inner_text() == "35.00%"
    assert "6. 快递业务量(万件)" in page.get_by_test_id("plan-text").inner_text()
    assert page.get_by_test_id("correct-form").count() == (0 if persona == "carol" else 1)


def _public_plan_progress(page: Any, persona: str) -> None:
    section = page.get_by_test_id("public-plan")
    table = section.get_by_test_id("plan-table")
    assert table.locator("tr[data-indicator]").count() == 54
    assert table.locator("a").count() == 0  # no drill-down from the public table
    text = page.locator("main").inner_text()
    assert "actuals-2021-2023.csv" not in text and "导入" not in text.replace("文件导入", "")
    assert page.get_by_test_id("import-form").count() == 0
    _download_is_a_docx(page)


def _submissions_in_scope(page: Any, persona: str) -> None:
    """Enterprises see their brand's batches and the upload form; the staff every brand's, with
    the brand filter and no upload form."""
    rows = page.locator("[data-testid=submissions] tbody tr")
    brands = {rows.nth(i).get_attribute("data-brand") for i in range(rows.count())}
    staff = persona in STAFF
    if staff:
        assert {"sf", "zto"} <= brands, brands
    else:
        assert brands == {"sf" if persona == "dave" else "zto"}, brands
    assert page.get_by_test_id("upload-form").count() == (0 if staff else 1)
    assert page.locator("[data-testid=filters] select[name=brand]").count() == (1 if staff else 0)
    assert page.get_by_test_id("brand-indicators").count() == (0 if staff else 1)
    badges = page.locator("[data-testid=submissions] .badge")
    assert "已入库" in [badges.nth(i).inner_text() for i in range(badges.count())]


def _unmapped_codes(page: Any, persona: str) -> None:
    rows = page.locator("[data-testid=unmapped] tbody tr")
    brands = {rows.nth(i).get_attribute("data-brand") for i in range(rows.count())}
    assert brands == ({"sf", "zto"} if persona in STAFF else {"sf"}), brands


@dataclass(frozen=True)
class Stop:
    path: str
    heading: str
    personas: tuple[str, ...]
    check: Callable[[Any, str], None] | None = None
    charts: tuple[str, ...] = field(default=())  # data-chart names that must be drawn


WALK: list[Stop] = [
    Stop(
        "/overview",
        "总览",
        STAFF,
        _overview_is_scoped,
        charts=("villages", "quality_trend", "security_trend"),
    ),
    Stop(
        "/quality",
        "服务质量",
        LOGGED_IN,
        _quality_has_stage_times,
        charts=("trend", "brands", "county_map"),
    ),
    Stop("/security", "寄递安全", LOGGED_IN, _board_is_scoped, charts=("rates", "county_map")),
    # {sf_fact}: 顺丰, 景洪, March 2025, 72 h (tests.indicators.seed) — the path is filled in
    Stop(
        "/indicators/facts/{sf_fact}",
        "快递服务72小时准时率明细",
        ("alice", "carol", "dave"),
        _drill_down_lists_the_late_waybill,
    ),
    Stop("/network", "网络布局", LOGGED_IN, _map_shows_the_three_counties, charts=("county_map",)),
    Stop("/plans", "规划监测", STAFF, _plan_table_audit_and_report, charts=("status", "areas")),
    Stop(
        f"/plans/{PLAN}/indicators/express_volume",
        "快递业务量",
        STAFF,
        _indicator_chart_and_growth,
        charts=("trend",),
    ),
    Stop("/network/facilities", "网点与设施", LOGGED_IN, _facilities_in_scope),
    Stop("/public", "信息公开", EVERYONE, _public_plan_progress, charts=("plan_status_0",)),
    Stop("/account", "我的账号", LOGGED_IN, _account_shows_scope),
    Stop("/admin/users", "账号管理", ("alice",)),
    Stop("/submissions", "数据报送", LOGGED_IN, _submissions_in_scope),
    Stop("/submissions/guide", "数据格式说明", ("erin",)),
    Stop("/submissions/unmapped", "未映射状态码", ("bob", "dave"), _unmapped_codes),
    Stop("/login", "登录", ("anon",)),
]
