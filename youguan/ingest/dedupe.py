"""Exactly once, and the checks that need the lake (issue items 4 and 6), on DuckDB.

For the staged partition files of a batch (validated, in the stored schema) and the lake's
committed files, :class:`Settler` finds

- events before their waybill's acceptance, when the waybill is in the lake (rejected);
- duplicates: rows whose key repeats an earlier row of the batch, or a committed row
  (``duplicates``, not stored). Keys: brand + ``waybill_no`` for waybills; brand + ``waybill_no``
  + event + ``occurred_at`` for events, an unmapped event keying on its raw code (or text);
  brand + ``waybill_no`` + kind + ``checked_at`` for security records; brand + county + month for
  statistics;
- in a correction, the committed rows the batch replaces;

and writes the staged files without the rows it drops, and copies of the corrected lake files
without the rows they lose.

The batch arrives as main files (rows certainly the first of their key in the file) and suspect
files (rows that may repeat one, see :mod:`youguan.ingest.seen`). Rows are compared by a 64-bit
hash of their key first; only suspects and the main rows sharing a hash with a suspect or a
committed row are compared on the full key, so main files are rewritten only when they hold a
committed key. Memory stays bounded whatever the batch size: every set of rows (late, dropped,
replaced) stays in DuckDB tables, which spill to the batch's staging directory beyond the memory
limit, and rejected rows stream out in batches. Lake files are pruned by brand and, where the key
contains the partition's time, by month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from youguan.ingest.schemas import Dataset
from youguan.lake.store import FileInfo, Lake
from youguan.lake.writer import StagedFile

# Key columns as SQL over the stored schema (constants of this module, never user input).
KEY_SQL: dict[str, tuple[str, ...]] = {
    "waybills": ("brand", "waybill_no"),
    "events": (
        "brand",
        "waybill_no",
        "coalesce(event, 'raw:' || coalesce(raw_code, 'text:' || raw_text))",
        "occurred_at",
    ),
    "security": ("brand", "waybill_no", "kind", "checked_at"),
    "statistics": ("brand", "county_code", "month"),
}
# The plain columns of each key, for the seen filter (:mod:`youguan.ingest.seen`): rows with
# equal keys have equal values here, and these can be hashed from a file's columns as read,
# before the crosswalk names an event (see :mod:`youguan.ingest.sqlscan`).
FILTER_KEY: dict[str, tuple[str, ...]] = {
    "waybills": ("brand", "waybill_no"),
    "events": ("brand", "waybill_no", "occurred_at"),
    "security": ("brand", "waybill_no", "kind", "checked_at"),
    "statistics": ("brand", "county_code", "month"),
}
KEYS_KEPT = 1000
# Datasets whose key holds the partition's time: a duplicate lives in the same month partition.
MONTH_PRUNED = {"events", "security", "statistics"}


@dataclass
class Settlement:
    duplicates: int = 0
    corrected: int = 0
    keys: list[list[Any]] = field(default_factory=list)  # keys corrected (the first KEYS_KEPT)


def connect(temp_dir: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    temp_dir.mkdir(parents=True, exist_ok=True)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET temp_directory = ?", [str(temp_dir)])
    con.execute("SET preserve_insertion_order = false")
    return con


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.datetime) else v


class Settler:
    """The lake-side steps of one batch, on one DuckDB connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        lake: Lake,
        ds: Dataset,
        main: list[StagedFile],
        suspects: list[StagedFile] | None = None,
    ) -> None:
        self.con = con
        self.lake = lake
        self.ds = ds
        self.main = main
        self.suspects = suspects or []
        self.parts = [*self.main, *self.suspects]
        self.brands = sorted({f.brand for f in self.parts})
        self.months = sorted({f.month for f in self.parts})
        self.paths = [str(f.path) for f in self.parts]
        self.main_paths = [str(f.path) for f in self.main]
        self.suspect_paths = [str(f.path) for f in self.suspects]
        self.keys = KEY_SQL[ds.name]
        self.names = [f"k{i}" for i in range(len(self.keys))]
        self.hash = f"hash({', '.join(self.keys)})"
        self.lake_files: list[FileInfo] = lake.files(
            ds.name,
            brands=self.brands,
            months=self.months if ds.name in MONTH_PRUNED else None,
        )
        for table in ("late", "drops", "replaced"):
            self._run(f"CREATE OR REPLACE TEMP TABLE {table} (f VARCHAR, pos BIGINT)")

    # ---- events before acceptance ---------------------------------------------------------
    def before_acceptance(self) -> int:
        """Mark staged events that happened before their committed waybill was accepted; only
        waybills accepted in the batch's earliest month or later can be."""
        first = min(self.months, default="")
        waybills = [
            str(f.path) for f in self.lake.files("waybills", brands=self.brands) if f.month >= first
        ]
        if not self.paths or not waybills:
            return 0
        self._run(
            """
            CREATE OR REPLACE TEMP TABLE late_rows AS
            SELECT s.*, s.filename AS f, s.file_row_number AS pos
            FROM read_parquet($parts, filename = true, file_row_number = true) s
            JOIN (
                SELECT brand, waybill_no, min(accepted_at) AS accepted_at
                FROM read_parquet($waybills) GROUP BY ALL
            ) w ON s.brand = w.brand AND s.waybill_no = w.waybill_no
            WHERE s.occurred_at < w.accepted_at
            """,
            {"parts": self.paths, "waybills": waybills},
        )
        self._run("INSERT INTO late SELECT f, pos FROM late_rows")
        return int(self._scalar("SELECT count(*) FROM late"))

    def late_batches(self, rows: int) -> Iterator[pa.RecordBatch]:
        """The late rows (stored schema), by source row, in batches of ``rows``."""
        if not self._scalar("SELECT count(*) FROM late"):
            return iter(())
        reader = self.con.sql(
            "SELECT * EXCLUDE (filename, file_row_number, f, pos) FROM late_rows "
            "ORDER BY source_row"
        ).to_arrow_reader(rows)
        return iter(reader)

    # ---- duplicates and corrections -------------------------------------------------------
    def settle(self, *, correct: bool = False) -> Settlement:
        """Mark duplicates to drop (or, in a correction, committed rows to replace).

        Candidates are every suspect row (see :mod:`youguan.ingest.seen`) and the main rows
        whose key hash is a suspect's or a committed row's; only they are compared on the full
        key. A main row is always the first of its key in the file, so only lake matches ever
        drop a main row (and force its file to be rewritten)."""
        out = Settlement()
        if not self.paths:
            return out
        keys = ", ".join(f"{k} AS {n}" for k, n in zip(self.keys, self.names, strict=True))

        def scan(param: str, where: str = "") -> str:
            sql = f"""
                SELECT {keys}, {self.hash} AS h, source_row, filename AS f, file_row_number AS pos
                FROM read_parquet(${param}, filename = true, file_row_number = true) {where}
            """  # noqa: S608 - key expressions are this module's constants
            return f"SELECT s.* FROM ({sql}) s ANTI JOIN late USING (f, pos)"  # noqa: S608

        empty = "SELECT NULL::UBIGINT AS h WHERE false"
        params: dict[str, Any] = {}
        main = sus = None
        if self.main_paths:
            params["main"] = self.main_paths
            where = ""
            if not self.lake_files and self.suspect_paths:
                # Without committed files a main row matters only if it shares its key with a
                # suspect, hence its second key column (the waybill number): DuckDB then reads
                # the main files' other columns for those few rows only.
                near = self.keys[1]
                where = f"WHERE {near} IN (SELECT {near} FROM read_parquet($suspects))"  # noqa: S608
            main = scan("main", where)
        if self.suspect_paths:
            params["suspects"] = self.suspect_paths
            sus = scan("suspects")
        # a side without files is the other side's columns, empty
        main = main or f"SELECT * FROM ({sus}) WHERE false"  # noqa: S608
        sus = sus or f"SELECT * FROM ({main}) WHERE false"  # noqa: S608
        if self.lake_files:
            params["lake"] = [str(f.path) for f in self.lake_files]
            in_lake = f"""
                SELECT DISTINCT {self.hash} AS h FROM read_parquet($lake)
                WHERE {self.hash} IN (SELECT h FROM main UNION ALL SELECT h FROM sus)
            """  # noqa: S608
        else:
            in_lake = empty
        self._run(
            f"""
            CREATE OR REPLACE TEMP TABLE cand AS
            WITH main AS ({main}),
                 sus AS ({sus}),
                 in_lake AS ({in_lake}),
                 hot AS (SELECT h FROM sus UNION SELECT h FROM in_lake),
                 pool AS (
                     SELECT * FROM main WHERE h IN (SELECT h FROM hot)
                     UNION ALL SELECT * FROM sus
                 )
            SELECT *, row_number() OVER (PARTITION BY {", ".join(self.names)}
                                         ORDER BY source_row) AS nth
            FROM pool
            """,  # noqa: S608
            params,
        )
        self._run("INSERT INTO drops SELECT f, pos FROM cand WHERE nth > 1")
        if self.lake_files:
            on = " AND ".join(f"c.{n} = l.{n}" for n in self.names)
            self._run(
                f"""
                CREATE OR REPLACE TEMP TABLE matched AS
                WITH l AS (
                    SELECT {keys}, filename AS f, file_row_number AS pos
                    FROM read_parquet($lake, filename = true, file_row_number = true)
                    WHERE {self.hash} IN (SELECT h FROM cand)
                )
                SELECT c.f AS cf, c.pos AS cpos, c.source_row, l.f AS lf, l.pos AS lpos,
                       {", ".join(f"c.{n}" for n in self.names)}
                FROM cand c JOIN l ON {on}
                WHERE c.nth = 1
                """,  # noqa: S608
                {"lake": params["lake"]},
            )
            if correct:
                self._run("INSERT INTO replaced SELECT DISTINCT lf, lpos FROM matched")
                out.corrected = int(
                    self._scalar("SELECT count(*) FROM (SELECT DISTINCT cf, cpos FROM matched)")
                )
                rows = self._run(
                    f"""
                    SELECT DISTINCT source_row, {", ".join(self.names)} FROM matched
                    ORDER BY source_row LIMIT {KEYS_KEPT}
                    """  # noqa: S608
                )
                out.keys = [[_jsonable(v) for v in r[1:]] for r in rows]
            else:
                self._run("INSERT INTO drops SELECT DISTINCT cf, cpos FROM matched")
        out.duplicates = int(self._scalar("SELECT count(*) FROM drops"))
        return out

    # ---- output ---------------------------------------------------------------------------
    def write_parts(self, row_group_rows: int) -> list[StagedFile]:
        """The staged files without late and duplicate rows (rewritten in place)."""
        out: list[StagedFile] = []
        for f in self.parts:
            gone = self._scalar(
                "SELECT count(*) FROM (SELECT pos FROM late WHERE f = $f "
                "UNION SELECT pos FROM drops WHERE f = $f)",
                {"f": str(f.path)},
            )
            if not gone:
                out.append(f)
                continue
            tmp = f.path.with_suffix(".filtered")
            rows = self._copy_without(f.path, tmp, "late_and_drops", row_group_rows)
            f.path.unlink()
            if rows:
                tmp.rename(f.path)
                out.append(StagedFile(f.brand, f.month, f.path, rows))
            else:
                tmp.unlink(missing_ok=True)
        return out

    def replaced_files(self) -> dict[int, int]:
        """Lake file id → rows a correction removes from it."""
        by_path = {str(f.path): f.id for f in self.lake_files}
        return {
            by_path[f]: int(n) for f, n in self._run("SELECT f, count(*) FROM replaced GROUP BY f")
        }

    def write_replaced(self, folder: Path, batch_id: str, row_group_rows: int) -> list[StagedFile]:
        """Copies of the lake files a correction touches, without the rows it replaces."""
        out: list[StagedFile] = []
        replaced = self.replaced_files()
        for info in self.lake_files:
            if info.id not in replaced:
                continue
            name = f"{self.ds.name}-{info.brand}-{info.month}-{batch_id}-r{info.id}.parquet"
            target = folder / name
            rows = self._copy_without(info.path, target, "replaced", row_group_rows)
            if rows:
                out.append(StagedFile(info.brand, info.month, target, rows))
            else:
                target.unlink(missing_ok=True)
        return out

    def _copy_without(self, source: Path, target: Path, which: str, row_group_rows: int) -> int:
        gone = {
            "late_and_drops": (
                "SELECT pos FROM late WHERE f = $f UNION SELECT pos FROM drops WHERE f = $f"
            ),
            "replaced": "SELECT pos FROM replaced WHERE f = $f",
        }[which]
        columns = ", ".join(f'"{name}"' for name in self.ds.stored.names)
        self._run(
            f"""
            COPY (
                SELECT {columns} FROM read_parquet($f, file_row_number = true)
                WHERE file_row_number NOT IN ({gone})
            ) TO '{_quote(target)}'
            (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {int(row_group_rows)})
            """,  # noqa: S608 - column names are the dataset's; the path is ours, quoted
            {"f": str(source)},
        )
        return int(pq.read_metadata(target).num_rows) if target.exists() else 0

    def _run(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Execute and drain (DuckDB keeps an undrained result open on the connection)."""
        return self.con.execute(sql, params or {}).fetchall()

    def _scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        rows = self._run(sql, params)
        return rows[0][0] if rows else None


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
