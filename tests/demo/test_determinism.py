"""Same seed → byte-identical files; another seed → different data; the manifest's hashes are
the files' hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from youguan.demo.schemas import DemoManifest
from youguan.demo.service import DemoError, generate

WINDOW: dict[str, Any] = {"start": dt.date(2025, 11, 1), "end": dt.date(2025, 11, 30)}


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=7, scale=0.0005, **WINDOW)
    b = generate(tmp_path / "b", seed=7, scale=0.0005, **WINDOW)
    c = generate(tmp_path / "c", seed=8, scale=0.0005, **WINDOW)
    da, db, dc = _digests(tmp_path / "a"), _digests(tmp_path / "b"), _digests(tmp_path / "c")
    assert da == db
    assert a == b
    assert {f.format for f in a.files} == {"csv", "parquet", "jsonl", "xlsx"}
    differing = {k for k in da if da[k] != dc.get(k)}
    for dataset in ("enterprises", "facilities", "vehicles", "statistics", "waybills", "events"):
        assert any(f.path in differing for f in c.of(dataset)), dataset
    for f in a.files:
        assert da[f.path] == f.sha256
    assert set(da) == {f.path for f in a.files} | {"manifest.json"}


def test_regenerating_replaces_the_previous_set(tmp_path: Path) -> None:
    generate(tmp_path, seed=7, scale=0.0005, **WINDOW)
    m = generate(tmp_path, seed=7, scale=0.0005, start=WINDOW["start"], end=dt.date(2025, 11, 10))
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == {f.path for f in m.files} | {"manifest.json"}
    saved = DemoManifest.model_validate_json((tmp_path / "manifest.json").read_text("utf-8"))
    assert saved == m


@pytest.mark.parametrize(
    ("scale", "start", "end"),
    [
        (0.0, dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
        (0.002, dt.date(2025, 2, 1), dt.date(2025, 1, 31)),
        (0.002, dt.date(2019, 1, 1), dt.date(2019, 1, 31)),
    ],
)
def test_it_refuses_impossible_parameters(
    tmp_path: Path, scale: float, start: dt.date, end: dt.date
) -> None:
    with pytest.raises(DemoError):
        generate(tmp_path, scale=scale, start=start, end=end)
