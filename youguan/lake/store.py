"""Committing batches to the lake and reading what is committed.

Commit protocol (a crash at any moment leaves the whole batch or nothing visible):

1. every partition of the batch is written to ``lake/_staging/<batch>/…`` and fsynced;
2. each staged file is renamed to its final place ``lake/<dataset>/brand=…/month=…/`` (a rename is
   atomic on one file system) — the file is now on disk but *not visible*, because readers list
   files from the manifest, never from the directory;
3. one transaction of the operational store inserts the batch row and its file rows (and retires
   the files a compaction or correction replaces). Only now is the batch visible.

A crash before 3 leaves orphan files that no query sees; ``youguan lake check`` removes them.
Files contain their partition columns (``brand``, ``month``) as well, so readers never depend on
parsing directory names.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import func, select, update

from youguan.auth.actor import Actor
from youguan.ingest.schemas import Dataset, dataset
from youguan.lake.models import LakeBatch, LakeFile

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

    from youguan.context import Context

log = logging.getLogger(__name__)

STAGING = "_staging"
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "row_group_size": 256 * 1024}


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


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Lake:
    """The lake of one context. Build through ``Context.lake``."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.root = ctx.settings.lake_dir
        self._views: dict[tuple[str, tuple[str, ...]], ir.Table] = {}

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
        visible in the same transaction that makes the new files visible."""
        ds = dataset(dataset_name)
        batch_id = batch_id or uuid.uuid4().hex
        table = conform(ds, table)
        table = table.set_column(
            table.schema.get_field_index("batch_id"),
            "batch_id",
            pa.array([batch_id] * table.num_rows, pa.string()),
        )
        staging = self.root / STAGING / batch_id
        placed: list[tuple[str, str, Path, int]] = []
        try:
            staged = self._stage(ds, table, staging, batch_id)
            for brand, month, tmp, rows in staged:
                final = self.root / ds.name / f"brand={brand}" / f"month={month}" / tmp.name
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                _fsync_dir(final.parent)
                placed.append((brand, month, final, rows))
            seq = self._record(
                ds, batch_id, table.num_rows, placed, actor, source, kind, retire, note
            )
        except BaseException:
            # Nothing was recorded: the placed files are orphans; remove them now if we can
            # (``lake check`` removes them otherwise).
            for _, _, path, _ in placed:
                path.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        brands = {b for b, *_ in placed}
        if retire:
            self._delete_retired(retire)
        log.info(
            "lake: committed %s batch %s (%d rows, %d files, brands %s)",
            ds.name,
            batch_id,
            table.num_rows,
            len(placed),
            ",".join(sorted(brands)),
        )
        return CommittedBatch(
            batch_id=batch_id,
            seq=seq,
            dataset=ds.name,
            rows=table.num_rows,
            files=tuple(str(p.relative_to(self.root)) for _, _, p, _ in placed),
            partitions=tuple(sorted({(b, m) for b, m, _, _ in placed})),
        )

    def _stage(
        self, ds: Dataset, table: pa.Table, staging: Path, batch_id: str
    ) -> list[tuple[str, str, Path, int]]:
        staging.mkdir(parents=True, exist_ok=True)
        out: list[tuple[str, str, Path, int]] = []
        if table.num_rows == 0:
            return out
        keys = pc.binary_join_element_wise(table["brand"], table["month"], "\x1f")
        for key in pc.unique(keys).to_pylist():
            brand, month = key.split("\x1f")
            part = table.filter(pc.equal(keys, key))
            path = staging / f"{ds.name}-{brand}-{month}-{batch_id}.parquet"
            pq.write_table(part, path, **PARQUET_OPTIONS)
            _fsync_file(path)
            out.append((brand, month, path, part.num_rows))
        return out

    def _record(
        self,
        ds: Dataset,
        batch_id: str,
        rows: int,
        placed: list[tuple[str, str, Path, int]],
        actor: Actor,
        source: str | None,
        kind: str,
        retire: Sequence[int],
        note: str | None,
    ) -> int:
        brands = {b for b, *_ in placed}
        with self.ctx.transaction() as s:
            batch = LakeBatch(
                batch_id=batch_id,
                dataset=ds.name,
                brand=next(iter(brands)) if len(brands) == 1 else None,
                rows=rows,
                kind=kind,
                source=source,
                committed_by=actor.name,
                note=note,
            )
            s.add(batch)
            s.flush()
            for brand, month, path, n in placed:
                s.add(
                    LakeFile(
                        batch_seq=batch.seq,
                        dataset=ds.name,
                        brand=brand,
                        month=month,
                        path=str(path.relative_to(self.root)),
                        rows=n,
                        bytes=path.stat().st_size,
                    )
                )
            if retire:
                s.execute(
                    update(LakeFile)
                    .where(LakeFile.id.in_(list(retire)), LakeFile.active.is_(True))
                    .values(active=False, retired_seq=batch.seq)
                )
            return batch.seq

    def _delete_retired(self, file_ids: Iterable[int]) -> None:
        with self.ctx.read() as s:
            paths = s.scalars(
                select(LakeFile.path).where(
                    LakeFile.id.in_(list(file_ids)), LakeFile.active.is_(False)
                )
            )
            for rel in paths:
                (self.root / rel).unlink(missing_ok=True)

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
        if key not in self._views:
            self._views[key] = parquet_table(self.backend, ds, list(paths))
        return self._views[key]


def month_of(ts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """YYYY-MM of each instant in Asia/Shanghai (the partition month, DOMAIN §1 "Time")."""
    return pc.strftime(ts.cast(pa.timestamp("us", tz="Asia/Shanghai")), format="%Y-%m")
