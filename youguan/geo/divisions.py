"""Administrative divisions (DOMAIN.md §1): the prefecture 5328 down to its 330 village-level
units, plus the national province, prefecture and county lists for origins and destinations
anywhere in China.

Codes: 2 digits province, 4 prefecture, 6 county (GB/T 2260), 9 township and 12 village
(统计用区划代码). The data ship in ``geo/data`` (see ``ATTRIBUTION.md``) and are loaded once.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

PREFECTURE_CODE = "5328"
PREFECTURE_NAME = "西双版纳傣族自治州"
PROVINCE_CODE = "53"


class Level(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"

    @property
    def label(self) -> str:
        return {
            "province": "省级",
            "prefecture": "地级",
            "county": "县级",
            "township": "乡级",
            "village": "村级",
        }[self.value]


LEVEL_BY_LENGTH = {
    2: Level.PROVINCE,
    4: Level.PREFECTURE,
    6: Level.COUNTY,
    9: Level.TOWNSHIP,
    12: Level.VILLAGE,
}


class Kind(StrEnum):
    """What sort of unit a division is. For villages the distinction that matters is the 建制村
    (村民委员会, administrative village) used by coverage indicators."""

    VILLAGER_COMMITTEE = "villager_committee"  # 村民委员会 (建制村)
    RESIDENT_COMMITTEE = "resident_committee"  # 居民委员会 / 居委会 / 社区
    SUBDISTRICT = "subdistrict"  # 街道
    TOWN = "town"  # 镇
    TOWNSHIP = "township"  # 乡 (incl. 民族乡)
    CITY = "city"  # 县级市 / 市辖区
    COUNTY = "county"  # 县
    OTHER = "other"  # 农场, 监狱, 园区, 虚拟生活区 …

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.VILLAGER_COMMITTEE: "村民委员会",
    Kind.RESIDENT_COMMITTEE: "居民委员会",
    Kind.SUBDISTRICT: "街道",
    Kind.TOWN: "镇",
    Kind.TOWNSHIP: "乡",
    Kind.CITY: "市/区",
    Kind.COUNTY: "县",
    Kind.OTHER: "其他",
}


def classify(level: Level, name: str) -> Kind:
    """The kind of a unit from its official name (the statistical code's digits are not reliable
    across sources, the name suffix is)."""
    if level is Level.VILLAGE:
        if name.endswith("村民委员会") or name.endswith("村委会"):
            return Kind.VILLAGER_COMMITTEE
        if name.endswith(("居民委员会", "居委会")) and "监狱" not in name:
            return Kind.RESIDENT_COMMITTEE
        return Kind.OTHER
    if level is Level.TOWNSHIP:
        if name.endswith("街道"):
            return Kind.SUBDISTRICT
        if name.endswith("镇"):
            return Kind.TOWN
        if name.endswith("乡"):
            return Kind.TOWNSHIP
        return Kind.OTHER
    if level is Level.COUNTY:
        return Kind.COUNTY if name.endswith("县") else Kind.CITY
    return Kind.OTHER


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: Level
    parent: str | None
    kind: Kind

    @property
    def county_code(self) -> str | None:
        return self.code[:6] if len(self.code) >= 6 else None

    @property
    def in_prefecture(self) -> bool:
        return self.code.startswith(PREFECTURE_CODE)


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("youguan.geo").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


class Divisions:
    """All known divisions, indexed by code. Build with :func:`divisions`."""

    def __init__(self, items: Iterable[Division]) -> None:
        self._by_code: dict[str, Division] = {}
        self._children: dict[str | None, list[Division]] = defaultdict(list)
        for d in items:
            self._by_code[d.code] = d
            self._children[d.parent].append(d)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Division:
        return self._by_code[code]

    def children(self, code: str) -> list[Division]:
        return list(self._children.get(code, ()))

    def all(self, level: Level | None = None) -> list[Division]:
        return [d for d in self._by_code.values() if level is None or d.level is level]

    def within(self, code: str, level: Level | None = None) -> list[Division]:
        """Every unit under ``code`` (not itself), optionally of one level."""
        return [
            d
            for d in self._by_code.values()
            if d.code != code and d.code.startswith(code) and (level is None or d.level is level)
        ]

    def ancestors(self, code: str) -> list[Division]:
        out: list[Division] = []
        d = self._by_code.get(code)
        while d is not None and d.parent is not None:
            d = self._by_code.get(d.parent)
            if d is not None:
                out.append(d)
        return out

    def county_of(self, code: str) -> Division | None:
        return self._by_code.get(code[:6]) if len(code) >= 6 else None

    def full_name(self, code: str) -> str:
        d = self._by_code.get(code)
        if d is None:
            return code
        names = [a.name for a in reversed(self.ancestors(code)) if a.level is not Level.PROVINCE]
        return "".join([*names, d.name])

    def is_valid(self, code: str) -> bool:
        """A code we know: any province, prefecture or county of China, or a township or village
        of the prefecture."""
        return code in self._by_code

    def prefecture_counties(self) -> list[Division]:
        return sorted(self.children(PREFECTURE_CODE), key=lambda d: d.code)


@cache
def divisions() -> Divisions:
    """Every division the platform knows, loaded once from the shipped reference data."""
    items: dict[str, Division] = {}

    def add(code: str, name: str, parent: str | None) -> None:
        level = LEVEL_BY_LENGTH[len(code)]
        items[code] = Division(code, name, level, parent, classify(level, name))

    for r in _rows("cn-provinces.csv"):
        add(r["code"], r["name"], None)
    for r in _rows("cn-prefectures.csv"):
        add(r["code"], r["name"], r["provinceCode"])
    for r in _rows("cn-counties.csv"):
        add(r["code"], r["name"], r["cityCode"])
    for r in _rows("xsbn-counties.csv"):
        add(r["code"], r["name"], r["cityCode"])
    for r in _rows("xsbn-townships.csv"):
        add(r["code"], r["name"], r["areaCode"])
    for r in _rows("xsbn-villages.csv"):
        add(r["code"], r["name"], r["streetCode"])
    return Divisions(items.values())


@cache
def county_geojson() -> dict[str, Any]:
    """The boundaries of the prefecture's three counties, with ``properties.code`` added."""
    text = (
        resources.files("youguan.geo")
        .joinpath("data", "xsbn-counties.geojson")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    by_name = {d.name: d.code for d in divisions().prefecture_counties()}
    for feature in data["features"]:
        feature["properties"]["code"] = by_name[feature["properties"]["name"]]
    return data
