"""Committing batches to the lake and reading what is committed.

Commit protocol (a crash at any moment leaves the whole batch or nothing visible):

1. every partition of the batch is written to ``lake/_staging/<batch>/…`` and fsynced, while the
   process holds the batch's staging lock (``_staging/<batch>.lock``);
2. under the partition locks of the batch's (dataset, brand) pairs, each staged file is renamed to
   its final place ``lake/<dataset>/brand=…/month=…/`` (a rename is atomic on one file system) —
   the file is now on disk but *not visible*, because readers list files from the manifest, never
   from the directory;
3. one transaction of the operational store inserts the batch row and its file rows, retires the
   files a compaction or correction replaces (refusing if one was already retired) and runs the
   caller's ``on_commit`` (the ingest package records its submission there). Only now is the
   batch visible.

A crash before 3 leaves orphan files that no query sees; ``youguan lake check``
(:mod:`youguan.lake.maintenance`) removes them, and staging directories whose lock is free.
Files contain their partition columns (``brand``, ``month``) as well, so readers never depend on
parsing directory names.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from youguan.auth.actor import Actor
from youguan.ingest.schemas import Dataset, dataset
from youguan.lake.locks import FileLock, locked
from youguan.lake.models import LakeBatch, LakeFile
from youguan.lake.writer import PARQUET_OPTIONS, PartitionWriter, StagedFile

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

    from youguan.context import Context

log = logging.getLogger(__name__)

STAGING = "_staging"
LOCKS = "_locks"
VIEW_CACHE = 32

__all__ = [
    "PARQUET_OPTIONS",
    "CommittedBatch",
    "FileInfo",
    "Lake",
    "LakeConflict",
    "StagedFile",
    "conform",
    "month_of",
]


class LakeConflict(RuntimeError):
    """A file to retire was already retired by another commit (a concurrent compaction or
    correction); nothing was committed."""


@dataclass(frozen=True)
class CommittedBatch:
    batch_id: str
    seq: int
    dataset: str
    rows: int
    files: tuple[str, ...]
    partitions: tuple[tuple[str, str], ...]  # (brand, month)


@dataclass(frozen=True)
class FileInfo:
    id: int
    dataset: str
    brand: str
    month: str
    path: Path
    rows: int
    batch_seq: int


def conform(ds: Dataset, table: pa.Table) -> pa.Table:
    """Select and cast ``table`` to the stored schema of ``ds`` (missing columns become null)."""
    arrays = []
    for f in ds.stored:
        if f.name in table.column_names:
            arrays.append(table.column(f.name).cast(f.type))
        else:
            arrays.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=ds.stored)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """A batch's private staging directory, locked for the life of the ``with`` block."""

    def __init__(self, root: Path, batch_id: str) -> None:
        self.batch_id = batch_id
        self.path = root / STAGING / batch_id
        self._lock = FileLock(root / STAGING / f"{batch_id}.lock")

    def __enter__(self) -> Staging:
        if not self._lock.acquire(blocking=False):
            raise RuntimeError(f"staging area of batch {self.batch_id} is in use")
        self.path.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock.release(unlink=True)


class Lake:
    """The lake of one context. Build through ``Context.lake``."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.root = ctx.settings.lake_dir
        self._views: OrderedDict[tuple[str, tuple[str, ...]], ir.Table] = OrderedDict()

    # ---- locks and staging --------------------------------------------------------------
    def lock_path(self, dataset_name: str, brand: str) -> Path:
        return self.root / LOCKS / f"{dataset_name}.{brand}.lock"

    @contextmanager
    def lock(
        self, dataset_name: str, brands: Iterable[str], *, timeout: float = 600.0
    ) -> Iterator[None]:
        """Hold the partition locks of ``dataset_name`` for ``brands`` (see :mod:`.locks`)."""
        with locked([self.lock_path(dataset_name, b) for b in brands], timeout=timeout):
            yield

    def staging(self, batch_id: str) -> Staging:
        return Staging(self.root, batch_id)

    # ---- writing -------------------------------------------------------------------------
    def commit(
        self,
        dataset_name: str,
        table: pa.Table,
        *,
        actor: Actor,
        source: str | None = None,
        kind: str = "append",
        retire: Sequence[int] = (),
        note: str | None = None,
        batch_id: str | None = None,
    ) -> CommittedBatch:
        """Write ``table`` (in the dataset's stored schema) as one atomically visible batch.

        ``retire`` lists file ids this batch replaces (compaction, corrections); they stop being
        visible in the same transaction that makes the new files visible. Every row gets this
        batch's ``batch_id`` unless ``kind`` is ``compact`` (rows keep their provenance)."""
        ds = dataset(dataset_name)
        batch_id = batch_id or uuid.uuid4().hex
        table = conform(ds, table)
        if kind != "compact" or pc.any(pc.is_null(table["batch_id"])).as_py():
            table = table.set_column(
                table.schema.get_field_index("batch_id"),
                "batch_id",
                pa.array([batch_id] * table.num_rows, pa.string()),
            )
        with self.staging(batch_id) as area:
            writer = PartitionWriter(area.path, ds.name, batch_id, ds.stored)
            try:
                writer.write(table)
                staged = writer.close()
            except BaseException:
                writer.abort()
                raise
            brands = {f.brand for f in staged} | {f.brand for f in self._files_by_id(retire)}
            with self.lock(ds.name, brands):
                return self.publish(
                    ds.name,
                    staged,
                    batch_id=batch_id,
                    actor=actor,
                    source=source,
                    kind=kind,
                    retire=retire,
                    note=note,
                )

    def publish(
        self,
        dataset_name: str,
        staged: Sequence[StagedFile],
        *,
        batch_id: str,
        actor: Actor,
        source: str | None = None,
        kind: str = "append",
        retire: Sequence[int] = (),
        note: str | None = None,
        rows: int | None = None,
        on_commit: Callable[[Session, int], None] | None = None,
    ) -> CommittedBatch:
        """Make staged files visible as one batch (steps 2 and 3 of the protocol). The caller
        holds the partition locks of every brand involved. ``on_commit(session, seq)`` runs in
        the manifest transaction; if it raises, nothing is committed. ``rows`` is the batch's own
        row count when it differs from the files' (a correction also rewrites older rows)."""
        ds = dataset(dataset_name)
        placed: list[StagedFile] = []
        try:
            for f in staged:
                final = self.root / ds.name / f"brand={f.brand}" / f"month={f.month}" / f.path.name
                final.parent.mkdir(parents=True, exist_ok=True)
                _fsync(f.path)
                os.replace(f.path, final)
                _fsync(final.parent)
                placed.append(StagedFile(f.brand, f.month, final, f.rows))
            total = sum(f.rows for f in placed) if rows is None else rows
            seq = self._record(
                ds, batch_id, total, placed, actor, source, kind, retire, note, on_commit
            )
        except BaseException:
            # Nothing was recorded: the placed files are orphans; remove them now if we can
            # (``lake check`` removes them otherwise).
            for f in placed:
                f.path.unlink(missing_ok=True)
            raise
        if retire:
            self._delete_retired(retire)
        log.info(
            "lake: committed %s batch %s (%s, %d rows, %d files)",
            ds.name,
            batch_id,
            kind,
            total,
            len(placed),
        )
        return CommittedBatch(
            batch_id=batch_id,
            seq=seq,
            dataset=ds.name,
            rows=total,
            files=tuple(str(f.path.relative_to(self.root)) for f in placed),
            partitions=tuple(sorted({(f.brand, f.month) for f in placed})),
        )

    def _record(
        self,
        ds: Dataset,
        batch_id: str,
        rows: int,
        placed: list[StagedFile],
        actor: Actor,
        source: str | None,
        kind: str,
        retire: Sequence[int],
        note: str | None,
        on_commit: Callable[[Session, int], None] | None = None,
    ) -> int:
        brands = {f.brand for f in placed}
        with self.ctx.transaction() as s:
            batch = LakeBatch(
                batch_id=batch_id,
                dataset=ds.name,
                brand=next(iter(brands)) if len(brands) == 1 else None,
                rows=rows,
                kind=kind,
                source=source[:300] if source else None,
                committed_by=actor.name,
                note=note,
            )
            s.add(batch)
            s.flush()
            for f in placed:
                s.add(
                    LakeFile(
                        batch_seq=batch.seq,
                        dataset=ds.name,
                        brand=f.brand,
                        month=f.month,
                        path=str(f.path.relative_to(self.root)),
                        rows=f.rows,
                        bytes=f.path.stat().st_size,
                    )
                )
            if retire:
                done: CursorResult[Any] = s.execute(  # type: ignore[assignment]
                    update(LakeFile)
                    .where(LakeFile.id.in_(list(retire)), LakeFile.active.is_(True))
                    .values(active=False, retired_seq=batch.seq)
                )
                if done.rowcount != len(set(retire)):
                    raise LakeConflict(
                        f"{len(set(retire)) - done.rowcount} file(s) to retire are no longer active"
                    )
            if on_commit is not None:
                on_commit(s, batch.seq)
            return batch.seq

    def _files_by_id(self, file_ids: Iterable[int]) -> list[LakeFile]:
        ids = list(file_ids)
        if not ids:
            return []
        with self.ctx.read() as s:
            return list(s.scalars(select(LakeFile).where(LakeFile.id.in_(ids))))

    def _delete_retired(self, file_ids: Iterable[int]) -> None:
        for f in self._files_by_id(file_ids):
            if not f.active:
                (self.root / f.path).unlink(missing_ok=True)

    # ---- reading -------------------------------------------------------------------------
    def version(self) -> int:
        """The data version: the sequence number of the last committed batch (0 when empty)."""
        with self.ctx.read() as s:
            return int(s.scalar(select(func.max(LakeBatch.seq))) or 0)

    def files(
        self,
        dataset_name: str,
        *,
        brands: Iterable[str] | None = None,
        months: Iterable[str] | None = None,
    ) -> list[FileInfo]:
        """The visible (committed, active) files of a dataset, optionally of some partitions."""
        stmt = (
            select(LakeFile)
            .where(LakeFile.dataset == dataset(dataset_name).name, LakeFile.active.is_(True))
            .order_by(LakeFile.id)
        )
        if brands is not None:
            stmt = stmt.where(LakeFile.brand.in_(list(brands)))
        if months is not None:
            stmt = stmt.where(LakeFile.month.in_(list(months)))
        with self.ctx.read() as s:
            return [
                FileInfo(f.id, f.dataset, f.brand, f.month, self.root / f.path, f.rows, f.batch_seq)
                for f in s.scalars(stmt)
            ]

    def batches(self, since_seq: int = 0) -> list[LakeBatch]:
        with self.ctx.read() as s:
            return list(
                s.scalars(
                    select(LakeBatch).where(LakeBatch.seq > since_seq).order_by(LakeBatch.seq)
                )
            )

    def arrow(
        self,
        dataset_name: str,
        *,
        brands: Iterable[str] | None = None,
        months: Iterable[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Committed rows as one Arrow table (small reads: drill-downs, tests)."""
        ds = dataset(dataset_name)
        paths = [str(f.path) for f in self.files(ds.name, brands=brands, months=months)]
        schema = ds.stored if columns is None else pa.schema([ds.stored.field(c) for c in columns])
        if not paths:
            return schema.empty_table()
        import pyarrow.dataset as pads

        return pads.dataset(paths, schema=ds.stored, format="parquet").to_table(
            columns=list(schema.names)
        )

    @cached_property
    def backend(self) -> ibis.BaseBackend:
        """The Ibis backend chosen by ``YOUGUAN_ENGINE``."""
        from youguan.lake.engines import connect

        backend = connect(self.ctx.settings)
        self.ctx.on_close(lambda: backend.disconnect())
        return backend

    def table(
        self,
        dataset_name: str,
        *,
        brands: Iterable[str] | None = None,
        months: Iterable[str] | None = None,
    ) -> ir.Table:
        """An Ibis table over the committed files of a dataset (only committed files)."""
        from youguan.lake.engines import parquet_table

        ds = dataset(dataset_name)
        paths = tuple(str(f.path) for f in self.files(ds.name, brands=brands, months=months))
        key = (ds.name, paths)
        if key in self._views:
            self._views.move_to_end(key)
        else:
            self._views[key] = parquet_table(self.backend, ds, list(paths))
            while len(self._views) > VIEW_CACHE:
                self._views.popitem(last=False)
        return self._views[key]


def month_of(ts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """YYYY-MM of each instant in Asia/Shanghai (the partition month, DOMAIN §1 "Time").

    Formats each distinct month once (``strftime`` per row is an order of magnitude slower)."""
    if isinstance(ts, pa.ChunkedArray):
        ts = ts.combine_chunks()
    local = pc.local_timestamp(ts.cast(pa.timestamp("us", tz="Asia/Shanghai")))
    months = pc.dictionary_encode(pc.floor_temporal(local, unit="month"))
    labels = pc.strftime(months.dictionary, format="%Y-%m")
    return pc.take(labels, months.indices)
