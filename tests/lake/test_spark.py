"""DuckDB and Spark read the same committed files and see identical rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.ingest.factories import NOW, event, waybill, write_csv
from youguan.auth.actor import Actor
from youguan.context import build_context, initialise
from youguan.ingest import service
from youguan.lake.maintenance import compact

pytestmark = pytest.mark.spark
SYSTEM = Actor.system("test")


def _summary(ctx: object, name: str) -> dict[str, object]:
    t = ctx.lake.table(name)  # type: ignore[attr-defined]
    time_col = "accepted_at" if name == "waybills" else "occurred_at"
    totals = (
        t.aggregate(
            rows=t.count(),
            waybills=t.waybill_no.nunique(),
            source_rows=t.source_row.sum(),
            batches=t.batch_id.nunique(),
            first=t[time_col].min(),
            last=t[time_col].max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    by = t.group_by(["brand", "month"]).aggregate(n=t.count()).order_by(["brand", "month"])
    for k in ("first", "last"):  # Spark hands back naive UTC, DuckDB aware UTC: same instants
        totals[k] = (
            totals[k].astimezone(dt.UTC).replace(tzinfo=None) if totals[k].tzinfo else totals[k]
        )
    return {**totals, "by": by.to_pyarrow().to_pylist()}


def test_duckdb_and_spark_read_identical_rows(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with build_context(make_settings(home)) as duck:
        initialise(duck)
        service.submit_file(
            duck,
            SYSTEM,
            "waybills",
            write_csv(tmp_path / "w.csv", [waybill(i) for i in range(40)]),
            now=NOW,
        )
        fix = write_csv(tmp_path / "fix.csv", [waybill(3, accepted_at="2024-04-02 10:00:00")])
        service.submit_file(duck, SYSTEM, "waybills", fix, now=NOW, correct=True)  # DuckDB-written
        for k in range(3):
            # overlapping files (duplicates), waybills not in the waybill file
            rows = [event(i, waybill_no=f"EV{i // 3}") for i in range(k * 30, k * 30 + 40)]
            rows.append(event(500 + k, waybill_no="EV9", raw_code="9901", raw_text="网点盘点"))
            service.submit_file(
                duck, SYSTEM, "events", write_csv(tmp_path / f"e{k}.csv", rows), now=NOW
            )
        compact(duck.lake, SYSTEM, dataset_name="events")
        expected = {name: _summary(duck, name) for name in ("waybills", "events")}
    assert expected["events"]["rows"] == 100 + 3
    with build_context(make_settings(home, engine="spark")) as spark:
        assert spark.lake.backend.name == "pyspark"
        for name in ("waybills", "events"):
            assert _summary(spark, name) == expected[name]
        t = spark.lake.table("events")
        assert t.filter(~t.mapped).count().execute() == 3
        codes = service.unmapped_codes(spark, SYSTEM)
        assert [(c.brand, c.raw_code, c.rows) for c in codes] == [("yunda", "9901", 3)]
