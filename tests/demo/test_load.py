"""The demo's files load into the stores through the real services: every good row accepted,
every deliberate fault refused with the field the generator meant."""

from __future__ import annotations

from pathlib import Path

from youguan.context import Context
from youguan.demo.loaders import DEMO_ACTOR, load_registry
from youguan.demo.pipeline import DemoOptions, DemoRun
from youguan.demo.schemas import DemoManifest
from youguan.registry.io import import_file
from youguan.registry.models import Facility
from youguan.registry.service import facility_counts

from .conftest import WINDOW


def test_the_registry_files_load_with_exactly_the_designed_faults(
    ctx: Context, demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    run = DemoRun(
        options=DemoOptions(out_dir=demo_dir, start=WINDOW[0], end=WINDOW[1]),
        ctx=ctx,
        manifest=demo_manifest,
    )
    result = load_registry(run)
    for entity in ("enterprises", "facilities", "vehicles"):
        [primary] = demo_manifest.of(entity)
        assert result[entity]["rejected"] == 0
        assert result[entity]["created"] == primary.rows
        [bad] = demo_manifest.of(entity, "errors")
        faults = {(f.row, f.field) for f in demo_manifest.faults if f.file == bad.path}
        with ctx.transaction() as s:  # re-import: the bad rows again, nothing new accepted
            report = import_file(s, DEMO_ACTOR, entity, demo_dir / bad.path)
        # the importer numbers rows as file lines (header = 1); the manifest counts data rows
        assert {(e.row - 1, e.field) for e in report.errors} == faults
    with ctx.read() as s:
        assert s.query(Facility).count() > 1000
        assert facility_counts(s, as_of=WINDOW[1], type="sorting_center") >= 15


def test_the_parcel_files_ingest_with_exactly_the_designed_faults(
    ctx: Context, demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    from youguan.demo.loaders import ingest_parcels
    from youguan.ingest.models import Submission

    run = DemoRun(
        options=DemoOptions(out_dir=demo_dir, start=WINDOW[0], end=WINDOW[1]),
        ctx=ctx,
        manifest=demo_manifest,
    )
    totals = ingest_parcels(run)
    faults = {
        ds: sum(1 for f in demo_manifest.faults if f.file.startswith(f"parcels/{ds}-"))
        for ds in ("waybills", "events", "security")
    }
    for ds, expected in faults.items():
        assert totals[ds]["rejected"] == expected, ds
        assert totals[ds]["refused"] == 0
    [resend] = demo_manifest.of("waybills", "resend")
    assert totals["waybills"]["duplicates"] == resend.rows
    assert totals["waybills"]["corrected"] == 1
    primary = sum(f.rows for f in demo_manifest.of("waybills"))
    assert totals["waybills"]["accepted"] == primary - faults["waybills"] + 1  # + the correction
    with ctx.read() as s:
        assert s.query(Submission).count() == sum(t["files"] for t in totals.values())
    assert ctx.lake.table("waybills").count().execute() == primary - faults["waybills"]
