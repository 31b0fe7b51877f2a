"""What a submission looks like to callers (pydantic): the service returns these, the CLI prints
them, the API and the enterprise portal will serve them. ``youguan.ingest.schemas`` holds the
dataset definitions, hence this module's name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from youguan.choices import ChoiceEnum
from youguan.ingest import models as m


class SubmissionStatus(ChoiceEnum):
    """Statuses of a submission with their Chinese labels and badge colours."""

    RECEIVED = m.RECEIVED, "已接收", "#57606a"
    VALIDATING = m.VALIDATING, "校验中", "#2b5fad"
    COMMITTED = m.COMMITTED, "已入库", "#1a7f37"
    REFUSED = m.REFUSED, "已拒收", "#cf222e"
    FAILED = m.FAILED, "处理失败", "#9a6700"


STATUS_LABELS = {s.value: s.label for s in SubmissionStatus}


class ErrorItem(BaseModel):
    row: int = Field(description="1-based data row number in the submitted file")
    field: str = Field(description="column code; '*' for a record that could not be read")
    code: str = Field(description="stable English reason code")
    message: str = Field(description="Chinese explanation")


class Refusal(BaseModel):
    code: str
    message: str


class SubmissionSummary(BaseModel):
    """A submission (batch) with its counts, without the error list (for lists). ``rows =
    accepted + rejected + duplicates``; ``corrected`` counts accepted rows that replaced
    committed ones."""

    id: str = Field(description="batch id (the lake rows' batch_id)")
    dataset: str
    brand: str | None
    kind: str
    status: str
    status_label: str
    submitter: str
    source_name: str
    source_format: str | None
    encoding: str | None
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    corrected: int
    unmapped: int
    errors_total: int
    refusal: Refusal | None
    quarantine: str | None = Field(description="quarantine file, relative to YOUGUAN_HOME")
    lake_seq: int | None
    received_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def committed(self) -> bool:
        return self.status == m.COMMITTED

    @property
    def open(self) -> bool:
        """Still being processed (received or validating)."""
        return self.status in m.OPEN_STATUSES

    @staticmethod
    def row_fields(row: m.Submission, errors_total: int) -> dict[str, Any]:
        return {
            "id": row.id,
            "dataset": row.dataset,
            "brand": row.brand,
            "kind": row.kind,
            "status": row.status,
            "status_label": STATUS_LABELS.get(row.status, row.status),
            "submitter": row.submitter,
            "source_name": row.source_name,
            "source_format": row.source_format,
            "encoding": row.encoding,
            "rows": row.rows,
            "accepted": row.accepted,
            "rejected": row.rejected,
            "duplicates": row.duplicates,
            "corrected": row.corrected,
            "unmapped": row.unmapped,
            "errors_total": errors_total,
            "refusal": Refusal(code=row.refusal_code, message=row.refusal_message or "")
            if row.refusal_code
            else None,
            "quarantine": row.quarantine_path,
            "lake_seq": row.lake_seq,
            "received_at": row.received_at,
            "finished_at": row.finished_at,
        }

    @classmethod
    def from_row(cls, row: m.Submission) -> SubmissionSummary:
        """Built without reading ``row.errors`` (a list query defers that column): the error
        total is the sum of ``error_counts``, the same number."""
        return cls(**cls.row_fields(row, sum((row.error_counts or {}).values())))


class SubmissionOut(SubmissionSummary):
    """A submission with its errors (the first :data:`~youguan.ingest.request.ERRORS_KEPT`;
    ``errors_total`` counts them all) and its timings."""

    errors: list[ErrorItem]
    error_counts: dict[str, int]
    timings: dict[str, float]

    @classmethod
    def from_row(cls, row: m.Submission) -> SubmissionOut:
        errors = (row.errors or {}).get("items", [])
        total = int((row.errors or {}).get("total", len(errors)))
        return cls(
            **cls.row_fields(row, total),
            errors=[ErrorItem(**e) for e in errors],
            error_counts=dict(row.error_counts or {}),
            timings=dict(row.timings or {}),
        )

    def cli_document(self, home: Any) -> dict[str, Any]:
        """The ``youguan ingest --json`` document (DESIGN.md "Stable interfaces"), with a few
        compatible extra keys."""
        return {
            "dataset": self.dataset,
            "batch_id": self.id,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "errors": [e.model_dump() for e in self.errors],
            "quarantine": str(home / self.quarantine) if self.quarantine else None,
            "status": self.status,
            "corrected": self.corrected,
            "unmapped": self.unmapped,
            "errors_total": self.errors_total,
            "refusal": self.refusal.model_dump() if self.refusal else None,
        }


class UnmappedCode(BaseModel):
    brand: str
    raw_code: str | None
    raw_text: str | None
    rows: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
