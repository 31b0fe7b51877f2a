"""The aggregates of a set of definitions over the per-item table, and how their results become
figures. Division, scale and seconds → hours happen in Python after the aggregate, so no
engine-specific float arithmetic is involved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from youguan.indicators.definitions import Definition, Measure
from youguan.indicators.parameters import Parameters

if TYPE_CHECKING:
    import ibis.expr.types as ir

SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class Figure:
    """One indicator in one group. ``numerator`` is a count for ratios, the sum of hours for
    means and None for quantiles; ``value`` is None when the denominator is 0."""

    value: float | None
    numerator: float | None
    denominator: int
    pending: int


def _col(code: str, part: str) -> str:
    return f"{code}__{part}"


@dataclass
class Metrics:
    """The aggregate expressions of a set of definitions, each distinct one computed once
    (several definitions share a denominator or a pending count); ``aliases`` maps every
    ``<code>__<part>`` name to the column that holds it.

    ``additive`` aggregates (counts, sums) add up across chunks of items; a quantile does not,
    so for chunked evaluation each quantile's values are collected instead (``samples``, shared
    by quantiles of the same values) and the quantile is taken over all chunks' values."""

    additive: dict[str, ir.Value]
    quantiles: dict[str, ir.Value]
    samples: dict[str, ir.Value]
    sampled: dict[str, tuple[str, float]]  # quantile column → (samples column, q)
    aliases: dict[str, str]

    @property
    def exprs(self) -> dict[str, ir.Value]:
        return {**self.additive, **self.quantiles}

    def expand(self, record: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(record)
        for name, column in self.aliases.items():
            out[name] = record[column]
        return out


def metrics(items: ir.Table, definitions: Sequence[Definition], params: Parameters) -> Metrics:
    """The aggregates of ``definitions`` (plus ``items`` and ``pending``) over ``items``."""
    m = Metrics({}, {}, {}, {}, {})
    seen: dict[Any, str] = {}

    def add(name: str, expr: ir.Value, target: dict[str, ir.Value]) -> None:
        node = expr.op()
        if node in seen:
            m.aliases[name] = seen[node]
        else:
            seen[node] = name
            target[name] = expr

    add("items", items.count(), m.additive)
    add("pending", (items.domestic & ~items.evaluable).sum(), m.additive)
    for d in definitions:
        pop = d.population(items, params)
        add(_col(d.code, "den"), pop.sum(), m.additive)
        if d.pending is not None:
            add(_col(d.code, "pending"), d.pending(items, params).sum(), m.additive)
        if d.measure is Measure.RATIO:
            assert d.numerator is not None
            add(_col(d.code, "num"), (pop & d.numerator(items, params)).sum(), m.additive)
            continue
        assert d.value is not None
        seconds = d.value(items, params)
        if d.measure is Measure.MEAN:
            add(_col(d.code, "num"), seconds.sum(where=pop), m.additive)
            continue
        assert d.quantile is not None
        name = _col(d.code, "q")
        add(name, seconds.cast("float64").quantile(d.quantile, where=pop), m.quantiles)
        if name in m.quantiles:
            samples = f"{d.code}__values"
            add(samples, seconds.collect(where=pop), m.samples)
            m.sampled[name] = (m.aliases.get(samples, samples), d.quantile)
            m.aliases.pop(samples, None)
    return m


@dataclass
class Aggregation:
    """An aggregate query and how to read its records."""

    expr: ir.Table
    metrics: Metrics

    def records(self) -> list[dict[str, Any]]:
        return [self.metrics.expand(r) for r in self.expr.to_pyarrow().to_pylist()]


def aggregate(
    items: ir.Table,
    keys: Mapping[str, ir.Value],
    definitions: Sequence[Definition],
    params: Parameters,
) -> Aggregation:
    """One aggregate of every definition grouped by ``keys`` (name → expression)."""
    m = metrics(items, definitions, params)
    if not keys:
        return Aggregation(items.aggregate(**m.exprs), m)
    return Aggregation(items.group_by(**dict(keys)).aggregate(**m.exprs), m)


def figure(d: Definition, record: Mapping[str, Any]) -> Figure:
    """Finish one definition's figure from an aggregated record."""
    den = int(record[_col(d.code, "den")] or 0)
    pending = int(record.get(_col(d.code, "pending")) or 0)
    if d.measure is Measure.RATIO:
        num = int(record[_col(d.code, "num")] or 0)
        value = num / den * d.unit.scale if den else None
        return Figure(value, float(num), den, pending)
    if d.measure is Measure.MEAN:
        total = record[_col(d.code, "num")]
        hours = float(total) / SECONDS_PER_HOUR if total is not None and den else None
        value = hours / den if hours is not None else None
        return Figure(value, hours if hours is not None else 0.0, den, pending)
    q = record[_col(d.code, "q")]
    value = float(q) / SECONDS_PER_HOUR if q is not None and den else None
    return Figure(value, None, den, pending)
