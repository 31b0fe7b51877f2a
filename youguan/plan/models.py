"""Actual values of plan indicators, one row per plan × indicator × year × source.

Manual values are entered or imported by people (and every correction is in the audit log);
``computed`` and ``registry`` rows are snapshots taken from the indicator engine and the registry
by :func:`youguan.plan.actuals.refresh_actuals`, with the provenance needed to trace them (the
engine's definition and data versions, numerator and denominator; the registry count and date).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from youguan.db import Base, utcnow

SOURCE_LABELS = {"manual": "人工填报", "computed": "指标计算", "registry": "名录统计"}
SOURCE_COLOURS = {"manual": "#6E7781", "computed": "#2B5FAD", "registry": "#0A7E6E"}


class PlanActual(Base):
    __tablename__ = "plan_actuals"
    __table_args__ = (
        UniqueConstraint("plan_id", "indicator", "year", "source"),
        Index("ix_plan_actuals_plan_year", "plan_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(60))
    indicator: Mapped[str] = mapped_column(String(60))
    year: Mapped[int]
    source: Mapped[str] = mapped_column(String(12))  # manual | computed | registry
    value: Mapped[float] = mapped_column(Float)
    provenance: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
