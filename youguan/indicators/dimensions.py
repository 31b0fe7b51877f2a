"""The dimensions results can be grouped by (``--by``): brand, counties, direction, scope and the
Asia/Shanghai calendar periods. No dimension at all means the whole prefecture (5328)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from youguan.indicators.periods import PeriodKind, period_label, period_start

if TYPE_CHECKING:
    import ibis.expr.types as ir

DIRECTION_LABELS = {"outbound": "出港", "inbound": "进港", "local": "本地"}
SCOPE_LABELS = {"same_city": "同城", "intercity": "异地", "international": "国际及港澳台"}


class DimensionError(ValueError):
    pass


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str  # Chinese column heading
    period: PeriodKind | None = None

    def key(self, items: ir.Table) -> ir.Value:
        """The engine expression of this dimension on the per-item table."""
        if self.period is None:
            return items[self.name]
        if self.period is PeriodKind.DAY:
            return items.day_index
        if self.period is PeriodKind.MONTH:
            return items.month_index
        if self.period is PeriodKind.QUARTER:
            return items.month_index // 3
        return items.month_index // 12

    def render(self, raw: object) -> str | None:
        """The value as it appears in results (periods as ``2025-03``, ``2025-Q1`` …)."""
        if raw is None:
            return None
        if self.period is not None:
            return period_label(self.period, period_start(self.period, int(raw)))  # type: ignore[call-overload]
        return str(raw)

    def display(self, value: str | None) -> str:
        """A human label for a rendered value (brand and county names, Chinese direction)."""
        if value is None:
            return "（空）"
        if self.name == "brand":
            from youguan.registry.brands import brand_label

            return brand_label(value)
        if self.name in ("county", "origin_county", "dest_county"):
            from youguan.geo.divisions import divisions

            d = divisions().get(value)
            return d.name if d else value
        if self.name == "direction":
            return DIRECTION_LABELS.get(value, value)
        if self.name == "scope":
            return SCOPE_LABELS.get(value, value)
        return value


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("brand", "品牌"),
        Dimension("county", "县（市）"),
        Dimension("origin_county", "收寄地县（市）"),
        Dimension("dest_county", "寄达地县（市）"),
        Dimension("direction", "流向"),
        Dimension("scope", "寄递范围"),
        Dimension("day", "日", PeriodKind.DAY),
        Dimension("month", "月", PeriodKind.MONTH),
        Dimension("quarter", "季度", PeriodKind.QUARTER),
        Dimension("year", "年", PeriodKind.YEAR),
    )
}


def parse_by(value: str | Iterable[str] | None) -> list[Dimension]:
    """``"brand,county,month"`` → dimensions, in the order given; duplicates and unknown names are
    errors naming the allowed ones."""
    if value is None:
        return []
    names = [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)
    names = [n for n in names if n]
    out: list[Dimension] = []
    for n in names:
        if n not in DIMENSIONS:
            raise DimensionError(f"未知维度 {n!r}；可用维度：{', '.join(DIMENSIONS)}")
        if DIMENSIONS[n] in out:
            raise DimensionError(f"维度 {n!r} 重复")
        out.append(DIMENSIONS[n])
    periods = [d for d in out if d.period is not None]
    if len(periods) > 1:
        raise DimensionError("只能按一种时间周期分组 (day, month, quarter 或 year)")
    return out


def names(dims: Sequence[Dimension]) -> list[str]:
    return [d.name for d in dims]
