"""The registry's JSON API: every operation and status, in each persona's scope."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.registry.factories import LOCAL_SF
from tests.web.conftest import World
from youguan.geo.coords import wgs84_to_gcj02
from youguan.registry import api as registry_api

API = "/api/v1"


def items(world: World, persona: str, path: str) -> list[dict[str, Any]]:
    response = world.as_(persona).get(API + path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "page", "page_size", "total"}
    return list(body["items"])


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] and body["message"]
    return body


# --- lists and records --------------------------------------------------------------------------


def test_lists_are_scoped_and_filtered(world: World) -> None:
    def codes(persona: str, query: str = "") -> list[str]:
        return [f["code"] for f in items(world, persona, "/facilities" + query)]

    assert codes("alice") == ["PO-JH-01", "SF-JH-01", "SF-ML-01", "VP-ML-01", "ZTO-MH-01"]
    assert codes("carol") == ["PO-JH-01", "SF-JH-01"]
    assert codes("dave") == ["SF-JH-01", "SF-ML-01", "VP-ML-01"]
    assert codes("alice", "?type=express_outlet&division=532823") == ["SF-ML-01"]
    assert codes("alice", "?brand=sf&filed_late=true") == ["SF-JH-01"]
    assert codes("alice", "?q=邮政") == ["PO-JH-01"]
    assert codes("alice", "?type=&brand=&status=") == codes("alice")  # blank = no filter
    page = world.as_("alice").get(f"{API}/facilities?page=2&page_size=2").json()
    assert (page["total"], [f["code"] for f in page["items"]]) == (5, ["SF-ML-01", "VP-ML-01"])
    assert [e["brand"] for e in items(world, "erin", "/enterprises")] == ["zto"]
    assert [v["plate"] for v in items(world, "carol", "/vehicles")] == ["云K20001"]
    assert [v["plate"] for v in items(world, "alice", "/vehicles?county=532822")] == ["云K30001"]


def test_bad_filters_and_pages_are_422_in_chinese(world: World) -> None:
    alice = world.as_("alice")
    e = error(alice.get(f"{API}/facilities?type=post_office"), 422)
    assert "不认识的网点与设施类型 post_office" in e["message"]
    assert error(alice.get(f"{API}/facilities?brand=xx"), 422)["details"][0]["field"] == "brand"
    error(alice.get(f"{API}/facilities?division=110101"), 422)  # not in the prefecture
    error(alice.get(f"{API}/facilities?page_size=501"), 422)
    error(alice.get(f"{API}/vehicles?new_energy=maybe"), 422)
    error(world.as_("anon").get(f"{API}/facilities"), 401)


def test_a_record_with_labels_and_the_late_filing_flag(world: World) -> None:
    ids = world.registry
    f = world.as_("dave").get(f"{API}/facilities/{ids['sf_jh']}").json()
    assert (f["code"], f["type_label"], f["brand_label"], f["status_label"]) == (
        "SF-JH-01",
        "快递营业网点",
        "顺丰",
        "正常",
    )
    assert (f["filing_delay_days"], f["filed_within_deadline"]) == (35, False)
    assert f["place"] == "景洪市允景洪街道" and f["county_name"] == "景洪市"
    e = world.as_("carol").get(f"{API}/enterprises/{ids['sf_ent']}").json()
    assert e["licence_scope_labels"] == ["同城", "跨省"] and e["licence_expired"] is True
    v = world.as_("erin").get(f"{API}/vehicles/{ids['zto_truck']}").json()
    assert (v["vehicle_type_label"], v["kind_label"]) == ("货车", "快递服务车辆")


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("erin", "/facilities/{sf_jh}"),  # another brand's
        ("dave", "/facilities/{zto_mh}"),
        ("carol", "/facilities/{zto_mh}"),  # another county's
        ("carol", "/enterprises/{zto_ent}"),
        ("dave", "/vehicles/{zto_truck}"),
        ("erin", "/facilities/{sf_jh}/history"),
        ("alice", "/facilities/999999"),  # missing looks the same
    ],
)
def test_out_of_scope_is_404(world: World, persona: str, path: str) -> None:
    response = world.as_(persona).get(API + path.format(**world.registry))
    assert error(response, 404)["code"] == "not_found"


def test_an_id_out_of_range_is_422(world: World) -> None:
    error(world.as_("alice").get(f"{API}/facilities/99999999999"), 422)


# --- writes -------------------------------------------------------------------------------------

NEW = {
    "code": "EX-NEW-1",
    "name": "顺丰嘎洒营业点",
    "type": "快递营业网点",  # a Chinese label is taken for the code
    "brand": "sf",
    "enterprise_uscc": LOCAL_SF,
    "division_code": "532801003",
    "opened_on": "2025-03-01",
}


def test_create_converts_gcj02_and_answers_201(scratch: World) -> None:
    gcj = wgs84_to_gcj02(100.76, 21.93)
    body = NEW | {"lon": gcj[0], "lat": gcj[1], "coord_system": "gcj02"}
    created = scratch.as_("carol").post(f"{API}/facilities", json=body)
    assert created.status_code == 201, created.text
    f = created.json()
    assert f["type"] == "express_outlet" and f["coord_system"] == "gcj02"
    assert f["lon"] == pytest.approx(100.76, abs=1e-6) and f["lat"] == pytest.approx(
        21.93, abs=1e-6
    )
    assert (f["input_lon"], f["input_lat"]) == (round(gcj[0], 7), round(gcj[1], 7))
    again = scratch.as_("alice").post(f"{API}/facilities", json=body)
    assert error(again, 422)["details"] == [
        {"field": "code", "code": "duplicate", "message": "编码：EX-NEW-1 已存在"}
    ]


def test_create_reports_every_problem_by_field(scratch: World) -> None:
    bad = NEW | {"code": "EX-2", "opened_on": "2025-02-30", "division_code": "532801"}
    bad |= {"lon": 100.8, "enterprise_uscc": "91532801MA6K000010"}
    e = error(scratch.as_("alice").post(f"{API}/facilities", json=bad), 422)
    fields = {d["field"]: d["message"] for d in e["details"]}
    assert fields["opened_on"] == "日期应为 YYYY-MM-DD，实为 2025-02-30"
    assert "校验位错误" in fields["enterprise_uscc"]
    cross = NEW | {"code": "EX-3", "lon": 100.8, "enterprise_uscc": None}
    e = error(scratch.as_("alice").post(f"{API}/facilities", json=cross), 422)
    assert e["details"] == [
        {"field": "lat", "code": "coords_incomplete", "message": "纬度：经度和纬度须同时填写"}
    ]
    colour = scratch.as_("alice").post(f"{API}/facilities", json=NEW | {"colour": "红"})
    unknown = error(colour, 422)
    assert unknown["details"][0]["field"] == "colour"


def test_writes_need_the_permission_and_stay_in_scope(scratch: World) -> None:
    body = NEW | {"code": "EX-PERM", "enterprise_uscc": None}
    assert error(scratch.as_("dave").post(f"{API}/facilities", json=body), 403)["details"] == {
        "permission": "registry.write"
    }
    error(scratch.as_("anon").post(f"{API}/facilities", json=body), 401)
    key = scratch.keys["sf"][1]  # an enterprise's API key: no register either
    keyed = scratch.as_("anon").client.post(
        f"{API}/facilities", json=body, headers={"X-API-Key": key}
    )
    error(keyed, 403)
    elsewhere = body | {"division_code": "532822101", "brand": None}
    e = error(scratch.as_("carol").post(f"{API}/facilities", json=elsewhere), 403)
    assert e["details"] == {"field": "division_code"}
    assert e["message"] == "所在区划代码：只能维护景洪市的网点与设施"


def test_patch_changes_clears_and_keeps_the_key(scratch: World) -> None:
    carol, url = scratch.as_("carol"), f"{API}/facilities/{scratch.registry['sf_jh']}"
    changed = carol.patch(
        url, json={"name": "顺丰景洪营业部", "address": None, "filed_on": "2024-03-10"}
    )
    assert changed.status_code == 200, changed.text
    f = changed.json()
    assert (f["name"], f["address"], f["filed_within_deadline"]) == ("顺丰景洪营业部", None, True)
    assert f["type"] == "express_outlet"  # fields not given keep their values
    e = error(carol.patch(url, json={"code": "SF-JH-02"}), 422)
    assert e["details"][0]["code"] == "key_immutable"
    error(carol.patch(url, json={"standardized": "maybe"}), 422)
    error(carol.patch(url, json={"zzz": 1}), 422)
    zto = f"{API}/facilities/{scratch.registry['zto_mh']}"
    error(carol.patch(zto, json={"name": "x"}), 404)
    error(scratch.as_("erin").patch(zto, json={"name": "x"}), 403)


def test_close_then_history_shows_before_and_after(scratch: World) -> None:
    alice, vid = scratch.as_("alice"), scratch.registry["sf_van"]
    closed = alice.post(
        f"{API}/vehicles/{vid}/close", json={"closed_on": "2025-06-30", "reason": "报废"}
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("closed", "2025-06-30")
    e = error(alice.post(f"{API}/vehicles/{vid}/close", json={"closed_on": "2025-07-01"}), 422)
    assert e["details"][0]["code"] == "already_closed"
    early = alice.post(
        f"{API}/facilities/{scratch.registry['ems_jh']}/close", json={"closed_on": "2000-01-01"}
    )
    assert error(early, 422)["details"][0]["code"] == "closed_before_opened"
    error(alice.post(f"{API}/vehicles/{vid}/close", json={"closed_on": "soon"}), 422)
    history = alice.get(f"{API}/vehicles/{vid}/history").json()
    assert [h["action"] for h in history] == ["close", "create"]  # newest first
    close = history[0]
    assert (close["actor"], close["action_label"], close["note"]) == ("alice", "关闭", "报废")
    changes = {c["field"]: (c["label"], c["before"], c["after"]) for c in close["changes"]}
    assert changes == {
        "status": ("状态", "active", "closed"),
        "closed_on": ("注销日期", None, "2025-06-30"),
    }
    assert {c["field"] for c in history[1]["changes"]} >= {"plate", "brand", "vehicle_type"}


# --- import -------------------------------------------------------------------------------------

FACILITY_CSV = (
    "code,name,type,brand,division_code,opened_on,status\n"
    "IMP-1,嘎洒末端网点,末端网点,,532801003,2025-01-05,正常\n"
    "IMP-2,坏日期,last_mile_outlet,,532801003,2025-13-01,active\n"
    "IMP-3,勐海的点,letterbox,,532822101,2025-01-01,active\n"
    "IMP-4,未知品牌,letterbox,xyz,532801003,2025-01-01,active\n"
)


def upload(
    world: World, persona: str, name: str, content: bytes, entity: str = "facilities"
) -> Any:
    files = {"file": (name, content, "text/csv")}
    return world.as_(persona).post(f"{API}/{entity}/import", files=files)


def test_import_keeps_good_rows_and_reports_bad_ones(scratch: World) -> None:
    response = upload(scratch, "carol", "网点.csv", FACILITY_CSV.encode("gb18030"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["rejected"]) == (4, 1, 3)
    assert report["filename"] == "网点.csv" and report["encoding"] == "gb18030"
    errors = [(e["row"], e["field"], e["code"]) for e in report["errors"]]
    assert errors == [
        (3, "opened_on", "invalid_date"),
        (4, "division_code", "out_of_scope"),  # carol keeps 景洪 only
        (5, "brand", "unknown_brand"),
    ]
    assert report["errors"][0]["field_label"] == "开办日期"
    assert report["errors"][1]["message"] == "所在区划代码：只能维护景洪市的网点与设施"
    listed = items(scratch, "carol", "/facilities?q=IMP")
    assert [f["code"] for f in listed] == ["IMP-1"]


def test_import_refuses_other_types_big_files_and_unreadable_ones(
    scratch: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = error(upload(scratch, "alice", "网点.pdf", b"%PDF-1.4"), 415)
    assert "不支持的文件类型 .pdf" in e["message"]
    error(upload(scratch, "alice", "noext", b"a,b"), 415)
    monkeypatch.setattr(registry_api, "IMPORT_MAX_BYTES", 100)
    big = upload(scratch, "alice", "big.csv", FACILITY_CSV.encode() * 2)
    assert error(big, 413)["details"]["limit_bytes"] == 100
    monkeypatch.undo()
    e = error(upload(scratch, "alice", "x.csv", b"colour,size\nred,1\n"), 422)
    assert e["code"] == "invalid_file" and "未知的列：colour、size" in e["message"]
    broken = error(upload(scratch, "alice", "x.xlsx", b"not a workbook"), 422)
    assert "无法读取 Excel 文件" in broken["message"]
    error(upload(scratch, "dave", "x.csv", FACILITY_CSV.encode()), 403)
    plain = scratch.as_("alice").client.post(
        f"{API}/facilities/import", content=b"x", headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415  # the body guard, before any handler


def test_enterprises_and_vehicles_import_too(scratch: World) -> None:
    vehicles = (
        "plate,brand,vehicle_type,county_code\n云K40001,顺丰,面包车,532801\n云K4,sf,van,532801\n"
    )
    report = upload(scratch, "alice", "v.csv", vehicles.encode(), "vehicles").json()
    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["code"] == "invalid_plate"
    enterprises = f"uscc,name\n{LOCAL_SF},改名\n"
    report = upload(scratch, "alice", "e.csv", enterprises.encode(), "enterprises").json()
    assert (report["updated"], report["rejected"]) == (1, 0)


# --- export -------------------------------------------------------------------------------------


def test_export_csv_and_xlsx_with_filters_in_scope(world: World) -> None:
    carol = world.as_("carol").get(f"{API}/facilities/export")
    assert carol.status_code == 200
    assert carol.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="facilities-' in carol.headers["content-disposition"]
    text = carol.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["code"] for r in rows] == ["PO-JH-01", "SF-JH-01"] and carol.headers["x-rows"] == "2"
    assert rows[1]["filed_within_deadline"] == "false"
    xlsx = world.as_("alice").get(f"{API}/facilities/export?format=xlsx&brand=sf")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["SF-JH-01", "SF-ML-01"]
    error(world.as_("alice").get(f"{API}/facilities/export?format=pdf"), 422)
    vehicles = world.as_("erin").get(f"{API}/vehicles/export").content.decode("utf-8-sig")
    assert "云K30001" in vehicles and "云K20001" not in vehicles
    error(world.as_("anon").get(f"{API}/enterprises/export"), 401)


# --- network aggregates -------------------------------------------------------------------------


def test_counts_by_type_brand_and_county(world: World) -> None:
    alice = world.as_("alice")
    body = alice.get(f"{API}/network/counts?as_of=2025-01-01&by=county&by=brand").json()
    assert body["by"] == ["brand", "county"] and body["total"] == 5
    rows = [(r["brand"], r["county"], r["count"]) for r in body["rows"]]
    assert rows == [
        ("ems", "532801", 1),
        ("sf", "532801", 1),
        ("sf", "532823", 1),
        ("zto", "532822", 1),
        (None, "532823", 1),
    ]
    assert body["rows"][0]["county_name"] == "景洪市" and body["rows"][0]["brand_label"] == "邮政"
    early = alice.get(f"{API}/network/counts?as_of=2020-01-01").json()
    assert early["total"] == 1 and early["rows"][0]["type"] == "universal_post_office"
    dave = world.as_("dave").get(f"{API}/network/counts?as_of=2025-01-01&by=brand").json()
    assert [(r["brand"], r["count"]) for r in dave["rows"]] == [("sf", 2), (None, 1)]
    error(alice.get(f"{API}/network/counts?by=colour"), 422)
    error(alice.get(f"{API}/network/counts?as_of=yesterday"), 422)


def test_county_summary_radius_coverage_and_direct_service(world: World) -> None:
    body = world.as_("bob").get(f"{API}/network/counties?as_of=2025-01-01").json()
    jinghong, menghai, mengla = body["counties"]
    assert [c["name"] for c in body["counties"]] == ["景洪市", "勐海县", "勐腊县"]
    assert jinghong["by_type"] == {"express_outlet": 1, "universal_post_office": 1}
    assert jinghong["outlets"] == 2  # 营业网点: 邮政局所 and 快递营业网点
    area = jinghong["area_km2"]
    assert jinghong["service_radius_km"] == pytest.approx(
        (area / (3.141592653589793 * 2)) ** 0.5, abs=0.01
    )
    assert (jinghong["postal_townships"], jinghong["express_townships"]) == (1, 1)
    assert jinghong["townships"] == 14
    assert (mengla["served_villages"], mengla["admin_villages"]) == (1, 50)
    assert body["prefecture"]["facilities"] == 5 and body["prefecture"]["townships"] == 35
    assert menghai["express_coverage"] == pytest.approx(1 / 11)
    typed = world.as_("bob").get(
        f"{API}/network/counties?as_of=2025-01-01&type=village_service_point"
    )
    t = typed.json()
    assert t["radius_basis"] == "村级寄递物流公共服务点"
    assert [c["outlets"] for c in t["counties"]] == [0, 0, 1]
    assert t["counties"][0]["service_radius_km"] is None
    carol = world.as_("carol").get(f"{API}/network/counties?as_of=2025-01-01").json()
    assert [c["code"] for c in carol["counties"]] == ["532801"] and carol["prefecture"] is None


def test_control_characters_are_refused_not_stored(scratch: World) -> None:
    alice = scratch.as_("alice")
    e = error(alice.post(f"{API}/facilities", json=NEW | {"name": "坏\x00名"}), 422)
    assert e["details"][0]["code"] == "control_characters"
    error(alice.get(f"{API}/facilities", params={"q": "a\x00b"}), 422)
    error(alice.get(f"{API}/facilities?enterprise_uscc=abc"), 422)
