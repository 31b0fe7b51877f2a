"""Choices of the registry (STYLE.md habit 10): stable ASCII codes are stored, Chinese labels and
colours are shown. Input accepts the code, the Chinese label or a listed alias, so a regulator can
type 快递营业网点 or 已关闭 in a spreadsheet and get the code stored."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    color: str
    aliases: tuple[str, ...] = ()


class Choices:
    """An ordered set of :class:`Choice` with lookup by code, label or alias."""

    def __init__(self, name: str, label: str, items: Sequence[Choice]) -> None:
        self.name = name
        self.label = label
        self._items = tuple(items)
        self._by_code = {c.code: c for c in self._items}
        self._lookup: dict[str, str] = {}
        for c in self._items:
            for key in (c.code, c.label, *c.aliases):
                self._lookup[key.strip().lower()] = c.code

    def __iter__(self) -> Iterator[Choice]:
        return iter(self._items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self._items)

    def get(self, code: str) -> Choice:
        return self._by_code[code]

    def label_of(self, code: str | None) -> str:
        c = self._by_code.get(code or "")
        return c.label if c else (code or "")

    def color_of(self, code: str | None) -> str:
        c = self._by_code.get(code or "")
        return c.color if c else "#999999"

    def parse(self, value: str) -> str | None:
        """The code for a code, label or alias (case-insensitive), or None if unknown."""
        return self._lookup.get(value.strip().lower())

    def describe(self) -> str:
        """``code (标签)`` pairs, for error messages."""
        return "、".join(f"{c.code}({c.label})" for c in self._items)


FACILITY_TYPES = Choices(
    "facility_type",
    "网点与设施类型",
    [
        Choice(
            "universal_post_office", "邮政普遍服务营业场所", "#0f7a3d", ("邮政局所", "邮政营业场所")
        ),
        Choice("express_outlet", "快递营业网点", "#2b5fad", ("营业网点", "快递网点")),
        Choice("last_mile_outlet", "末端网点/驿站", "#e2701b", ("末端网点", "驿站", "快递驿站")),
        Choice("parcel_locker", "智能快件箱", "#6b2f8e", ("快件箱", "快递柜", "智能快递柜")),
        Choice(
            "village_service_point",
            "村级寄递物流公共服务点",
            "#8bc34a",
            ("村级服务点", "村级公共服务点", "村邮站"),
        ),
        Choice("sorting_center", "分拣中心", "#c0392b", ("分拨中心", "处理中心")),
        Choice("logistics_park", "快递物流园区", "#795548", ("物流园区", "快递园区")),
        Choice("intl_express_center", "国际快件监管中心", "#0097a7", ("国际快件中心",)),
        Choice("letterbox", "智能信包箱/信报箱", "#9e9e9e", ("信报箱", "信包箱", "智能信包箱")),
    ],
)

STATUSES = Choices(
    "status",
    "状态",
    [
        Choice("active", "正常", "#2e7d32", ("在用", "存续", "营业", "正常营业", "有效")),
        Choice("suspended", "暂停", "#f9a825", ("停业", "停用", "暂停营业")),
        Choice("closed", "关闭", "#757575", ("已关闭", "注销", "已注销", "撤销", "报废", "关停")),
    ],
)

ENTERPRISE_KINDS = Choices(
    "enterprise_kind",
    "主体类型",
    [
        Choice("legal_entity", "法人", "#2b5fad", ("法人企业", "总公司", "公司")),
        Choice("branch", "分支机构", "#e2701b", ("分公司", "分支")),
    ],
)

# 快递业务经营许可 scope (DOMAIN.md §1). Order here is the canonical order of an exported list.
LICENCE_SCOPES = Choices(
    "licence_scope",
    "许可业务范围",
    [
        Choice("same_city", "同城", "#8bc34a", ("同城快递",)),
        Choice("provincial", "省内", "#03a9f4", ("省内异地", "省内快递")),
        Choice("interprovincial", "跨省", "#3f51b5", ("省际", "跨省快递")),
        Choice("international", "国际", "#9c27b0", ("国际及港澳台", "港澳台及国际", "国际快递")),
    ],
)

VEHICLE_KINDS = Choices(
    "vehicle_kind",
    "车辆类别",
    [
        Choice("postal", "邮政专用车辆", "#0f7a3d", ("邮政", "邮政车辆")),
        Choice("express", "快递服务车辆", "#2b5fad", ("快递", "快递车辆", "快递服务汽车")),
    ],
)

VEHICLE_TYPES = Choices(
    "vehicle_type",
    "车型",
    [
        Choice("truck", "货车", "#5d4037", ("载货汽车", "厢式货车", "厢式车")),
        Choice("van", "面包车", "#1976d2", ("封闭式货车", "微型货车")),
        Choice("tricycle", "三轮车", "#f57c00", ("电动三轮车", "快递三轮车")),
        Choice("motorcycle", "摩托车", "#7b1fa2", ("二轮摩托车",)),
        Choice("other", "其他", "#9e9e9e", ()),
    ],
)

COORD_SYSTEMS = Choices(
    "coord_system",
    "坐标系",
    [
        Choice("wgs84", "WGS-84", "#607d8b", ("wgs-84", "gps", "wgs 84")),
        Choice("gcj02", "GCJ-02", "#607d8b", ("gcj-02", "火星坐标", "高德", "腾讯", "gcj 02")),
    ],
)
