"""The background runner of HTTP submissions: a submission is readable from the moment it is
received, waits for a slot while others run, the queue is bounded (429), the spooled file is
deleted whatever happens, and a dead server's open submissions are marked failed on start."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.factories import NOW, event, write_csv
from youguan.auth.actor import Actor, Role
from youguan.context import Context
from youguan.errors import RateLimited
from youguan.ingest import models as m
from youguan.ingest import service
from youguan.ingest.runner import Runner

SF = Actor(name="dave", role=Role.ENTERPRISE, brand="sf")


def events_file(folder: Path, name: str, n: int = 3) -> Path:
    rows = [event(i, brand="sf", waybill_no=f"{name.upper()}{i // 3:04d}") for i in range(n)]
    return write_csv(folder / f"{name}.csv", rows)


def test_a_submission_is_readable_once_received_and_waits_for_a_slot(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate, holding = threading.Event(), threading.Event()
    submit = service.submit_file

    def held(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("source_name") == "first.csv":
            inner = kwargs["on_received"]

            def received(batch_id: str) -> None:
                inner(batch_id)  # returns holding the runner's only slot
                holding.set()
                assert gate.wait(30)  # keeps the slot until the test opens the gate

            kwargs["on_received"] = received
        return submit(*args, **kwargs)

    monkeypatch.setattr(service, "submit_file", held)
    runner = Runner(ctx, running=1, waiting=4)
    first_file, second_file = events_file(tmp_path, "first"), events_file(tmp_path, "second")
    first = runner.start(SF, "events", first_file, source_name="first.csv", now=NOW)
    assert holding.wait(30)
    second = runner.start(SF, "events", second_file, source_name="second.csv", now=NOW)
    second_id = second.received.result(timeout=30)
    assert service.get_submission(ctx, SF, second_id).status == m.RECEIVED
    queued = runner.progress(second_id)
    assert queued is not None and queued.phase == "queued"
    assert not second.done.done()
    gate.set()
    assert first.done.result(timeout=60).accepted == 3
    assert second.done.result(timeout=60).accepted == 3
    assert not first_file.exists() and not second_file.exists()
    assert runner.progress(second_id) is None


def test_a_full_queue_is_refused_and_its_file_deleted(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    submit = service.submit_file

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30)
        return submit(*args, **kwargs)

    monkeypatch.setattr(service, "submit_file", slow)
    runner = Runner(ctx, running=1, waiting=1)
    busy = runner.start(SF, "events", events_file(tmp_path, "busy"), now=NOW)
    extra = events_file(tmp_path, "extra")
    with pytest.raises(RateLimited):
        runner.start(SF, "events", extra, now=NOW)
    assert not extra.exists()
    gate.set()
    assert busy.done.result(timeout=60).committed
    again = runner.start(SF, "events", events_file(tmp_path, "again"), now=NOW)
    assert again.done.result(timeout=60).committed


def test_a_failure_reaches_both_futures_and_the_file_is_deleted(
    ctx: Context, tmp_path: Path
) -> None:
    runner = Runner(ctx)
    regulator = Actor(name="bob", role=Role.REGULATOR)  # no data.submit: refused before receipt
    path = events_file(tmp_path, "refused")
    ticket = runner.start(regulator, "events", path)
    with pytest.raises(Exception, match="报送数据"):
        ticket.received.result(timeout=30)
    with pytest.raises(Exception, match="报送数据"):
        ticket.done.result(timeout=30)
    assert not path.exists()


def test_starting_marks_a_dead_servers_open_submissions_failed(ctx: Context) -> None:
    with ctx.transaction() as s:
        s.add(
            m.Submission(
                id="d" * 32,
                dataset="events",
                brand="sf",
                status=m.VALIDATING,
                submitter="dave",
                submitter_role="enterprise",
                source_name="断电前.csv",
            )
        )
    Runner(ctx)
    row = service.get_submission(ctx, SF, "d" * 32)
    assert row.status == m.FAILED and row.refusal and row.refusal.code == "interrupted"
