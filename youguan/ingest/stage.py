"""Stage A of an ingest run: read the file in bounded batches, validate and protect them on
worker threads, and stream the results — in file order — into the quarantine and into staged
Parquet files per partition (rows that may repeat an earlier one apart, see
:mod:`youguan.ingest.seen`). Eligible CSV files are read by DuckDB, which also types their plainly
clean rows (:mod:`youguan.ingest.sqlscan`); the other rows, and other files, go through the
Arrow validation. Nothing here touches the lake or the operational store."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.context import Context
from youguan.ingest import dedupe, sqlscan
from youguan.ingest.errors import FileRefused, NeedsExactRead
from youguan.ingest.parse import as_text
from youguan.ingest.protect import PiiCipher, mask
from youguan.ingest.quarantine import QuarantineWriter
from youguan.ingest.readers import RawBatch, Source
from youguan.ingest.request import ErrorLog, Outcome, Request, Staged
from youguan.ingest.seen import Probes, SeenFilter, slots_for
from youguan.ingest.validate import ERROR_SCHEMA, Options, check_batch
from youguan.lake.store import conform, month_of
from youguan.lake.writer import PartitionWriter

log = logging.getLogger(__name__)

VALIDATION_THREADS = 2


class Stager:
    def __init__(self, ctx: Context, req: Request, folder: Path, out: Outcome) -> None:
        self.req = req
        self.ds = req.ds
        self.folder = folder
        self.out = out
        self.now = req.now or dt.datetime.now(dt.UTC)
        self.opts = Options(brand=req.brand, now=self.now, allow_15_digit_id=req.allow_15_digit_id)
        self.cipher = PiiCipher.from_master(ctx.keys.pii_key) if req.ds.pii_columns else None

    def stage(self, source: Source) -> Staged:
        if sqlscan.eligible(self.ds, source):
            try:
                return self._stage_once(source, sql=True)
            except sqlscan.ScanFailed:
                log.info(
                    "ingest: batch %s: DuckDB's strict CSV reader refused the file, reading "
                    "it with Arrow",
                    self.req.batch_id,
                )
        try:
            return self._stage_once(source)
        except NeedsExactRead:
            log.info(
                "ingest: batch %s has malformed CSV records, reading exactly", self.req.batch_id
            )
            source.exact = True
            return self._stage_once(source)

    def _stage_once(self, source: Source, *, sql: bool = False) -> Staged:
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
        seen = SeenFilter(con, dedupe.FILTER_KEY[self.ds.name], slots_for(source.size // 40))
        cursors = threading.local()  # one DuckDB cursor per worker thread, for key hashes

        scan: sqlscan.SqlScan | None = None

        def hashes(table: pa.Table) -> np.ndarray:
            if not hasattr(cursors, "con"):
                cursors.con = con.cursor()
            return seen.hashes(table, cursors.con)

        def prepare(raw: RawBatch | tuple[pa.RecordBatch, int]) -> _Prepared:
            if isinstance(raw, RawBatch):
                prepared = self._prepare(raw)
                if prepared.accepted is not None:
                    prepared.probes = seen.probes(hashes(prepared.accepted))
            else:
                assert scan is not None
                prepared = self._prepare_scanned(scan.split(*raw), hashes)
                if prepared.accepted is not None:
                    assert prepared.hashes is not None
                    prepared.probes = seen.probes(prepared.hashes)
            return prepared

        # Batches are validated and protected on worker threads (Arrow releases the GIL) and
        # consumed in file order here: quarantine, counts, the seen filter and the writers.
        pool = ThreadPoolExecutor(max_workers=VALIDATION_THREADS, thread_name_prefix="validate")
        pending: deque[Future[_Prepared]] = deque()

        def consume(prepared: _Prepared) -> None:
            self._account(prepared, quarantine)
            accepted = prepared.accepted
            if accepted is not None and prepared.probes is not None:
                suspect = seen.check(prepared.probes)
                keep = prepared.keep
                if keep is not None:  # the rows of ``accepted`` that count (see ``_Prepared``)
                    flags = np.zeros(len(keep), dtype=bool)
                    flags[keep] = suspect
                    suspect = flags
                if keep is None and not suspect.any():
                    writers["parts"].write(accepted)
                else:
                    main = ~suspect if keep is None else keep & ~suspect
                    at = 0
                    for part in accepted.to_batches():  # split chunk by chunk: no concatenation
                        flags = suspect[at : at + part.num_rows]
                        kept = main[at : at + part.num_rows]
                        at += part.num_rows
                        if flags.any():
                            writers["suspects"].write(_table(part.filter(pa.array(flags))))
                        if not kept.all():
                            part = _filter(part, kept)
                        writers["parts"].write(_table(part))
            if self.req.progress:
                self.req.progress("read", source.progress)

        first = True
        scan_cons: list[duckdb.DuckDBPyConnection] = []
        try:
            if sql:
                scan_con = dedupe.connect(self.folder / "duckdb", self.req.tuning.memory_limit)
                scan_cons.append(scan_con)
                scan = sqlscan.SqlScan(
                    scan_con,
                    self.ds,
                    source,
                    brand=self.req.brand,
                    now=self.now,
                    batch_bytes=self.req.tuning.batch_bytes,
                )
                self._require_columns(set(scan.present))
                start = 1
                with closing(scan.batches()) as batches:  # stops the read-ahead on errors
                    for batch in batches:
                        pending.append(pool.submit(prepare, (batch, start)))
                        start += batch.num_rows
                        while len(pending) > VALIDATION_THREADS:
                            consume(pending.popleft().result())
            for raw in () if sql else source.batches():
                if first and source.format != "jsonl":
                    self._require_columns(set(raw.table.column_names))
                first = False
                pending.append(pool.submit(prepare, raw))
                while len(pending) > VALIDATION_THREADS:
                    consume(pending.popleft().result())
            while pending:
                consume(pending.popleft().result())
            staged = Staged(writers["parts"].close(), writers["suspects"].close(), quarantine)
        except BaseException:
            for future in pending:
                future.cancel()
            for w in writers.values():
                w.abort()
            quarantine.close()
            raise
        finally:
            pool.shutdown(wait=True)
            for c in scan_cons:
                c.close()
            con.close()
        quarantine.close()
        return staged

    def _require_columns(self, present: set[str]) -> None:
        missing = [
            c.label + f"({c.name})"
            for c in self.ds.columns
            if c.required and c.name not in present and not (c.name == "brand" and self.req.brand)
        ]
        if missing:
            raise FileRefused(f"缺少必填列：{'、'.join(missing)}", code="missing_columns")

    def _prepare(self, raw: RawBatch) -> _Prepared:
        """Validate and protect one batch (a worker thread; touches no shared state)."""
        ds = self.ds
        checked = check_batch(ds, raw, self.opts)
        table = checked.table
        n = table.num_rows
        rejected = checked.rejected
        n_rejected = int(pc.sum(rejected).as_py() or 0)
        prepared = _Prepared(
            rows=n + len(raw.malformed),
            rejected=n_rejected + len(raw.malformed),
            errors=checked.errors,
        )
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
            prepared.quarantined = pa.table(values).filter(rejected)
        if n_rejected == n:
            return prepared
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
        prepared.accepted = conform(ds, accepted)
        return prepared

    def _prepare_scanned(
        self, scanned: sqlscan.ScanBatch, hashes: Callable[[pa.Table], np.ndarray]
    ) -> _Prepared:
        """:meth:`_prepare` for a batch read by DuckDB: its plainly clean rows come typed with
        their seen-filter hashes, the others go through the Arrow validation. The accepted rows
        are the clean ones, then the others' (file order is not needed: the exact duplicate
        check orders by ``source_row``)."""
        rest = self._prepare(scanned.rest) if scanned.rest is not None else None
        prepared = _Prepared(
            rows=scanned.rows,
            rejected=rest.rejected if rest else 0,
            errors=rest.errors if rest else ERROR_SCHEMA.empty_table(),
            quarantined=rest.quarantined if rest else None,
        )
        parts: list[pa.Table] = []
        keys: list[np.ndarray] = []
        keep: list[np.ndarray] = []
        if scanned.clean is not None:
            assert scanned.hashes is not None
            keys.append(scanned.hashes)
            if scanned.keep is not None:
                keep.append(scanned.keep)
            clean = scanned.clean
            columns = {
                **{name: clean.column(name) for name in clean.column_names},
                "batch_id": pa.repeat(pa.scalar(self.req.batch_id, pa.string()), clean.num_rows),
            }
            parts.append(
                pa.Table.from_arrays(
                    [columns[f.name] for f in self.ds.stored], schema=self.ds.stored
                )
            )
        if rest is not None and rest.accepted is not None:
            parts.append(rest.accepted)
            keys.append(hashes(rest.accepted))
            if keep:
                keep.append(np.ones(rest.accepted.num_rows, dtype=bool))
        if parts:
            prepared.accepted = pa.concat_tables(parts) if len(parts) == 2 else parts[0]
            prepared.hashes = np.concatenate(keys) if len(keys) == 2 else keys[0]
            prepared.keep = (np.concatenate(keep) if len(keep) == 2 else keep[0]) if keep else None
        return prepared

    def _account(self, prepared: _Prepared, quarantine: QuarantineWriter) -> None:
        self.out.rows += prepared.rows
        self.out.rejected += prepared.rejected
        self.out.errors.add(prepared.errors)
        if prepared.quarantined is not None:
            quarantine.write(prepared.errors, prepared.quarantined)


def _filter(batch: pa.RecordBatch, keep: np.ndarray) -> pa.RecordBatch:
    """``batch.filter(keep)`` column by column: for many columns the record-batch kernel turns
    the filter into a take, which copies text a third slower than a filter of each column."""
    mask = pa.array(keep)
    return pa.RecordBatch.from_arrays([c.filter(mask) for c in batch.columns], schema=batch.schema)


def _table(batch: pa.RecordBatch) -> pa.Table:
    return pa.Table.from_batches([batch])


@dataclass
class _Prepared:
    rows: int
    rejected: int
    errors: pa.Table
    quarantined: pa.Table | None = None  # rejected rows' values (personal data protected)
    accepted: pa.Table | None = None  # in the stored schema
    # the rows of ``accepted`` to store (None: all); the others are rows DuckDB typed that
    # the split sent to the Arrow validation, dropped when the accepted rows are written
    keep: np.ndarray | None = None
    hashes: np.ndarray | None = None  # seen-filter hash per accepted row kept
    probes: Probes | None = None  # where the accepted rows' keys are in the seen filter


# ---- stage B: lake checks, exactly once, corrections, publish -------------------------------
