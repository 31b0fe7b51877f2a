"""The committed lake pinned at one data version.

A computation reads the files committed up to the version it started at, so a batch committed
while it runs is neither half-seen nor lost (the next incremental run picks it up), and a
drill-down of an older fact reads the very files that fact was computed from — unless a later
compaction or correction has replaced them, which :attr:`LakeView.exact` then says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, select

from youguan.ingest.schemas import dataset
from youguan.lake.models import LakeFile
from youguan.lake.store import FileInfo, Lake

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir


@dataclass
class LakeView:
    lake: Lake
    version: int
    exact: bool = True  # False: files of this version were replaced; the current files are read
    # The engine its tables are read with: the lake's own unless given (see
    # :func:`youguan.indicators.staging.aggregate_chunks`, which reads chunks on a pool).
    backend: ibis.BaseBackend | None = field(default=None, repr=False)
    _tables: dict[tuple[str, tuple[str, ...]], ir.Table] = field(default_factory=dict, repr=False)

    @classmethod
    def current(cls, lake: Lake) -> LakeView:
        return cls(lake, lake.version())

    @classmethod
    def at(cls, lake: Lake, version: int) -> LakeView:
        """The lake as it was at ``version`` when its files still exist; otherwise the current
        lake with ``exact=False``."""
        with lake.ctx.read() as s:
            replaced = s.scalar(
                select(
                    exists().where(
                        and_(LakeFile.batch_seq <= version, LakeFile.retired_seq > version)
                    )
                )
            )
        if replaced:
            return cls(lake, lake.version(), exact=False)
        return cls(lake, version)

    def files(
        self,
        dataset_name: str,
        *,
        brands: Iterable[str] | None = None,
        month_from: str | None = None,
        month_to: str | None = None,
    ) -> list[FileInfo]:
        """Visible files of ``dataset_name`` committed up to this version, optionally of some
        brands and of months in ``[month_from, month_to]`` (``YYYY-MM`` compare as text)."""
        out = []
        for f in self.lake.files(dataset_name, brands=brands):
            if self.exact and f.batch_seq > self.version:
                continue
            if month_from is not None and f.month < month_from:
                continue
            if month_to is not None and f.month > month_to:
                continue
            out.append(f)
        return out

    @property
    def table_backend(self) -> ibis.BaseBackend:
        return self.backend if self.backend is not None else self.lake.backend

    def months(self, dataset_name: str) -> list[str]:
        return sorted({f.month for f in self.files(dataset_name)})

    def table(
        self,
        dataset_name: str,
        *,
        brands: Iterable[str] | None = None,
        month_from: str | None = None,
        month_to: str | None = None,
    ) -> ir.Table:
        """An Ibis table over the selected files (an empty table of the stored schema if none)."""
        from youguan.lake.engines import parquet_table

        ds = dataset(dataset_name)
        files = self.files(ds.name, brands=brands, month_from=month_from, month_to=month_to)
        paths = tuple(str(f.path) for f in files)
        key = (ds.name, paths)
        if key not in self._tables:
            self._tables[key] = parquet_table(self.table_backend, ds, list(paths))
        return self._tables[key]
