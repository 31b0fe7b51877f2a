"""kill -9 at random moments during ingest: no lost, partial or duplicated batch, and
``lake check`` ends clean.

Each ingest runs in a subprocess that has already imported everything and waits for a go line,
so the kill lands during the ingest itself (a fresh interpreter is spawned for the next file
while the current one runs). Two more runs are killed exactly between the renames and the
manifest transaction, and right after it. After every kill: recovery and ``lake check``, then the
invariants; at the end every file is submitted again and the lake must hold every row once.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.compute as pc
import pytest
from sqlalchemy import select

from tests.conftest import TEST_PII_KEY, TEST_SECRET_KEY
from tests.ingest.factories import event, waybill, write_csv
from youguan.auth.actor import Actor
from youguan.context import Context, build_context, initialise
from youguan.ingest import models as m
from youguan.ingest import service
from youguan.lake.maintenance import check
from youguan.settings import Settings

pytestmark = pytest.mark.slow

KILLS = 20
ROWS = 2500

WORKER = r"""
import os, signal, sys
from pathlib import Path
from youguan.auth.actor import Actor
from youguan.context import build_context
from youguan.ingest import service
from youguan.lake import store
from youguan.settings import Settings

crash = os.environ.get("CRASH_AT")
original = store.Lake._record
if crash == "before_manifest":
    def _record(self, *a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    store.Lake._record = _record
elif crash == "after_manifest":
    def _record(self, *a, **k):
        seq = original(self, *a, **k)
        os.kill(os.getpid(), signal.SIGKILL)
    store.Lake._record = _record
ctx = build_context(Settings())
_ = ctx.keys
print("ready", flush=True)
name, path = sys.stdin.readline().split()
service.submit_file(ctx, Actor.system("crash"), name, Path(path))
print("done", flush=True)
"""


def _files(tmp: Path) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for i in range(KILLS + 4):
        base = i * ROWS
        if i % 2:
            rows = [
                waybill(base + j, accepted_at=f"2024-{3 + j % 4:02d}-{1 + j % 28:02d} 09:00:00")
                for j in range(ROWS)
            ]
            out.append(("waybills", write_csv(tmp / f"w{i}.csv", rows)))
        else:
            rows = [
                event(
                    base + j,
                    waybill_no=f"EV{(base + j) // 3:010d}",  # no waybill of the waybill files
                    occurred_at=f"2024-{3 + j % 4:02d}-{1 + j % 28:02d}T10:{j % 60:02d}:00",
                )
                for j in range(ROWS)
            ]
            out.append(("events", write_csv(tmp / f"e{i}.csv", rows)))
    return out


class Worker:
    def __init__(self, env: dict[str, str], crash: str | None = None) -> None:
        env = {**env, **({"CRASH_AT": crash} if crash else {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )

    def go(self, name: str, path: Path) -> None:
        assert self.proc.stdout is not None and self.proc.stdin is not None
        assert self.proc.stdout.readline().strip() == "ready"
        self.proc.stdin.write(f"{name} {path}\n")
        self.proc.stdin.flush()


def _invariants(ctx: Context) -> tuple[int, int]:
    """Every submission is closed; a committed one is in the lake exactly, any other not at all;
    no key is stored twice; ``lake check`` is healthy, and clean when run again."""
    service.recover(ctx)
    report = check(ctx.lake)
    assert report.healthy, report.as_dict()
    assert check(ctx.lake).clean
    with ctx.read() as s:
        subs = list(s.scalars(select(m.Submission)))
    assert not [x.id for x in subs if x.status in m.OPEN_STATUSES]
    committed = failed = 0
    for name, key in (
        ("events", ["waybill_no", "event", "occurred_at"]),
        ("waybills", ["waybill_no"]),
    ):
        table = ctx.lake.arrow(name, columns=["batch_id", *key])
        counts = (
            dict(zip(*pc.value_counts(table["batch_id"]).flatten(), strict=True))
            if table.num_rows
            else {}
        )
        counts = {k.as_py(): v.as_py() for k, v in counts.items()}
        for x in (x for x in subs if x.dataset == name):
            if x.status == m.COMMITTED:
                committed += 1
                assert counts.get(x.id, 0) == x.accepted, (x.id, x.accepted, counts.get(x.id))
            else:
                failed += x.status == m.FAILED
                assert counts.get(x.id, 0) == 0
        assert sum(counts.values()) == table.num_rows
        keys = table.select(key).group_by(key).aggregate([([], "count_all")])
        assert keys.num_rows == table.num_rows, f"duplicate keys in {name}"
    return committed, failed


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home, pii_key=TEST_PII_KEY, secret_key=TEST_SECRET_KEY)  # type: ignore[arg-type]
    with build_context(settings) as ctx:
        initialise(ctx)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("YOUGUAN_")},
        "YOUGUAN_HOME": str(home),
        "YOUGUAN_PII_KEY": TEST_PII_KEY,
        "YOUGUAN_SECRET_KEY": TEST_SECRET_KEY,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    files = _files(tmp_path)
    rng = random.Random(20240601)

    # Calibrate: two undisturbed runs give the duration the kills are spread over.
    durations = []
    for name, path in files[:2]:
        w = Worker(env)
        w.go(name, path)
        started = time.monotonic()
        assert w.proc.stdout is not None and w.proc.stdout.readline().strip() == "done"
        durations.append(time.monotonic() - started)  # the ingest, not the interpreter's exit
        assert w.proc.wait(120) == 0
    span = statistics.mean(durations) * 1.1

    # The two windows that matter most, hit deterministically.
    for crash, (name, path) in zip(("before_manifest", "after_manifest"), files[2:4], strict=True):
        w = Worker(env, crash)
        w.go(name, path)
        assert w.proc.wait(120) == -9
    with build_context(settings) as ctx:
        _invariants(ctx)

    interrupted = 0
    spare = Worker(env)
    for name, path in files[4:]:
        w, spare = spare, Worker(env)
        w.go(name, path)
        time.sleep(rng.uniform(0, span))
        if w.proc.poll() is None:
            interrupted += 1
        w.proc.kill()
        w.proc.wait(60)
        with build_context(settings) as ctx:
            _invariants(ctx)
    spare.proc.kill()
    spare.proc.wait(60)
    print(f"kills during an ingest: {interrupted}")
    assert interrupted >= 5, f"only {interrupted} kills landed during an ingest"

    # Submitting everything again completes what was lost, and adds nothing twice.
    with build_context(settings) as ctx:
        for name, path in files:
            result = service.submit_file(ctx, Actor.system("rerun"), name, path)
            assert result.status == "committed" and result.rejected == 0, result.error_counts
            assert result.accepted + result.duplicates == ROWS
        committed, failed = _invariants(ctx)
        print(f"submissions committed {committed}, failed {failed}")
        assert failed >= 1  # the kill before the manifest, at least
        for name in ("events", "waybills"):
            expected = sum(ROWS for n, _ in files if n == name)
            assert ctx.lake.table(name).count().execute() == expected
