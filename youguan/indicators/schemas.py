"""Public shapes of indicator data (API responses, command-line JSON, exports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class ParameterPublic(BaseModel):
    name: str
    label: str
    value: Any
    unit: str
    source: str


class DefinitionPublic(BaseModel):
    """An indicator definition as users see it: the text is rendered with this deployment's
    parameters; ``local_method`` marks a rule proposed by this project (本地口径)."""

    code: str
    name: str
    unit: str
    unit_label: str
    direction: str
    direction_label: str
    category: str
    category_label: str
    measure: str
    text: str
    version: int
    local_method: bool
    source: str
    parameters: list[ParameterPublic]
    drill: str


class FactValue(BaseModel):
    """One stored figure with its provenance (what the plan package reads)."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    value: float | None
    numerator: float | None
    denominator: int
    pending: int
    definition_version: int
    data_version: int
    as_of: dt.datetime
    computed_at: dt.datetime


class FactPublic(FactValue):
    """A stored figure with its cell (period, division, brand, further dimensions)."""

    id: int
    indicator: str
    period_kind: str
    period: str  # 2025-03, 2025-Q1, 2025 …
    period_start: dt.date
    period_end: dt.date
    division: str
    division_name: str
    brand: str
    brand_name: str
    dims: dict[str, str]
    run_id: int


class ValuesPublic(BaseModel):
    """``GET /api/v1/indicators/{code}/values``: the definition next to its figures."""

    definition: DefinitionPublic
    date_from: dt.date
    date_to: dt.date
    period_kind: str
    by: list[str]
    facts: list[FactPublic]


class DrillColumn(BaseModel):
    name: str
    label: str


class DrillPage(BaseModel):
    """The items behind a fact, one page at a time; personal data only in masked form.
    ``exact`` is False when the lake files the fact was computed from have since been replaced
    (compaction, correction): the rows are then read from the current files."""

    fact: FactPublic
    which: str
    which_label: str
    total: int
    page: int
    page_size: int
    exact: bool
    columns: list[DrillColumn]
    rows: list[dict[str, Any]]
