"""Results as tables for people: Chinese headings, the definitions beside the figures, number
formats for Excel. Shared by the command line and the web exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from youguan.indicators.definitions import Definition, Unit
from youguan.indicators.evaluate import Evaluation
from youguan.indicators.export import write_table
from youguan.indicators.registry import definition
from youguan.indicators.schemas import ValuesPublic

PERCENT = "0.00%"
NUMBER = "0.00"


@dataclass
class Table:
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    notes: list[tuple[str, str]] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)

    def write(self, path: Path, sheet: str = "指标") -> int:
        return write_table(
            path,
            self.columns,
            self.rows,
            sheet=sheet,
            notes=self.notes,
            number_formats=self.formats,
        )


def heading(d: Definition) -> str:
    unit = "" if d.unit is Unit.RATE else f"（{d.unit.label}）"
    return f"{d.name}{unit}"


def format_value(d: Definition, value: float | None) -> str:
    """A value as a person reads it: rates in percent, the rest with two decimals."""
    if value is None:
        return "—"
    if d.unit is Unit.RATE:
        return f"{value * 100:.2f}%"
    return f"{value:,.2f}"


def evaluation_table(evaluation: Evaluation) -> Table:
    """A ``kpi`` result: one row per group, dimensions shown with their names."""
    columns = [(d.name, d.label) for d in evaluation.by]
    columns += [("items", "收寄快件数"), ("pending", "待评价快件数")]
    columns += [(d.code, heading(d)) for d in evaluation.definitions]
    rows = []
    for r in evaluation.rows:
        row: dict[str, Any] = {d.name: d.display(r.dims[d.name]) for d in evaluation.by}
        row["items"], row["pending"] = r.items, r.pending
        row.update({code: f.value for code, f in r.figures.items()})
        rows.append(row)
    notes = [
        ("收寄日期", f"{evaluation.date_from} 至 {evaluation.date_to}（北京时间）"),
        ("计算时点", evaluation.as_of.isoformat()),
        ("数据版本", str(evaluation.data_version)),
    ]
    notes += [(heading(d), d.render_text(evaluation.params)) for d in evaluation.definitions]
    formats = {d.code: PERCENT if d.unit is Unit.RATE else NUMBER for d in evaluation.definitions}
    return Table(columns, rows, notes, formats)


def values_table(values: ValuesPublic) -> Table:
    """Stored values of one indicator with their provenance."""
    d = definition(values.definition.code)
    columns = [
        ("period", "统计期"),
        ("division_name", "地区"),
        ("brand_name", "品牌"),
        ("dims", "其他维度"),
        ("value", heading(d)),
        ("numerator", "分子"),
        ("denominator", "分母"),
        ("pending", "待评价"),
        ("definition_version", "口径版本"),
        ("data_version", "数据版本"),
        ("as_of", "计算时点"),
        ("id", "指标值编号"),
    ]
    rows = []
    for f in values.facts:
        row = f.model_dump()
        row["dims"] = ";".join(f"{k}={v}" for k, v in f.dims.items())
        rows.append(row)
    notes = [(heading(d), values.definition.text), ("来源", values.definition.source)]
    return Table(columns, rows, notes, {"value": PERCENT if d.unit is Unit.RATE else NUMBER})
