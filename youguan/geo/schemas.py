"""Schemas of the geo package's API and pages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class DivisionPublic(BaseModel):
    code: str
    name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    parent_code: str | None
    full_name: str


class CountySummary(BaseModel):
    code: str
    name: str
    townships: int = Field(description="乡级单位数")
    villages: int = Field(description="村级单位数")
    admin_villages: int = Field(description="建制村（村民委员会）数")


class CountyGeoJSON(BaseModel):
    """A GeoJSON FeatureCollection of the prefecture's counties. Its coordinates are GCJ-02, as
    in the Chinese map data it comes from (ECharts' China maps); stored points are WGS-84 and
    are shifted to GCJ-02 before they are drawn on it."""

    type: str
    features: list[dict[str, Any]]
