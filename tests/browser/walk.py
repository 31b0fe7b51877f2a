"""The browser walk: which pages exist, who may see them, what each must show.

Later capabilities add their pages by appending a :class:`Stop` to :data:`WALK` (and, if the
page needs more than its heading and charts checked, a ``check`` function taking the Playwright
page and the persona name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STAFF = ("alice", "bob", "carol")
ENTERPRISES = ("dave", "erin")
LOGGED_IN = STAFF + ENTERPRISES
EVERYONE = (*LOGGED_IN, "anon")


def _map_shows_the_three_counties(page: Any, persona: str) -> None:
    names = page.evaluate(
        """() => {
            const el = document.querySelector('[data-chart="county_map"]');
            const chart = echarts.getInstanceByDom(el);
            const series = chart.getOption().series[0];
            const features = echarts.getMap(series.map).geoJSON.features;
            return {data: series.data.map(d => d.name),
                    features: features.map(f => f.properties.name)};
        }"""
    )
    assert sorted(names["features"]) == ["勐海县", "勐腊县", "景洪市"], names
    assert sorted(names["data"]) == ["勐海县", "勐腊县", "景洪市"], names
    rows = page.locator("tr[data-county]").count()
    assert rows == (1 if persona == "carol" else 3), rows


def _overview_is_scoped(page: Any, persona: str) -> None:
    text = page.locator("main").inner_text()
    assert "服务质量" in text and "寄递安全" in text and "暂无数据" in text
    if persona == "carol":
        assert "勐海县" not in text and "景洪市" in text


def _account_shows_scope(page: Any, persona: str) -> None:
    scope = page.get_by_test_id("scope").inner_text()
    expected = {"dave": "顺丰", "erin": "中通", "alice": "西双版纳傣族自治州（全州）"}
    if persona in expected:
        assert scope == expected[persona], scope


@dataclass(frozen=True)
class Stop:
    path: str
    heading: str
    personas: tuple[str, ...]
    check: Callable[[Any, str], None] | None = None
    charts: tuple[str, ...] = field(default=())  # data-chart names that must be drawn


WALK: list[Stop] = [
    Stop("/overview", "总览", STAFF, _overview_is_scoped, charts=("villages",)),
    Stop("/network", "网络布局", LOGGED_IN, _map_shows_the_three_counties, charts=("county_map",)),
    Stop("/public", "信息公开", EVERYONE),
    Stop("/account", "我的账号", LOGGED_IN, _account_shows_scope),
    Stop("/admin/users", "账号管理", ("alice",)),
    Stop("/login", "登录", ("anon",)),
]
