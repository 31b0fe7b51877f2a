"""Pages: Chinese, every one with its JSON twin built from the same context, navigation by role."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import World

PAGES = {  # path → (persona who may see it, <h1>)
    "/overview": ("bob", "总览"),
    "/network": ("carol", "网络布局"),
    "/public": ("anon", "信息公开"),
    "/login": ("anon", "登录"),
    "/account": ("dave", "我的账号"),
    "/admin/users": ("alice", "账号管理"),
    "/plans": ("carol", "规划监测"),
    "/plans/xsbn-2021-2025/indicators/express_volume": ("bob", "快递业务量"),
    "/quality": ("dave", "服务质量"),
    "/security": ("carol", "寄递安全"),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_is_chinese_and_has_a_json_twin(world: World, path: str) -> None:
    persona, heading = PAGES[path]
    browser = world.as_(persona)
    html = browser.get(path)
    assert html.status_code == 200
    assert '<html lang="zh-CN">' in html.text
    assert f"<h1>{heading}</h1>" in html.text
    assert "数字邮管" in html.text and "西双版纳州邮政管理局" in html.text
    twin = browser.get(path + ".json")
    assert twin.status_code == 200 and twin.json()["title"] == heading
    by_accept = browser.get(path, headers={"Accept": "application/json"})
    assert by_accept.json() == twin.json()
    assert f'href="{path}.json"' in html.text


def _nav(html: str) -> list[str]:
    nav = html.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "alice",
            [
                "总览",
                "规划监测",
                "服务质量",
                "寄递安全",
                "网络布局",
                "数据报送",
                "信息公开",
                "账号管理",
            ],
        ),
        ("bob", ["总览", "规划监测", "服务质量", "寄递安全", "网络布局", "数据报送", "信息公开"]),
        ("carol", ["总览", "规划监测", "服务质量", "寄递安全", "网络布局", "数据报送", "信息公开"]),
        ("dave", ["服务质量", "寄递安全", "网络布局", "数据报送", "信息公开"]),
        ("anon", ["信息公开"]),
    ],
)
def test_navigation_follows_the_role(world: World, persona: str, expected: list[str]) -> None:
    assert _nav(world.as_(persona).get("/public").text) == expected


def test_the_header_names_the_user_and_scope(world: World) -> None:
    html = world.as_("carol").get("/network").text
    assert "卡萝" in html and "监管人员 · 景洪市" in html and "退出" in html
    assert "登录</a>" in world.as_("anon").get("/public").text


@pytest.mark.parametrize(
    ("persona", "landing"),
    [("alice", "/overview"), ("carol", "/overview"), ("dave", "/account"), ("anon", "/public")],
)
def test_home_sends_each_role_to_its_landing_page(world: World, persona: str, landing: str) -> None:
    response = world.as_(persona).get("/")
    assert response.status_code == 303 and response.headers["location"] == landing


def test_the_overview_says_what_to_do_while_there_is_no_data(fresh: World) -> None:
    html = fresh.as_("alice").get("/overview").text
    assert "暂无数据 — 企业报送收寄和轨迹数据并计算指标后，服务质量指标将在此显示。" in html
    assert '<a href="/admin/users">为寄递企业开通账号和接口密钥</a>' in html
    page = fresh.as_("alice").get("/overview.json").json()
    assert [s["code"] for s in page["sections"]] == ["quality", "security", "plan"]
    assert all(card["value"] is None for s in page["sections"] for card in s["cards"])
    assert page["reference"]["counties"] == 3 and page["reference"]["brands"] == 11
    assert page["month"] is None and page["trend_periods"] == []


def test_the_map_page_embeds_its_chart_and_the_local_geojson(world: World) -> None:
    html = world.as_("bob").get("/network").text
    assert 'data-chart="county_map"' in html and 'data-map-url="/api/v1/geo/counties"' in html
    assert "vendor/echarts/echarts.min.js" in html
    geo = world.as_("anon").get("/api/v1/geo/counties").json()
    assert sorted(f["properties"]["name"] for f in geo["features"]) == [
        "勐海县",
        "勐腊县",
        "景洪市",
    ]


def test_pages_reference_only_local_assets(world: World) -> None:
    for path in ("/overview", "/network", "/admin/users"):
        persona = PAGES[path][0]
        html = world.as_(persona).get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def test_admin_creates_an_account_and_sees_its_password_once(world: World) -> None:
    alice = world.as_("alice")
    response = alice.post(
        "/admin/users",
        data={"username": "frank", "display_name": "弗兰克", "role": "enterprise", "brand": "jd"},
    )
    assert response.status_code == 201
    password = re.search(r'id="new-user-password">([^<]+)<', response.text)
    assert password and len(password.group(1)) >= 10
    assert password.group(1) not in alice.get("/admin/users").text
    bad = alice.post(
        "/admin/users", data={"username": "g", "display_name": "G", "role": "enterprise"}
    )
    assert bad.status_code == 422 and "至少需要 2 个字符" in bad.text
