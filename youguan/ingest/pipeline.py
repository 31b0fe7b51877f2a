"""One submitted file from disk to the lake (DESIGN.md "How data flows"):

    read (bounded batches) → validate → protect personal data → stage per partition + quarantine
    → [partition locks] events-before-acceptance, deduplicate, corrections → threshold
    → publish (rename + manifest + the caller's submission record, one transaction)

Everything the batch writes lives in its locked staging directory until the final step; a crash
leaves nothing visible (``youguan lake check`` cleans the leftovers). Personal data is replaced by
its protected forms before anything is written, staging and quarantine included. The pipeline
does not touch the submissions table: the caller (:mod:`youguan.ingest.service`) records the
outcome, through ``on_commit`` for a committed batch so that status and visibility change together.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.ingest import dedupe
from youguan.ingest.codes import TEMPLATES, Code
from youguan.ingest.errors import FileRefused, NeedsExactRead
from youguan.ingest.parse import as_text
from youguan.ingest.protect import PiiCipher, mask
from youguan.ingest.quarantine import QuarantineWriter
from youguan.ingest.readers import CSV_BLOCK_BYTES, PY_BATCH_ROWS, RawBatch, Source
from youguan.ingest.schemas import Dataset
from youguan.ingest.seen import SeenFilter, slots_for
from youguan.ingest.validate import ERROR_SCHEMA, Options, check_batch
from youguan.lake.store import CommittedBatch, Lake, Staging, conform, month_of
from youguan.lake.writer import (
    BUFFER_ROWS,
    ROW_GROUP_ROWS,
    PartitionWriter,
    StagedFile,
)

log = logging.getLogger(__name__)

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


def run(ctx: Context, req: Request, area: Staging, on_commit: OnCommit) -> Outcome:
    """Ingest one file inside its (locked) staging ``area``. Returns the outcome; a refused file
    sets ``outcome.refusal`` (nothing committed). Other exceptions propagate (nothing committed
    either)."""
    out = Outcome()
    lake = ctx.lake
    started = time.perf_counter()
    try:
        source = Source(
            req.ds,
            req.path,
            fmt=req.fmt,
            encoding=req.encoding,
            batch_bytes=req.tuning.batch_bytes,
            batch_rows=req.tuning.batch_rows,
        )
        out.format, out.encoding = source.format, source.encoding
        stager = _Stager(ctx, req, area.path, out)
        staged = stager.stage(source)
        out.timings["read_validate"] = round(time.perf_counter() - started, 3)
        if out.rows == 0:
            raise FileRefused("文件没有数据行", code="empty")
        _check_threshold(req.ds, out)
        _settle_and_publish(ctx, lake, req, area.path, staged, out, on_commit)
    except FileRefused as exc:
        out.refusal = exc
        qfile = area.path / "quarantine.csv"
        if qfile.exists():
            out.quarantine = _place_quarantine(ctx, qfile, req.batch_id)
        log.info("ingest: %s batch %s refused (%s)", req.ds.name, req.batch_id, exc.code)
    out.timings["total"] = round(time.perf_counter() - started, 3)
    return out


def _check_threshold(ds: Dataset, out: Outcome) -> None:
    share = out.rejected / out.rows if out.rows else 0.0
    if share > ds.block_reject_share:
        raise FileRefused(
            f"被拒收的行占 {share:.1%}，超过{ds.label}的阈值 {ds.block_reject_share:.0%}："
            "本批次全部未入库，请按错误清单修正后重新报送",
            code="over_threshold",
        )


def _place_quarantine(ctx: Context, staged: Path, batch_id: str) -> Path:
    final = ctx.settings.quarantine_dir / f"{batch_id}.csv"
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, final)
    return final


# ---- stage A: read, validate, protect, stage ------------------------------------------------
class _Stager:
    def __init__(self, ctx: Context, req: Request, folder: Path, out: Outcome) -> None:
        self.req = req
        self.ds = req.ds
        self.folder = folder
        self.out = out
        self.now = req.now or dt.datetime.now(dt.UTC)
        self.opts = Options(brand=req.brand, now=self.now, allow_15_digit_id=req.allow_15_digit_id)
        self.cipher = PiiCipher.from_master(ctx.keys.pii_key) if req.ds.pii_columns else None

    def stage(self, source: Source) -> Staged:
        try:
            return self._stage_once(source)
        except NeedsExactRead:
            log.info(
                "ingest: batch %s has malformed CSV records, reading exactly", self.req.batch_id
            )
            source.exact = True
            return self._stage_once(source)

    def _stage_once(self, source: Source) -> Staged:
        for name in ("parts", "suspects"):
            shutil.rmtree(self.folder / name, ignore_errors=True)
        qpath = self.folder / "quarantine.csv"
        qpath.unlink(missing_ok=True)
        self.out.rows = self.out.rejected = 0
        self.out.errors = ErrorLog()
        writers = {
            name: PartitionWriter(
                self.folder / name,
                self.ds.name,
                self.req.batch_id,
                self.ds.stored,
                row_group_rows=self.req.tuning.row_group_rows,
                buffer_rows=self.req.tuning.buffer_rows,
                suffix="" if name == "parts" else "-s",
            )
            for name in ("parts", "suspects")
        }
        quarantine = QuarantineWriter(qpath, self.ds)
        con = dedupe.connect(self.folder / "duckdb", self.req.tuning.memory_limit)
        seen = SeenFilter(con, dedupe.KEY_SQL[self.ds.name], slots_for(source.size // 40))
        first = True
        try:
            for raw in source.batches():
                if first and source.format != "jsonl":
                    self._require_columns(raw)
                first = False
                accepted = self._batch(raw, quarantine)
                if accepted is not None:
                    suspect = seen.suspects(accepted)
                    if suspect.any():
                        flags = pa.array(suspect)
                        writers["suspects"].write(accepted.filter(flags))
                        accepted = accepted.filter(pc.invert(flags))
                    writers["parts"].write(accepted)
                if self.req.progress:
                    self.req.progress("read", source.progress)
            staged = Staged(writers["parts"].close(), writers["suspects"].close(), quarantine)
        except BaseException:
            for w in writers.values():
                w.abort()
            quarantine.close()
            raise
        finally:
            con.close()
        quarantine.close()
        return staged

    def _require_columns(self, raw: RawBatch) -> None:
        present = set(raw.table.column_names)
        missing = [
            c.label + f"({c.name})"
            for c in self.ds.columns
            if c.required and c.name not in present and not (c.name == "brand" and self.req.brand)
        ]
        if missing:
            raise FileRefused(f"缺少必填列：{'、'.join(missing)}", code="missing_columns")

    def _batch(self, raw: RawBatch, quarantine: QuarantineWriter) -> pa.Table | None:
        """Validate and protect one batch: rejects to quarantine, accepted rows returned in the
        stored schema."""
        ds = self.ds
        checked = check_batch(ds, raw, self.opts)
        table = checked.table
        n = table.num_rows
        rejected = checked.rejected
        n_rejected = int(pc.sum(rejected).as_py() or 0)
        self.out.rows += n + len(raw.malformed)
        self.out.rejected += n_rejected + len(raw.malformed)
        self.out.errors.add(checked.errors)

        protected: dict[str, pa.Array] = {}
        if self.cipher is not None:
            for f in ds.pii_columns:
                protected[f"{f}_hash"] = self.cipher.hash_column(f, table[f])
                protected[f"{f}_masked"] = mask(f, table[f])
        if checked.errors.num_rows:
            values: dict[str, pa.Array] = {"row": raw.rows}
            for c in ds.columns:
                if not c.pii and c.name in raw.table.column_names:
                    values[c.name] = as_text(raw.table[c.name])
            values.update(protected)
            quarantine.write(checked.errors, pa.table(values).filter(rejected))
        if n_rejected == n:
            return None
        keep = pc.invert(rejected)
        accepted = table.filter(keep) if n_rejected else table
        for name, arr in protected.items():
            accepted = accepted.append_column(name, arr.filter(keep) if n_rejected else arr)
        if self.cipher is not None:
            for f in ds.pii_columns:
                accepted = accepted.append_column(
                    f"{f}_enc", self.cipher.encrypt_column(f, accepted[f])
                )
        m = accepted.num_rows
        if ds.name != "statistics":
            accepted = accepted.append_column("month", month_of(accepted[ds.time_column]))
        else:
            accepted = accepted.append_column(
                "reported_at", pa.repeat(pa.scalar(self.now, pa.timestamp("us", "UTC")), m)
            )
        accepted = accepted.append_column(
            "batch_id", pa.repeat(pa.scalar(self.req.batch_id, pa.string()), m)
        )
        return conform(ds, accepted)


# ---- stage B: lake checks, exactly once, corrections, publish -------------------------------
def _settle_and_publish(
    ctx: Context,
    lake: Lake,
    req: Request,
    folder: Path,
    staged: Staged,
    out: Outcome,
    on_commit: OnCommit,
) -> None:
    ds = req.ds
    quarantine = staged.quarantine
    brands = {f.brand for f in staged.main + staged.suspects}
    started = time.perf_counter()
    if req.progress:
        req.progress("settle", None)
    with lake.lock(ds.name, brands):
        con = dedupe.connect(folder / "duckdb", req.tuning.memory_limit)
        group = req.tuning.row_group_rows
        try:
            settler = dedupe.Settler(con, lake, ds, staged.main, staged.suspects)
            if ds.name == "events" and settler.before_acceptance():
                for batch in settler.late_batches(group):
                    _late_rejects(ds, pa.Table.from_batches([batch]), quarantine, out)
                quarantine.close()
                _check_threshold(ds, out)
            settled = settler.settle(correct=req.correct)
            parts = settler.write_parts(group)
            replaced = settler.replaced_files()
            rewritten = settler.write_replaced(folder / "parts", req.batch_id, group)
        finally:
            con.close()
        out.duplicates = settled.duplicates
        out.corrected = settled.corrected
        out.corrected_keys = settled.keys
        out.accepted = sum(f.rows for f in parts)
        if ds.name == "events":
            out.unmapped = sum(_count_unmapped(f.path) for f in parts)
        out.timings["settle"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        if req.progress:
            req.progress("commit", None)
        qfile = folder / "quarantine.csv"
        if qfile.exists():
            out.quarantine = _place_quarantine(ctx, qfile, req.batch_id)
        if parts or replaced:
            out.committed = lake.publish(
                ds.name,
                [*parts, *rewritten],
                batch_id=req.batch_id,
                actor=req.actor,
                source=req.source_name,
                kind="correct" if req.correct else "append",
                retire=sorted(replaced),
                rows=out.accepted,
                on_commit=lambda s, seq: on_commit(s, seq, out),
            )
        else:
            with ctx.transaction() as s:
                on_commit(s, None, out)
        out.timings["commit"] = round(time.perf_counter() - started, 3)


def _late_rejects(ds: Dataset, late: pa.Table, quarantine: QuarantineWriter, out: Outcome) -> None:
    """Report events found to precede their waybill's acceptance (errors and quarantine)."""
    col = ds.column("occurred_at")
    local = pc.strftime(
        late["occurred_at"].cast(pa.timestamp("s", "Asia/Shanghai"), safe=False),
        format="%Y-%m-%dT%H:%M:%S+08:00",
    )
    template = TEMPLATES[Code.BEFORE_ACCEPTANCE].format(label=col.label, value="\x00")
    head, _, tail = template.partition("\x00")
    errors = pa.table(
        [
            late["source_row"],
            pa.repeat(pa.scalar("occurred_at"), late.num_rows),
            pa.repeat(pa.scalar(Code.BEFORE_ACCEPTANCE.value), late.num_rows),
            pc.binary_join_element_wise(head, local, tail, ""),
        ],
        schema=ERROR_SCHEMA,
    )
    values: dict[str, Any] = {"row": late["source_row"]}
    for c in ds.columns:
        values[c.name] = local if c.name == "occurred_at" else as_text(late[c.name])
    quarantine.write(errors, pa.table(values))
    out.errors.add(errors)
    out.rejected += late.num_rows


def _count_unmapped(path: Path) -> int:
    pf = pq.ParquetFile(path)
    return sum(
        int(pc.sum(pc.invert(pc.fill_null(b.column(0), True))).as_py() or 0)
        for b in pf.iter_batches(columns=["mapped"])
    )
