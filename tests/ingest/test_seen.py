from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from youguan.ingest.dedupe import connect
from youguan.ingest.seen import SeenFilter, slots_for


def test_repeats_are_always_flagged_and_new_rows_mostly_not() -> None:
    con = duckdb.connect()
    seen = SeenFilter(con, ("k",), slots_for(20_000))
    first = pa.table({"k": [f"A{i}" for i in range(10_000)]})
    second = pa.table({"k": [f"A{i}" for i in range(5_000, 15_000)] + ["A1", "A1"]})
    assert seen.suspects(first).sum() == 0
    flags = seen.suspects(second)
    assert flags[:5_000].all()  # seen in the first batch: no false negatives
    assert flags[-2:].all()  # repeated within the batch
    assert flags[5_000:10_000].mean() < 0.1  # new rows: false positives only, and few
    assert slots_for(10**12) == 1 << 26 and slots_for(1) == 1 << 16
    assert np.asarray(seen.hashes(first)).dtype == np.uint64


def test_hashes_follow_the_rows_of_a_table_of_many_chunks(tmp_path: Path) -> None:
    # a connection as the ingest opens it (which lets DuckDB reorder scans by default)
    con = connect(tmp_path, "256MB")
    seen = SeenFilter(con, ("k",), slots_for(1000))
    chunks = [pa.table({"k": [f"C{c}-{i}" for i in range(200_000)]}) for c in range(4)]
    whole = pa.concat_tables(chunks)
    expected = np.concatenate([seen.hashes(c) for c in chunks])
    assert (seen.hashes(whole) == expected).all()


def test_keys_sharing_a_word_all_leave_their_bits() -> None:
    seen = SeenFilter(duckdb.connect(), ("k",), 1 << 10)  # 128 words: many keys share one
    rng = np.random.default_rng(3)
    expected = np.zeros_like(seen.words)
    for _ in range(3):
        h = rng.integers(0, 2**63, 5_000, dtype=np.uint64)
        p = seen.probes(h)
        seen.check(p)
        np.bitwise_or.at(expected, p.words, p.bits)  # one key at a time: every bit
        assert (seen.words == expected).all()
    assert seen.check(p).all()  # every key of the last batch is now found
