"""Ingest benchmark: end-to-end rows/s and peak memory of ``youguan ingest events`` on a
generated CSV, side by side with DuckDB's own ``COPY (SELECT * FROM read_csv(...)) TO
'….parquet'`` on the same file (the baseline: parse and write, nothing else).

    python benchmarks/ingest.py                 # 10 M event rows (and 1 M for the memory check)
    python benchmarks/ingest.py --rows 1000000  # a quick run

Each measurement runs in a fresh subprocess whose resident memory (all threads) is sampled every
20 ms by the parent, so one run's memory cannot hide in another's. Ours = read, validate (types,
brands, divisions, future times), crosswalk, deduplicate against the lake, write zstd Parquet
and commit the manifest, on an empty lake under a fresh ``YOUGUAN_HOME``. The generated file
has realistic rows: 13 brands, kdniao raw codes for yunda and jt, canonical events for the rest,
offsets and naive times, township codes, Chinese facility names, 0.1 % bad rows and 0.5 %
repeated rows; fields are quoted only where needed (as spreadsheet exports write them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.csv as pv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
CHUNK = 1_000_000

BRANDS = ["ems", "sf", "zto", "yto", "sto", "yunda", "jt", "jd", "deppon", "zjs", "uc"]
KDNIAO = [
    ("1", "已揽收"),
    ("2", "在途中"),
    ("201", "到达派件城市"),
    ("204", "到达转运中心"),
    ("202", "派件中"),
    ("211", "已放入快递柜或驿站"),
    ("301", "正常签收"),
    ("9901", "网点盘点"),
]
EVENTS = ["accepted", "departed", "arrived", "in_transit", "out_for_delivery", "delivered"]
FACILITIES = [
    "景洪分拨中心",
    "勐海县勐遮镇曼洪村驿站",
    "勐腊县磨憨口岸分拣中心",
    "昆明转运中心",
    "",
]


def generate(path: Path, rows: int, *, mixed: bool = False, seed: int = 7) -> None:
    """Write ``rows`` event rows in chunks (vectorised; under a minute for 10 M).

    Default: one enterprise's export, as the API scopes a submission to one brand — yunda's
    tracking events with kdniao raw status codes (five per waybill, hours apart; the crosswalk
    maps every row but the 2 % ``9901``, which stay unmapped), in time order over 80 days.
    ``mixed``: eleven brands shuffled together, canonical events for most, raw codes for yunda
    and jt (an administrator's bulk load)."""
    from youguan.geo.divisions import divisions

    codes = np.array([d.code for d in divisions().within("5328")] + ["530102", "110105", "310101"])
    rng = np.random.default_rng(seed)
    base = np.datetime64("2024-03-01T00:00:00")
    span = 86400 * 80
    tmp = path.with_suffix(".tmp")
    # no quotes (none is needed: no value holds a comma, quote or newline), as spreadsheet
    # exports and Python's csv module write such rows
    options = pv.WriteOptions(quoting_style="none")
    with pv.CSVWriter(str(tmp), _schema(), write_options=options) as writer:
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            idx = np.arange(start, start + n)
            step = idx % 5  # a waybill's five events, hours apart, in the order they happen
            first = rng.integers(0, span, n // 5 + 1)[(idx - start) // 5]
            seconds = first + step * 6 * 3600 + rng.integers(0, 3600, n)
            k = np.array([0, 1, 2, 4, 6])[step]  # 揽收, 在途, 到达派件城市, 派件中, 正常签收
            k = np.where(rng.random(n) < 0.02, len(KDNIAO) - 1, k)  # 9901, stays unmapped
            if mixed:
                brand = np.array(BRANDS)[rng.integers(0, len(BRANDS), n)]
                raw = np.isin(brand, ["yunda", "jt"])
                order = rng.permutation(n)
            else:
                brand = np.full(n, "yunda")
                raw = np.ones(n, dtype=bool)
                order = np.argsort(seconds, kind="stable")  # an export in time order
            stamps = np.datetime_as_string(base + seconds.astype("timedelta64[s]"), unit="s")
            offset = rng.random(n) < 0.5
            occurred = np.where(
                offset, np.char.add(stamps, "+08:00"), np.char.replace(stamps, "T", " ")
            )
            waybill = np.char.add("YD", (idx // 5 + 10**11).astype(str))
            event = np.where(raw, "", np.array(EVENTS)[idx % len(EVENTS)])
            raw_code = np.where(raw, np.array([c for c, _ in KDNIAO])[k], "")
            raw_text = np.where(raw, np.array([t for _, t in KDNIAO])[k], "")
            location = codes[rng.integers(0, len(codes), n)]
            bad = rng.random(n) < 0.001
            occurred = np.where(bad & (idx % 2 == 0), "2024-02-30 10:00:00", occurred)
            location = np.where(bad & (idx % 2 == 1), "999999", location)
            table = pa.table(
                {
                    "waybill_no": waybill,
                    "brand": brand,
                    "event": event,
                    "occurred_at": occurred,
                    "location_code": location,
                    "facility": np.array(FACILITIES)[idx % len(FACILITIES)],
                    "raw_code": raw_code,
                    "raw_text": raw_text,
                },
                schema=_schema(),
            )
            table = table.take(pa.array(order))
            repeat = np.flatnonzero(rng.random(n) < 0.005)  # repeated rows: duplicates
            if len(repeat):
                table = pa.concat_tables([table, table.take(pa.array(repeat))])
            writer.write_table(table)
    tmp.rename(path)


def _schema() -> pa.Schema:
    return pa.schema(
        [
            (n, pa.string())
            for n in (
                "waybill_no",
                "brand",
                "event",
                "occurred_at",
                "location_code",
                "facility",
                "raw_code",
                "raw_text",
            )
        ]
    )


# ---- the measured runs (each in its own process) ---------------------------------------------
def run_ours(csv: Path, home: Path) -> dict[str, object]:
    from youguan.auth.actor import Actor
    from youguan.context import build_context, initialise
    from youguan.ingest import service
    from youguan.ingest.runtime import tune_process
    from youguan.settings import Settings

    settings = Settings(home=home, pii_key="bench-" * 8, secret_key="bench-" * 8)  # type: ignore[arg-type]
    with build_context(settings) as ctx:
        initialise(ctx)
        tune_process()  # as the youguan ingest command does
        started, cpu = time.perf_counter(), time.process_time()
        result = service.submit_file(ctx, Actor.system("bench"), "events", csv)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu,
            "status": result.status,
            "rows": result.rows,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "duplicates": result.duplicates,
            "unmapped": result.unmapped,
            "timings": result.timings,
        }


def run_baseline(csv: Path, home: Path) -> dict[str, object]:
    import duckdb

    home.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv}')) TO '{home / 'baseline.parquet'}' (FORMAT parquet)"
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = con.execute(
        f"SELECT count(*) FROM read_parquet('{home / 'baseline.parquet'}')"
    ).fetchone()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows[0] if rows else 0}


def measure(kind: str, csv: Path) -> dict[str, object]:
    """Run one measurement in a child process, sampling its RSS."""
    home = Path(tempfile.mkdtemp(prefix=f"yg-bench-{kind}-", dir=DATA))
    out = home / "result.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--csv",
            str(csv),
            "--home",
            str(home),
            "--out",
            str(out),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    peak = 0
    ps = psutil.Process(proc.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{kind} run failed with exit code {code}")
    result = json.loads(out.read_text())
    result["peak_rss_mb"] = round(peak / 2**20)
    result["load_average"] = round(os.getloadavg()[0], 2)  # other work on the machine
    shutil.rmtree(home, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--mixed", action="store_true", help="eleven brands shuffled (bulk load) instead of one"
    )
    parser.add_argument("--child", choices=["ours", "baseline"])
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        run = run_ours if args.child == "ours" else run_baseline
        args.out.write_text(json.dumps(run(args.csv, args.home), default=str))
        return

    DATA.mkdir(parents=True, exist_ok=True)
    sizes = sorted({max(args.rows // 10, 1000), args.rows})
    results = []
    for rows in sizes:
        csv = DATA / f"events-{rows}{'-mixed' if args.mixed else ''}.csv"
        if not csv.exists():
            print(f"generating {csv.name} …", file=sys.stderr)
            generate(csv, rows, mixed=args.mixed)
        baseline = measure("baseline", csv)
        ours = measure("ours", csv)
        results.append(
            {
                "rows_requested": rows,
                "file_mb": round(csv.stat().st_size / 2**20),
                "baseline": baseline,
                "ours": ours,
            }
        )
    machine = {
        "cpu": platform.processor() or platform.machine(),
        "cores": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30),
        "python": platform.python_version(),
    }
    print(json.dumps({"machine": machine, "results": results}, indent=2, default=str))
    print()
    print(
        "| rows in file | file | ours: rows/s | ours: s (CPU s) | ours: peak RSS |"
        " DuckDB COPY: rows/s | DuckDB: s (CPU s) | DuckDB: peak RSS | ours ÷ DuckDB time |"
        " load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ours, base = r["ours"], r["baseline"]
        print(
            f"| {ours['rows']:,} | {r['file_mb']} MB | {ours['rows'] / ours['seconds']:,.0f} | "
            f"{ours['seconds']:.1f} ({ours['cpu_seconds']:.1f}) | {ours['peak_rss_mb']} MB | "
            f"{base['rows'] / base['seconds']:,.0f} | {base['seconds']:.1f} "
            f"({base['cpu_seconds']:.1f}) | {base['peak_rss_mb']} MB | "
            f"{ours['seconds'] / base['seconds']:.2f} | {ours['load_average']} |"
        )


if __name__ == "__main__":
    main()
