"""The 网络布局 pages: Chinese, each with its JSON twin, scoped, the map's points in the boundaries'
coordinate system, late filings highlighted, forms that say what is wrong beside the field, the
import's row errors, and empty states that say what to do next."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import World
from tests.web.personas import create_personas
from youguan.context import Context
from youguan.geo.coords import wgs84_to_gcj02
from youguan.web.app import create_app

PAGES = {  # path → (persona, <h1>)
    "/network": ("carol", "网络布局"),
    "/network/facilities": ("dave", "网点与设施"),
    "/network/enterprises": ("bob", "寄递企业"),
    "/network/vehicles": ("erin", "寄递车辆"),
    "/network/facilities/{sf_jh}": ("dave", "网点与设施：顺丰景洪宣慰营业部"),
    "/network/enterprises/{zto_ent}": ("erin", "寄递企业：中通快递勐海分公司"),
    "/network/vehicles/{sf_van}": ("carol", "寄递车辆：云K20001"),
    "/network/facilities/new": ("carol", "新增网点与设施"),
    "/network/vehicles/{zto_truck}/edit": ("bob", "修改车辆：云K30001"),
    "/network/import": ("alice", "导入名录"),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_is_chinese_and_has_a_json_twin(world: World, path: str) -> None:
    persona, heading = PAGES[path]
    browser, url = world.as_(persona), path.format(**world.registry)
    html = browser.get(url)
    assert html.status_code == 200, html.text[:500]
    assert '<html lang="zh-CN">' in html.text and f"<h1>{heading}</h1>" in html.text
    twin = browser.get(url + ".json")
    assert twin.status_code == 200 and twin.json()["title"] == heading
    assert browser.get(url, headers={"Accept": "application/json"}).json() == twin.json()
    assert f'href="{url}.json"' in html.text
    assert not re.search(r'(src|href)="(https?:)?//', html.text), "local assets only"


def test_the_network_section_is_the_registrys_map(world: World) -> None:
    html = world.as_("dave").get("/network/facilities").text
    nav = html.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)"[^>]*>网络布局</a>', nav) == ["/network"]
    assert "导入名录" not in html  # no import tab without registry.write
    assert "导入名录" in world.as_("carol").get("/network/facilities").text


# --- the map ------------------------------------------------------------------------------------


def _chart(html: str, name: str) -> dict[str, Any]:
    import json

    m = re.search(
        rf'<script type="application/json" id="chart-option-{name}">(.*?)</script>', html, re.S
    )
    assert m, name
    return dict(json.loads(m.group(1)))


def test_the_map_plots_each_type_in_its_colour_in_gcj02(world: World) -> None:
    bob = world.as_("bob")
    data = bob.get("/network.json?as_of=2025-01-01").json()
    assert len(data["points"]) == 5 and data["unplotted"] == 0
    assert [(i["code"], i["count"]) for i in data["legend"]] == [
        ("universal_post_office", 1),
        ("express_outlet", 3),
        ("village_service_point", 1),
    ]
    option = _chart(bob.get("/network?as_of=2025-01-01").text, "county_map")
    assert option["geo"]["map"] == "xsbn-counties"
    regions, *layers = option["series"]
    assert sorted(d["name"] for d in regions["data"]) == ["勐海县", "勐腊县", "景洪市"]
    assert [(s["name"], s["itemStyle"]["color"], len(s["data"])) for s in layers] == [
        ("邮政普遍服务营业场所", "#0f7a3d", 1),
        ("快递营业网点", "#2b5fad", 3),
        ("村级寄递物流公共服务点", "#8bc34a", 1),
    ]
    post = next(p for p in data["points"] if p["code"] == "PO-JH-01")
    assert (post["lon"], post["lat"]) == (100.71, 21.597)  # the JSON twin: WGS-84 as stored
    (plotted,) = layers[0]["data"]
    gcj = wgs84_to_gcj02(100.71, 21.597)
    assert plotted["value"] == [round(gcj[0], 6), round(gcj[1], 6)]  # drawn: shifted to GCJ-02
    assert plotted["value"] != [100.71, 21.597]
    assert plotted["url"] == f"/network/facilities/{world.registry['ems_jh']}"


def test_a_county_regulator_sees_her_county_and_the_rest_greyed(world: World) -> None:
    carol = world.as_("carol")
    data = carol.get("/network.json?as_of=2025-01-01").json()
    assert sorted(p["code"] for p in data["points"]) == ["PO-JH-01", "SF-JH-01"]
    assert [c["code"] for c in data["summary"]["counties"]] == ["532801"]
    assert [c["code"] for c in data["options"]["counties"]] == ["532801"]
    html = carol.get("/network?as_of=2025-01-01").text
    option = _chart(html, "county_map")
    greyed = sorted(r["name"] for r in option["geo"]["regions"])
    assert greyed == ["勐海县", "勐腊县"]
    assert html.count('<tr data-county="') == 1


def test_map_filters_and_the_enterprise_view(world: World) -> None:
    dave = world.as_("dave")
    data = dave.get("/network.json?as_of=2025-01-01").json()
    assert sorted((p["code"], p["brand"]) for p in data["points"]) == [
        ("SF-JH-01", "sf"),
        ("SF-ML-01", "sf"),
        ("VP-ML-01", None),
    ]
    typed = world.as_("alice").get(
        "/network.json?type=express_outlet&county=532823&as_of=2025-01-01"
    )
    body = typed.json()
    assert [p["code"] for p in body["points"]] == ["SF-ML-01"]
    assert body["filters"] == {"type": "express_outlet", "county": "532823", "as_of": "2025-01-01"}
    assert body["summary"]["radius_basis"] == "快递营业网点"
    early = world.as_("alice").get("/network.json?as_of=2010-01-01").json()
    assert [p["code"] for p in early["points"]] == ["PO-JH-01"]
    assert world.as_("alice").get("/network?type=nope").status_code == 422


# --- lists --------------------------------------------------------------------------------------


def test_late_filings_are_highlighted_and_filterable(world: World) -> None:
    html = world.as_("alice").get("/network/facilities").text
    row = re.search(r'<tr data-code="SF-JH-01"[^>]*>', html)
    assert row and 'class="late"' in row.group(0)
    assert '<span class="badge late">逾期备案</span>' in html
    assert re.search(r"有 <strong>1</strong> 个网点逾期备案", html)
    assert 'href="/network/facilities?filed_late=true"' in html
    only = world.as_("alice").get("/network/facilities.json?filed_late=true").json()
    assert [f["code"] for f in only["records"]["items"]] == ["SF-JH-01"]


def test_lists_keep_filters_in_pager_and_export_links(world: World) -> None:
    html = world.as_("alice").get("/network/facilities?brand=sf&page_size=1").text
    assert 'href="/network/facilities?brand=sf&amp;page_size=1&amp;page=2"' in html
    assert 'href="/api/v1/facilities/export?format=csv&amp;brand=sf"' in html
    assert "共 2 条，第 1 / 2 页" in html
    page = world.as_("alice").get("/network/facilities.json?brand=sf&page_size=1").json()
    assert page["export"]["xlsx"] == "/api/v1/facilities/export?format=xlsx&brand=sf"


def test_lists_show_only_the_personas_scope(world: World) -> None:
    for persona, brands in (("dave", {"sf", ""}), ("erin", {"zto", ""})):
        html = world.as_(persona).get("/network/facilities").text
        assert set(re.findall(r'data-brand="([^"]*)"', html)) == brands
    html = world.as_("carol").get("/network/facilities").text
    assert set(re.findall(r'data-county="([^"]*)"', html)) == {"532801"}


def test_an_empty_result_says_how_to_widen_it(world: World) -> None:
    html = world.as_("alice").get("/network/vehicles?brand=jd").text
    assert (
        "没有符合筛选条件的寄递车辆。" in html and 'href="/network/vehicles">清除筛选条件' in html
    )


@pytest.fixture
def bare(ctx: Context) -> Iterator[World]:
    """Personas and no register at all."""
    yield World(ctx=ctx, app=create_app(ctx=ctx), user_ids=create_personas(ctx), keys={})


def test_an_empty_register_says_what_to_do_next(bare: World) -> None:
    carol = bare.as_("carol").get("/network/facilities").text
    assert "名录中还没有网点与设施 — 可以导入名录文件（CSV 或 Excel），也可以逐条新增。" in carol
    assert 'href="/network/import?entity=facilities">导入名录</a>' in carol
    dave = bare.as_("dave").get("/network").text
    assert (
        "名录中还没有您可查看的网点与设施。" in dave and "请联系州局或县局监管人员导入名录" in dave
    )
    alice = bare.as_("alice").get("/network").text
    assert 'href="/network/import?entity=facilities">导入网点与设施名录</a>' in alice


# --- forms --------------------------------------------------------------------------------------

FORM = {
    "code": "EX-FORM-1",
    "name": "顺丰嘎洒营业点",
    "type": "express_outlet",
    "brand": "sf",
    "division_code": "532801003",
    "lon": "",
    "lat": "",
    "coord_system": "wgs84",
    "opened_on": "2025-04-01",
    "filed_on": "2025-04-30",
    "status": "active",
    "standardized": "true",
}


def _field_errors(html: str, field: str) -> list[str]:
    block = html.split(f'data-field="{field}"', 1)[1].split("</label>", 1)[0]
    return re.findall(r'<span class="field-error" data-testid="field-error">([^<]+)</span>', block)


def test_a_rejected_form_shows_chinese_errors_beside_the_fields(scratch: World) -> None:
    bad = FORM | {"code": "EX-FORM-0", "opened_on": "2025-02-30", "lon": "100.8"}
    bad |= {"division_code": "110101"}
    response = scratch.as_("carol").post("/network/facilities/new", data=bad)
    assert response.status_code == 422
    html = response.text
    assert _field_errors(html, "opened_on") == ["开办日期：日期应为 YYYY-MM-DD，实为 2025-02-30"]
    assert _field_errors(html, "division_code") == ["所在区划代码：110101 不在本州（5328）范围内"]
    assert 'name="code" value="EX-FORM-0"' in html  # what was typed is kept
    assert "请修改标红的字段后再保存。" in html
    elsewhere = FORM | {"code": "EX-FORM-MH", "division_code": "532822101"}
    response = scratch.as_("carol").post("/network/facilities/new", data=elsewhere)
    assert response.status_code == 403
    assert _field_errors(response.text, "division_code") == [
        "所在区划代码：只能维护景洪市的网点与设施"
    ]


def test_create_edit_and_close_leave_a_history(scratch: World) -> None:
    carol = scratch.as_("carol")
    created = carol.post("/network/facilities/new", data=FORM)
    assert created.status_code == 303
    url = created.headers["location"]
    assert re.fullmatch(r"/network/facilities/\d+", url)
    edited = carol.post(
        url + "/edit", data=FORM | {"name": "顺丰嘎洒营业部", "filed_on": "2025-05-10"}
    )
    assert edited.status_code == 303 and edited.headers["location"] == url
    page = carol.get(url + ".json").json()
    assert page["record"]["filed_within_deadline"] is False  # 39 days: late
    update, create = page["history"]
    assert (update["action_label"], create["action_label"]) == ("修改", "新增")
    changes = {c["label"]: (c["before"], c["after"]) for c in update["changes"]}
    assert changes["名称"] == ("顺丰嘎洒营业点", "顺丰嘎洒营业部")
    assert changes["备案日期"] == ("2025-04-30", "2025-05-10")
    entered = {c["label"]: c["after_text"] for c in create["changes"]}
    assert entered["类型"] == "快递营业网点" and entered["品牌"] == "顺丰"  # labels, not codes
    assert entered["所在区划代码"] == "景洪市嘎洒街道（532801003）"
    assert entered["标准化网点"] == "是"
    html = carol.get(url).text
    assert '<span class="before">顺丰嘎洒营业点</span> → 顺丰嘎洒营业部' in html
    assert '<dd class="tone-bad">逾期（开办后 39 天备案）</dd>' in html
    early = carol.post(url + "/close", data={"closed_on": "2020-01-01"})
    assert early.status_code == 422 and "关闭日期：关闭日期早于开办日期" in early.text
    blank = carol.post(url + "/close", data={"closed_on": "x"})
    assert blank.status_code == 422 and "关闭日期：" in blank.text
    closed = carol.post(url + "/close", data={"closed_on": "2025-12-31", "reason": "撤点"})
    assert closed.status_code == 303
    page = carol.get(url + ".json").json()
    assert page["closed"] is True and page["history"][0]["note"] == "撤点"
    assert "<h2>关闭</h2>" not in carol.get(url).text  # nothing left to close


def test_the_edit_form_is_filled_and_out_of_scope_records_are_404(scratch: World) -> None:
    carol, ids = scratch.as_("carol"), scratch.registry
    form = carol.get(f"/network/facilities/{ids['sf_jh']}/edit.json").json()
    values = {f["name"]: f["value"] for f in form["fields"]}
    assert values["name"] == "顺丰景洪宣慰营业部" and values["filed_on"] == "2024-04-05"
    assert "code" not in values  # the key cannot change
    assert carol.get(f"/network/facilities/{ids['zto_mh']}/edit").status_code == 404
    assert carol.post(f"/network/facilities/{ids['zto_mh']}/edit", data=FORM).status_code == 404
    assert scratch.as_("dave").get(f"/network/facilities/{ids['sf_jh']}/edit").status_code == 403
    sf = scratch.as_("carol").get(f"/network/enterprises/{ids['sf_ent']}").text
    link = re.search(r'<a href="(/network/facilities\?enterprise_uscc=[^"]+)">查看</a>', sf)
    assert link
    listed = scratch.as_("carol").get(link.group(1).replace("/facilities?", "/facilities.json?"))
    assert {f["code"] for f in listed.json()["records"]["items"]} >= {"SF-JH-01"}
    multi = scratch.as_("alice").get(f"/network/enterprises/{ids['sf_ent']}/edit.json").json()
    scope = next(f for f in multi["fields"] if f["name"] == "licence_scope")
    assert scope["values"] == ["same_city", "interprovincial"]


# --- import -------------------------------------------------------------------------------------

CSV = (
    "code,name,type,division_code,opened_on\n"
    "IMP-A,嘎洒信报箱,letterbox,532801003,2025-01-01\n"
    "IMP-B,坏类型,mailbox,532801003,2025-01-01\n"
    "IMP-C,,letterbox,532801003,2025-01-01\n"
).encode()


def test_the_import_page_shows_the_rejected_rows(scratch: World) -> None:
    response = scratch.as_("alice").post(
        "/network/import",
        data={"entity": "facilities"},
        files={"file": ("信报箱.csv", CSV, "text/csv")},
    )
    assert response.status_code == 200, response.text[:500]
    html = response.text
    assert "导入结果：网点与设施 · 信报箱.csv" in html
    rows = re.findall(
        r'<tr data-row="(\d+)"><td class="num">\d+</td><td>([^<]+)</td><td>([^<]+)</td>', html
    )
    assert [(r, f) for r, f, _ in rows] == [("3", "类型"), ("4", "名称")]
    assert rows[1][2] == "名称：必填"
    assert "被拒绝的行（2 行，2 处错误）" in html


def test_the_import_page_says_why_a_file_is_refused(scratch: World) -> None:
    alice = scratch.as_("alice")
    pdf = alice.post(
        "/network/import",
        data={"entity": "facilities"},
        files={"file": ("a.pdf", b"%PDF", "application/pdf")},
    )
    assert pdf.status_code == 415 and "a.pdf：不支持的文件类型 .pdf" in pdf.text
    odd = alice.post(
        "/network/import", data={"entity": "planets"}, files={"file": ("a.csv", CSV, "text/csv")}
    )
    assert odd.status_code == 422 and "未知的名录 planets" in odd.text
    assert scratch.as_("dave").get("/network/import").status_code == 403
