"""One small demo data set per test session (seconds, not minutes): scale 0.002 over
October–December 2025, enough items for the rates to be stable to a percent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from youguan.demo.schemas import DemoManifest
from youguan.demo.service import generate

WINDOW = (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
SEED = 20211


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, seed=SEED, scale=0.002, start=WINDOW[0], end=WINDOW[1])
    return out


@pytest.fixture(scope="session")
def demo_manifest(demo_dir: Path) -> DemoManifest:
    return DemoManifest.model_validate_json((demo_dir / "manifest.json").read_text("utf-8"))
