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

import logging
import os
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from youguan.context import Context
from youguan.ingest import dedupe
from youguan.ingest.codes import TEMPLATES, Code
from youguan.ingest.errors import FileRefused
from youguan.ingest.parse import as_text
from youguan.ingest.quarantine import QuarantineWriter
from youguan.ingest.readers import Source
from youguan.ingest.request import OnCommit, Outcome, Progress, Request, Staged, Tuning
from youguan.ingest.schemas import Dataset
from youguan.ingest.stage import Stager
from youguan.ingest.validate import ERROR_SCHEMA
from youguan.lake.store import Lake, Staging

log = logging.getLogger(__name__)

__all__ = ["OnCommit", "Outcome", "Progress", "Request", "Tuning", "run"]


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
        stager = Stager(ctx, req, area.path, out)
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
