"""Where the actual value of a plan indicator comes from: pluggable sources behind one protocol.

- :class:`ManualSource` — values people entered or imported (stored in ``plan_actuals``).
- :class:`FactSource` — facts of the indicator engine,
  ``youguan.indicators.service.yearly_value(ctx, code, year, *, division, brand)``; its fractions
  become the plan's percent (``scale``, 100 by default for a unit of %).
- :class:`RegistrySource` — counts of the registry at the year's end:
  ``facility_counts``, ``sorting_line_count``, ``township_coverage``, ``village_direct_service``
  of :mod:`youguan.registry.aggregates` (called directly: the registry is part of the platform).

A year without a computed fact answers :class:`Unavailable` with the reason, and the indicator
shows ``no_data`` — never a made-up value. An empty register answers :class:`Unavailable` too
(zero outlets counted in a register nobody filled is not a measurement). Registry counts are
taken as of 31 December of the year (a ``datetime.date``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from youguan.indicators import service as indicators
from youguan.plan.definitions import (
    ComputedSource,
    Indicator,
    Plan,
    Source,
)
from youguan.plan.definitions import (
    ManualSource as ManualSpec,
)
from youguan.plan.definitions import (
    RegistrySource as RegistrySpec,
)
from youguan.plan.models import PlanActual
from youguan.registry import aggregates
from youguan.registry.models import Facility

if TYPE_CHECKING:
    from youguan.context import Context


@dataclass(frozen=True)
class SourceValue:
    value: float
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unavailable:
    reason: str


SourceResult = SourceValue | Unavailable


class ActualSource(Protocol):
    """A source of actual values for one ``method`` of the plan file."""

    method: str

    def availability(self) -> str | None:
        """None when the source can answer, else the reason it cannot (in Chinese)."""
        ...

    def fetch(
        self, ctx: Context, plan: Plan, indicator: Indicator, spec: Source, year: int
    ) -> SourceResult: ...


def year_end(year: int) -> dt.date:
    """The registry's as-of date for a year: 31 December (Asia/Shanghai calendar)."""
    return dt.date(year, 12, 31)


def default_scale(indicator: Indicator, spec_scale: float | None) -> float:
    if spec_scale is not None:
        return spec_scale
    return 100.0 if indicator.is_percent else 1.0


class ManualSource:
    """Values entered by hand or imported from CSV/Excel (complete: the store holds them)."""

    method = "manual"

    def availability(self) -> str | None:
        return None

    def fetch(
        self, ctx: Context, plan: Plan, indicator: Indicator, spec: Source, year: int
    ) -> SourceResult:
        code = plan.actual_code(indicator)
        with ctx.read() as s:
            row = s.scalar(
                select(PlanActual).where(
                    PlanActual.plan_id == plan.id,
                    PlanActual.indicator == code,
                    PlanActual.year == year,
                    PlanActual.source == "manual",
                )
            )
        if row is None:
            return Unavailable(f"没有 {year} 年的人工填报值")
        return SourceValue(row.value, dict(row.provenance))


class FactSource:
    """Facts of the indicator engine (:func:`youguan.indicators.service.yearly_value`)."""

    method = "computed"

    def availability(self) -> str | None:
        return None

    def fetch(
        self, ctx: Context, plan: Plan, indicator: Indicator, spec: Source, year: int
    ) -> SourceResult:
        assert isinstance(spec, ComputedSource)
        division = spec.division or plan.division
        fact = indicators.yearly_value(ctx, spec.code, year, division=division, brand=spec.brand)
        if fact is None or fact.value is None:
            return Unavailable(f"指标引擎没有 {year} 年 {spec.code} 的事实")
        scale = default_scale(indicator, spec.scale)
        return SourceValue(
            float(fact.value) * scale,
            {
                "method": "computed",
                "code": spec.code,
                "division": division,
                "brand": spec.brand,
                "engine_value": float(fact.value),
                "scale": scale,
                "numerator": fact.numerator,
                "denominator": fact.denominator,
                "definition_version": fact.definition_version,
                "data_version": fact.data_version,
                "as_of": fact.as_of.isoformat(),
            },
        )


class RegistrySource:
    """Counts of the registry (:mod:`youguan.registry.aggregates`) at the year's end."""

    method = "registry"
    counts: ClassVar[dict[str, Callable[..., Any]]] = {
        "facility_counts": aggregates.facility_counts,
        "sorting_line_count": aggregates.sorting_line_count,
        "township_coverage": aggregates.township_coverage,
        "village_direct_service": aggregates.village_direct_service,
    }

    def availability(self) -> str | None:
        return None

    def fetch(
        self, ctx: Context, plan: Plan, indicator: Indicator, spec: Source, year: int
    ) -> SourceResult:
        assert isinstance(spec, RegistrySpec)
        fn = self.counts[spec.count]
        with ctx.read() as session:
            if _registry_is_empty(session):
                # Zero outlets in an empty register is not a measurement: nobody entered them.
                return Unavailable("名录中尚无网点与设施记录")
            value = self._count(fn, session, spec, year)
            previous = self._count(fn, session, spec, year - 1) if spec.change == "yearly" else None
        if spec.scale is not None:
            scale = spec.scale
        else:
            scale = default_scale(indicator, None) if spec.count in _SHARES else 1.0
        raw = value - previous if previous is not None else value
        provenance: dict[str, Any] = {
            "method": "registry",
            "count": spec.count,
            "as_of": year_end(year).isoformat(),
            "value": value,
            "scale": scale,
        }
        for key in ("types", "brands", "counties", "standardized"):
            if getattr(spec, key):
                provenance[key] = getattr(spec, key)
        if previous is not None:
            provenance |= {"change": "yearly", "previous": previous}
            provenance["previous_as_of"] = year_end(year - 1).isoformat()
        return SourceValue(float(raw) * scale, provenance)

    @staticmethod
    def _count(fn: Callable[..., Any], session: Session, spec: RegistrySpec, year: int) -> float:
        as_of = year_end(year)
        if spec.count in ("sorting_line_count", "village_direct_service"):
            return float(fn(session, as_of=as_of))
        if spec.count == "township_coverage":
            return float(fn(session, as_of=as_of, types=list(spec.types), brands=spec.brands))
        total = 0
        types: list[str | None] = [*spec.types] or [None]
        brands: list[str | None] = [*(spec.brands or [])] or [None]
        counties: list[str | None] = [*(spec.counties or [])] or [None]
        combos = itertools.product(types, brands, counties)
        for type_, brand, county in combos:
            total += int(
                fn(
                    session,
                    as_of=as_of,
                    type=type_,
                    brand=brand,
                    county=county,
                    standardized=spec.standardized,
                )
            )
        return float(total)


# Shares come from the registry as fractions 0–1 (like the engine's rates).
_SHARES = ("township_coverage", "village_direct_service")


_SOURCES: dict[str, ActualSource] = {
    "manual": ManualSource(),
    "computed": FactSource(),
    "registry": RegistrySource(),
}


def get_source(method: str) -> ActualSource:
    return _SOURCES[method]


def register_source(source: ActualSource) -> ActualSource | None:
    """Install ``source`` for its method; returns the one it replaces (tests, new sources)."""
    previous = _SOURCES.get(source.method)
    _SOURCES[source.method] = source
    return previous


def spec_method(spec: Source) -> str:
    if isinstance(spec, ManualSpec):
        return "manual"
    return spec.method


def _registry_is_empty(session: Session) -> bool:
    return session.scalar(select(Facility.id).limit(1)) is None
