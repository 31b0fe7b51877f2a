"""Indicator benchmark: the full indicator set by brand × county × day over a month at the plan's
2025 volume (快递业务量 6 526.73 万件 a year ≈ 5.4 M items a month) and its tracking events.

Three ways to the same figures, each in a fresh process (its own wall time and peak memory):

- ``ibis``   — youguan's own path: ``youguan.indicators.evaluate`` (the Ibis definitions, DuckDB);
- ``sql``    — hand-written DuckDB SQL over the same Parquet files (the practical limit);
- ``pandas`` — what an analyst would write with pandas over the same files.

The figures of ``sql`` and ``pandas`` are checked against ``ibis`` before any timing is reported.

    python benchmarks/indicators.py                  # one month, all three methods
    python benchmarks/indicators.py --months 12 --methods ibis   # a full year (≈ 65 M items)

Data are generated with numpy/pyarrow in the stored lake schema and committed through the lake
(``ctx.lake.commit``), so the files and manifest are exactly what ingest would leave.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS_PER_MONTH_2025 = 65_267_300 // 12  # 快递业务量 6 526.73 万件 (plan 附表, 2025)
FIRST_MONTH = dt.date(2025, 1, 1)
UTC = dt.UTC
KEYS = ("brand", "county", "day")


# ---- data ------------------------------------------------------------------------------------
def _codes() -> tuple[dict[str, list[str]], list[str]]:
    """Township codes of each prefecture county, and county codes elsewhere in China."""
    from youguan.geo.divisions import Level, divisions

    ds = divisions()
    inside = {
        c.code: [t.code for t in ds.within(c.code, Level.TOWNSHIP)] or [c.code]
        for c in ds.prefecture_counties()
    }
    outside = [
        d.code for d in ds.all(Level.COUNTY) if not d.code.startswith("5328") and len(d.code) == 6
    ]
    return inside, outside


def _const(value: str | None, n: int) -> pa.Array:
    """``n`` copies of one string, built in Arrow (a Python list of millions is slow)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, np.int32)), pa.array([value], pa.string())
    ).cast(pa.string())


def _choice(rng: np.random.Generator, values: list[Any], p: list[float], n: int) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=np.array(p) / sum(p))]


def generate_month(
    rng: np.random.Generator, brand: str, n: int, month: dt.date
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Waybills, events and security records of ``n`` items of ``brand`` accepted in ``month``."""
    from youguan.ingest.derive import derive_waybill_columns
    from youguan.ingest.schemas import TIMESTAMP
    from youguan.lake.store import month_of

    inside, outside = _codes()
    counties = list(inside)
    start = int(dt.datetime.combine(month, dt.time(), tzinfo=UTC).timestamp()) - 8 * 3600
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    span = int((nxt - month).days) * 86_400
    accepted = start + rng.integers(0, span, n)

    direction = _choice(rng, ["outbound", "inbound", "local"], [0.45, 0.45, 0.10], n)
    county = _choice(rng, counties, [0.6, 0.2, 0.2], n)
    local_code = np.array([inside[c][rng.integers(len(inside[c]))] for c in counties], object)
    # one township per county per call keeps generation fast; places vary across calls
    here = local_code[np.searchsorted(np.array(counties), county.astype(str))]
    other_county = _choice(rng, counties, [0.6, 0.2, 0.2], n)
    there_local = local_code[np.searchsorted(np.array(counties), other_county.astype(str))]
    far = np.asarray(outside, object)[rng.integers(0, len(outside), n)]
    foreign = (direction == "outbound") & (rng.random(n) < 0.01)
    origin = np.where(direction == "inbound", far, here)
    dest = np.where(direction == "outbound", far, np.where(direction == "local", there_local, here))
    dest = np.where(foreign, None, dest)
    country = np.where(foreign, _choice(rng, ["LA", "TH", "MM"], [0.6, 0.3, 0.1], n), "CN")

    # Waybill numbers as long as real ones (12–15 characters): brand letters, YYMM, 8 digits.
    ids = pc.utf8_lpad(pc.cast(pa.array(rng.permutation(n).astype(np.int64)), pa.string()), 8, "0")
    prefix = brand.upper()[:3] + month.strftime("%y%m")
    waybill_no = pc.binary_join_element_wise(prefix, ids, "")
    kind = _choice(
        rng, ["person", "organisation", "agreement_customer", "letter"], [0.7, 0.1, 0.18, 0.02], n
    )
    id_type = _choice(
        rng,
        ["resident_id", "foreign_passport", "hk_mo_tw_permit", "other"],
        [0.95, 0.03, 0.01, 0.01],
        n,
    )
    hashes = pc.binary_join_element_wise("h" + prefix, ids, "")
    wb = pa.table(
        {
            "waybill_no": waybill_no,
            "brand": _const(brand, n),
            "accepted_at": pa.array(accepted * 1_000_000, pa.int64()).cast(TIMESTAMP),
            "origin_code": pa.array(origin, pa.string()),
            "dest_code": pa.array(dest, pa.string()),
            "dest_country": pa.array(country, pa.string()),
            "service": _const("standard", n),
            "promised_hours": pa.array(np.where(rng.random(n) < 0.1, 48, None), pa.int64()),
            "e_waybill": pa.array(rng.random(n) < 0.985),
            "real_name": pa.array(rng.random(n) < 0.97),
            "inspected": pa.array(rng.random(n) < 0.96),
            "xray": pa.array(rng.random(n) < 0.9),
            "sender_kind": pa.array(kind, pa.string()),
            "agreement_no": pa.array(
                np.where((kind == "agreement_customer") & (rng.random(n) < 0.8), "XY-2025", None),
                pa.string(),
            ),
            "sender_id_type": pa.array(id_type, pa.string()),
            "sender_id_no_hash": hashes,
            "sender_id_no_masked": _const("**************", n),
            "sender_id_valid": pa.array(rng.random(n) < 0.995),
            "sender_name_hash": pc.if_else(pa.array(rng.random(n) < 0.99), hashes, None),
            "sender_name_masked": _const("**", n),
            "sender_phone_hash": hashes,
            "sender_phone_masked": _const("***********", n),
            "transport": pa.array(
                _choice(rng, ["road", "air", "rail"], [0.85, 0.1, 0.05], n), pa.string()
            ),
        }
    )
    wb = derive_waybill_columns(wb)
    wb = wb.append_column("month", month_of(wb["accepted_at"]))

    # Events: a chain per item, times in seconds after acceptance.
    same = pc.equal(wb["scope"], "same_city").to_numpy(zero_copy_only=False)
    h = 3600
    departed = rng.integers(h, 12 * h, n)
    hop = rng.random(n) < 0.5
    transit = np.where(same, rng.integers(2 * h, 10 * h, n), rng.lognormal(np.log(36 * h), 0.4, n))
    arrived = departed + transit.astype(np.int64)
    mid = departed + (transit * 0.4).astype(np.int64)
    ofd = arrived + rng.integers(h, 10 * h, n)
    outcome = rng.random(n)
    failed = outcome < 0.03
    delivered_at = ofd + rng.integers(h // 2, 6 * h, n) + np.where(failed, 24 * h, 0)
    never = (outcome >= 0.03) & (outcome < 0.045)
    refused = (outcome >= 0.045) & (outcome < 0.055)
    forwarded = (outcome >= 0.055) & (outcome < 0.06)
    normal = ~(never | refused | forwarded)
    locker = normal & (rng.random(n) < 0.12)
    exception = rng.random(n)
    parts: list[tuple[np.ndarray, str, np.ndarray, str | None]] = [
        (np.ones(n, bool), "accepted", np.zeros(n, np.int64), None),
        (np.ones(n, bool), "departed", departed, None),
        (hop, "arrived", mid, None),
        (hop, "departed", mid + h, None),
        (~never, "arrived", arrived, None),
        (~never, "out_for_delivery", ofd, None),
        (failed, "delivery_failed", ofd + 2 * h, None),
        (normal & ~locker, "delivered", delivered_at, None),
        (locker, "locker", delivered_at, None),
        (refused, "refused", ofd + 2 * h, None),
        (forwarded, "forwarded", ofd + h, None),
        (exception < 0.0005, "exception", arrived, "lost"),
        ((exception >= 0.0005) & (exception < 0.001), "exception", ofd, "damaged"),
        ((exception >= 0.001) & (exception < 0.0013), "exception", ofd, "shortage"),
    ]
    index = np.concatenate([np.flatnonzero(m) for m, *_ in parts])
    seconds = np.concatenate([accepted[m] + t[m] for m, _, t, _ in parts])
    names = pa.chunked_array([_const(e, int(m.sum())) for m, e, _, _ in parts])
    reasons = pa.chunked_array([_const(r, int(m.sum())) for m, _, _, r in parts])
    occurred = pa.array(seconds * 1_000_000, pa.int64()).cast(TIMESTAMP)
    ev = pa.table(
        {
            "waybill_no": pc.take(waybill_no, pa.array(index)),
            "brand": _const(brand, len(index)),
            "event": names,
            "occurred_at": occurred,
            "reason": reasons,
            "raw_code": names,
            "mapped": pa.array(np.ones(len(index), bool)),
        }
    )
    ev = ev.append_column("month", month_of(ev["occurred_at"]))

    # Security records: an X-ray record for half of the items without the flag, inspections
    # for a fifth of all items.
    xray_flag = wb["xray"].to_numpy(zero_copy_only=False)
    xr = np.flatnonzero(~xray_flag & (rng.random(n) < 0.5))
    insp = np.flatnonzero(rng.random(n) < 0.2)
    sec_index = np.concatenate([xr, insp])
    checked = pa.array((accepted[sec_index] + 600) * 1_000_000, pa.int64()).cast(TIMESTAMP)
    sec = pa.table(
        {
            "waybill_no": pc.take(waybill_no, pa.array(sec_index)),
            "brand": _const(brand, len(sec_index)),
            "kind": pa.chunked_array([_const("xray", len(xr)), _const("inspection", len(insp))]),
            "checked_at": checked,
            "result": _const("pass", len(sec_index)),
        }
    )
    sec = sec.append_column("month", month_of(sec["checked_at"]))
    return wb, ev, sec


def generate(home: Path, months: int, scale: float, seed: int) -> dict[str, Any]:
    from youguan.auth.actor import Actor
    from youguan.context import build_context, initialise
    from youguan.registry.brands import brands
    from youguan.settings import Settings

    rng = np.random.default_rng(seed)
    shares = {b.code: b.share_2020 for b in brands().values() if b.share_2020 > 0}
    total = sum(shares.values())
    actor = Actor.system("benchmark")
    counts = {"waybills": 0, "events": 0, "security": 0}
    t0 = time.perf_counter()
    with build_context(Settings(home=home)) as ctx:
        initialise(ctx)
        for m in range(months):
            month = dt.date(FIRST_MONTH.year + m // 12, m % 12 + 1, 1)
            for code, share in shares.items():
                n = int(ITEMS_PER_MONTH_2025 * scale * share / total)
                wb, ev, sec = generate_month(rng, code, n, month)
                for name, table in (("waybills", wb), ("events", ev), ("security", sec)):
                    ctx.lake.commit(name, table, actor=actor, source="benchmark")
                    counts[name] += table.num_rows
            print(f"  generated {month:%Y-%m}: {counts}", file=sys.stderr)
        size = sum(f.stat().st_size for f in ctx.settings.lake_dir.rglob("*.parquet"))
    return {**counts, "bytes": size, "seconds": round(time.perf_counter() - t0, 1)}


# ---- the three methods -------------------------------------------------------------------------
def _files(home: Path) -> dict[str, list[str]]:
    from youguan.context import build_context
    from youguan.settings import Settings

    with build_context(Settings(home=home)) as ctx:
        return {
            d: [str(f.path) for f in ctx.lake.files(d)] for d in ("waybills", "events", "security")
        }


def run_ibis(home: Path, start: dt.date, end: dt.date, as_of: dt.datetime) -> pa.Table:
    from youguan.context import build_context
    from youguan.indicators.dimensions import parse_by
    from youguan.indicators.evaluate import evaluate
    from youguan.settings import Settings

    with build_context(Settings(home=home)) as ctx:
        _limit_duckdb(ctx.lake.backend.con)
        result = evaluate(
            ctx, date_from=start, date_to=end, by=parse_by("brand,county,day"), as_of=as_of
        )
        rows = []
        for r in result.rows:
            row: dict[str, Any] = {
                "brand": r.dims["brand"],
                "county": r.dims["county"],
                "day": r.dims["day"],
            }
            row["items"], row["pending"] = r.items, r.pending
            row.update({code: f.value for code, f in r.figures.items()})
            rows.append(row)
    return pa.Table.from_pylist(rows)


def _limit_duckdb(con: Any) -> None:
    limit = os.environ.get("BENCH_DUCKDB_MEMORY")
    if limit:
        con.execute(f"SET memory_limit = '{limit}'")


SQL = """
WITH w AS (
    SELECT brand, waybill_no, scope, direction, origin_county, dest_county,
           epoch_us(accepted_at) // 1000000 AS acc,
           promised_hours, e_waybill, real_name, inspected, xray, sender_kind, agreement_no,
           sender_id_type, sender_id_valid, sender_id_no_hash, sender_name_hash, transport,
           left(origin_code, 2) AS op, left(dest_code, 2) AS dp
    FROM read_parquet($waybills)
    WHERE direction IS NOT NULL
), w2 AS (
    SELECT * FROM w WHERE acc >= $start AND acc < $end AND acc <= $asof
), e AS (
    SELECT brand, waybill_no,
           min(t) FILTER (WHERE event = 'accepted') AS scan,
           min(t) FILTER (WHERE event IN ('delivered', 'locker')) AS fdel,
           min(t) FILTER (WHERE event IN ('delivered', 'locker', 'delivery_failed')) AS fatt,
           min(t) FILTER (WHERE event IN ('delivered', 'locker', 'returned', 'undeliverable',
                                          'refused', 'forwarded')) AS fend,
           min(t) FILTER (WHERE event = 'departed') AS dep,
           max(t) FILTER (WHERE event = 'arrived') AS arr,
           min(t) FILTER (WHERE event = 'out_for_delivery') AS ofd,
           bool_or(event IN ('refused', 'forwarded')) AS rf,
           bool_or(event = 'exception' AND reason = 'lost') AS lost,
           bool_or(event = 'exception' AND reason = 'damaged') AS damaged,
           bool_or(event = 'exception' AND reason = 'shortage') AS shortage
    FROM (
        SELECT brand, waybill_no, event, reason,
               epoch_us(occurred_at) // 1000000 AS t
        FROM read_parquet($events) WHERE event IS NOT NULL
    ) WHERE t <= $asof
    GROUP BY brand, waybill_no
), s AS (
    SELECT brand, waybill_no,
           bool_or(kind = 'inspection') AS insp_rec, bool_or(kind = 'xray') AS xray_rec
    FROM read_parquet($security)
    WHERE epoch_us(checked_at) // 1000000 <= $asof
    GROUP BY brand, waybill_no
), i AS (
    SELECT w2.brand,
           CASE WHEN direction = 'inbound' THEN dest_county ELSE origin_county END AS county,
           (acc + 28800) // 86400 AS day,
           scope IN ('same_city', 'intercity') AS domestic, scope = 'intercity' AS ic,
           coalesce(scan, acc) AS clock,
           CASE WHEN promised_hours > 0 THEN promised_hours * 3600
                WHEN scope = 'same_city' THEN 86400 ELSE 259200 END AS lim,
           CASE scope WHEN 'same_city' THEN 259200 WHEN 'intercity' THEN 604800 END AS win,
           coalesce(acc + CASE scope WHEN 'same_city' THEN 259200 WHEN 'intercity' THEN 604800 END
                    <= $asof, false) AS ev,
           coalesce(rf, false) AS rf, coalesce(lost, false) AS lost,
           coalesce(damaged, false) AS damaged, coalesce(shortage, false) AS shortage,
           fdel, fatt, fend, dep, arr, ofd, scope,
           coalesce(e_waybill, false) AS ew,
           sender_kind = 'letter'
             OR (sender_kind = 'agreement_customer' AND length(trim(agreement_no)) > 0)
             OR (coalesce(real_name, false)
                 AND sender_id_type IN ('resident_id', 'temp_resident_id', 'military_id',
                                        'hk_mo_tw_permit', 'foreign_passport')
                 AND length(sender_id_no_hash) > 0
                 AND CASE WHEN sender_id_type IN ('resident_id', 'temp_resident_id')
                          THEN coalesce(sender_id_valid, false)
                          ELSE coalesce(sender_id_valid, true) END
                 AND length(sender_name_hash) > 0) AS rn,
           coalesce(inspected, false) OR coalesce(insp_rec, false) AS insp,
           coalesce(xray, false) OR coalesce(xray_rec, false) AS xr,
           transport IN ('air', 'rail') OR scope = 'international'
             OR (scope IN ('same_city', 'intercity') AND coalesce(op <> dp, false)) AS xreq,
           coalesce(length(sender_id_no_hash) > 0, false)
             AND sender_id_type IN ('resident_id', 'temp_resident_id') AS idc,
           sender_id_valid
    FROM w2 LEFT JOIN e USING (brand, waybill_no) LEFT JOIN s USING (brand, waybill_no)
), f AS (
    SELECT *, domestic AND NOT rf AS timed, ic AND NOT rf AS timed_ic,
           fdel - clock AS transit,
           ic AND NOT rf AND ev AND fdel IS NOT NULL AS tpop,
           ic AND NOT rf AND ev AND fdel IS NOT NULL AND clock <= dep AND dep <= arr
             AND arr <= ofd AND ofd <= fdel AS chain
    FROM i
)
SELECT brand, county, day, count(*) AS items,
       count(*) FILTER (WHERE domestic AND NOT ev) AS pending,
       count(*) FILTER (WHERE timed_ic AND ev) AS on_time_den,
       count(*) FILTER (WHERE timed_ic AND ev AND coalesce(fdel - clock <= 259200, false))
         AS on_time_num,
       count(*) FILTER (WHERE timed AND ev) AS delay_den,
       count(*) FILTER (WHERE timed AND ev
                              AND coalesce(fatt - clock > lim AND fatt - clock <= win, false))
         AS delay_num,
       count(*) FILTER (WHERE domestic AND ev) AS dom_den,
       count(*) FILTER (WHERE domestic AND ev
                              AND (lost OR NOT coalesce(fend - clock <= win, false)))
         AS loss_num,
       count(*) FILTER (WHERE domestic AND ev AND damaged) AS damage_num,
       count(*) FILTER (WHERE domestic AND ev AND shortage) AS shortage_num,
       count(*) FILTER (WHERE tpop) AS transit_den,
       sum(transit) FILTER (WHERE tpop) AS transit_sum,
       quantile_cont(transit::DOUBLE, 0.5) FILTER (WHERE tpop) AS transit_p50,
       quantile_cont(transit::DOUBLE, 0.9) FILTER (WHERE tpop) AS transit_p90,
       count(*) FILTER (WHERE chain) AS chain_den,
       sum(dep - clock) FILTER (WHERE chain) AS origin_sum,
       sum(arr - dep) FILTER (WHERE chain) AS transport_sum,
       sum(ofd - arr) FILTER (WHERE chain) AS dest_sum,
       sum(fdel - ofd) FILTER (WHERE chain) AS delivery_sum,
       count(*) FILTER (WHERE ew) AS ew_num,
       count(*) FILTER (WHERE coalesce(rn, false)) AS rn_num,
       count(*) FILTER (WHERE insp) AS insp_num,
       count(*) FILTER (WHERE xr) AS xr_num,
       count(*) FILTER (WHERE xreq) AS xreq_den,
       count(*) FILTER (WHERE xreq AND xr) AS xreq_num,
       count(*) FILTER (WHERE idc) AS idc_den,
       count(*) FILTER (WHERE idc AND NOT coalesce(sender_id_valid, true)) AS idc_num
FROM f GROUP BY brand, county, day
"""


def _finish(r: dict[str, Any]) -> dict[str, Any]:
    """Raw counts and sums (as both baselines compute them) → indicator values."""

    def ratio(num: str, den: str, scale: int = 1) -> float | None:
        return float(r[num]) / float(r[den]) * scale if r[den] else None

    def hours(total: str, den: str) -> float | None:
        return float(r[total]) / 3600 / float(r[den]) if r[den] else None

    def q(name: str) -> float | None:
        return float(r[name]) / 3600 if r["transit_den"] and r[name] is not None else None

    return {
        "brand": r["brand"],
        "county": r["county"],
        "day": (dt.date(1970, 1, 1) + dt.timedelta(days=int(r["day"]))).isoformat(),
        "items": r["items"],
        "pending": r["pending"],
        "on_time_72h_rate": ratio("on_time_num", "on_time_den"),
        "delay_rate": ratio("delay_num", "delay_den"),
        "loss_per_100k": ratio("loss_num", "dom_den", 100_000),
        "damage_per_100k": ratio("damage_num", "dom_den", 100_000),
        "shortage_per_100k": ratio("shortage_num", "dom_den", 100_000),
        "transit_hours_mean": hours("transit_sum", "transit_den"),
        "transit_hours_p50": q("transit_p50"),
        "transit_hours_p90": q("transit_p90"),
        "origin_processing_hours_mean": hours("origin_sum", "chain_den"),
        "transport_hours_mean": hours("transport_sum", "chain_den"),
        "dest_processing_hours_mean": hours("dest_sum", "chain_den"),
        "delivery_hours_mean": hours("delivery_sum", "chain_den"),
        "e_waybill_rate": ratio("ew_num", "items"),
        "real_name_rate": ratio("rn_num", "items"),
        "inspection_rate": ratio("insp_num", "items"),
        "xray_rate": ratio("xr_num", "items"),
        "xray_required_rate": ratio("xreq_num", "xreq_den"),
        "id_invalid_rate": ratio("idc_num", "idc_den"),
    }


def _bounds(start: dt.date, end: dt.date, as_of: dt.datetime) -> dict[str, int]:
    from youguan.indicators.periods import epoch_seconds, local_midnight_epoch

    return {
        "start": local_midnight_epoch(start),
        "end": local_midnight_epoch(end + dt.timedelta(days=1)),
        "asof": epoch_seconds(as_of),
    }


def run_sql(
    home: Path, start: dt.date, end: dt.date, as_of: dt.datetime, memory: str | None = None
) -> pa.Table:
    import duckdb

    files = _files(home)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _limit_duckdb(con)
    if memory:
        con.execute(f"SET memory_limit = '{memory}'")
    params = {**files, **_bounds(start, end, as_of)}
    raw = con.execute(SQL, params).to_arrow_table().to_pylist()
    return pa.Table.from_pylist([_finish(r) for r in raw])


def run_pandas(home: Path, start: dt.date, end: dt.date, as_of: dt.datetime) -> pa.Table:
    import pandas as pd

    files = _files(home)
    b = _bounds(start, end, as_of)
    key = ["brand", "waybill_no"]
    wb = pd.read_parquet(
        files["waybills"],
        partitioning=None,
        columns=[
            "brand", "waybill_no", "accepted_at", "scope", "direction", "origin_county",
            "dest_county", "origin_code", "dest_code", "promised_hours", "e_waybill", "real_name",
            "inspected", "xray", "sender_kind", "agreement_no", "sender_id_type",
            "sender_id_valid", "sender_id_no_hash", "sender_name_hash", "transport",
        ],
    )  # fmt: skip
    wb["acc"] = wb["accepted_at"].astype("int64") // 1_000_000
    wb = wb[
        wb["direction"].notna()
        & (wb["acc"] >= b["start"])
        & (wb["acc"] < b["end"])
        & (wb["acc"] <= b["asof"])
    ]
    ev = pd.read_parquet(
        files["events"],
        partitioning=None,
        columns=["brand", "waybill_no", "event", "reason", "occurred_at"],
    )
    ev["t"] = ev["occurred_at"].astype("int64") // 1_000_000
    ev = ev[ev["event"].notna() & (ev["t"] <= b["asof"])]
    event, t = ev["event"], ev["t"]
    exc = event == "exception"
    ev = pd.DataFrame(
        {
            "brand": ev["brand"],
            "waybill_no": ev["waybill_no"],
            "scan": t.where(event == "accepted"),
            "fdel": t.where(event.isin(("delivered", "locker"))),
            "fatt": t.where(event.isin(("delivered", "locker", "delivery_failed"))),
            "fend": t.where(
                event.isin(
                    ("delivered", "locker", "returned", "undeliverable", "refused", "forwarded")
                )
            ),
            "dep": t.where(event == "departed"),
            "arr": t.where(event == "arrived"),
            "ofd": t.where(event == "out_for_delivery"),
            "rf": event.isin(("refused", "forwarded")),
            "lost": exc & (ev["reason"] == "lost"),
            "damaged": exc & (ev["reason"] == "damaged"),
            "shortage": exc & (ev["reason"] == "shortage"),
        }
    )
    summary = ev.groupby(key, sort=False).agg(
        scan=("scan", "min"), fdel=("fdel", "min"), fatt=("fatt", "min"), fend=("fend", "min"),
        dep=("dep", "min"), arr=("arr", "max"), ofd=("ofd", "min"), rf=("rf", "any"),
        lost=("lost", "any"), damaged=("damaged", "any"), shortage=("shortage", "any"),
    )  # fmt: skip
    del ev, event, t, exc
    sec = pd.read_parquet(
        files["security"], partitioning=None, columns=["brand", "waybill_no", "kind", "checked_at"]
    )
    sec = sec[sec["checked_at"].astype("int64") // 1_000_000 <= b["asof"]]
    sec_flags = pd.DataFrame(
        {"insp_rec": sec["kind"] == "inspection", "xray_rec": sec["kind"] == "xray",
         "brand": sec["brand"], "waybill_no": sec["waybill_no"]}
    ).groupby(key, sort=False).any()  # fmt: skip

    i = wb.merge(summary, left_on=key, right_index=True, how="left")
    i = i.merge(sec_flags, left_on=key, right_index=True, how="left")
    for c in ("rf", "lost", "damaged", "shortage", "insp_rec", "xray_rec"):
        i[c] = i[c].fillna(False).astype(bool)
    i["county"] = i["dest_county"].where(i["direction"] == "inbound", i["origin_county"])
    i["day"] = (i["acc"] + 28800) // 86400
    i["domestic"] = i["scope"].isin(("same_city", "intercity"))
    i["ic"] = i["scope"] == "intercity"
    i["clock"] = i["scan"].fillna(i["acc"])
    same = i["scope"] == "same_city"
    promised = i["promised_hours"].fillna(0)
    i["lim"] = np.where(promised > 0, promised * 3600, np.where(same, 86400, 259200))
    i["win"] = np.where(same, 259200, np.where(i["ic"], 604800, np.nan))
    i["ev"] = i["domestic"] & (i["acc"] + i["win"] <= b["asof"])
    timed = i["domestic"] & ~i["rf"]
    timed_ic = i["ic"] & ~i["rf"]
    transit = i["fdel"] - i["clock"]
    attempt = i["fatt"] - i["clock"]
    tpop = timed_ic & i["ev"] & i["fdel"].notna()
    chain = (
        tpop
        & (i["clock"] <= i["dep"])
        & (i["dep"] <= i["arr"])
        & (i["arr"] <= i["ofd"])
        & (i["ofd"] <= i["fdel"])
    )
    ids = ("resident_id", "temp_resident_id", "military_id", "hk_mo_tw_permit", "foreign_passport")
    checked = i["sender_id_type"].isin(("resident_id", "temp_resident_id"))
    valid = i["sender_id_valid"].astype("boolean")
    well = i["sender_id_no_hash"].str.len().fillna(0).gt(0) & np.where(
        checked, valid.fillna(False), valid.fillna(True)
    )
    idc = i["sender_id_no_hash"].str.len().fillna(0).gt(0) & checked
    rn = (
        (i["sender_kind"] == "letter")
        | ((i["sender_kind"] == "agreement_customer")
           & i["agreement_no"].str.strip().str.len().fillna(0).gt(0))
        | (i["real_name"].fillna(False).astype(bool) & i["sender_id_type"].isin(ids) & well
           & i["sender_name_hash"].str.len().fillna(0).gt(0))
    )  # fmt: skip
    xr = i["xray"].fillna(False).astype(bool) | i["xray_rec"]
    xreq = (
        i["transport"].isin(("air", "rail"))
        | (i["scope"] == "international")
        | (i["domestic"] & (i["origin_code"].str[:2] != i["dest_code"].str[:2]).fillna(False))
    )
    ev_ok = i["ev"]
    cols = pd.DataFrame(
        {
            "brand": i["brand"], "county": i["county"], "day": i["day"], "items": 1,
            "pending": i["domestic"] & ~ev_ok,
            "on_time_den": timed_ic & ev_ok,
            "on_time_num": timed_ic & ev_ok & (transit <= 259200),
            "delay_den": timed & ev_ok,
            "delay_num": timed & ev_ok & (attempt > i["lim"]) & (attempt <= i["win"]),
            "dom_den": i["domestic"] & ev_ok,
            "loss_num": i["domestic"]
            & ev_ok
            & (i["lost"] | ~((i["fend"] - i["clock"]) <= i["win"])),
            "damage_num": i["domestic"] & ev_ok & i["damaged"],
            "shortage_num": i["domestic"] & ev_ok & i["shortage"],
            "transit_den": tpop,
            "transit_sum": transit.where(tpop, 0),
            "chain_den": chain,
            "origin_sum": (i["dep"] - i["clock"]).where(chain, 0),
            "transport_sum": (i["arr"] - i["dep"]).where(chain, 0),
            "dest_sum": (i["ofd"] - i["arr"]).where(chain, 0),
            "delivery_sum": (i["fdel"] - i["ofd"]).where(chain, 0),
            "ew_num": i["e_waybill"].fillna(False).astype(bool),
            "rn_num": rn, "insp_num": i["inspected"].fillna(False).astype(bool) | i["insp_rec"],
            "xr_num": xr, "xreq_den": xreq, "xreq_num": xreq & xr,
            "idc_den": idc, "idc_num": idc & ~valid.fillna(True).astype(bool),
        }
    )  # fmt: skip
    sums = cols.groupby(list(KEYS), sort=False).sum()
    tq = pd.DataFrame(
        {"brand": i["brand"], "county": i["county"], "day": i["day"], "transit": transit}
    )[tpop]
    quant = tq.groupby(list(KEYS), sort=False)["transit"].quantile([0.5, 0.9]).unstack()
    sums["transit_p50"] = quant[0.5]
    sums["transit_p90"] = quant[0.9]
    raw = (
        sums.reset_index().astype(object).where(sums.reset_index().notna(), None).to_dict("records")
    )
    return pa.Table.from_pylist([_finish(r) for r in raw])


def run_sql_capped(home: Path, start: dt.date, end: dt.date, as_of: dt.datetime) -> pa.Table:
    """The hand-written SQL held to youguan's memory (DuckDB spills to disk)."""
    return run_sql(home, start, end, as_of, memory=SQL_CAP)


SQL_CAP = "1500MB"
METHODS = {"ibis": run_ibis, "sql": run_sql, "sql_capped": run_sql_capped, "pandas": run_pandas}


def peak_kb(usage: resource.struct_rusage) -> int:
    """This process's peak resident size in KiB. Linux's ``VmHWM`` belongs to the memory map
    made at exec; ``ru_maxrss`` also counts the parent's pages copied at fork (a parent that
    generated the data in-process would show its own size in every child)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return usage.ru_maxrss


def child(
    method: str, home: Path, start: dt.date, end: dt.date, as_of: dt.datetime, out: Path
) -> None:
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    table = METHODS[method](home, start, end, as_of)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    import pyarrow.parquet as pq

    pq.write_table(table, out)
    cpu = usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime
    report = {
        "method": method,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_kb(usage) / 1024),
        "rows": table.num_rows,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(report))


# ---- orchestration -----------------------------------------------------------------------------
def compare(reference: pa.Table, other: pa.Table) -> float:
    """Largest relative difference between two results (rows matched on brand, county, day)."""

    def index(t: pa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
        return {tuple(r[k] for k in KEYS): r for r in t.to_pylist()}

    a, b = index(reference), index(other)
    if set(a) != set(b):
        raise AssertionError(f"different groups: {len(set(a) ^ set(b))} differ")
    worst = 0.0
    for k, ra in a.items():
        rb = b[k]
        for col, va in ra.items():
            if col in KEYS:
                continue
            vb = rb[col]
            if va is None or vb is None:
                if va != vb:
                    raise AssertionError(f"{k} {col}: {va!r} vs {vb!r}")
                continue
            diff = abs(float(va) - float(vb)) / max(1.0, abs(float(va)))
            if diff > 1e-9:
                raise AssertionError(f"{k} {col}: {va!r} vs {vb!r}")
            worst = max(worst, diff)
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--months", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the 2025 volume")
    ap.add_argument("--methods", default="ibis,sql,pandas")
    ap.add_argument("--home", type=Path, help="keep the generated lake here (reused when present)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=1, help="runs per method (fastest reported)")
    ap.add_argument("--child", choices=list(METHODS), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    start = FIRST_MONTH
    last = dt.date(FIRST_MONTH.year + (args.months - 1) // 12, (args.months - 1) % 12 + 1, 1)
    end = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1) - dt.timedelta(days=1)
    as_of = dt.datetime.combine(end + dt.timedelta(days=30), dt.time(), tzinfo=UTC)
    if args.child:
        child(args.child, args.home, start, end, as_of, args.out)
        return

    home = args.home or Path(tempfile.mkdtemp(prefix="yg-bench-"))
    marker = home / "benchmark.json"
    spec = {"months": args.months, "scale": args.scale, "seed": args.seed}
    if marker.exists() and json.loads(marker.read_text())["spec"] == spec:
        data = json.loads(marker.read_text())["data"]
        print(f"reusing the lake in {home}", file=sys.stderr)
    else:
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        print(f"generating {args.months} month(s) at scale {args.scale} in {home}", file=sys.stderr)
        data = generate(home, args.months, args.scale, args.seed)
        marker.write_text(json.dumps({"spec": spec, "data": data}))
    print(json.dumps({"data": data}), file=sys.stderr)

    results: dict[str, dict[str, Any]] = {}
    tables: dict[str, pa.Table] = {}
    import pyarrow.parquet as pq

    # Repetitions interleave the methods, so that other load on the machine hits them alike;
    # each method's fastest run is reported (its CPU time and peak memory are of that run).
    for _ in range(args.repeat):
        for method in args.methods.split(","):
            out = home / f"result-{method}.parquet"
            proc = subprocess.run(
                [sys.executable, __file__, "--child", method, "--home", str(home),
                 "--out", str(out), "--months", str(args.months)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"{method} failed")
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            print(json.dumps(run), file=sys.stderr)
            runs = results.setdefault(method, {"runs": []})["runs"]
            runs.append(run)
            tables[method] = pq.read_table(out)
    for entry in results.values():
        best = min(entry["runs"], key=lambda r: r["seconds"])
        entry.update({k: v for k, v in best.items() if k != "method"})
        entry["all_seconds"] = [r["seconds"] for r in entry.pop("runs")]
    if "ibis" in tables:
        for method, table in tables.items():
            if method != "ibis":
                results[method]["max_rel_diff"] = compare(tables["ibis"], table)
    report = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB",
        "python": platform.python_version(),
        "data": data,
        "period": f"{start} – {end}",
        "as_of": as_of.isoformat(),
        "results": results,
    }
    if "ibis" in results:
        base = results["ibis"]["seconds"]
        cpu = results["ibis"]["cpu_seconds"]
        report["ratios"] = {
            m: round(r["seconds"] / base, 2) for m, r in results.items() if m != "ibis"
        }
        report["cpu_ratios"] = {
            m: round(r["cpu_seconds"] / cpu, 2) for m, r in results.items() if m != "ibis"
        }
    print(json.dumps(report, indent=2))
    if args.home is None:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
