"""Streamed uploads (youguan.web.streaming): where files are spooled, what is swept, and the CSRF
token of a streamed form, which must come before the file."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.web.conftest import World
from youguan.web.streaming import SPOOL_PREFIX, spool_directory, sweep_spool


def test_uploads_are_never_spooled_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert spool_directory(home) == Path(tempfile.gettempdir()).resolve()
    monkeypatch.setattr(tempfile, "tempdir", str(home / "tmp"))
    with pytest.raises(RuntimeError, match="YOUGUAN_HOME"):
        spool_directory(home)


def test_the_sweep_removes_the_files_of_dead_processes_only(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(dead.stdout)
    left = tmp_path / f"{SPOOL_PREFIX}{dead_pid}-abc.csv"
    mine = tmp_path / f"{SPOOL_PREFIX}{os.getpid()}-def.csv"
    other = tmp_path / "unrelated.csv"
    for p in (left, mine, other):
        p.write_text("x")
    assert sweep_spool(tmp_path) == [left]
    assert not left.exists() and mine.exists() and other.exists()


def _form(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            out += b"Content-Type: text/csv\r\n"
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_a_streamed_forms_token_must_come_before_the_file(world: World) -> None:
    dave = world.as_("dave")
    token = dave.csrf().encode()
    content = b"waybill_no,event,occurred_at\nSTRM1,accepted,2024-05-02T10:00:00+08:00\n"
    headers = {"Content-Type": "multipart/form-data; boundary=yg"}
    late = _form(
        "yg",
        [("dataset", None, b"events"), ("file", "e.csv", content), ("csrf_token", None, token)],
    )
    response = dave.client.post("/submissions", content=late, headers=headers)
    assert response.status_code == 403 and "CSRF" in response.text
    early = _form(
        "yg",
        [("csrf_token", None, token), ("file", "e.csv", content), ("dataset", None, b"events")],
    )
    response = dave.client.post("/submissions", content=early, headers=headers)
    assert response.status_code == 303, response.text[:300]
    fileless = _form("yg", [("dataset", None, b"events")])
    response = dave.client.post("/submissions", content=fileless, headers=headers)
    assert response.status_code == 403  # no token at all, even without a file
