"""Audit of a plan's own arithmetic (DOMAIN.md §4.2) — a report a person reads before trusting
the targets, never a silent correction: both numbers are kept.

- ``growth_mismatch``: the stated 年均增长 g differs from g' = (target/baseline)^(1/n) − 1 by more
  than half a unit of the last digit the plan printed (``25%`` → ±0.5 pp, ``2.38%`` → ±0.005 pp).
  A cumulative stated growth is compared with target/baseline − 1. Bounds count as their number.
- ``text_table_conflict``: an indicator of the text restates one of the table (``restates``) but
  gives a different target, target year or baseline.
- ``growth_not_computable``: a growth is stated but baseline or target make g' undefined (zero).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from youguan.plan.definitions import Indicator, Plan
from youguan.plan.printed import display, format_number, with_unit
from youguan.plan.rules import implied_growth

FindingKind = Literal["growth_mismatch", "text_table_conflict", "growth_not_computable"]
KIND_LABELS: dict[str, str] = {
    "growth_mismatch": "年均增长与基期、目标不符",
    "text_table_conflict": "正文与附表目标不一致",
    "growth_not_computable": "无法核算年均增长",
}
_FLOAT_SLACK = 1e-9  # |g' − g| exactly at the tolerance is not a mismatch


@dataclass(frozen=True)
class Finding:
    indicator: str
    kind: FindingKind
    stated: float | None
    computed: float | None
    message: str
    related: str | None = None
    tolerance: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_plan(plan: Plan) -> list[Finding]:
    """Every finding of the plan, in the plan's order."""
    findings: list[Finding] = []
    for ind in plan.indicators:
        if ind.stated_growth is not None:
            findings.extend(_growth(ind))
        if ind.restates is not None:
            findings.extend(_conflict(ind, plan.indicator(ind.restates)))
    return findings


def _growth(ind: Indicator) -> list[Finding]:
    g, b, t = ind.stated_growth, ind.baseline, ind.target
    assert g is not None and b is not None  # validated: a stated growth has a baseline
    assert ind.baseline_year is not None and ind.target_year is not None
    n = ind.target_year - ind.baseline_year
    implied = implied_growth(b.value, t.value, n, ind.growth_basis)
    basis = "累计增长" if ind.growth_basis == "cumulative" else "年均增长"
    if implied is None:
        return [
            Finding(
                ind.code,
                "growth_not_computable",
                g.value,
                None,
                f"{ind.name}：规划所列{basis} {g.printed}，但基期值 {display(b, ind.unit)}、"
                f"目标值 {display(t, ind.unit)}"
                "无法计算增长率（基期或目标为 0）。",
            )
        ]
    computed = implied * 100.0
    diff = computed - g.value
    if abs(diff) - g.tolerance <= _FLOAT_SLACK:
        return []
    shown = g.decimals + 2
    rate = g.value / 100.0
    implied_target = (
        b.value * (1.0 + rate) ** n if ind.growth_basis == "annual" else b.value * (1.0 + rate)
    )
    return [
        Finding(
            ind.code,
            "growth_mismatch",
            g.value,
            round(computed, 4),
            f"{ind.name}：规划所列{basis} {g.printed}，按基期值 {display(b, ind.unit)}、"
            f"目标值 {display(t, ind.unit)}（{ind.baseline_year}—{ind.target_year} 年，{n} 年）"
            "计算应为 "
            f"{format_number(computed, shown)}%，相差 {format_number(abs(diff), shown)} 个百分点，"
            f"超过印刷末位的半个单位（±{format_number(g.tolerance, g.decimals + 1)}）；"
            f"按所列增长率推算，{ind.target_year} 年应为 "
            f"{with_unit(format_number(implied_target, max(t.decimals, 2)), ind.unit)}。",
            tolerance=g.tolerance,
        )
    ]


def _conflict(text: Indicator, table: Indicator) -> list[Finding]:
    out = []
    if text.target.value != table.target.value or text.target_year != table.target_year:
        out.append(
            Finding(
                table.code,
                "text_table_conflict",
                table.target.value,
                text.target.value,
                f"{table.name}：{_where(table)}目标为 {table.target_year} 年 "
                f"{display(table.target, table.unit)}，{_where(text)}（{text.clause}）为 "
                f"{text.target_year} 年 {display(text.target, text.unit)}。两者不一致，"
                "请以正式文件为准核定。" + (f"注：{text.note}" if text.note else ""),
                related=text.code,
            )
        )
    if (
        text.baseline is not None
        and table.baseline is not None
        and text.baseline.value != table.baseline.value
    ):
        out.append(
            Finding(
                table.code,
                "text_table_conflict",
                table.baseline.value,
                text.baseline.value,
                f"{table.name}：{_where(table)}基期值为 {display(table.baseline, table.unit)}，"
                f"{_where(text)}为 {display(text.baseline, text.unit)}。",
                related=text.code,
            )
        )
    return out


def _where(ind: Indicator) -> str:
    return {"table": "附表", "text": "正文", "proposal": "建议稿"}[ind.origin]
