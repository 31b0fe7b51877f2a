"""Which rows of a file may repeat an earlier row, decided while the file streams by.

A fixed-size Bloom filter over the 64-bit hashes of the rows' keys (DuckDB's ``hash`` of the
key columns): a row whose hash is certainly new goes to the batch's main files; a row that *may*
have been seen (a repeat in the file, or a false positive of the filter) goes to a small
"suspects" file that :mod:`youguan.ingest.dedupe` checks exactly. The main files then never need
rewriting to remove a repeat, and memory stays fixed whatever the file size: a larger file only
raises the false-positive share, which costs exact checks, never correctness (the filter has no
false negatives).

The filter keeps one byte per slot rather than one bit so that setting many slots at once is a
single NumPy assignment with no lost updates, and it is blocked: a key's probes fall in one
64-byte block (one cache line), which keeps the probing of a large filter cheap.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

MIN_SLOTS = 1 << 16
MAX_SLOTS = 1 << 26  # 64 MB
PROBES = 3
BLOCK = 64


def slots_for(expected_rows: int) -> int:
    want = max(expected_rows * 8, MIN_SLOTS)
    return int(min(1 << int(np.ceil(np.log2(want))), MAX_SLOTS))


class SeenFilter:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, key_sql: tuple[str, ...], slots: int
    ) -> None:
        self.con = con
        self.hash_sql = f"SELECT hash({', '.join(key_sql)}) AS h FROM batch"  # noqa: S608
        blocks = max(slots // BLOCK, 1)
        self.blocks = np.uint64(blocks - 1)  # a power of two minus one: a mask
        self.slots = np.zeros(blocks * BLOCK, dtype=np.uint8)

    def hashes(self, table: pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> np.ndarray:
        """The key hash of every row (thread-safe when each thread passes its own cursor)."""
        con = con or self.con
        con.register("batch", table)
        try:
            out = con.sql(self.hash_sql).fetchnumpy()["h"]
        finally:
            con.unregister("batch")
        return np.asarray(out, dtype=np.uint64)

    def _positions(self, h: np.ndarray) -> list[np.ndarray]:
        base = (h & self.blocks) * np.uint64(BLOCK)
        return [base + ((h >> np.uint64(32 + 6 * i)) & np.uint64(BLOCK - 1)) for i in range(PROBES)]

    def suspects(self, table: pa.Table) -> np.ndarray:
        """Mark the rows that may repeat a row seen before (in this call or an earlier one),
        then remember every row."""
        return self.check(self.hashes(table))

    def check(self, h: np.ndarray) -> np.ndarray:
        """:meth:`suspects` for hashes already computed (batches must come in file order)."""
        positions = self._positions(h)
        seen = np.ones(len(h), dtype=bool)
        for p in positions:
            seen &= self.slots[p] != 0
        repeat = pd.Series(h).duplicated().to_numpy()  # later occurrences within the batch
        for p in positions:
            self.slots[p] = 1
        return seen | repeat
