from __future__ import annotations

import threading
from pathlib import Path

import pyarrow.compute as pc
import pytest
from sqlalchemy import select

from tests.ingest.factories import NOW, event, waybill, write_csv
from youguan.audit.models import AuditLog
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.ingest import service
from youguan.ingest.errors import Forbidden
from youguan.ingest.outcome import SubmissionOut

pytestmark = pytest.mark.postgres
SYSTEM = Actor.system("test")


def submit(ctx: Context, name: str, path: Path, **kw: object) -> SubmissionOut:
    return service.submit_file(ctx, SYSTEM, name, path, now=NOW, **kw)  # type: ignore[arg-type]


def test_a_resubmission_adds_nothing(ctx: Context, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [event(i) for i in range(30)])
    first = submit(ctx, "events", path)
    version = ctx.lake.version()
    again = submit(ctx, "events", path)
    assert (first.accepted, first.duplicates) == (30, 0)
    assert (again.status, again.rows, again.accepted, again.duplicates) == ("committed", 30, 0, 30)
    assert ctx.lake.version() == version  # nothing to commit: no new lake batch
    assert ctx.lake.table("events").count().execute() == 30


def test_duplicates_within_a_batch_and_overlapping_batches(ctx: Context, tmp_path: Path) -> None:
    rows = [event(i) for i in range(10)]
    result = submit(ctx, "events", write_csv(tmp_path / "a.csv", [*rows, rows[3], rows[7]]))
    assert (result.accepted, result.duplicates) == (10, 2)
    overlap = [event(i) for i in range(5, 15)]
    result = submit(ctx, "events", write_csv(tmp_path / "b.csv", overlap))
    assert (result.accepted, result.duplicates) == (5, 5)
    stored = ctx.lake.arrow("events")
    keys = set(
        zip(
            stored["waybill_no"].to_pylist(),
            stored["event"].to_pylist(),
            stored["occurred_at"].to_pylist(),
            strict=True,
        )
    )
    assert stored.num_rows == len(keys) == 15


def test_unmapped_events_key_on_their_raw_code(ctx: Context, tmp_path: Path) -> None:
    same_time = "2024-05-03T10:00:00+08:00"
    rows = [
        event(1, raw_code="9901", raw_text="网点盘点", occurred_at=same_time),
        event(1, raw_code="9901", raw_text="网点盘点", occurred_at=same_time),
        event(1, raw_code="9902", raw_text="网点复核", occurred_at=same_time),
    ]
    result = submit(ctx, "events", write_csv(tmp_path / "u.csv", rows))
    assert (result.accepted, result.duplicates, result.unmapped) == (2, 1, 2)


def test_a_waybill_key_ignores_its_month(ctx: Context, tmp_path: Path) -> None:
    submit(ctx, "waybills", write_csv(tmp_path / "a.csv", [waybill(1)]))
    moved = waybill(1, accepted_at="2024-04-20 10:00:00", weight_g="9999")
    result = submit(ctx, "waybills", write_csv(tmp_path / "b.csv", [moved]))
    assert (result.accepted, result.duplicates) == (0, 1)
    [row] = ctx.lake.arrow("waybills").to_pylist()
    assert row["weight_g"] == 501


def test_a_correction_replaces_the_row_and_is_audited(ctx: Context, tmp_path: Path) -> None:
    first = submit(ctx, "waybills", write_csv(tmp_path / "a.csv", [waybill(i) for i in range(5)]))
    old_files = ctx.lake.files("waybills")
    fixed = waybill(2, accepted_at="2024-04-20 10:00:00", weight_g="9999")
    result = submit(
        ctx, "waybills", write_csv(tmp_path / "b.csv", [fixed, waybill(9)]), correct=True
    )
    assert (result.status, result.kind, result.accepted, result.corrected, result.duplicates) == (
        "committed",
        "correct",
        2,
        1,
        0,
    )
    stored = {r["waybill_no"]: r for r in ctx.lake.arrow("waybills").to_pylist()}
    assert len(stored) == 6
    assert stored[fixed["waybill_no"]]["weight_g"] == 9999
    assert stored[fixed["waybill_no"]]["month"] == "2024-04"
    assert stored[fixed["waybill_no"]]["batch_id"] == result.id
    assert stored[waybill(0)["waybill_no"]]["batch_id"] == first.id  # untouched rows keep theirs
    assert not any(f.path.exists() for f in old_files)
    with ctx.read() as s:
        [entry] = s.scalars(select(AuditLog).where(AuditLog.action == "data.correct"))
    assert entry.entity_id == result.id and entry.actor == SYSTEM.name
    assert entry.after is not None and entry.after["keys"] == [["yunda", fixed["waybill_no"]]]
    assert "sender" not in str(entry.after)


def test_corrections_and_submissions_need_their_permissions(ctx: Context, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [waybill(1)])
    enterprise = Actor(name="yd-api", role=Role.ENTERPRISE, brand="yunda")
    with pytest.raises(Forbidden):
        service.submit_file(ctx, enterprise, "waybills", path, correct=True)
    with pytest.raises(Forbidden):
        service.submit_file(ctx, Actor(name="reg", role=Role.REGULATOR), "waybills", path)
    with pytest.raises(Forbidden):
        service.submit_file(ctx, enterprise, "waybills", path, brand="sf")
    assert service.list_submissions(ctx, SYSTEM) == []


def test_concurrent_submissions_of_one_file_store_it_once(ctx: Context, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [event(i) for i in range(200)])
    results: list[SubmissionOut] = []

    def go() -> None:
        results.append(submit(ctx, "events", path))

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.accepted for r in results) == [0, 0, 200]
    assert sum(r.duplicates for r in results) == 400
    stored = ctx.lake.arrow("events")
    assert stored.num_rows == 200
    assert pc.count_distinct(stored["source_row"]).as_py() == 200


def test_results_are_exact_even_when_the_seen_filter_says_yes_to_everything(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from youguan.ingest import stage
    from youguan.ingest.seen import MIN_SLOTS

    monkeypatch.setattr(stage, "slots_for", lambda rows: 64)  # one block: nearly all suspects
    assert MIN_SLOTS > 64
    rows = [event(i) for i in range(300)]
    result = submit(ctx, "events", write_csv(tmp_path / "a.csv", [*rows, *rows[:40]]))
    assert (result.accepted, result.duplicates) == (300, 40)
    again = submit(ctx, "events", write_csv(tmp_path / "b.csv", [*rows[250:], event(400)]))
    assert (again.accepted, again.duplicates) == (1, 50)
    assert ctx.lake.table("events").count().execute() == 301
