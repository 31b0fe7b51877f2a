"""Exactly once, and the checks that need the lake (issue items 4 and 6), on DuckDB.

Given the staged partition files of a batch (already validated, in the stored schema) and the
lake's committed files, :func:`settle` finds

- events before their waybill's acceptance, when the waybill is in the lake (rejected);
- duplicates: rows whose key repeats an earlier row of the batch, or a committed row
  (``duplicates``, not stored). Keys: brand + ``waybill_no`` for waybills; brand + ``waybill_no``
  + event + ``occurred_at`` for events, an unmapped event keying on its raw code (or text);
  brand + ``waybill_no`` + kind + ``checked_at`` for security records; brand + county + month for
  statistics;
- in a correction, the committed rows the batch replaces.

Memory stays bounded: rows are first compared by a 64-bit hash of their key (a streaming
aggregate), and only rows whose hash repeats — in the batch or in the lake — are compared on the
full key. DuckDB runs with a memory limit and spills to the batch's staging directory. Lake
files are pruned by brand and, where the key contains the partition's time, by month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from youguan.ingest.schemas import Dataset
from youguan.lake.store import FileInfo, Lake

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
KEYS_KEPT = 1000
# Datasets whose key holds the partition's time: a duplicate lives in the same month partition.
MONTH_PRUNED = {"events", "security", "statistics"}


@dataclass
class Settlement:
    drop: dict[Path, np.ndarray] = field(default_factory=dict)  # staged file → row positions
    duplicates: int = 0
    late: pa.Table | None = None  # rows rejected as before acceptance (stored schema)
    replace: dict[int, np.ndarray] = field(default_factory=dict)  # lake file id → positions
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


def _key_select(ds: Dataset) -> str:
    return ", ".join(f"{k} AS k{i}" for i, k in enumerate(KEY_SQL[ds.name]))


def _key_names(ds: Dataset) -> list[str]:
    return [f"k{i}" for i in range(len(KEY_SQL[ds.name]))]


def lake_files_for(lake: Lake, ds: Dataset, brands: set[str], months: set[str]) -> list[FileInfo]:
    return lake.files(
        ds.name, brands=sorted(brands), months=sorted(months) if ds.name in MONTH_PRUNED else None
    )


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.datetime) else v


def _group_positions(rows: list[tuple[str, int]]) -> dict[str, np.ndarray]:
    by_file: dict[str, list[int]] = defaultdict(list)
    for name, pos in rows:
        by_file[name].append(pos)
    return {name: np.unique(np.array(p, dtype=np.int64)) for name, p in by_file.items()}


def before_acceptance(
    con: duckdb.DuckDBPyConnection, lake: Lake, parts: list[Path], brands: set[str], first: str
) -> pa.Table:
    """Staged event rows that happened before their (committed) waybill was accepted, with
    ``filename`` and ``file_row_number``. ``first`` is the earliest month of the batch: only
    waybills accepted in that month or later can be accepted after one of its events."""
    waybills = [f for f in lake.files("waybills", brands=sorted(brands)) if f.month >= first]
    if not waybills:
        return pa.table({"filename": pa.array([], pa.string())})
    return con.sql(
        """
        SELECT s.*, w.accepted_at AS waybill_accepted_at
        FROM read_parquet($parts, filename = true, file_row_number = true) s
        JOIN (
            SELECT brand, waybill_no, min(accepted_at) AS accepted_at
            FROM read_parquet($waybills) GROUP BY ALL
        ) w ON s.brand = w.brand AND s.waybill_no = w.waybill_no
        WHERE s.occurred_at < w.accepted_at
        ORDER BY s.source_row
        """,
        params={"parts": [str(p) for p in parts], "waybills": [str(f.path) for f in waybills]},
    ).to_arrow_table()


def settle(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    ds: Dataset,
    parts: list[Path],
    *,
    brands: set[str],
    months: set[str],
    exclude: dict[Path, np.ndarray] | None = None,
    correct: bool = False,
) -> Settlement:
    """Find duplicates (and, in a correction, the committed rows to replace) for the staged
    ``parts``. Rows listed in ``exclude`` (already rejected) take no part."""
    out = Settlement()
    if not parts:
        return out
    lake_files = lake_files_for(lake, ds, brands, months)
    params: dict[str, object] = {"parts": [str(p) for p in parts]}
    keys = _key_select(ds)
    names = _key_names(ds)
    hash_expr = f"hash({', '.join(KEY_SQL[ds.name])})"
    staged_sql = f"""
        SELECT {keys}, {hash_expr} AS h, source_row, filename AS f, file_row_number AS pos
        FROM read_parquet($parts, filename = true, file_row_number = true)
    """  # noqa: S608 - key expressions are this module's constants
    excluded = [(str(p), int(pos)) for p, arr in (exclude or {}).items() for pos in arr]
    if excluded:
        con.execute("CREATE OR REPLACE TEMP TABLE excluded (f VARCHAR, pos BIGINT)")
        con.executemany("INSERT INTO excluded VALUES (?, ?)", excluded)
        staged_sql = f"SELECT s.* FROM ({staged_sql}) s ANTI JOIN excluded e USING (f, pos)"  # noqa: S608
    if lake_files:
        params["lake"] = [str(f.path) for f in lake_files]
        lake_hashes = f"""
            SELECT DISTINCT {hash_expr} AS h FROM read_parquet($lake)
            WHERE {hash_expr} IN (SELECT h FROM staged)
        """  # noqa: S608
    else:
        lake_hashes = "SELECT NULL::UBIGINT AS h WHERE false"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cand AS
        WITH staged AS ({staged_sql}),
             repeated AS (SELECT h FROM staged GROUP BY h HAVING count(*) > 1),
             in_lake AS ({lake_hashes})
        SELECT * FROM staged
        WHERE h IN (SELECT h FROM repeated) OR h IN (SELECT h FROM in_lake)
        """,  # noqa: S608
        params,
    )
    # In-batch duplicates: every row but the first of its exact key.
    within = con.execute(
        f"""
        SELECT f, pos FROM cand
        QUALIFY row_number() OVER (PARTITION BY {", ".join(names)} ORDER BY source_row) > 1
        """  # noqa: S608
    ).fetchall()
    drop = list(within)
    if lake_files:
        on = " AND ".join(f"c.{n} = l.{n}" for n in names)
        firsts = f"""
            SELECT * FROM cand
            QUALIFY row_number() OVER (PARTITION BY {", ".join(names)} ORDER BY source_row) = 1
        """  # noqa: S608
        lake_rows = f"""
            SELECT {keys}, filename AS f, file_row_number AS pos
            FROM read_parquet($lake, filename = true, file_row_number = true)
            WHERE {hash_expr} IN (SELECT h FROM cand)
        """  # noqa: S608
        matched = con.execute(
            f"""
            WITH firsts AS ({firsts}), l AS ({lake_rows})
            SELECT c.f AS cf, c.pos AS cpos, l.f AS lf, l.pos AS lpos,
                   {", ".join(f"c.{n}" for n in names)}
            FROM firsts c JOIN l ON {on}
            ORDER BY c.source_row
            """,  # noqa: S608
            {"lake": params["lake"]},
        ).fetchall()
        if correct:
            by_path = {str(f.path): f.id for f in lake_files}
            seen: set[tuple[str, int]] = set()
            for cf, cpos, _, _, *key in matched:
                if (cf, cpos) not in seen:
                    seen.add((cf, cpos))
                    if len(out.keys) < KEYS_KEPT:
                        out.keys.append([_jsonable(k) for k in key])
            out.corrected = len(seen)
            old = [(lf, lp) for _, _, lf, lp, *_ in matched]
            for name, positions in _group_positions(old).items():
                out.replace[by_path[name]] = positions
        else:
            drop.extend({(cf, cpos) for cf, cpos, *_ in matched})
    out.duplicates = len(drop)
    out.drop = {Path(name): pos for name, pos in _group_positions(drop).items()}
    return out
