"""Indicators as immutable definitions (STYLE.md habit 5: definitions as data).

A :class:`Definition` says what an indicator is — code, Chinese name, unit, which direction is
better, the definition text shown to users, its version, the parameters it uses — and how it is
computed: Ibis expressions over the per-item table (:mod:`youguan.indicators.items`) giving, for
each item, whether it is in the denominator (``population``), whether it counts in the numerator
(ratios) or its value in seconds (means, quantiles), and whether it is still ``pending``.

Adding an indicator is adding a definition to a provider module's ``DEFINITIONS`` (see
:mod:`youguan.indicators.registry`). A definition never changes in place: a changed rule is a new
``version`` (``tests/indicators/test_registry.py`` pins each version's text and SQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from youguan.indicators.parameters import Parameters

if TYPE_CHECKING:
    import ibis.expr.types as ir

ItemFlag = Callable[["ir.Table", Parameters], "ir.BooleanValue"]
ItemValue = Callable[["ir.Table", Parameters], "ir.IntegerValue"]


class Unit(StrEnum):
    RATE = "rate"  # a fraction 0–1
    PER_100K = "per_100k"  # per 100 000 items
    HOURS = "hours"

    @property
    def label(self) -> str:
        return {"rate": "%", "per_100k": "十万分之", "hours": "小时"}[self.value]

    @property
    def scale(self) -> int:
        return 100_000 if self is Unit.PER_100K else 1


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"

    @property
    def label(self) -> str:
        return {"higher": "越高越好", "lower": "越低越好"}[self.value]


class Measure(StrEnum):
    RATIO = "ratio"  # numerator items ÷ population items (× scale)
    MEAN = "mean"  # mean of a per-item value (seconds → hours) over the population
    QUANTILE = "quantile"  # a quantile of that value (linear interpolation, both engines)


class Category(StrEnum):
    QUALITY = "quality"
    SECURITY = "security"

    @property
    def label(self) -> str:
        return {"quality": "服务质量", "security": "寄递安全"}[self.value]


class DrillSet(StrEnum):
    """Which rows of a fact a drill-down lists."""

    NUMERATOR = "numerator"  # items counted in the numerator (all population items for a mean)
    SHORTFALL = "shortfall"  # population items not in the numerator (missed 72 h, no X-ray …)
    DENOMINATOR = "denominator"
    PENDING = "pending"  # items not yet evaluable

    @property
    def label(self) -> str:
        return {
            "numerator": "计入分子的快件",
            "shortfall": "未达标的快件",
            "denominator": "计入分母的快件",
            "pending": "尚不可评价的快件",
        }[self.value]


@dataclass(frozen=True)
class Definition:
    code: str
    name: str  # Chinese
    unit: Unit
    direction: Direction
    text: str  # Chinese definition shown to users; ``{parameter}`` placeholders are rendered
    version: int
    category: Category
    measure: Measure
    population: ItemFlag  # the denominator
    numerator: ItemFlag | None = None  # ratios: counted items (within the population)
    value: ItemValue | None = None  # means and quantiles: seconds per item
    quantile: float | None = None
    pending: ItemFlag | None = None  # items that would be in the population once evaluable
    local_method: bool = False  # DOMAIN marks the rule [P]: shown as 本地口径
    parameters: tuple[str, ...] = ()
    source: str = ""  # the rule's origin (standard, DOMAIN section)
    drill: DrillSet = DrillSet.NUMERATOR  # the rows a regulator looks at first
    order: int = 0  # display order

    def __post_init__(self) -> None:
        if self.measure is Measure.RATIO and self.numerator is None:
            raise ValueError(f"{self.code}: a ratio needs a numerator")
        if self.measure is not Measure.RATIO and self.value is None:
            raise ValueError(f"{self.code}: a {self.measure} needs a value")
        if self.measure is Measure.QUANTILE and not (0 < (self.quantile or 0) < 1):
            raise ValueError(f"{self.code}: a quantile needs 0 < q < 1")
        unknown = set(self.parameters) - set(Parameters.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{self.code}: unknown parameters {sorted(unknown)}")

    def render_text(self, params: Parameters) -> str:
        """The definition text with this deployment's parameter values, marked 本地口径 when
        DOMAIN proposes the rule [P]."""
        text = self.text.format(**params.text_values())
        return f"{text}（本地口径）" if self.local_method else text

    def drill_flag(self, items: ir.Table, params: Parameters, which: DrillSet) -> ir.BooleanValue:
        """The items behind a fact for a drill-down of kind ``which``."""
        pop = self.population(items, params)
        if which is DrillSet.DENOMINATOR:
            return pop
        if which is DrillSet.PENDING:
            if self.pending is None:
                return pop & False
            return self.pending(items, params)
        if self.numerator is None:  # means and quantiles: every population item is behind it
            return pop if which is DrillSet.NUMERATOR else pop & False
        num = self.numerator(items, params)
        return pop & num if which is DrillSet.NUMERATOR else pop & ~num
