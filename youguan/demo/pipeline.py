"""``youguan demo`` as a pipeline of named steps.

The first step generates the files (:func:`youguan.demo.service.generate`); the load steps
(registry import, ingest, compute, accounts, plan actuals) belong to the packages that own those
capabilities and are added here as they land::

    pipeline = default_pipeline()
    pipeline.add(Step("registry", "导入登记数据", import_registry), after="generate")

Each step receives the shared :class:`DemoRun` (options, the context, the manifest once
generated, progress) and returns a small JSON-able summary that ``youguan demo --json`` prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from youguan.demo import profile as P
from youguan.demo.schemas import DemoManifest

if TYPE_CHECKING:
    from youguan.context import Context

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoOptions:
    out_dir: Path
    seed: int = P.DEFAULT_SEED
    scale: float = P.DEFAULT_SCALE
    start: dt.date = P.DEFAULT_WINDOW[0]
    end: dt.date = P.DEFAULT_WINDOW[1]
    as_of: dt.datetime | None = None  # no event after this instant (default: now)


@dataclass
class DemoRun:
    """What the steps share."""

    options: DemoOptions
    ctx: Context | None = None  # the application context (None when only generating)
    manifest: DemoManifest | None = None
    progress: Progress | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    current: Step | None = None  # the step running now (progress bars label it)

    def report(self, what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(what, done, total)


@dataclass(frozen=True)
class Step:
    name: str  # stable ASCII key
    label: str  # Chinese, shown on the progress bar
    run: Callable[[DemoRun], dict[str, Any]]


class StepError(RuntimeError):
    """A step failed; ``step`` names it."""

    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(f"{step}: {cause}")
        self.step = step


class Pipeline:
    def __init__(self, steps: list[Step] | None = None) -> None:
        self.steps: list[Step] = list(steps or [])

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def add(self, step: Step, *, after: str | None = None) -> None:
        """Append ``step``, or insert it right after the step named ``after``."""
        if step.name in self.names:
            raise ValueError(f"step {step.name!r} already in the pipeline")
        if after is None:
            self.steps.append(step)
            return
        self.steps.insert(self.names.index(after) + 1, step)

    def run(self, run: DemoRun) -> dict[str, dict[str, Any]]:
        """Run every step in order; the first failure stops the run with :class:`StepError`."""
        for step in self.steps:
            run.current = step
            try:
                run.results[step.name] = step.run(run)
            except Exception as exc:
                raise StepError(step.name, exc) from exc
        return run.results


def generate_step(run: DemoRun) -> dict[str, Any]:
    from youguan.demo.service import generate

    o = run.options
    run.manifest = generate(
        o.out_dir,
        seed=o.seed,
        scale=o.scale,
        start=o.start,
        end=o.end,
        progress=run.report,
        as_of=o.as_of,
    )
    return {"out_dir": str(o.out_dir), **run.manifest.summary}


def default_pipeline() -> Pipeline:
    """The steps of ``youguan demo``: generate the files, then load them into the stores."""
    from youguan.demo import loaders

    return Pipeline(
        [
            Step("generate", "生成演示数据", generate_step),
            Step("init", "初始化数据存储", loaders.initialise_stores),
            Step("registry", "导入名录（企业、网点、车辆）", loaders.load_registry),
            Step("ingest", "报送数据入库", loaders.ingest_parcels),
            Step("compute", "计算指标", loaders.compute_facts),
            Step("plan", "导入规划实际值", loaders.load_plan_actuals),
            Step("accounts", "创建演示账号", loaders.create_accounts),
        ]
    )
