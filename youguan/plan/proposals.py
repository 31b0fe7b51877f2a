"""Toward the next plan: targets proposed from the base year's actuals and the trends, written as
a draft plan file a person edits (``youguan plan propose``).

For each indicator (the text's restatements of table rows are left out) three variants [P]:

- trend: the base-year actual carried forward at the fitted compound growth of the series
  (log-linear fit over baseline and actuals; the straight-line rate for linear paths; the mean
  yearly value for yearly targets);
- ambitious / conservative: the same with the growth × 1.25 / × 0.75.

Where the trend is flat or worsening, trend and conservative hold the base-year level and the
ambitious variant applies the old plan's required growth. Values are clipped to the natural
limits (a share ≤ 100 %), bounds stay bounds (``<0.5`` → ``<0.3``), "lower is better" rows move
down, and figures are rounded to the precision the old plan printed (ambitious rounded toward
better, conservative toward worse). The trend variant becomes the draft's target; the stated
growth is recomputed from the rounded figures so that the draft passes its own audit.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from youguan.plan.actuals import Resolved
from youguan.plan.definitions import Indicator, Plan
from youguan.plan.printed import format_number, parse_printed
from youguan.plan.projection import project
from youguan.plan.rules import cagr, effective_path

AMBITIOUS = 1.25
CONSERVATIVE = 0.75
COUNT_UNITS = frozenset({"个", "条", "家", "起", "处", "辆", "元/个", "亩"})
_CN_DIGITS = "零一二三四五六七八九"


def five_year_plan_name(first_year: int) -> str:
    """十四五 for 2021–2025, 十五五 for 2026–2030 (the 1st plan began in 1953)."""
    n = (first_year - 1953) // 5 + 1
    tens, ones = divmod(n, 10)
    prefix = ("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else ""
    return f"{prefix}{_CN_DIGITS[ones] if ones else ''}五"


def propose(
    plan: Plan,
    resolved: dict[str, dict[int, Resolved]],
    *,
    base_year: int,
    target_year: int,
    plan_id: str | None = None,
) -> Plan:
    """A draft plan from ``base_year`` to ``target_year`` (validated like any plan file)."""
    if target_year <= base_year:
        raise ValueError("目标年份必须晚于基期年份")
    old_name = five_year_plan_name(plan.baseline_year + 1)
    new_name = five_year_plan_name(base_year + 1)
    title = plan.title.replace(old_name, new_name)
    if title == plan.title:
        title = f"{plan.title}（{base_year + 1}—{target_year}年）"
    indicators = [
        _propose_one(plan, ind, resolved.get(ind.code, {}), base_year, target_year)
        for ind in plan.indicators
        if ind.restates is None
    ]
    skipped = [ind.code for ind in plan.indicators if ind.restates is not None]
    data: dict[str, Any] = {
        "id": plan_id or f"{plan.id.split('-')[0]}-{base_year + 1}-{target_year}-draft",
        "title": f"{title}（目标建议稿）",
        "short_title": f"{new_name}规划（建议稿）",
        "office": plan.office,
        "issuers": plan.issuers,
        "division": plan.division,
        "baseline_year": base_year,
        "target_year": target_year,
        "status": "draft",
        "public": False,
        "notes": (
            f"由 youguan plan propose 根据《{plan.title}》{base_year} 年实际值和趋势生成，供编制"
            f"{new_name}规划参考，须逐项人工核定。每项给出趋势、积极、稳健三个方案（variants），"
            "target 取趋势方案。"
            + (f"正文重述附表的指标（{'、'.join(skipped)}）未列入。" if skipped else "")
        ),
        "areas": [a.model_dump() for a in plan.areas],
        "indicators": indicators,
    }
    return Plan.model_validate(data)


def _propose_one(
    plan: Plan, ind: Indicator, actuals: dict[int, Resolved], base_year: int, target_year: int
) -> dict[str, Any]:
    n = target_year - base_year
    out: dict[str, Any] = {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "area": ind.area,
        "origin": "proposal",
        "clause": f"{five_year_plan_name(base_year + 1)}目标建议（源自：{ind.clause}）",
        "direction": ind.direction,
        "path": ind.path,
        "limits": list(ind.limits) if ind.limits else None,
        "source": plan.source_of(ind).model_dump(exclude_none=True),
    }
    actual = actuals.get(base_year)
    if actual is None:
        out["target"] = ind.target.printed
        out["note"] = f"无 {base_year} 年实际值，暂沿用原规划目标，待人工核定。"
        return out
    a = actual.value
    decimals = _decimals(ind, a)
    lo, hi = ind.limits or (None, None)
    higher = ind.direction == "higher"
    bound = ind.target.bound

    if ind.path == "annual":
        values = [r.value for y, r in actuals.items() if y <= base_year]
        level = sum(values) / len(values)
        trend, amb, cons = (
            level,
            _scale_toward(level, AMBITIOUS, higher),
            _scale_toward(level, CONSERVATIVE, higher),
        )
        basis = f"{len(values)} 年实际值的年均值 {format_number(level, decimals + 1)}"
        baseline = None
    else:
        baseline = a
        assert ind.baseline_year is not None
        points = {y: r.value for y, r in actuals.items() if y <= base_year}
        if ind.baseline is not None:
            points[ind.baseline_year] = ind.baseline.value
        path = effective_path(
            ind.path, ind.baseline.value if ind.baseline else None, ind.target.value
        )
        if path == "linear":
            start_year = min(points)
            rate = (
                (a - points[start_year]) / (base_year - start_year)
                if base_year > start_year
                else 0.0
            )
            restart = ind.baseline is not None and ind.baseline.value == 0
            baseline = 0.0 if restart else a
            trend = baseline + rate * n
            amb = baseline + rate * (AMBITIOUS if _improving(rate, higher) else 1.0) * n
            cons = baseline + rate * (CONSERVATIVE if _improving(rate, higher) else 1.0) * n
            basis = f"年均变化 {format_number(rate, decimals + 2)} {ind.unit}/年（线性）"
            if not _improving(rate, higher):
                trend = cons = baseline
        else:
            g = _fitted_growth(points, base_year)
            if g is not None and _improving(g, higher) and not _at_limit(a, lo, hi, higher):
                trend = a * (1 + g) ** n
                amb = a * (1 + g * AMBITIOUS) ** n
                cons = a * (1 + g * CONSERVATIVE) ** n
                basis = f"拟合年均增长 {format_number(g * 100, 2)}%"
            else:
                old = None
                if ind.baseline is not None and ind.baseline_year is not None:
                    assert ind.target_year is not None
                    old = cagr(
                        ind.baseline.value, ind.target.value, ind.target_year - ind.baseline_year
                    )
                trend = cons = a
                amb = a * (1 + old) ** n if old is not None and _improving(old, higher) else a
                basis = (
                    f"{base_year} 年已达取值上限，保持"
                    if _at_limit(a, lo, hi, higher)
                    else "趋势持平或变差：趋势、稳健方案保持现有水平，积极方案按原规划年均增长"
                )

    def fix(v: float, mode: str) -> str:
        v = _clip(v, lo, hi)
        r = _round(v, decimals, mode, higher)
        r = _clip(r, lo, hi)
        if baseline is not None:  # never propose a target worse than the base year (rounding)
            b = _round(baseline, _baseline_decimals(ind, decimals), "nearest", higher)
            if (higher and r < b) or (not higher and r > b):
                r = _round(b, decimals, "better", higher)
        return f"{bound or ''}{format_number(r, decimals)}"

    t_text, a_text, c_text = fix(trend, "nearest"), fix(amb, "better"), fix(cons, "worse")
    out["target"] = t_text
    out["variants"] = {
        "trend": t_text,
        "ambitious": a_text,
        "conservative": c_text,
        "basis": basis,
    }
    if baseline is not None:
        b_text = format_number(baseline, _baseline_decimals(ind, decimals))
        out["baseline"] = b_text
        growth = _printed_growth(b_text, t_text, n, ind.path)
        if growth is not None:
            out["stated_growth"] = growth
    out["note"] = f"{base_year} 年实际值 {format_number(a, max(decimals, 2))}（{actual.source}）。"
    return out


def _decimals(ind: Indicator, actual: float) -> int:
    """The old plan's printed precision, with at least two significant digits for the actual."""
    if ind.unit in COUNT_UNITS:
        return 0
    printed = max(p.decimals for p in (ind.target, ind.baseline) if p is not None)
    significant = 0 if actual == 0 else max(0, 1 - math.floor(math.log10(abs(actual))))
    return max(printed, significant)


def _baseline_decimals(ind: Indicator, decimals: int) -> int:
    return decimals if ind.unit in COUNT_UNITS else max(decimals, 1)


def _improving(g: float, higher: bool) -> bool:
    return g > 0 if higher else g < 0


def _at_limit(a: float, lo: float | None, hi: float | None, higher: bool) -> bool:
    limit = hi if higher else lo
    return limit is not None and (a >= limit if higher else a <= limit)


def _scale_toward(level: float, factor: float, higher: bool) -> float:
    return level * factor if higher else level / factor


def _fitted_growth(points: dict[int, float], base_year: int) -> float | None:
    pts = sorted(points.items())
    if len(pts) < 2 or any(v <= 0 for _, v in pts):
        return None
    fit = project(pts, base_year + 1)
    if fit is not None and fit.alternatives:
        fit = fit.alternatives[0]  # the compound trend's growth, not the damped level
    return fit.growth if fit is not None else None


def _clip(v: float, lo: float | None, hi: float | None) -> float:
    if lo is not None:
        v = max(v, lo)
    if hi is not None:
        v = min(v, hi)
    return v


def _round(v: float, decimals: int, mode: str, higher: bool) -> float:
    q = 10.0**decimals
    if mode == "nearest":
        return math.floor(v * q + 0.5) / q
    up = (mode == "better") == higher
    return (math.ceil(v * q - 1e-9) if up else math.floor(v * q + 1e-9)) / q


def _printed_growth(baseline: str, target: str, years: int, path: str) -> str | None:
    if path != "compound":
        return None
    b, t = parse_printed(baseline), parse_printed(target)
    g = cagr(b.value, t.value, years)
    if g is None or b.value <= 0 or t.value <= 0:
        return None
    text = format_number(g * 100, 2)
    return f"{'0.00' if text == '-0.00' else text}%"


def to_yaml(plan: Plan, *, source_plan: Plan, base_year: int) -> str:
    """The draft as a plan file with a header a person reads first."""
    data = plan.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    # Keys the reader needs even at their default value.
    data["status"] = plan.status
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    header = (
        f"# {plan.title}\n"
        f"# 由 youguan plan propose 根据《{source_plan.title}》{base_year} 年实际值生成的建议稿。\n"
        "# 每项指标的 target 为趋势方案；\n"
        "# variants 另列积极（ambitious）与稳健（conservative）方案。\n"
        "# 核定后修改 target（以及 stated_growth，可用 youguan plan audit 复核），\n"
        "# 并将 status 改为 adopted。校验：youguan plan validate 本文件。\n"
    )
    return header + body
