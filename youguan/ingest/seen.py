"""Which rows of a file may repeat an earlier row, decided while the file streams by.

A fixed-size Bloom filter over the 64-bit hashes of the rows' keys (DuckDB's ``hash`` of the
key columns): a row whose hash is certainly new goes to the batch's main files; a row that *may*
have been seen (a repeat in the file, or a false positive of the filter) goes to a small
"suspects" file that :mod:`youguan.ingest.dedupe` checks exactly. The main files then never need
rewriting to remove a repeat, and memory stays fixed whatever the file size: a larger file only
raises the false-positive share, which costs exact checks, never correctness (the filter has no
false negatives).

The filter is blocked to one 64-bit word per key: a key sets :data:`PROBES` bits of one word, so
testing and remembering it costs one random memory access each (three separate byte probes cost
three cache misses, which dominated the ingest's ordered, single-threaded step). Everything that
depends on the hashes alone (:meth:`SeenFilter.probes`, with the repeats inside a batch) can run
on a worker thread; only :meth:`SeenFilter.check` must see the batches in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

MIN_SLOTS = 1 << 16  # bytes of filter
MAX_SLOTS = 1 << 26  # 64 MB
PROBES = 3


def slots_for(expected_rows: int) -> int:
    """Bytes of filter for about ``expected_rows`` keys (a power of two, bounded)."""
    want = max(expected_rows * 8, MIN_SLOTS)
    return int(min(1 << int(np.ceil(np.log2(want))), MAX_SLOTS))


@dataclass
class Probes:
    """Where a batch's keys live in the filter: a word and its bits per key, and which keys
    repeat an earlier key of the same batch."""

    words: np.ndarray
    bits: np.ndarray
    repeat: np.ndarray


class SeenFilter:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, key_sql: tuple[str, ...], slots: int
    ) -> None:
        self.con = con
        # the hashes must come back in the rows' order: DuckDB may reorder the scan of a
        # registered table of several chunks otherwise (the setting holds for the cursors too)
        con.execute("SET preserve_insertion_order = true")
        self.hash_sql = f"SELECT hash({', '.join(key_sql)}) AS h FROM batch"  # noqa: S608
        words = max(slots // 8, 1)
        self.mask = np.uint64(words - 1)  # a power of two minus one
        self.words = np.zeros(words, dtype=np.uint64)

    def hashes(self, table: pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> np.ndarray:
        """The key hash of every row (thread-safe when each thread passes its own cursor)."""
        con = con or self.con
        con.register("batch", table)
        try:
            out = con.sql(self.hash_sql).fetchnumpy()["h"]
        finally:
            con.unregister("batch")
        return np.asarray(out, dtype=np.uint64)

    def probes(self, h: np.ndarray) -> Probes:
        """The filter positions of hashes (pure: any thread)."""
        bits = np.zeros(len(h), dtype=np.uint64)
        for i in range(PROBES):
            bits |= np.uint64(1) << ((h >> np.uint64(40 + 6 * i)) & np.uint64(63))
        repeat = pd.Series(h).duplicated().to_numpy()  # later occurrences within the batch
        return Probes((h & self.mask).astype(np.intp), bits, repeat)

    def suspects(self, table: pa.Table) -> np.ndarray:
        """Mark the rows that may repeat a row seen before (in this call or an earlier one),
        then remember every row."""
        return self.check(self.hashes(table))

    def check(self, h: np.ndarray | Probes) -> np.ndarray:
        """:meth:`suspects` for hashes (or their probes) already computed; batches must come
        in file order."""
        p = h if isinstance(h, Probes) else self.probes(h)
        old = self.words[p.words]
        seen = (old & p.bits) == p.bits
        # Buffered: of keys of this batch sharing a word, only the last one's bits land; those
        # keys (about n² / 2·words of them) are added again unbuffered. ``np.bitwise_or.at``
        # on every key costs eight times as much on a 64 MB filter.
        new = old | p.bits
        self.words[p.words] = new
        lost = self.words[p.words] != new
        if lost.any():
            np.bitwise_or.at(self.words, p.words[lost], p.bits[lost])
        return seen | p.repeat
