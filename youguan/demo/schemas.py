"""The demo's manifest: every file written, with its dataset, format, rows and sha256, the
deliberate faults and the parameters that reproduce the set."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class Fault(BaseModel):
    """A deliberately bad row: the ingest or import must report it (row = 1-based data row,
    the header not counted; ``line`` = row + 1 in a CSV file)."""

    file: str
    row: int
    field: str
    kind: str
    note: str = ""


class DemoFile(BaseModel):
    path: str  # relative to the output directory, POSIX separators
    dataset: str  # enterprises | facilities | vehicles | statistics | plan_actuals | waybills …
    format: str  # csv | parquet | jsonl | xlsx
    encoding: str | None = None  # csv only: utf-8 | gb18030
    rows: int
    sha256: str
    role: str = "primary"  # primary | alternate | errors | resend | correction
    brand: str | None = None
    month: str | None = None
    note: str = ""


class DemoManifest(BaseModel):
    generator: str = "youguan.demo"
    version: int = 1
    seed: int
    scale: float
    start: dt.date
    end: dt.date
    events_until: dt.datetime | None = None  # no tracking event after this instant (UTC)
    files: list[DemoFile] = Field(default_factory=list)
    faults: list[Fault] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)

    def of(self, dataset: str, role: str | None = "primary") -> list[DemoFile]:
        return [f for f in self.files if f.dataset == dataset and (role is None or f.role == role)]
