"""The plan evaluation report as one model, rendered to Word (:mod:`youguan.reports.docx_render`)
and HTML (:mod:`youguan.reports.html_render`) alike: every sentence and figure is decided here,
the renderers only lay it out.

Mid-term mode (any year before the target year) shows milestones, projections and the growth still
needed; final mode (the target year or later) judges achievement and adds the proposal for the
next plan.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from youguan.plan.audit import KIND_LABELS
from youguan.plan.definitions import Indicator, Plan
from youguan.plan.models import SOURCE_LABELS
from youguan.plan.printed import display, format_number, with_unit
from youguan.plan.projection import METHOD_LABELS
from youguan.plan.rules import (
    ACCELERATION,
    ON_TRACK,
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUSES,
)
from youguan.plan.schemas import AuditReport, IndicatorStatus, PlanStatus
from youguan.reports.charts import Chart, area_trends, progress_ratios, status_overview

Mode = Literal["midterm", "final"]
MODE_LABELS: dict[str, str] = {"midterm": "中期评估", "final": "终期评估"}
GOOD = ("achieved", "on_track")
SHORT = ("acceleration_needed", "limited_progress", "deterioration")


def good_statuses(mode: Mode) -> tuple[str, ...]:
    """What counts as an achievement: at the end of the period only a target reached."""
    return ("achieved",) if mode == "final" else GOOD


def short_statuses(mode: Mode) -> tuple[str, ...]:
    return ("on_track", *SHORT) if mode == "final" else SHORT


COUNT_UNITS = frozenset({"个", "条", "家", "起", "处", "辆", "亩"})
_CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    unit: str
    origin: str
    baseline: str
    target: str
    milestone: str
    actual: str
    status: str
    status_label: str
    colour: str
    ink: str  # text colour readable on ``colour``
    ratio: str
    outlook: str  # projection (mid-term) or the gap to the target (final)
    source: str


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    paragraphs: list[str]
    rows: list[Row]
    chart: Chart | None


@dataclass(frozen=True)
class Finding:
    indicator: str
    kind: str
    stated: str
    computed: str
    message: str


@dataclass(frozen=True)
class Provenance:
    indicator: str
    year: str
    source: str
    detail: str


@dataclass(frozen=True)
class ProposalRow:
    name: str
    unit: str
    baseline: str
    trend: str
    ambitious: str
    conservative: str
    basis: str


@dataclass
class PlanReport:
    office: str
    title: str
    plan_title: str
    mode: Mode
    mode_label: str
    year: int
    date: dt.date
    summary: list[str]
    achievements: list[str]
    shortfalls: list[str]
    gaps: list[str]
    counts: dict[str, int]
    legend: list[tuple[str, str, str, str]]  # (code, label, colour, ink)
    rows: list[Row]
    overview: list[Chart]
    sections: list[Section]
    findings: list[Finding]
    provenance: list[Provenance]
    method: list[str]
    proposals: list[ProposalRow] = field(default_factory=list)
    proposal_note: str | None = None

    @property
    def date_text(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def charts(self) -> list[Chart]:
        return [*self.overview, *(s.chart for s in self.sections if s.chart is not None)]


def ink_for(background: str) -> str:
    """Black or white text, whichever reads on ``background`` (#RRGGBB)."""
    r, g, b = (int(background.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#FFFFFF"


def numeral(n: int) -> str:
    """一, 二, … 十 (section numbers of an official document)."""
    return _CN_NUMERALS[n - 1] if 1 <= n <= 10 else str(n)


def _decimals(ind: Indicator) -> int:
    if ind.unit in COUNT_UNITS:
        return 0
    printed = [p.decimals for p in (ind.target, ind.baseline) if p is not None]
    return max([*printed, 1])


def format_value(value: float | None, ind: Indicator, *, unit: bool = False) -> str:
    """A value at the plan's printed precision, with at least two significant digits (0.45 %
    must not print as 0.5 % next to a target of <0.5 %)."""
    if value is None:
        return "—"
    significant = (
        0
        if value == 0 or ind.unit in COUNT_UNITS
        else max(0, 1 - math.floor(math.log10(abs(value))))
    )
    text = format_number(value, max(_decimals(ind), significant))
    return with_unit(text, ind.unit) if unit else text


def growth_text(value: float | None, status: IndicatorStatus, ind: Indicator) -> str:
    if value is None:
        return "—"
    if status.path == "compound":
        return f"{format_number(value, 2)}%"
    return f"{format_value(value, ind)}{ind.unit}/年"


def _outlook(r: IndicatorStatus, ind: Indicator, mode: Mode) -> str:
    if r.status == "no_data":
        return "—"
    if r.status == "achieved":
        return "已达到"
    if mode == "final" or r.year >= r.target_year:
        if r.actual is None:
            return "—"
        gap = ind.target.value - r.actual
        return f"差 {format_value(abs(gap), ind, unit=True)}"
    parts = []
    if r.projection is not None:
        interval = ""
        if r.projection_low is not None and r.projection_high is not None:
            interval = (
                f"（{format_value(r.projection_low, ind)}—{format_value(r.projection_high, ind)}）"
            )
        parts.append(f"{r.target_year}年预计 {format_value(r.projection, ind)}{interval}")
    if r.growth_needed is not None:
        parts.append(f"尚需年均 {growth_text(r.growth_needed, r, ind)}")
    return "；".join(parts) or "—"


def provenance_text(r: IndicatorStatus) -> str:
    return describe_provenance(r.actual_source, r.provenance)


def describe_provenance(source: str | None, provenance: dict[str, Any] | None) -> str:
    """Where an actual comes from, in one Chinese line (source label: detail)."""
    p = provenance or {}
    source = source or ""
    label = SOURCE_LABELS.get(source, source)
    if source == "computed":
        detail = (
            f"指标 {p.get('code')}，口径版本 {p.get('definition_version') or '—'}，"
            f"数据版本 {p.get('data_version') or '—'}"
        )
        if p.get("numerator") is not None and p.get("denominator") is not None:
            detail += f"，分子 {p['numerator']} / 分母 {p['denominator']}"
        if p.get("scale") not in (None, 1, 1.0):
            detail += f"，引擎值 × {p['scale']:g}"
    elif source == "registry":
        detail = f"{p.get('count')}，截至 {p.get('as_of')}"
        if p.get("types"):
            detail += f"，类型 {'、'.join(p['types'])}"
        if p.get("change") == "yearly":
            detail += f"，较 {p.get('previous_as_of')} 净增"
    elif p.get("method") == "import":
        # the public's copy carries no file names (youguan.plan.service.PUBLIC_PROVENANCE)
        detail = f"导入文件 {p['file']} 第 {p.get('row')} 行" if p.get("file") else "文件导入"
    else:
        detail = "直接录入"
    if p.get("fallback"):
        detail += f"（{p['fallback']}）"
    return f"{label}：{detail}"


def report_row(plan: Plan, r: IndicatorStatus, mode: Mode, source_detail: str) -> Row:
    ind = plan.indicator(r.code)
    return Row(
        code=r.code,
        name=r.name,
        unit=r.unit,
        origin={"table": "附表", "text": "正文", "proposal": "建议"}[ind.origin],
        baseline=ind.baseline.printed if ind.baseline else "—",
        target=f"{ind.target.printed}（{r.target_year}）"
        if r.target_year != plan.target_year
        else ind.target.printed,
        milestone=format_value(r.milestone, ind),
        actual=format_value(r.actual, ind),
        status=r.status,
        status_label=STATUS_LABELS[r.status],
        colour=STATUS_COLOURS[r.status],
        ink=ink_for(STATUS_COLOURS[r.status]),
        ratio="—" if r.ratio is None else format_number(r.ratio, 3),
        outlook=_outlook(r, ind, mode),
        source=provenance_text(r) if r.actual is not None else source_detail,
    )


def _sentence_good(r: IndicatorStatus, ind: Indicator) -> str:
    actual = format_value(r.actual, ind, unit=True)
    target = display(ind.target, ind.unit)
    if r.status == "achieved":
        return f"{r.name}：{r.year}年为 {actual}，已达到{r.target_year}年目标 {target}。"
    return (
        f"{r.name}：{r.year}年为 {actual}，"
        f"高于或接近规划路径（{format_value(r.milestone, ind, unit=True)}），"
        f"按计划推进（进展比率 {format_number(r.ratio or 0, 3)}）。"
    )


def _sentence_short(r: IndicatorStatus, ind: Indicator, mode: Mode) -> str:
    actual = format_value(r.actual, ind, unit=True)
    target = display(ind.target, ind.unit)
    text = f"{r.name}：{r.year}年为 {actual}"
    if r.milestone is not None and mode == "midterm":
        text += f"，规划路径为 {format_value(r.milestone, ind, unit=True)}"
    ratio = f"进展比率 {format_number(r.ratio or 0, 3)}"
    if mode == "final" or r.year >= r.target_year:
        gap = (
            ""
            if r.actual is None
            else f"，差 {format_value(abs(ind.target.value - r.actual), ind, unit=True)}"
        )
        return text + f"，未达到{r.target_year}年目标 {target}{gap}（{r.status_label}，{ratio}）。"
    text += f"，{r.status_label}（{ratio}）"
    if r.growth_needed is not None:
        needed = growth_text(r.growth_needed, r, ind)
        text += f"；要在{r.target_year}年达到目标 {target}，尚需年均 {needed}"
    if r.projection is not None:
        text += f"；按现有趋势预计为 {format_value(r.projection, ind, unit=True)}"
    return text + "。"


def build(
    plan: Plan,
    status: PlanStatus,
    audit: AuditReport,
    *,
    mode: Mode,
    date: dt.date,
    source_details: dict[str, str],
    proposals: list[ProposalRow] | None = None,
    proposal_note: str | None = None,
) -> PlanReport:
    """The report model from the plan, its status in the year and its audit."""
    rows_by_code = {r.code: r for r in status.indicators}
    # The text's restatements of table rows share the table row's actuals; the summary counts
    # each quantity once and the full table shows both targets.
    primary = [r for r in status.indicators if plan.indicator(r.code).restates is None]
    counts: dict[str, int] = {s: sum(1 for r in primary if r.status == s) for s in STATUSES}
    year = status.year
    total = len(primary)
    mode_label = MODE_LABELS[mode]
    title = f"《{plan.title}》实施情况{mode_label}报告"
    period = f"{plan.baseline_year + 1}—{plan.target_year}年"
    tally = "，".join(f"{STATUS_LABELS[s]} {counts[s]} 项" for s in STATUSES if counts[s])
    summary = [
        (
            f"《{plan.title}》（{plan.document_no or ''}）规划期为{period}，"
            f"以{plan.baseline_year}年为基期，"
            f"共设监测指标 {len(plan.indicators)} 项（附表 "
            f"{sum(1 for i in plan.indicators if i.origin == 'table')} 项，正文量化目标 "
            f"{sum(1 for i in plan.indicators if i.origin == 'text')} 项，其中 "
            f"{len(plan.indicators) - total} 项为正文对附表目标的重述）。"
        ).replace("（）", ""),
        (
            f"本报告为{mode_label}，评估年度为{year}年。按联合国可持续发展目标进展评估方法"
            f"（Open SDG）对 {total} 项指标逐项评估：{tally}。"
        ),
    ]
    if audit.findings:
        summary.append(
            f"核查规划文本发现 {len(audit.findings)} 处数字问题（见“规划核查”），"
            "评估以附表目标为准，同时列出正文目标。"
        )
    good, short = good_statuses(mode), short_statuses(mode)
    achievements = [_sentence_good(r, plan.indicator(r.code)) for r in primary if r.status in good]
    shortfalls = [
        _sentence_short(r, plan.indicator(r.code), mode) for r in primary if r.status in short
    ]
    gaps = [r.name for r in primary if r.status in ("no_data", "not_assessable")]
    rows = [report_row(plan, r, mode, source_details[r.code]) for r in status.indicators]
    overview = [status_overview(primary, f"{year}年各指标进展状态（{total} 项）")]
    ratios = progress_ratios(primary, f"{year}年进展比率")
    if ratios is not None:
        overview.append(ratios)
    sections = []
    for area in plan.areas:
        area_rows = [r for r in status.indicators if r.area == area.code]
        if not area_rows:
            continue
        area_primary = [r for r in area_rows if plan.indicator(r.code).restates is None]
        area_counts = {s: sum(1 for r in area_primary if r.status == s) for s in STATUSES}
        paragraphs = [
            f"本领域共 {len(area_rows)} 项指标："
            + "，".join(
                f"{STATUS_LABELS[s]} {area_counts[s]} 项" for s in STATUSES if area_counts[s]
            )
            + "。"
        ]
        for r in area_primary:
            ind = plan.indicator(r.code)
            if r.status in good:
                paragraphs.append(_sentence_good(r, ind))
            elif r.status in short:
                paragraphs.append(_sentence_short(r, ind, mode))
        missing = [r.name for r in area_primary if r.status in ("no_data", "not_assessable")]
        if missing:
            paragraphs.append(f"暂无法评估：{'、'.join(missing)}（缺少实际值或基期值）。")
        chart_rows = [r for r in area_primary if r.series]
        chart = area_trends(f"area_{area.code}", chart_rows, f"{area.name}：实际值与规划路径")
        sections.append(
            Section(
                code=area.code,
                title=area.name,
                paragraphs=paragraphs,
                rows=[report_row(plan, r, mode, source_details[r.code]) for r in area_rows],
                chart=chart,
            )
        )
    findings = [
        Finding(
            indicator=rows_by_code[f.indicator].name
            if f.indicator in rows_by_code
            else f.indicator,
            kind=KIND_LABELS.get(f.kind, f.kind),
            stated=_finding_number(f.kind, f.stated),
            computed=_finding_number(f.kind, f.computed),
            message=f.message,
        )
        for f in audit.findings
    ]
    provenance = [
        Provenance(
            indicator=r.name,
            year=str(r.year) if r.actual is not None else "—",
            source=SOURCE_LABELS.get(r.actual_source or "", "—"),
            detail=provenance_text(r)
            if r.actual is not None
            else f"无实际值（{source_details[r.code]}）",
        )
        for r in primary
    ]
    method = [
        "状态判定采用 Open SDG 进展评估方法：实际年均增长 CAGRₒ =（实际值/基期值）^(1/(t−t₀)) − 1，"
        "所需年均增长 CAGRᵣ =（目标值/基期值）^(1/(T−t₀)) − 1，"
        "进展比率 R = CAGRₒ/CAGRᵣ（为 0 时按 0.001 计）。"
        f"达到目标为“已实现目标”；R ≥ {ON_TRACK} 为“按计划推进”；"
        f"{ACCELERATION} ≤ R < {ON_TRACK} 为“需加快推进”；"
        f"0 ≤ R < {ACCELERATION} 为“进展有限”；R < 0 为“出现倒退”；"
        "缺少基期值或只有一个数值为“无法评估”；当年无实际值为“暂无数据”。",
        "“越小越好”的指标（延误率、损毁率、丢失率等）改善时两个增长率均为负，比率与阈值相同。"
        "形如“<0.8”的界限值按其数值计算，达到界限即视为实现。",
        "基期值为 0 或目标值为 0 的指标（如累计新增就业岗位）按线性路径评估，增长以“单位/年”表示；"
        "“每年建设 45 个”一类逐年目标以当年实际值与目标之比评估（本地口径）。",
        "里程碑（规划路径）= 基期值 ×（1 + 规划所列年均增长）^(t−t₀)，"
        "未列增长率的按基期、目标推算。"
        f"预测采用{METHOD_LABELS['compound_trend']}，数据点足够（≥7 个连续年份）时采用"
        f"{METHOD_LABELS['damped_trend']}，区间为 80% 预测区间。",
        "实际值来源：指标计算（指标引擎，按 DOMAIN 口径，本地口径与国家邮政局抽样口径不同）、"
        "名录统计（年末）、人工填报（行业统计、调查等）；声明来源无值时采用人工填报值，并在来源中注明。",
    ]
    return PlanReport(
        office=plan.office,
        title=title,
        plan_title=plan.title,
        mode=mode,
        mode_label=mode_label,
        year=year,
        date=date,
        summary=summary,
        achievements=achievements,
        shortfalls=shortfalls,
        gaps=gaps,
        counts=counts,
        legend=[
            (s, STATUS_LABELS[s], STATUS_COLOURS[s], ink_for(STATUS_COLOURS[s])) for s in STATUSES
        ],
        rows=rows,
        overview=overview,
        sections=sections,
        findings=findings,
        provenance=provenance,
        method=method,
        proposals=proposals or [],
        proposal_note=proposal_note,
    )


def _finding_number(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    if kind in ("growth_mismatch", "growth_not_computable"):
        return f"{value:g}%"
    return f"{value:g}"
