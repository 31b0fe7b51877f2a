from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from youguan.db import Base, JSONDoc, utcnow

# Submission statuses (stable codes; Chinese labels in ``youguan.ingest.outcome``).
RECEIVED = "received"
VALIDATING = "validating"
COMMITTED = "committed"
REFUSED = "refused"
FAILED = "failed"  # interrupted (crash) or an internal error; nothing committed
OPEN_STATUSES = (RECEIVED, VALIDATING)


class Submission(Base):
    """One submitted file (a batch): who sent what, how it went, where its rejects are.

    ``id`` is the batch id: the lake rows the batch added carry it in their ``batch_id`` column.
    A batch is ``committed`` in the same transaction that makes its lake files visible."""

    __tablename__ = "ingest_submissions"
    __table_args__ = (
        Index("ix_ingest_submissions_brand_received", "brand", "received_at"),
        Index("ix_ingest_submissions_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str | None] = mapped_column(String(16))  # None: several brands (staff only)
    kind: Mapped[str] = mapped_column(String(10), default="append")  # append | correct
    status: Mapped[str] = mapped_column(String(12), default=RECEIVED)
    submitter: Mapped[str] = mapped_column(String(120))
    submitter_role: Mapped[str] = mapped_column(String(20))
    api_key_id: Mapped[int | None] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(300))
    source_format: Mapped[str | None] = mapped_column(String(10))
    source_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    encoding: Mapped[str | None] = mapped_column(String(20))
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    accepted: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicates: Mapped[int] = mapped_column(BigInteger, default=0)
    corrected: Mapped[int] = mapped_column(BigInteger, default=0)
    unmapped: Mapped[int] = mapped_column(BigInteger, default=0)
    error_counts: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)  # code → n
    errors: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)  # {"items": [...]}
    refusal_code: Mapped[str | None] = mapped_column(String(30))
    refusal_message: Mapped[str | None] = mapped_column(Text)
    quarantine_path: Mapped[str | None] = mapped_column(String(300))  # relative to HOME
    lake_seq: Mapped[int | None] = mapped_column(Integer)
    timings: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)  # phase → seconds
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
