"""Lake upkeep: ``check`` (find and clean what interrupted commits leave behind, verify the
manifest against the disk) and ``compact`` (merge small files of a partition, leaving every query
result unchanged).

Both take the partition lock of each (dataset, brand) they touch, so they never mistake the files
of a commit in progress for orphans and never retire files a running ingest is deduplicating
against.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from sqlalchemy import select

from youguan.auth.actor import Actor
from youguan.auth.permissions import LAKE_ADMIN
from youguan.ingest.schemas import DATASETS, dataset
from youguan.lake.locks import FileLock
from youguan.lake.models import LakeFile
from youguan.lake.store import STAGING, Lake
from youguan.lake.writer import ROW_GROUP_ROWS, StagedFile, open_writer

log = logging.getLogger(__name__)

SMALL_FILE_BYTES = 64 << 20
TARGET_FILE_ROWS = 8_000_000


@dataclass
class CheckReport:
    staging_removed: list[str] = field(default_factory=list)
    staging_live: list[str] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)
    retired_removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the manifest, not on disk
    damaged: list[str] = field(default_factory=list)  # unreadable, or not the recorded rows
    dry_run: bool = False

    @property
    def healthy(self) -> bool:
        """No visible data is lost or damaged (leftovers, cleaned or not, are not damage)."""
        return not self.missing and not self.damaged

    @property
    def clean(self) -> bool:
        """Nothing at all was found."""
        return self.healthy and not (
            self.staging_removed or self.orphans_removed or self.retired_removed
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "healthy": self.healthy,
            "clean": self.clean,
            "dry_run": self.dry_run,
            "staging_removed": self.staging_removed,
            "staging_live": self.staging_live,
            "orphans_removed": self.orphans_removed,
            "retired_removed": self.retired_removed,
            "missing": self.missing,
            "damaged": self.damaged,
        }


def check(lake: Lake, *, dry_run: bool = False, verify_rows: bool = True) -> CheckReport:
    """Remove staging leftovers of dead processes, orphan files (on disk, never committed) and
    retired files still on disk; report manifest files that are missing or damaged. With
    ``dry_run`` nothing is removed (the lists say what would be)."""
    report = CheckReport(dry_run=dry_run)
    _check_staging(lake, report, dry_run)
    with lake.ctx.read() as s:
        rows = list(s.execute(select(LakeFile.path, LakeFile.active, LakeFile.rows)))
    known = {path: (active, n) for path, active, n in rows}
    for ds_name in DATASETS:
        ds_dir = lake.root / ds_name
        if not ds_dir.is_dir():
            continue
        for brand_dir in sorted(p for p in ds_dir.iterdir() if p.is_dir()):
            brand = brand_dir.name.removeprefix("brand=")
            with lake.lock(ds_name, [brand]):
                # re-read under the lock: a commit may have finished meanwhile
                with lake.ctx.read() as s:
                    for path, active, n in s.execute(
                        select(LakeFile.path, LakeFile.active, LakeFile.rows).where(
                            LakeFile.dataset == ds_name, LakeFile.brand == brand
                        )
                    ):
                        known[path] = (active, n)
                for f in sorted(p for p in brand_dir.rglob("*") if p.is_file()):
                    rel = str(f.relative_to(lake.root))
                    entry = known.get(rel)
                    if entry is None:
                        report.orphans_removed.append(rel)
                    elif not entry[0]:
                        report.retired_removed.append(rel)
                    else:
                        continue
                    if not dry_run:
                        f.unlink(missing_ok=True)
                if not dry_run:
                    _remove_empty_dirs(brand_dir)
    for path, (active, n) in sorted(known.items()):
        if not active:
            continue
        full = lake.root / path
        if not full.is_file():
            report.missing.append(path)
        elif verify_rows:
            try:
                if pq.read_metadata(full).num_rows != n:
                    report.damaged.append(path)
            except Exception:
                report.damaged.append(path)
    if report.missing or report.damaged:
        log.error(
            "lake check: %d missing and %d damaged files", len(report.missing), len(report.damaged)
        )
    return report


def _check_staging(lake: Lake, report: CheckReport, dry_run: bool) -> None:
    staging = lake.root / STAGING
    if not staging.is_dir():
        return
    names = {p.name.removesuffix(".lock") for p in staging.iterdir()}
    for name in sorted(names):
        lock = FileLock(staging / f"{name}.lock")
        if not lock.acquire(blocking=False):
            report.staging_live.append(name)
            continue
        try:
            folder = staging / name
            if folder.exists():
                report.staging_removed.append(name)
                if not dry_run:
                    shutil.rmtree(folder, ignore_errors=True)
        finally:
            lock.release(unlink=not dry_run)


def _remove_empty_dirs(folder: Path) -> None:
    for d in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(d.iterdir()):
            d.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


@dataclass(frozen=True)
class Compacted:
    dataset: str
    brand: str
    month: str
    files_before: int
    files_after: int
    rows: int
    batch_id: str | None  # None in a dry run


def compact(
    lake: Lake,
    actor: Actor,
    *,
    dataset_name: str | None = None,
    brand: str | None = None,
    month: str | None = None,
    small_bytes: int = SMALL_FILE_BYTES,
    min_files: int = 2,
    dry_run: bool = False,
) -> list[Compacted]:
    """Merge the small files (under ``small_bytes``) of every partition that has at least
    ``min_files`` of them into one file per :data:`TARGET_FILE_ROWS` rows. Rows are copied as
    they are, ``batch_id`` and ``source_row`` included, so no query result changes; the new files
    replace the old ones in one manifest transaction (a ``compact`` batch). Needs
    ``lake.admin``."""
    if not actor.can(LAKE_ADMIN):
        raise PermissionError("compacting the lake needs the lake.admin permission")
    names = [dataset(dataset_name).name] if dataset_name else list(DATASETS)
    out: list[Compacted] = []
    for ds_name in names:
        groups: dict[tuple[str, str], int] = defaultdict(int)
        for f in lake.files(ds_name, brands=[brand] if brand else None):
            if (month is None or f.month == month) and f.path.stat().st_size < small_bytes:
                groups[(f.brand, f.month)] += 1
        for b, m in sorted(k for k, n in groups.items() if n >= min_files):
            with lake.lock(ds_name, [b]):
                result = _compact_partition(
                    lake, actor, ds_name, b, m, small_bytes, min_files, dry_run
                )
            if result is not None:
                out.append(result)
    return out


def _compact_partition(
    lake: Lake,
    actor: Actor,
    ds_name: str,
    brand: str,
    month: str,
    small_bytes: int,
    min_files: int,
    dry_run: bool,
) -> Compacted | None:
    ds = dataset(ds_name)
    files = [
        f
        for f in lake.files(ds_name, brands=[brand], months=[month])
        if f.path.stat().st_size < small_bytes
    ]
    if len(files) < min_files:
        return None
    rows = sum(f.rows for f in files)
    if dry_run:
        n_out = max(1, -(-rows // TARGET_FILE_ROWS))
        return Compacted(ds_name, brand, month, len(files), n_out, rows, None)
    batch_id = uuid.uuid4().hex
    with lake.staging(batch_id) as area:
        source = pads.dataset([str(f.path) for f in files], schema=ds.stored, format="parquet")
        out = _RollingWriter(area.path, f"{ds_name}-{brand}-{month}-{batch_id}", ds.stored)
        for batch in source.to_batches(batch_size=ROW_GROUP_ROWS):
            out.add(pa.Table.from_batches([batch]))
        staged = [StagedFile(brand, month, path, n) for path, n in out.close()]
        if sum(f.rows for f in staged) != rows:
            raise RuntimeError(f"compaction of {ds_name}/{brand}/{month} read an unexpected count")
        lake.publish(
            ds_name,
            staged,
            batch_id=batch_id,
            actor=actor,
            kind="compact",
            retire=[f.id for f in files],
            note=f"{len(files)} files → {len(staged)}",
        )
    log.info("lake compact: %s/%s/%s %d files → %d", ds_name, brand, month, len(files), len(staged))
    return Compacted(ds_name, brand, month, len(files), len(staged), rows, batch_id)


class _RollingWriter:
    """Row groups of :data:`ROW_GROUP_ROWS`, a new file every :data:`TARGET_FILE_ROWS`."""

    def __init__(self, folder: Path, stem: str, schema: pa.Schema) -> None:
        self.folder, self.stem, self.schema = folder, stem, schema
        self.done: list[tuple[Path, int]] = []
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.writer: pq.ParquetWriter | None = None
        self.path: Path | None = None
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.pending_rows += table.num_rows
        if self.pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        if self.writer is None:
            self.path = self.folder / f"{self.stem}-{len(self.done)}.parquet"
            self.writer = open_writer(self.path, self.schema)
        table = pa.concat_tables(self.pending)
        self.writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self.rows += table.num_rows
        self.pending, self.pending_rows = [], 0
        if self.rows >= TARGET_FILE_ROWS:
            self._roll()

    def _roll(self) -> None:
        if self.writer is not None and self.path is not None:
            self.writer.close()
            self.done.append((self.path, self.rows))
        self.writer, self.path, self.rows = None, None, 0

    def close(self) -> list[tuple[Path, int]]:
        self._flush()
        self._roll()
        return self.done
