"""The request and the outcome of one ingest run (shared by the staging and settling steps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from youguan.auth.actor import Actor
from youguan.ingest.errors import FileRefused
from youguan.ingest.quarantine import QuarantineWriter
from youguan.ingest.readers import CSV_BLOCK_BYTES, PY_BATCH_ROWS
from youguan.ingest.schemas import Dataset
from youguan.lake.store import CommittedBatch
from youguan.lake.writer import BUFFER_ROWS, ROW_GROUP_ROWS, StagedFile

ERRORS_KEPT = 1000  # errors listed in the result; all are in the quarantine file
Progress = Callable[[str, float | None], None]


@dataclass(frozen=True)
class Tuning:
    """Sizes that bound memory: a batch read at a time, rows buffered before a row group is
    written, and DuckDB's limit (it spills beyond it to the batch's staging directory)."""

    batch_bytes: int = CSV_BLOCK_BYTES  # CSV: bytes per batch
    batch_rows: int = PY_BATCH_ROWS  # other formats: rows per batch
    row_group_rows: int = ROW_GROUP_ROWS
    buffer_rows: int = BUFFER_ROWS
    memory_limit: str = "1GB"


@dataclass
class Request:
    ds: Dataset
    path: Path
    batch_id: str
    actor: Actor
    brand: str | None = None
    correct: bool = False
    fmt: str | None = None
    encoding: str | None = None
    now: dt.datetime | None = None
    allow_15_digit_id: bool = False
    tuning: Tuning = field(default_factory=Tuning)
    progress: Progress | None = None
    source_name: str | None = None


@dataclass
class ErrorLog:
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, errors: pa.Table) -> None:
        if errors.num_rows == 0:
            return
        self.total += errors.num_rows
        for item in pc.value_counts(errors["code"]).to_pylist():
            self.counts[item["values"]] = self.counts.get(item["values"], 0) + item["counts"]
        room = ERRORS_KEPT - len(self.items)
        if room > 0:
            self.items.extend(errors.sort_by("row").slice(0, room).to_pylist())


@dataclass
class Outcome:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    corrected: int = 0
    unmapped: int = 0
    errors: ErrorLog = field(default_factory=ErrorLog)
    quarantine: Path | None = None
    refusal: FileRefused | None = None
    committed: CommittedBatch | None = None
    corrected_keys: list[list[Any]] = field(default_factory=list)
    format: str | None = None
    encoding: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


OnCommit = Callable[[Session, "int | None", Outcome], None]


@dataclass
class Staged:
    main: list[StagedFile]  # rows certainly not repeated within the file
    suspects: list[StagedFile]  # rows that may repeat an earlier one (checked exactly later)
    quarantine: QuarantineWriter
