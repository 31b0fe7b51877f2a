"""The load steps of ``youguan demo``: each takes the generated files of the manifest and puts
them into the stores through the same services an enterprise or a regulator would use (registry
import, ingest, …), acting as ``system:demo``. Files the generator marks as containing faults
are loaded too: their bad rows are refused with row-level errors, as they would be in real life."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from youguan.auth.actor import Actor
from youguan.demo.pipeline import DemoRun

if TYPE_CHECKING:
    from youguan.context import Context

DEMO_ACTOR = Actor.system("demo")


def _ctx(run: DemoRun) -> Context:
    if run.ctx is None:
        raise RuntimeError("the load steps need an application context")
    return run.ctx


def _files(run: DemoRun, dataset: str, roles: tuple[str, ...] = ("primary",)) -> list[Any]:
    if run.manifest is None:
        raise RuntimeError("the demo files have not been generated")
    return [f for f in run.manifest.files if f.dataset == dataset and f.role in roles]


def initialise_stores(run: DemoRun) -> dict[str, Any]:
    from youguan.context import initialise

    return {"reference_rows_loaded": initialise(_ctx(run))}


def load_registry(run: DemoRun) -> dict[str, Any]:
    """Import enterprises first (facilities and vehicles refer to them), then the rest; the
    ``*-with-errors`` files show the importer's row-level errors."""
    from youguan.registry.io import import_file

    ctx = _ctx(run)
    out: dict[str, Any] = {}
    order = ("enterprises", "facilities", "vehicles")
    files = [(e, f) for e in order for f in _files(run, e, ("primary", "errors"))]
    for done, (entity, f) in enumerate(files, start=1):
        run.report(f"导入 {f.path}", done - 1, len(files))
        with ctx.transaction() as session:
            report = import_file(session, DEMO_ACTOR, entity, run.options.out_dir / f.path)
        key = f"{entity}{'' if f.role == 'primary' else ' (含错误行)'}"
        out[key] = {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "rejected": report.rejected,
        }
        run.report(f"导入 {f.path}", done, len(files))
    return out


def load_plan_actuals(run: DemoRun) -> dict[str, Any]:
    """Import the hand-reported plan actuals (业务总量, 收入, 满意度 …) as an office would."""
    from youguan.plan.service import import_actuals, refresh_actuals

    ctx = _ctx(run)
    out: dict[str, Any] = {}
    for f in _files(run, "plan_actuals"):
        result = import_actuals(ctx, run.options.out_dir / f.path, DEMO_ACTOR)
        out[f.path] = {
            "rows": result.rows,
            "accepted": result.accepted,
            "rejected": result.rejected,
        }
    refresh_actuals(ctx, DEMO_ACTOR)
    return out


def create_accounts(run: DemoRun) -> dict[str, Any]:
    """One account per persona (admin, prefecture and county regulators, two enterprises);
    passwords are new each run and printed once."""
    from youguan.auth.demo import PUBLIC_NOTE, create_demo_accounts

    accounts = create_demo_accounts(_ctx(run), DEMO_ACTOR)
    return {"accounts": [a.as_dict() for a in accounts], "public": PUBLIC_NOTE}


INGEST_ORDER = ("statistics", "waybills", "security", "events")  # events check acceptance times


def ingest_parcels(run: DemoRun) -> dict[str, Any]:
    """Submit every data file as the enterprise that owns it would (statistics as the
    prefecture's statistics desk); the re-sent file adds nothing and the correction file goes
    through the explicit, audited correction path."""
    from youguan.auth.actor import Role
    from youguan.ingest.service import submit_file

    ctx = _ctx(run)
    # originals first, then what an enterprise sends again: a re-send, then a correction
    files = [
        f
        for ds in INGEST_ORDER
        for role in ("primary", "alternate", "resend", "correction")
        for f in _files(run, ds, (role,))
    ]
    totals: dict[str, dict[str, int]] = {}
    for done, f in enumerate(files, start=1):
        run.report(f"入库 {f.path}", done - 1, len(files))
        correction = f.role == "correction"
        if f.brand and not correction:
            actor = Actor(name=f"demo:{f.brand}", role=Role.ENTERPRISE, brand=f.brand)
        else:
            actor = DEMO_ACTOR
        result = submit_file(
            ctx, actor, f.dataset, run.options.out_dir / f.path, brand=f.brand, correct=correction
        )
        t = totals.setdefault(
            f.dataset,
            {
                "files": 0,
                "rows": 0,
                "accepted": 0,
                "rejected": 0,
                "duplicates": 0,
                "corrected": 0,
                "refused": 0,
            },
        )
        t["files"] += 1
        for key in ("rows", "accepted", "rejected", "duplicates", "corrected"):
            t[key] += int(getattr(result, key))
        t["refused"] += result.status == "refused"
    run.report("入库完成", len(files), len(files))
    return totals


def compute_facts(run: DemoRun) -> dict[str, Any]:
    """Compute every indicator fact from the committed lake data (a full computation)."""
    from youguan.indicators.facts import compute

    summary = compute(_ctx(run), full=True, actor=DEMO_ACTOR, progress=run.report)
    return summary.as_dict()
