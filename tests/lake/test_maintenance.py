from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

from tests.lake.test_store import SYSTEM, T0, _events
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.lake.locks import FileLock, LockTimeout
from youguan.lake.maintenance import check, compact
from youguan.lake.store import STAGING, Lake, LakeConflict
from youguan.lake.writer import StagedFile

pytestmark = pytest.mark.postgres


def test_check_cleans_orphans_retired_leftovers_and_dead_staging(ctx: Context) -> None:
    lake = ctx.lake
    lake.commit("events", _events(3), actor=SYSTEM)
    [f] = lake.files("events")
    orphan = f.path.parent / "events-sf-2024-02-orphan.parquet"
    orphan.write_bytes(f.path.read_bytes())
    dead = lake.root / STAGING / "deadbeef"
    dead.mkdir(parents=True)
    (dead / "x.parquet").write_bytes(b"partial")
    live = lake.staging("cafe")
    with live:
        dry = check(lake, dry_run=True)
        assert dry.orphans_removed == [str(orphan.relative_to(lake.root))]
        assert orphan.exists() and dead.exists()
        report = check(lake)
        assert report.staging_removed == ["deadbeef"] and report.staging_live == ["cafe"]
        assert report.orphans_removed == dry.orphans_removed and report.healthy
        assert not orphan.exists() and not dead.exists() and live.path.exists()
    assert check(lake).clean
    assert lake.table("events").count().execute() == 3


def test_check_reports_missing_and_damaged_files(ctx: Context) -> None:
    lake = ctx.lake
    lake.commit("events", _events(3), actor=SYSTEM)
    lake.commit("events", _events(2, "zto"), actor=SYSTEM)
    a, b = lake.files("events")
    a.path.unlink()
    b.path.write_bytes(b"not parquet")
    report = check(lake)
    assert report.missing == [str(a.path.relative_to(lake.root))]
    assert report.damaged == [str(b.path.relative_to(lake.root))]
    assert not report.healthy


def test_check_waits_for_a_commit_in_progress(ctx: Context) -> None:
    """Files renamed into place but not yet recorded are not orphans while the commit runs."""
    lake = ctx.lake
    original = lake._record
    reached = threading.Event()

    def slow_record(*args: object, **kwargs: object) -> int:
        reached.set()
        time.sleep(0.5)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    lake._record = slow_record  # type: ignore[method-assign]
    worker = threading.Thread(target=lambda: lake.commit("events", _events(4), actor=SYSTEM))
    worker.start()
    assert reached.wait(10)
    report = check(lake)
    worker.join()
    lake._record = original  # type: ignore[method-assign]
    assert report.orphans_removed == []
    assert lake.table("events").count().execute() == 4
    assert all(f.path.exists() for f in lake.files("events"))


def test_retiring_a_file_twice_is_a_conflict_and_commits_nothing(ctx: Context) -> None:
    lake = ctx.lake
    lake.commit("events", _events(2), actor=SYSTEM)
    [old] = lake.files("events")
    lake.commit("events", lake.arrow("events"), actor=SYSTEM, kind="compact", retire=[old.id])
    version = lake.version()
    with pytest.raises(LakeConflict):
        lake.commit("events", _events(1), actor=SYSTEM, retire=[old.id])
    assert lake.version() == version
    assert lake.table("events").count().execute() == 2
    assert check(lake).clean


def _results(lake: Lake) -> tuple[pa.Table, pa.Table]:
    """Every row (in a fixed order) and a grouped aggregate over the Ibis table."""
    order = [(c, "ascending") for c in ("brand", "occurred_at", "waybill_no", "batch_id")]
    t = lake.table("events")
    grouped = t.group_by("brand").aggregate(n=t.count(), b=t.batch_id.nunique())
    return lake.arrow("events").sort_by(order), grouped.order_by("brand").to_pyarrow()


def test_compaction_merges_small_files_without_changing_results(ctx: Context) -> None:
    lake = ctx.lake
    for day in range(6):
        lake.commit("events", _events(5, start=T0 + dt.timedelta(days=day)), actor=SYSTEM)
        lake.commit("events", _events(3, "zto", start=T0 + dt.timedelta(days=day)), actor=SYSTEM)
    rows_before, grouped_before = _results(lake)
    files_before = lake.files("events")
    assert len(files_before) == 12
    assert compact(lake, SYSTEM, dataset_name="events", dry_run=True)[0].batch_id is None
    assert len(lake.files("events")) == 12
    done = compact(lake, SYSTEM, dataset_name="events")
    assert {(c.brand, c.month, c.files_before, c.files_after) for c in done} == {
        ("sf", "2024-02", 6, 1),
        ("zto", "2024-02", 6, 1),
    }
    rows_after, grouped_after = _results(lake)
    assert rows_after.equals(rows_before) and grouped_after.equals(grouped_before)
    assert len(lake.files("events")) == 2
    assert not any(f.path.exists() for f in files_before)
    assert compact(lake, SYSTEM) == []
    assert check(lake).clean
    with pytest.raises(PermissionError):
        compact(lake, Actor(name="reg", role=Role.REGULATOR))


def test_publish_refuses_without_a_manifest_and_leaves_no_orphan(ctx: Context) -> None:
    lake = ctx.lake
    with lake.staging("b1") as area:
        path = area.path / "events-sf-2024-02-b1.parquet"
        import pyarrow.parquet as pq

        from youguan.ingest.schemas import dataset
        from youguan.lake.store import conform

        pq.write_table(conform(dataset("events"), _events(2)), path)

        def boom(s: object, seq: int) -> None:
            raise RuntimeError("caller refused")

        with lake.lock("events", ["sf"]), pytest.raises(RuntimeError):
            lake.publish(
                "events",
                [StagedFile("sf", "2024-02", path, 2)],
                batch_id="b1",
                actor=SYSTEM,
                on_commit=boom,
            )
    assert lake.files("events") == [] and lake.version() == 0
    assert not any(p.suffix == ".parquet" for p in lake.root.rglob("*"))


def test_locks_exclude_other_holders_and_survive_unlinking(tmp_path: Path) -> None:
    a, b = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert a.acquire()
    assert not b.acquire(blocking=False)
    with pytest.raises(LockTimeout):
        b.acquire(timeout=0.05)
    a.release(unlink=True)
    assert b.acquire(blocking=False)
    c = FileLock(tmp_path / "x.lock")
    assert not c.acquire(blocking=False)
    b.release()
