from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.ingest.factories import NOW, event, write_csv
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.ingest import models as m
from youguan.ingest import service
from youguan.ingest.errors import NotFound
from youguan.lake.locks import FileLock
from youguan.lake.maintenance import check
from youguan.lake.store import STAGING

pytestmark = pytest.mark.postgres
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE = Actor(name="alice", role=Role.REGULATOR)  # the regulator sees everything
YUNDA = Actor(name="yunda-api", role=Role.ENTERPRISE, brand="yunda", api_key_id=7)
JT = Actor(name="jt-api", role=Role.ENTERPRISE, brand="jt")


def test_an_enterprise_submits_for_its_own_brand_only(ctx: Context, tmp_path: Path) -> None:
    rows = [event(i, brand="") for i in range(8)] + [event(100, brand="jt")]
    result = service.submit_file(ctx, YUNDA, "events", write_csv(tmp_path / "e.csv", rows), now=NOW)
    assert result.brand == "yunda" and result.submitter == "yunda-api"
    assert [(e.row, e.code) for e in result.errors] == [(9, "brand_mismatch")]
    assert set(ctx.lake.arrow("events")["brand"].to_pylist()) == {"yunda"}


def test_reads_are_scoped_to_the_brand(ctx: Context, tmp_path: Path) -> None:
    rows = [event(i, brand="") for i in range(8)] + [event(100, brand="jt")]
    mine = service.submit_file(ctx, YUNDA, "events", write_csv(tmp_path / "a.csv", rows), now=NOW)
    theirs = service.submit_file(
        ctx,
        JT,
        "events",
        write_csv(tmp_path / "b.csv", [event(i, brand="jt") for i in range(3)]),
        now=NOW,
    )
    assert [s.id for s in service.list_submissions(ctx, YUNDA)] == [mine.id]
    assert {s.id for s in service.list_submissions(ctx, ALICE)} == {mine.id, theirs.id}
    assert [s.id for s in service.list_submissions(ctx, ALICE, brand="jt")] == [theirs.id]
    assert service.get_submission(ctx, YUNDA, mine.id).rejected == 1
    with pytest.raises(NotFound):
        service.get_submission(ctx, YUNDA, theirs.id)
    with pytest.raises(NotFound):
        service.quarantine_rows(ctx, JT, mine.id)
    with pytest.raises(NotFound):
        service.get_submission(ctx, Actor.anonymous(), mine.id)
    [row] = service.quarantine_rows(ctx, YUNDA, mine.id)
    assert row["row"] == 9 and row["codes"] == "brand_mismatch" and row["brand"] == "jt"
    assert service.quarantine_rows(ctx, YUNDA, mine.id, offset=1) == []
    assert service.unmapped_codes(ctx, JT, brand="yunda") == []


def test_interrupted_submissions_are_marked_failed_and_live_ones_left(ctx: Context) -> None:
    staging = ctx.settings.lake_dir / STAGING
    with ctx.transaction() as s:
        for batch_id in ("dead", "alive"):
            s.add(
                m.Submission(
                    id=batch_id,
                    dataset="events",
                    status=m.VALIDATING,
                    submitter="x",
                    submitter_role="system",
                    source_name="f.csv",
                )
            )
    (staging / "dead").mkdir(parents=True)
    (staging / "dead" / "part.parquet").write_bytes(b"partial")
    (ctx.settings.quarantine_dir / "dead.csv").write_text("row\n")
    live = FileLock(staging / "alive.lock")
    assert live.acquire(blocking=False)
    (staging / "alive").mkdir()
    try:
        assert service.recover(ctx) == ["dead"]
        report = check(ctx.lake)
        assert report.staging_removed == ["dead"] and report.staging_live == ["alive"]
    finally:
        live.release()
    dead = service.get_submission(ctx, ALICE, "dead")
    assert dead.status == "failed" and dead.refusal and dead.refusal.code == "interrupted"
    assert not (ctx.settings.quarantine_dir / "dead.csv").exists()
    assert service.get_submission(ctx, ALICE, "alive").status == "validating"


def test_a_spooled_upload_is_deleted_whatever_the_outcome(ctx: Context, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [event(i) for i in range(3)])
    bad = tmp_path / "bad.csv"
    bad.write_text("colour\nred\n", "utf-8")
    for path, status in ((good, "committed"), (bad, "refused")):
        result = service.submit_file(ctx, YUNDA, "events", path, now=NOW, delete_source=True)
        assert result.status == status and not path.exists()


def test_a_page_of_submissions_is_scoped_filtered_and_counted(ctx: Context, tmp_path: Path) -> None:
    from youguan.paging import PageRequest

    ids = []
    for i in range(3):
        rows = [event(10 * i + j, brand="") for j in range(3)]
        path = write_csv(tmp_path / f"y{i}.csv", rows)
        ids.append(service.submit_file(ctx, YUNDA, "events", path, now=NOW).id)
    jt = service.submit_file(
        ctx, JT, "events", write_csv(tmp_path / "j.csv", [event(1, brand="jt")]), now=NOW
    )
    page = service.page_submissions(ctx, YUNDA, PageRequest(page=1, page_size=2))
    assert page.total == 3 and [s.id for s in page.items] == ids[::-1][:2]
    assert not hasattr(page.items[0], "errors")
    everyone = service.page_submissions(ctx, ALICE, PageRequest(), dataset_name="events")
    assert everyone.total == 4 and jt.id in {s.id for s in everyone.items}
    assert service.page_submissions(ctx, ALICE, PageRequest(), brand="jt").total == 1
    assert service.page_submissions(ctx, ALICE, PageRequest(), status="refused").total == 0
    today = page.items[0].received_at.astimezone(SHANGHAI).date()  # all four: seconds apart
    assert (
        service.page_submissions(
            ctx, ALICE, PageRequest(), received_from=today, received_to=today
        ).total
        == 4
    )
    tomorrow = today + dt.timedelta(days=1)
    assert service.page_submissions(ctx, ALICE, PageRequest(), received_from=tomorrow).total == 0
    yesterday = today - dt.timedelta(days=1)
    assert service.page_submissions(ctx, ALICE, PageRequest(), received_to=yesterday).total == 0
    assert service.page_submissions(ctx, Actor.anonymous(), PageRequest()).total == 0
    assert service.page_submissions(ctx, ALICE, PageRequest(), received_to=dt.date.max).total == 4
