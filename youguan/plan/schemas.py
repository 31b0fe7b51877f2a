"""What the plan services return (the CLI prints them; the API will return them as they are).

Values are in the plan's own units (percent as the plan prints it, e.g. 92.5). Growth rates of
the compound path are in percent per year like the plan's 年均增长; for the linear path they are
the plan's unit per year (``path`` says which).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from youguan.plan.rules import Status


class AreaOut(BaseModel):
    code: str
    name: str


class PlanSummary(BaseModel):
    id: str
    title: str
    short_title: str
    office: str
    division: str
    baseline_year: int
    target_year: int
    status: str
    public: bool
    indicators: int
    areas: list[AreaOut]


class IndicatorOut(BaseModel):
    code: str
    name: str
    unit: str
    area: str
    area_name: str
    origin: str
    clause: str
    text: str | None
    table_row: int | None
    table_label: str | None = Field(default=None, description="The 附表 row label as printed")
    direction: str
    path: str
    baseline_year: int | None
    baseline: str | None
    target_year: int | None
    target: str
    stated_growth: str | None
    restates: str | None
    source: str = Field(description="manual | computed | registry")
    source_detail: str
    note: str | None


class ActualOut(BaseModel):
    plan_id: str
    indicator: str
    year: int
    value: float
    source: str
    source_label: str
    provenance: dict[str, Any]
    note: str | None
    recorded_by: str
    recorded_at: dt.datetime
    updated_at: dt.datetime


class HistoryEntry(BaseModel):
    """One audited change of a manual value (from the audit log)."""

    at: dt.datetime
    actor: str
    action: str = Field(description="plan.actual.create | plan.actual.correct | plan.actual.delete")
    action_label: str
    year: int
    before: float | None
    after: float | None
    note: str | None
    method: str | None = Field(description="entry (录入) | import (文件导入)")


class RowError(BaseModel):
    row: int
    field: str
    code: str
    message: str


class ImportResult(BaseModel):
    plan: str
    file: str
    rows: int
    accepted: int
    rejected: int
    created: int
    corrected: int
    unchanged: int
    errors: list[RowError]


class RefreshResult(BaseModel):
    plan: str
    years: list[int]
    stored: int = Field(description="Derived values written (new or changed)")
    unchanged: int
    missing: int = Field(description="Indicator-years the sources had no value for")
    unavailable: dict[str, str] = Field(description="Source method → why it cannot answer")


class IndicatorStatus(BaseModel):
    code: str
    name: str
    unit: str
    area: str
    origin: str
    direction: str
    path: str
    year: int = Field(description="The year assessed (the target year when that came earlier)")
    baseline_year: int | None
    baseline: str | None
    target_year: int
    target: str
    actual: float | None
    actual_source: str | None
    provenance: dict[str, Any] | None
    milestone: float | None
    status: Status
    status_label: str
    ratio: float | None
    observed_growth: float | None
    required_growth: float | None
    growth_needed: float | None
    projection: float | None
    projection_low: float | None
    projection_high: float | None
    projection_method: str | None
    projection_level: float | None
    reason: str | None
    series: dict[int, float] = Field(default_factory=dict, description="Actuals by year")
    milestones: dict[int, float] = Field(
        default_factory=dict, description="The plan's expected value by year"
    )


class PlanStatus(BaseModel):
    plan: str
    title: str
    year: int
    counts: dict[str, int] = Field(
        description="Indicators by status, each quantity once: the text's restatements of "
        "table rows are listed in ``indicators`` but not counted"
    )
    indicators: list[IndicatorStatus]


class AuditFindingOut(BaseModel):
    indicator: str
    kind: str
    stated: float | None
    computed: float | None
    message: str
    related: str | None = None
    tolerance: float | None = None


class AuditReport(BaseModel):
    plan: str
    findings: list[AuditFindingOut]
