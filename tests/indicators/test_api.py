"""The indicators API: every endpoint and status code, the scope of each persona (dave of 顺丰
sees sf only — never zto, never the all-brand totals; carol of 景洪 sees 景洪 only), the error
envelope, and exports that open in Excel with the rows inside.

The world (``tests.web.conftest``) carries the seeded lake of ``tests.indicators.seed``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.auth.cheap_hashing import cheap_password_hashing  # noqa: F401  (autouse)
from tests.indicators.seed import JINGHONG, MENGHAI
from tests.web.conftest import World, open_world

API = "/api/v1"
YEAR = "from=2025-01-01&to=2025-12-31"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("kpi-api"), sqlite_template) as w:
        yield w


def _get(world: World, persona: str, path: str) -> object:
    return world.as_(persona).get(f"{API}{path}")


def _error(response: object) -> dict[str, object]:
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] and error["message"]
    return error  # type: ignore[no-any-return]


# ---- definitions ---------------------------------------------------------------------------
def test_definitions_are_listed_with_their_texts_versions_and_parameters(world: World) -> None:
    r = world.as_("dave").get(f"{API}/indicators?page_size=100")
    assert r.status_code == 200
    body = r.json()
    listed = {d["code"]: d for d in body["items"]}
    assert body["total"] == len(listed) >= 13
    delay = listed["delay_rate"]
    assert (delay["name"], delay["unit"], delay["direction"], delay["version"]) == (
        "快递延误率",
        "rate",
        "lower",
        1,
    )
    assert delay["local_method"] and delay["text"].endswith("（本地口径）")
    assert {p["name"] for p in delay["parameters"]} >= {"window_intercity_days"}
    one = world.as_("bob").get(f"{API}/indicators/xray_rate").json()
    assert one["name"] == "过机安检率" and one["drill"] == "shortfall"


def test_an_unknown_indicator_is_a_404_with_the_envelope(world: World) -> None:
    r = world.as_("alice").get(f"{API}/indicators/happiness_rate")
    assert r.status_code == 404
    assert "happiness_rate" in str(_error(r)["message"])
    r = world.as_("alice").get(f"{API}/indicators/happiness_rate/values?{YEAR}")
    assert r.status_code == 404


def test_the_public_must_log_in(world: World) -> None:
    for path in ("/indicators", f"/indicators/delay_rate/values?{YEAR}", "/facts/1/rows"):
        r = world.as_("anon").get(f"{API}{path}")
        assert r.status_code == 401, path
        assert _error(r)["code"] == "not_authenticated"


# ---- values --------------------------------------------------------------------------------
def _values(world: World, persona: str, query: str, code: str = "on_time_72h_rate") -> list:
    r = world.as_(persona).get(f"{API}/indicators/{code}/values?{YEAR}&{query}")
    assert r.status_code == 200, r.text
    return r.json()["facts"]  # type: ignore[no-any-return]


def test_values_by_month_for_the_prefecture(world: World) -> None:
    facts = _values(world, "bob", "by=month")
    march = next(f for f in facts if f["period"] == "2025-03")
    assert (march["brand"], march["division"]) == ("all", "5328")
    assert march["value"] == pytest.approx(2 / 3)
    assert (march["numerator"], march["denominator"]) == (2, 3)
    assert march["definition_version"] == 1 and march["data_version"] >= 1
    assert len(facts) == 6  # January to June


def test_values_by_brand_and_county_for_a_regulator(world: World) -> None:
    facts = _values(world, "alice", "by=brand,county")
    cells = {(f["brand"], f["division"]): f["value"] for f in facts if f["period"] == "2025-03"}
    # ems's international item in 勐腊 makes a cell without a value (no inter-city item)
    assert cells == {("sf", JINGHONG): 0.5, ("zto", MENGHAI): 1.0, ("ems", "532823"): None}
    quarter = _values(world, "alice", "by=quarter,brand&brand=zto")
    assert [(f["period"], f["brand"]) for f in quarter] == [("2025-Q1", "zto"), ("2025-Q2", "zto")]
    outbound = _values(world, "alice", "by=direction&direction=inbound")
    assert {f["dims"]["direction"] for f in outbound} == {"inbound"}


def test_dave_sees_only_sf_never_zto_nor_the_totals(world: World) -> None:
    for query in ("by=month", "by=brand", "by=brand,county", "by=year", "brand=zto&by=brand"):
        facts = _values(world, "dave", query)
        assert facts and {f["brand"] for f in facts} == {"sf"}, query
    march = next(f for f in _values(world, "dave", "by=month") if f["period"] == "2025-03")
    assert march["value"] == 0.5  # sf's own figure, not the prefecture's 2/3


def test_carol_sees_only_jinghong(world: World) -> None:
    for query in ("by=month", "by=county", "by=brand,county", "county=532822"):
        facts = _values(world, "carol", query)
        assert facts and {f["division"] for f in facts} == {JINGHONG}, query
    by_brand = _values(world, "carol", "by=brand")
    assert {f["brand"] for f in by_brand} == {"sf", "ems"}  # zto's items all went to 勐海


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("by=scope", None),  # not a stored dimension
        ("by=month,year", None),
        ("by=nonsense", None),
        ("brand=nobody", None),
        ("county=532899", None),
        ("direction=sideways", "direction"),
        ("by=MONTH", "by"),
    ],
)
def test_bad_dimensions_and_filters_are_422(world: World, query: str, field: str | None) -> None:
    r = world.as_("bob").get(f"{API}/indicators/delay_rate/values?{YEAR}&{query}")
    assert r.status_code == 422, r.text
    error = _error(r)
    if field is not None:
        assert error["details"][0]["field"] == field  # type: ignore[index]


def test_dates_are_required_and_ordered(world: World) -> None:
    r = world.as_("bob").get(f"{API}/indicators/delay_rate/values?from=2025-05-01")
    assert r.status_code == 422
    r = world.as_("bob").get(f"{API}/indicators/delay_rate/values?from=2025-05-01&to=2025-04-01")
    assert r.status_code == 422
    assert _error(r)["details"][0]["field"] == "to"  # type: ignore[index]


def test_values_export_as_excel_and_csv(world: World) -> None:
    r = world.as_("alice").get(
        f"{API}/indicators/on_time_72h_rate/values/export?{YEAR}&by=brand&format=xlsx"
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == XLSX
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    data = list(wb["指标"].iter_rows(values_only=True))
    assert data[0][0] == "统计期" and "快递服务72小时准时率" in data[0]
    assert len(data) - 1 == int(r.headers["x-rows"]) > 0
    notes = [row[0] for row in wb["口径说明"].iter_rows(values_only=True)]
    assert "快递服务72小时准时率" in notes
    r = world.as_("dave").get(
        f"{API}/indicators/on_time_72h_rate/values/export?{YEAR}&by=brand&format=csv"
    )
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row[2] for row in rows[1:]} == {"顺丰"}  # dave's export holds sf only


def test_an_unknown_export_format_is_422(world: World) -> None:
    r = world.as_("alice").get(f"{API}/indicators/delay_rate/values/export?{YEAR}&format=pdf")
    assert r.status_code == 422


# ---- facts and drill-down ------------------------------------------------------------------
def test_one_fact_and_the_scope_of_each_persona(world: World) -> None:
    ids = world.facts
    expected = {
        "sf_fact": {"alice": 200, "bob": 200, "carol": 200, "dave": 200, "erin": 404},
        "zto_fact": {"alice": 200, "bob": 200, "carol": 404, "dave": 404, "erin": 200},
        "all_fact": {"alice": 200, "bob": 200, "carol": 404, "dave": 404, "erin": 404},
        "jh_fact": {"alice": 200, "bob": 200, "carol": 200, "dave": 404, "erin": 404},
    }
    for name, by_persona in expected.items():
        for persona, status in by_persona.items():
            r = world.as_(persona).get(f"{API}/facts/{ids[name]}")
            assert r.status_code == status, (name, persona)
            if status == 404:
                assert _error(r)["code"] == "not_found"
    fact = world.as_("dave").get(f"{API}/facts/{ids['sf_fact']}").json()
    assert (fact["brand_name"], fact["division_name"], fact["period"]) == (
        "顺丰",
        "景洪市",
        "2025-03",
    )
    assert world.as_("bob").get(f"{API}/facts/2147483647").status_code == 404
    assert world.as_("bob").get(f"{API}/facts/2147483648").status_code == 422


def test_the_rows_behind_a_fact_masked_and_paginated(world: World) -> None:
    r = world.as_("dave").get(f"{API}/facts/{world.facts['sf_fact']}/rows")
    assert r.status_code == 200
    page = r.json()
    assert (page["which"], page["total"], page["exact"]) == ("shortfall", 1, True)
    late = page["rows"][0]
    assert late["hours_to_delivery"] == 100.0 and late["brand"] == "sf"
    both = world.as_("dave").get(
        f"{API}/facts/{world.facts['sf_fact']}/rows?which=denominator&page_size=1&page=2"
    )
    assert both.json()["total"] == 2 and len(both.json()["rows"]) == 1
    xray = world.as_("erin").get(f"{API}/facts/{world.facts['zto_xray_fact']}/rows").json()
    assert xray["total"] == 1
    names = {c["name"] for c in xray["columns"]}
    assert "sender_id_no_masked" in names
    assert not any(n.endswith(("_hash", "_enc")) or n == "sender_id_no" for n in names)
    assert xray["rows"][0]["sender_id_no_masked"] == "******************"


def test_drill_down_out_of_scope_or_bad_input(world: World) -> None:
    zto = world.facts["zto_fact"]
    assert world.as_("dave").get(f"{API}/facts/{zto}/rows").status_code == 404
    assert world.as_("carol").get(f"{API}/facts/{zto}/rows").status_code == 404
    assert world.as_("erin").get(f"{API}/facts/{zto}/rows?which=everything").status_code == 422
    assert world.as_("erin").get(f"{API}/facts/{zto}/rows?page_size=501").status_code == 422
    r = world.as_("dave").get(f"{API}/facts/{zto}/rows/export?format=csv")
    assert r.status_code == 404 and _error(r)["code"] == "not_found"


def test_drill_down_export_opens_in_excel_with_the_rows(world: World) -> None:
    sf = world.facts["sf_fact"]
    r = world.as_("dave").get(f"{API}/facts/{sf}/rows/export?format=xlsx&which=denominator")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    rows = list(wb["明细"].iter_rows(values_only=True))
    assert rows[0][:2] == ("运单号", "品牌") and len(rows) == 3
    assert {row[1] for row in rows[1:]} == {"sf"}
    notes = dict(wb["口径说明"].iter_rows(values_only=True))  # type: ignore[arg-type]
    assert notes["明细范围"] == "计入分母的快件" and notes["品牌"] == "顺丰"
    csv_r = world.as_("carol").get(f"{API}/facts/{sf}/rows/export?format=csv")
    lines = list(csv.reader(io.StringIO(csv_r.content.decode("utf-8-sig"))))
    assert len(lines) == 2 and lines[0][0] == "运单号"  # the one late item


def test_operations_have_stable_ids(world: World) -> None:
    spec = world.as_("anon").get(f"{API}/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "indicators_list",
        "indicator_get",
        "indicator_values_get",
        "indicator_values_export",
        "fact_get",
        "fact_rows_list",
        "fact_rows_export",
    } <= ids
