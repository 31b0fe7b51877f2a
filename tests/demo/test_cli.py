"""``youguan demo`` from the command line, and the pipeline the lead extends with load steps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from youguan.cli import app
from youguan.demo.pipeline import (
    DemoOptions,
    DemoRun,
    Pipeline,
    Step,
    StepError,
    default_pipeline,
    generate_step,
)
from youguan.settings import get_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("YOUGUAN_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_demo_command_writes_under_home_and_prints_json(home: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--scale", "0.0003", "--from", "2025-11-01", "--to", "2025-11-15", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["out_dir"] == str((home / "demo").resolve())
    assert doc["steps"]["generate"]["waybills_rows"] > 0
    assert (home / "demo" / "manifest.json").is_file()


@pytest.mark.parametrize(
    "args",
    [["--from", "2025-02-30"], ["--scale", "0"], ["--from", "2025-05-01", "--to", "2025-04-01"]],
)
def test_bad_arguments_exit_2_with_one_line(home: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["demo", *args])
    assert result.exit_code == 2
    assert "错误" in result.output


def test_pipeline_steps_can_be_added_after_generation(tmp_path: Path) -> None:
    seen: list[str] = []

    def load(run: DemoRun) -> dict[str, object]:
        assert run.manifest is not None
        seen.append("load")
        return {"files": len(run.manifest.files)}

    pipeline = Pipeline([Step("generate", "生成", generate_step)])
    pipeline.add(Step("load", "加载", load), after="generate")
    assert pipeline.names == ["generate", "load"]
    with pytest.raises(ValueError):
        pipeline.add(Step("load", "加载", load))
    import datetime as dt

    options = DemoOptions(tmp_path, scale=0.0003, start=dt.date(2025, 11, 1),
                          end=dt.date(2025, 11, 3))  # fmt: skip
    results = pipeline.run(DemoRun(options=options))
    assert seen == ["load"] and results["load"]["files"] > 0


def test_the_default_pipeline_generates_then_loads() -> None:
    assert default_pipeline().names[:3] == ["generate", "init", "registry"]
    assert {"plan", "accounts"} <= set(default_pipeline().names)


def test_a_failing_step_is_named() -> None:
    def boom(run: DemoRun) -> dict[str, object]:
        raise RuntimeError("no store")

    with pytest.raises(StepError) as info:
        Pipeline([Step("ingest", "入库", boom)]).run(DemoRun(options=DemoOptions(Path("."))))
    assert info.value.step == "ingest"
