"""Context models of the plan pages (规划监测, an indicator's page) and of the plan progress the
public page (信息公开) shows. Each page's JSON twin is this model as it is."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from youguan.plan.schemas import (
    HistoryEntry,
    ImportResult,
    IndicatorOut,
    IndicatorStatus,
    PlanSummary,
    RefreshResult,
)
from youguan.web.schemas import PageContext


class Choice(BaseModel):
    """A stored code with its Chinese label and colours (background, readable text)."""

    code: str
    label: str
    color: str
    ink: str


class StatusCount(Choice):
    count: int


class ProgressRow(BaseModel):
    """One indicator in the plan table, its figures formatted as the report prints them."""

    code: str
    name: str
    unit: str
    origin: str = Field(description="附表 | 正文")
    baseline: str
    target: str
    milestone: str = Field(description="The plan's expected value in the year (规划路径)")
    actual: str
    has_actual: bool
    source: Choice | None = Field(description="Where the year's actual comes from (badge)")
    provenance: str = Field(description="The actual's provenance, or the declared source")
    status: Choice
    ratio: str
    outlook: str = Field(description="Projection and growth still needed, or the gap")
    restates: str | None


class AreaProgress(BaseModel):
    code: str
    name: str
    rows: list[ProgressRow]


class PlanProgress(BaseModel):
    """A plan's progress in a year: what 规划监测 and 信息公开 both show."""

    plan: PlanSummary
    year: int
    years: list[int]
    mode_label: str = Field(description="中期评估 before the target year, 终期评估 from it on")
    counts: list[StatusCount] = Field(description="Each quantity once (restatements not counted)")
    assessed: int
    has_data: bool = Field(description="Some indicator has an actual in the year")
    areas: list[AreaProgress]
    report_docx: str
    report_html: str


class FindingView(BaseModel):
    indicator: str
    indicator_name: str
    kind: str
    kind_label: str
    stated: str
    computed: str
    tolerance: str | None
    message: str


class PlanIndexPage(PageContext):
    plans: list[PlanSummary]
    progress: PlanProgress
    findings: list[FindingView]
    audit_rules: list[str]
    sources: list[Choice]
    can_write: bool
    import_max_mb: float
    import_result: ImportResult | None = None
    refreshed: RefreshResult | None = None
    error: str | None = None
    notice: str | None = None


class ProjectionPoint(BaseModel):
    year: int
    value: float
    low: float | None
    high: float | None


class GrowthView(BaseModel):
    observed: str
    required: str
    needed: str
    projection: str | None = Field(description="Projected target-year value and interval")
    basis: str = Field(description="How growth is measured on this indicator's path")


class ActualView(BaseModel):
    """A stored value of an indicator, for the staff (who entered it, from where)."""

    year: int
    value: str
    source: Choice
    provenance: str
    note: str | None
    recorded_by: str
    updated_at: dt.datetime
    counts: bool = Field(description="The value that counts for the year (declared source first)")


class IndicatorPage(PageContext):
    plan: PlanSummary
    indicator: IndicatorOut
    year: int
    years: list[int]
    status: IndicatorStatus
    row: ProgressRow
    growth: GrowthView
    projection: list[ProjectionPoint] = Field(description="Trend projection by year, interval")
    projection_label: str | None
    findings: list[FindingView]
    audit_rules: list[str]
    actuals: list[ActualView] = Field(description="Every stored value of the indicator")
    history: list[HistoryEntry]
    can_write: bool
    write_code: str = Field(description="The code manual values are entered for")
    error: str | None = None
    saved: bool = False
