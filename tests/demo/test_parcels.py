"""Parcel files: formats per brand, canonical columns, plausible rates (youguan.demo.profile
RANGES), invented but well-formed personal data, and the deliberate faults where designed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from youguan.demo import profile as P
from youguan.demo.checks import resident_id_check_char
from youguan.demo.events import KDNIAO, draw_outcomes, fault_rates
from youguan.demo.quality import quality
from youguan.demo.schemas import DemoManifest
from youguan.geo.divisions import divisions
from youguan.ingest.schemas import EVENTS_DATASET, SECURITY, WAYBILLS

from .readback import events, read_text_table, waybills


@pytest.fixture(scope="module")
def tables(demo_dir: Path, demo_manifest: DemoManifest) -> tuple[pa.Table, pa.Table]:
    return waybills(demo_dir, demo_manifest), events(demo_dir, demo_manifest)


@pytest.fixture
def con(tables: tuple[pa.Table, pa.Table]) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.register("w", tables[0])
    c.register("ev", tables[1])
    c.execute("SET TimeZone = 'UTC'")
    return c


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None
    return float(row[0])


def test_formats_per_brand(demo_dir: Path, demo_manifest: DemoManifest) -> None:
    formats = {(f.brand, f.format, f.encoding) for f in demo_manifest.of("waybills")}
    assert ("sf", "parquet", None) in formats and ("jd", "parquet", None) in formats
    assert ("deppon", "jsonl", None) in formats
    assert ("ems", "csv", "gb18030") in formats and ("zto", "csv", "utf-8") in formats
    ems = next(f for f in demo_manifest.of("waybills") if f.brand == "ems")
    raw = (demo_dir / ems.path).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "寄" not in raw.decode("gb18030")[:0] and read_text_table(demo_dir, ems).num_rows
    zto = read_text_table(
        demo_dir, next(f for f in demo_manifest.of("waybills") if f.brand == "zto")
    )
    assert len(zto["accepted_at"][0].as_py()) == 19  # local time without an offset
    assert {f.format for f in demo_manifest.of("events")} == {"parquet"}
    assert {f.brand for f in demo_manifest.of("security")} == {"sf", "zto"}


def test_columns_are_the_canonical_input_columns(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    for f in demo_manifest.of("waybills"):
        if f.format == "parquet":
            names = pq.read_schema(demo_dir / f.path).names
        else:
            names = read_text_table(demo_dir, f).column_names
        assert set(names) <= set(WAYBILLS.input_names), f.path
        assert set(WAYBILLS.required) <= set(names)
    for f in demo_manifest.of("events"):
        assert pq.read_schema(demo_dir / f.path).names == list(EVENTS_DATASET.input_names)
    for f in demo_manifest.of("security"):
        assert read_text_table(demo_dir, f).column_names == list(SECURITY.input_names)


def test_volume_follows_the_scale(con: duckdb.DuckDBPyConnection) -> None:
    # 2025-10 … 12: 54.8 M a year × 0.002 ≈ 9–13 k accepted a month, plus 30 % inbound
    monthly = con.execute(
        "SELECT strftime(accepted_at, '%Y-%m') m, count(*) FROM w GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [m for m, _ in monthly] == ["2025-10", "2025-11", "2025-12"]
    counts = [n for _, n in monthly]
    assert all(9_000 < n < 22_000 for n in counts)
    assert counts[1] == max(counts)  # 双十一


SCOPE = """CASE WHEN dest_country <> 'CN' THEN 'international'
  WHEN substr(origin_code, 1, 4) = substr(dest_code, 1, 4) THEN 'same_city'
  ELSE 'intercity' END"""
FIRSTS = """SELECT waybill_no, brand,
  min(occurred_at) FILTER (WHERE event IN ('delivered', 'locker')
                           OR raw_code IN ('301', '304', '211', '311')) first_delivery,
  min(occurred_at) FILTER (WHERE event IN ('delivered', 'locker', 'delivery_failed')
                           OR raw_code IN ('301', '304', '211', '311', '405')) first_attempt,
  bool_or(event = 'refused' OR raw_code = '404') refused,
  bool_or(event = 'forwarded' OR raw_code = '5') forwarded
FROM ev WHERE waybill_no IS NOT NULL GROUP BY ALL"""
EVALUABLE = "accepted_at <= TIMESTAMPTZ '2025-12-31 16:00:00+00' - INTERVAL 7 DAY"


def test_on_time_and_delay_rates(con: duckdb.DuckDBPyConnection) -> None:
    base = f"""WITH f AS ({FIRSTS}),
      x AS (SELECT w.*, {SCOPE} scope, f.* EXCLUDE (waybill_no, brand)
      FROM w JOIN f USING (waybill_no, brand) WHERE {EVALUABLE}
      AND NOT coalesce(refused, false) AND NOT coalesce(forwarded, false))"""
    on_time = _one(
        con,
        base
        + """ SELECT avg(CASE WHEN first_delivery <= accepted_at
        + INTERVAL 72 HOUR THEN 1 ELSE 0 END) FROM x WHERE scope = 'intercity'""",
    )
    delay = _one(
        con,
        base
        + """ SELECT avg(CASE WHEN first_attempt > accepted_at +
        coalesce(promised_hours, CASE WHEN scope = 'same_city' THEN 24 ELSE 72 END)
          * INTERVAL 1 HOUR
        AND first_attempt <= accepted_at + CASE WHEN scope = 'same_city' THEN INTERVAL 3 DAY
          ELSE INTERVAL 7 DAY END THEN 1 ELSE 0 END) FROM x WHERE scope <> 'international'""",
    )
    for value, key in ((on_time, "on_time_72h_rate"), (delay, "delay_rate")):
        lo, hi = P.RANGES[key]
        assert lo <= value <= hi, (key, value)


def test_refusals_losses_and_damage_in_the_files(con: duckdb.DuckDBPyConnection) -> None:
    n = _one(con, "SELECT count(*) FROM w WHERE dest_country = 'CN'")
    refused = _one(con, "SELECT count(DISTINCT waybill_no) FROM ev WHERE event = 'refused' "
                        "OR raw_code = '404'")  # fmt: skip
    lo, hi = P.RANGES["refused_rate"]
    assert lo <= refused / n <= hi
    returned = _one(con, "SELECT count(DISTINCT waybill_no) FROM ev WHERE event = 'returned' "
                         "OR raw_code = '406'")  # fmt: skip
    assert 0 < returned <= refused * 1.5
    damaged = _one(con, "SELECT count(DISTINCT waybill_no) FROM ev WHERE reason = 'damaged' "
                        "OR raw_code = '414'")  # fmt: skip
    assert damaged / n * 1e5 <= P.RANGES["damage_per_100k"][1]
    assert _one(con, "SELECT count(*) FROM ev WHERE event = 'customs_held'") > 0
    # events run a week past the window, so items accepted on its last day are delivered …
    last_day = con.execute(
        f"""WITH f AS ({FIRSTS}) SELECT count(*), count(first_delivery) FROM w JOIN f
        USING (waybill_no, brand) WHERE dest_country = 'CN'
        AND accepted_at >= TIMESTAMPTZ '2025-12-30 16:00:00+00'"""
    ).fetchone()
    assert last_day is not None and last_day[0] > 100
    assert last_day[1] / last_day[0] > 0.97
    # … and none comes after the tail (but the deliberate fault dated 2099)
    last = (
        "SELECT max(occurred_at) FROM ev WHERE occurred_at < TIMESTAMPTZ '2099-01-01 00:00:00+00'"
    )
    assert _one(con, f"SELECT ({last}) > TIMESTAMPTZ '2026-01-07 16:00:00+00'") == 0
    assert _one(con, f"SELECT ({last}) > TIMESTAMPTZ '2026-01-03 16:00:00+00'") == 1


def test_outcome_model_rates_on_a_large_draw() -> None:
    n = 2_000_000
    mid_2025 = np.full(n, int(dt.datetime(2025, 7, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000)
    rates = fault_rates("yto", np.full(n, "532822"), mid_2025)  # brand and county factor 1.0, 1.1
    assert rates.lost[0] * 1e5 == pytest.approx(2.5 * 1.1, rel=0.01)  # the 2025 anchor
    outcome, incident = draw_outcomes(np.random.default_rng(3), rates)
    lost = (outcome == "lost").mean()
    damaged = (incident == "damaged").mean()
    refused = (outcome == "refused").mean()
    assert lost == pytest.approx(rates.lost[0], rel=0.3)
    assert damaged == pytest.approx(rates.damaged[0], rel=0.3)
    assert refused == pytest.approx(quality().refused, rel=0.1)
    assert 1.5 <= lost * 1e5 <= 4 and 3 <= damaged * 1e5 <= 7  # the plan's < 3 and < 5
    # the faults fall over the years and differ by brand
    later = fault_rates("yto", np.full(1, "532822"), mid_2025[:1] + 365 * 86400 * 1_000_000)
    assert later.lost[0] < rates.lost[0]
    assert fault_rates("sf", np.full(1, "532822"), mid_2025[:1]).lost[0] < rates.lost[0] / 2


def test_security_flags_and_their_trend(con: duckdb.DuckDBPyConnection) -> None:
    rates = con.execute("""SELECT avg(e_waybill::INT), avg(inspected::INT), avg(xray::INT)
        FROM w""").fetchone()
    assert rates is not None
    for value, key in zip(rates, ("e_waybill_rate", "inspection_rate", "xray_rate"), strict=True):
        lo, hi = P.RANGES[key]
        assert lo <= value <= hi, (key, value)
    compliant = _one(
        con,
        """SELECT avg(CASE
        WHEN sender_kind = 'letter' THEN 1
        WHEN sender_kind = 'agreement_customer' AND agreement_no IS NOT NULL THEN 1
        WHEN real_name AND sender_id_type IS NOT NULL AND sender_id_no IS NOT NULL
             AND sender_name IS NOT NULL THEN 1 ELSE 0 END) FROM w""",
    )
    lo, hi = P.RANGES["real_name_rate"]
    assert lo <= compliant <= hi
    worst = con.execute("""SELECT accept_outlet, avg(real_name::INT) r, count(*) n FROM w
        WHERE sender_kind = 'person' AND accept_outlet IS NOT NULL
        GROUP BY 1 HAVING n >= 30 ORDER BY r LIMIT 1""").fetchone()
    assert worst is not None and worst[1] < 0.93  # a lax outlet stands out


def test_sender_ids_mostly_valid_and_invented(con: duckdb.DuckDBPyConnection) -> None:
    ids = [r[0] for r in con.execute(
        "SELECT sender_id_no FROM w WHERE sender_id_type = 'resident_id'").fetchall()]  # fmt: skip
    assert len(ids) > 5_000

    def valid(s: str) -> bool:
        import datetime as dt

        try:
            born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
        except ValueError:
            return False
        return resident_id_check_char(s[:17]) == s[17] and born < dt.date(2010, 1, 1)

    share = sum(map(valid, ids)) / len(ids)
    lo, hi = P.RANGES["resident_id_valid_share"]
    assert lo <= share <= hi
    assert all(len(s) == 18 and s[:6] in divisions() for s in ids)
    names = [r[0] for r in con.execute("SELECT sender_name FROM w WHERE sender_name IS NOT NULL "
                                       "LIMIT 2000").fetchall()]  # fmt: skip
    assert any(n.startswith(("岩", "玉")) for n in names)  # Dai names in 西双版纳
    phones = [r[0] for r in con.execute("SELECT sender_phone FROM w LIMIT 2000").fetchall()]
    assert all(p.startswith("0691-") or (len(p) == 11 and p[0] == "1") for p in phones)


def test_every_division_code_exists(con: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "SELECT origin_code FROM w UNION SELECT dest_code FROM w WHERE dest_code IS NOT NULL "
        "UNION SELECT location_code FROM ev WHERE location_code IS NOT NULL"
    )
    codes = {r[0] for r in con.execute(sql).fetchall()}
    assert not {c for c in codes if c not in divisions()}
    countries = {r[0] for r in con.execute("SELECT DISTINCT dest_country FROM w").fetchall()}
    assert {"CN", "LA", "TH"} <= countries


def test_raw_codes_for_yunda_and_jt(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""SELECT brand, count(*) FILTER (WHERE event IS NOT NULL),
        count(*) FILTER (WHERE raw_code IS NULL), list(DISTINCT raw_code)
        FROM ev WHERE brand IN ('yunda', 'jt') GROUP BY 1""").fetchall()
    assert {r[0] for r in rows} == {"yunda", "jt"}
    known = {code for code, _ in KDNIAO.values()}
    for _, with_event, without_raw, raw_codes in rows:
        assert with_event == 0 and without_raw == 0
        assert set(raw_codes) <= known and "9901" in raw_codes and "301" in raw_codes
    canonical = _one(con, "SELECT count(*) FROM ev WHERE brand = 'zto' AND event IS NULL")
    assert canonical == 0


def test_deliberate_faults_are_where_the_manifest_says(
    demo_dir: Path, demo_manifest: DemoManifest
) -> None:
    by_file: dict[str, list[object]] = {}
    for f in demo_manifest.faults:
        by_file.setdefault(f.file, []).append(f)
    wb_file = next(k for k in by_file if "/waybills-" in k)
    kinds = {f.kind for f in demo_manifest.faults if f.file == wb_file}
    assert {"required", "unknown_brand", "unknown_division", "bad_boolean", "bad_timestamp",
            "future_timestamp", "unknown_value", "negative", "not_integer"} <= kinds  # fmt: skip
    entry = next(f for f in demo_manifest.files if f.path == wb_file)
    table = read_text_table(demo_dir, entry).to_pylist()
    for fault in demo_manifest.faults:
        if fault.file != wb_file:
            continue
        row = table[fault.row - 1]
        value = row[fault.field]
        ok = {
            "required": value is None,
            "unknown_brand": value == "kuaiyun",
            "unknown_division": value == "532801999",
            "bad_boolean": value == "maybe",
            "bad_timestamp": value == "2025-13-45 25:61:00",
            "future_timestamp": str(value).startswith("2099"),
            "negative": value == "-500",
            "not_integer": value == "abc",
        }.get(fault.kind, True)
        assert ok, fault
    ev_file = next(k for k in by_file if "/events-" in k)
    ev_kinds = {f.kind for f in demo_manifest.faults if f.file == ev_file}
    assert {"before_acceptance", "unknown_value", "required", "future_timestamp"} <= ev_kinds
    ev = pq.read_table(demo_dir / ev_file).to_pylist()
    early = next(f for f in demo_manifest.faults if f.kind == "before_acceptance")
    assert ev[early.row - 1]["event"] == "departed"
    sec_file = next(k for k in by_file if "/security-" in k)
    assert len(by_file[sec_file]) == 4


def test_resend_and_correction(demo_dir: Path, demo_manifest: DemoManifest) -> None:
    (resend,) = [f for f in demo_manifest.files if f.role == "resend"]
    (correction,) = [f for f in demo_manifest.files if f.role == "correction"]
    original = next(
        f
        for f in demo_manifest.of("waybills")
        if f.brand == resend.brand and f.month == resend.month
    )
    sent = {r["waybill_no"]: r for r in read_text_table(demo_dir, original).to_pylist()}
    again = read_text_table(demo_dir, resend).to_pylist()
    assert len(again) == 150 and all(sent[r["waybill_no"]] == r for r in again)
    (fix,) = read_text_table(demo_dir, correction).to_pylist()
    before = sent[fix["waybill_no"]]
    assert fix["weight_g"] != before["weight_g"]
    assert {k for k in fix if fix[k] != before[k]} == {"weight_g", "declared_value"}


def test_security_records_match_the_waybills(
    demo_dir: Path, demo_manifest: DemoManifest, con: duckdb.DuckDBPyConnection
) -> None:
    tables = []
    for f in demo_manifest.of("security"):
        t = read_text_table(demo_dir, f)
        bad = {x.row - 1 for x in demo_manifest.faults if x.file == f.path}
        tables.append(t.filter(pa.array([i not in bad for i in range(t.num_rows)])))
    sec = pa.concat_tables(tables)
    con.register("sec", sec)
    orphans = _one(con, "SELECT count(*) FROM sec LEFT JOIN w USING (waybill_no, brand) "
                        "WHERE w.waybill_no IS NULL")  # fmt: skip
    assert orphans == 0
    results = dict(con.execute("SELECT result, count(*) FROM sec GROUP BY 1").fetchall())
    assert results["pass"] > 1000 and results.get("suspicious", 0) > 0
