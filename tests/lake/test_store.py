from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.lake.store import month_of

SYSTEM = Actor.system("test")
T0 = dt.datetime(2024, 1, 31, 16, 30, tzinfo=dt.UTC)  # 2024-02-01 00:30 in Beijing


def _events(n: int, brand: str = "sf", start: dt.datetime = T0) -> pa.Table:
    times = pa.array([start + dt.timedelta(hours=i) for i in range(n)], pa.timestamp("us", "UTC"))
    return pa.table(
        {
            "waybill_no": [f"W{i}" for i in range(n)],
            "brand": [brand] * n,
            "event": ["accepted"] * n,
            "occurred_at": times,
            "mapped": [True] * n,
            "month": month_of(times),
        }
    )


def test_month_is_the_beijing_month() -> None:
    assert month_of(pa.array([T0], pa.timestamp("us", "UTC"))).to_pylist() == ["2024-02"]


@pytest.mark.postgres
def test_a_committed_batch_is_visible_with_its_partitions(ctx: Context) -> None:
    lake = ctx.lake
    assert lake.version() == 0
    assert lake.table("events").count().execute() == 0
    b = lake.commit("events", pa.concat_tables([_events(3), _events(2, "zto")]), actor=SYSTEM)
    assert b.rows == 5 and b.partitions == (("sf", "2024-02"), ("zto", "2024-02"))
    assert lake.version() == b.seq
    assert lake.table("events").count().execute() == 5
    assert lake.table("events", brands=["zto"]).count().execute() == 2
    files = lake.files("events")
    assert {f.path.parent.name for f in files} == {"month=2024-02"}
    assert {f.path.parent.parent.name for f in files} == {"brand=sf", "brand=zto"}


def test_files_on_disk_without_a_manifest_row_are_invisible(ctx: Context) -> None:
    lake = ctx.lake
    lake.commit("events", _events(3), actor=SYSTEM)
    [f] = lake.files("events")
    orphan = f.path.parent / "events-sf-2024-02-orphan.parquet"
    orphan.write_bytes(f.path.read_bytes())
    assert lake.table("events").count().execute() == 3


def test_a_failed_manifest_write_leaves_nothing_visible(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = ctx.lake

    def boom(*a: object, **k: object) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(lake, "_record", boom)
    with pytest.raises(RuntimeError):
        lake.commit("events", _events(3), actor=SYSTEM)
    monkeypatch.undo()
    assert lake.files("events") == []
    assert not any(p.suffix == ".parquet" for p in lake.root.rglob("*"))


def test_retiring_files_replaces_them_in_one_step(ctx: Context) -> None:
    lake = ctx.lake
    lake.commit("events", _events(2), actor=SYSTEM)
    lake.commit("events", _events(3, start=T0 + dt.timedelta(days=1)), actor=SYSTEM)
    old = lake.files("events")
    merged = lake.arrow("events")
    lake.commit("events", merged, actor=SYSTEM, kind="compact", retire=[f.id for f in old])
    assert len(lake.files("events")) == 1
    assert lake.table("events").count().execute() == 5
    assert not any(f.path.exists() for f in old)


def test_files_keep_statistics_where_a_filter_can_use_them(ctx: Context) -> None:
    import duckdb
    import pyarrow.parquet as pq

    table = _events(300).append_column("facility", pa.array([f"站{i % 7}" for i in range(300)]))
    ctx.lake.commit("events", table, actor=SYSTEM)
    [f] = ctx.lake.files("events")
    meta = pq.read_metadata(f.path)
    columns = {
        meta.schema.column(i).name: meta.row_group(0).column(i) for i in range(meta.num_columns)
    }
    with_statistics = {name for name, c in columns.items() if c.is_stats_set}
    assert {"waybill_no", "brand", "occurred_at", "month", "batch_id", "source_row"} <= (
        with_statistics
    )
    assert not {"event", "facility", "raw_code", "raw_text"} & with_statistics
    assert columns["occurred_at"].statistics.min == T0
    assert "DELTA_BINARY_PACKED" in columns["occurred_at"].encodings
    # DuckDB reads and filters them as before (Spark: tests/lake/test_spark.py)
    cut = T0 + dt.timedelta(hours=100)
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT count(*), min(occurred_at), max(waybill_no), count(DISTINCT facility) "
            "FROM read_parquet($path) WHERE occurred_at >= $cut",
            {"path": str(f.path), "cut": cut},
        ).fetchone()
    assert rows == (200, cut, "W299", 7)
