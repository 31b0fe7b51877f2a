"""Facts: computed indicator values with their provenance (DESIGN.md "How data flows").

A fact is one indicator in one cell — period (kind and start, Asia/Shanghai), division (the
prefecture 5328 or one of its counties), brand (or ``all``), further dimensions (``dims``, e.g.
``direction=outbound``; empty for none) — with its value, numerator, denominator and pending
count, the definition version it follows, the lake data version and the as-of time it was
computed from, and the run that wrote it (which keeps the parameters used).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from youguan.db import Base, utcnow

ALL_BRANDS = "all"


class IndicatorRun(Base):
    """One computation of facts (``youguan compute``)."""

    __tablename__ = "indicator_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # full | incremental | range
    status: Mapped[str] = mapped_column(String(12), default="running")  # running|done|failed
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    as_of: Mapped[dt.datetime]
    since_version: Mapped[int] = mapped_column(Integer, default=0)
    data_version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]]
    definitions: Mapped[dict[str, Any]]  # code → version
    cells: Mapped[int] = mapped_column(Integer, default=0)
    facts: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)


class Fact(Base):
    __tablename__ = "indicator_facts"
    __table_args__ = (
        UniqueConstraint(
            "indicator",
            "period_kind",
            "period_start",
            "division",
            "brand",
            "dims",
            name="uq_indicator_facts_key",
        ),
        Index("ix_indicator_facts_cell", "period_kind", "period_start", "brand"),
        Index("ix_indicator_facts_lookup", "indicator", "period_kind", "division", "brand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40))
    definition_version: Mapped[int] = mapped_column(Integer)
    period_kind: Mapped[str] = mapped_column(String(8))  # day | month | quarter | year
    period_start: Mapped[dt.date] = mapped_column(Date)
    division: Mapped[str] = mapped_column(String(12))  # 5328 or a county code
    brand: Mapped[str] = mapped_column(String(16))  # a brand code or "all"
    dims: Mapped[str] = mapped_column(String(200), default="")  # "direction=outbound" …
    value: Mapped[float | None] = mapped_column(Double)
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[int] = mapped_column(BigInteger)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)
    data_version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.datetime]
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int] = mapped_column(ForeignKey("indicator_runs.id"), index=True)
