from __future__ import annotations

from collections import Counter

from youguan.geo.divisions import Kind, Level, county_geojson, divisions


def test_the_prefecture_has_3_counties_42_townships_330_villages() -> None:
    d = divisions()
    assert [c.name for c in d.prefecture_counties()] == ["景洪市", "勐海县", "勐腊县"]
    assert len(d.within("5328", Level.TOWNSHIP)) == 42
    assert len(d.within("5328", Level.VILLAGE)) == 330


def test_211_villages_are_administrative_villages() -> None:
    kinds = Counter(v.kind for v in divisions().within("5328", Level.VILLAGE))
    assert kinds[Kind.VILLAGER_COMMITTEE] == 211
    assert kinds[Kind.RESIDENT_COMMITTEE] + kinds[Kind.OTHER] == 119


def test_the_hierarchy_links_every_unit_to_its_parent() -> None:
    d = divisions()
    for unit in d.within("5328"):
        parent = d.get(unit.parent or "")
        assert parent is not None, unit
        assert unit.code.startswith(parent.code)
    assert [a.code for a in d.ancestors("532823105001")] == ["532823105", "532823", "5328", "53"]
    assert d.full_name("532823105") == "西双版纳傣族自治州勐腊县磨憨镇"


def test_national_lists_validate_origins_anywhere_in_china() -> None:
    d = divisions()
    assert len(d.all(Level.PROVINCE)) == 31
    assert d.is_valid("110101") and d[("110101")].name == "东城区"
    assert d.is_valid("4403") and d.is_valid("53")
    assert not d.is_valid("999999")
    assert not d.is_valid("532801999")  # a township code that does not exist


def test_kinds_of_townships_and_counties() -> None:
    d = divisions()
    assert d["532801001"].kind is Kind.SUBDISTRICT  # 允景洪街道
    assert d["532823105"].kind is Kind.TOWN  # 磨憨镇
    assert d["532822204"].kind is Kind.TOWNSHIP  # 布朗山布朗族乡
    assert d["532801402"].kind is Kind.OTHER  # 东风农场
    assert d["532801"].kind is Kind.CITY and d["532822"].kind is Kind.COUNTY


def test_the_county_map_has_the_three_counties_with_codes() -> None:
    features = county_geojson()["features"]
    assert sorted(f["properties"]["code"] for f in features) == ["532801", "532822", "532823"]
