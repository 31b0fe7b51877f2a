"""Generate the demo data set into a directory (:func:`generate`).

Layout under ``out_dir`` (every file listed in ``manifest.json`` with dataset, format, rows and
sha256)::

    registry/enterprises.csv, facilities.csv, vehicles.csv        (+ *-with-errors.csv)
    statistics/statistics-YYYY.csv                                (2020 … end year)
    statistics/statistics-2021-gb18030.csv, statistics-2022.xlsx  (alternates of those years)
    plan/actuals.csv
    parcels/waybills-<brand>-YYYY-MM.(csv|parquet|jsonl)
    parcels/events-<brand>-YYYY-MM.parquet                        (by month of occurrence)
    parcels/security-<brand>-YYYY-MM.csv                          (sf, zto)
    parcels/resend-yto-YYYY-MM.csv, correction-yto-YYYY-MM.csv
    manifest.json

Same seed, scale and window → byte-identical files (no clock, no salted hashes, no dict or set
order in what is written).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.demo import formats as F
from youguan.demo import profile as P
from youguan.demo.actuals import plan_actuals
from youguan.demo.events import Places, empty_events, generate_events
from youguan.demo.facilities import FacilitySet
from youguan.demo.faults import SECURITY_FAULTS, WAYBILL_FAULTS, spoil_events, spoil_rows
from youguan.demo.parcels import HIDDEN, MonthCells, generate_waybills, lax_outlets
from youguan.demo.randomness import stream
from youguan.demo.registry import (
    ENTERPRISE_COLUMNS,
    FACILITY_COLUMNS,
    VEHICLE_COLUMNS,
    build_registry,
)
from youguan.demo.schemas import DemoFile, DemoManifest, Fault
from youguan.demo.security import prohibited_draw, security_records
from youguan.demo.statistics import months_between, statistics_table
from youguan.demo.writers import (
    write_jsonl,
    write_parquet,
    write_rows_csv,
    write_table_csv,
    write_xlsx,
)

Progress = Callable[[str, int, int], None]  # (what, done, total)
OWNED = ("registry", "statistics", "plan", "parcels", "manifest.json")
FIRST_YEAR, LAST_YEAR = 2020, 2026
FAULTY_BRAND, EVENT_FAULT_BRAND = "yto", "sto"
ALTERNATES = {2021: "gb18030", 2022: "xlsx"}
RESEND_ROWS = 150
US = 1_000_000
BEIJING = dt.timezone(dt.timedelta(hours=8))


class DemoError(ValueError):
    """Parameters the generator cannot honour."""


def check_params(scale: float, start: dt.date, end: dt.date) -> None:
    if not 0 < scale <= 0.05:
        raise DemoError("scale 必须在 (0, 0.05] 之间 (a fraction of the real monthly volume)")
    if start > end:
        raise DemoError("起始日期晚于结束日期 (--from is after --to)")
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise DemoError(f"窗口须在 {FIRST_YEAR}-01-01 至 {LAST_YEAR}-12-31 之间")


def generate(
    out_dir: Path,
    *,
    seed: int = P.DEFAULT_SEED,
    scale: float = P.DEFAULT_SCALE,
    start: dt.date = P.DEFAULT_WINDOW[0],
    end: dt.date = P.DEFAULT_WINDOW[1],
    progress: Progress | None = None,
    as_of: dt.datetime | None = None,
) -> DemoManifest:
    """Write the demo files under ``out_dir`` (previous demo files there are replaced) and
    return the manifest, also written as ``out_dir/manifest.json``.

    Tracking events run :data:`~youguan.demo.profile.EVENT_TAIL` past the window's last day, so
    that items accepted at its end are delivered (or not) as in life rather than looking lost,
    but never past ``as_of`` (default: now; an event in the future is refused at ingest). A
    window that ended more than that tail ago gives the same files whatever the clock says."""
    check_params(scale, start, end)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    months = months_between(start, end)
    total = 3 + len(months) + 1
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(what, done, total)

    tail_end = _end_of_day(end) + P.EVENT_TAIL
    events_until = min(tail_end, as_of or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    m = DemoManifest(seed=seed, scale=scale, start=start, end=end, events_until=events_until)
    reg = build_registry(seed, end)
    _write_registry(out_dir, m, reg)
    tick("登记数据 (registry)")
    stats = statistics_table(seed, end)
    _write_statistics(out_dir, m, stats)
    tick("月度统计 (statistics)")
    write = write_rows_csv(
        out_dir,
        "plan/actuals.csv",
        ("indicator", "year", "value"),
        ({"indicator": i, "year": y, "value": f"{v:g}"} for i, y, v in plan_actuals(stats)),
        "plan_actuals",
    )
    m.files.append(write)
    tick("规划实际值 (plan actuals)")
    _write_parcels(
        out_dir, m, seed, scale, (start, end, events_until), reg.facilities, stats, months, tick
    )
    m.summary = _summary(m)
    (out_dir / "manifest.json").write_text(m.model_dump_json(indent=2) + "\n", encoding="utf-8")
    tick("清单 (manifest)")
    return m


def _write_registry(root: Path, m: DemoManifest, reg: object) -> None:
    from youguan.demo.registry import RegistryData

    assert isinstance(reg, RegistryData)
    for name, cols, rows in (
        ("enterprises", ENTERPRISE_COLUMNS, reg.enterprise_rows),
        ("facilities", FACILITY_COLUMNS, reg.facility_rows),
        ("vehicles", VEHICLE_COLUMNS, reg.vehicle_rows),
    ):
        m.files.append(write_rows_csv(root, f"registry/{name}.csv", cols, rows, name))
    for ef in reg.error_files:
        m.files.append(
            write_rows_csv(
                root,
                f"registry/{ef.name}",
                ef.columns,
                ef.rows,
                ef.dataset,
                role="errors",
                note=f"{len(ef.faults)} 行有误",
            )
        )
        m.faults.extend(ef.faults)


def _write_statistics(root: Path, m: DemoManifest, stats: pa.Table) -> None:
    text = F.as_text(stats)
    years = sorted({s[:4] for s in stats["month"].to_pylist()})
    for year in years:
        part = text.filter(pc.starts_with(text["month"], f"{year}-"))
        m.files.append(
            write_table_csv(root, f"statistics/statistics-{year}.csv", part, "statistics")
        )
        alt = ALTERNATES.get(int(year))
        note = f"same rows as statistics/statistics-{year}.csv"
        if alt == "gb18030":
            m.files.append(
                write_table_csv(
                    root,
                    f"statistics/statistics-{year}-gb18030.csv",
                    part,
                    "statistics",
                    encoding="gb18030",
                    role="alternate",
                    note=note,
                )
            )
        elif alt == "xlsx":
            typed = stats.filter(pc.starts_with(stats["month"], f"{year}-"))
            m.files.append(
                write_xlsx(
                    root,
                    f"statistics/statistics-{year}.xlsx",
                    typed.column_names,
                    [list(r.values()) for r in typed.to_pylist()],
                    "statistics",
                    sheet="月度统计",
                    role="alternate",
                    note=note,
                )
            )


def _cells(stats: pa.Table) -> dict[tuple[str, str], MonthCells]:
    grouped: dict[tuple[str, str], MonthCells] = {}
    for r in stats.to_pylist():
        key = (r["brand"], r["month"])
        cell = grouped.setdefault(key, MonthCells({}, {}, {}))
        cell.same_city[r["county_code"]] = r["items_same_city"]
        cell.intercity[r["county_code"]] = r["items_intercity"]
        cell.international[r["county_code"]] = r["items_international"]
    return grouped


def places_for(fs: FacilitySet, brand: str, day: dt.date) -> Places:
    """Facilities a brand's events refer to, as the registry stands on ``day``."""
    live = [f for f in fs.items if f.open_on(day)]
    centres = [f for f in live if f.type == "sorting_center"]
    hub: dict[str, str] = {}
    for county in P.COUNTIES:
        own = [f.code for f in centres if f.brand == brand and f.county == county]
        jinghong = [f.code for f in centres if f.brand == brand and f.county == "532801"]
        shared = [f.code for f in centres if f.brand == "" and f.county == county]
        anyc = [f.code for f in centres if f.county == county]
        hub[county] = (own or jinghong or shared or anyc or [""])[0]
    types = ("express_outlet", "universal_post_office") if brand == "ems" else ("express_outlet",)
    mine = [f for f in live if f.type in types and f.brand == brand and f.status == "active"]
    delivery: dict[str, list[str]] = defaultdict(list)
    for f in mine:
        delivery[f.township].append(f.code)
        delivery[f.county].append(f.code)
    lockers: dict[str, list[str]] = defaultdict(list)
    for f in live:
        if f.type in ("parcel_locker", "last_mile_outlet") and f.brand in ("", brand):
            lockers[f.county].append(f.code)
    centre = next((f.code for f in fs.items if f.type == "intl_express_center"), "")
    return Places(
        hub=hub,
        delivery={k: np.array(sorted(v)) for k, v in sorted(delivery.items())},
        lockers={k: np.array(sorted(v)) for k, v in sorted(lockers.items())},
        intl_centre=centre,
    )


def _write_parcels(
    root: Path,
    m: DemoManifest,
    seed: int,
    scale: float,
    window: tuple[dt.date, dt.date, dt.datetime],
    fs: FacilitySet,
    stats: pa.Table,
    months: list[tuple[int, int]],
    tick: Callable[[str], None],
) -> None:
    """Waybills, security records and events; ``window`` = (first day, last day, the instant
    after which no event is sent)."""
    start, end, events_until = window
    cells = _cells(stats)
    lax = lax_outlets(seed, fs)
    end_us = int(events_until.timestamp()) * US
    events_by_brand: dict[str, list[pa.Table]] = defaultdict(list)
    accepted_by_brand: dict[str, dict[str, int]] = defaultdict(dict)
    first_label = f"{months[0][0]:04d}-{months[0][1]:02d}"
    for year, month in months:
        label = f"{year:04d}-{month:02d}"
        mid = dt.date(year, month, 15)
        for brand in sorted({b for (b, mo) in cells if mo == label}):
            wb = generate_waybills(
                seed,
                scale,
                brand,
                year,
                month,
                cells[(brand, label)],
                fs,
                start,
                end,
                lax.get(brand, ()),
            )
            if wb.num_rows == 0:
                continue
            rng = stream(seed, "events", brand, year, month)
            bad = prohibited_draw(rng, wb.num_rows) if brand in F.SECURITY_BRANDS else None
            places = places_for(fs, brand, mid)
            events_by_brand[brand].append(generate_events(rng, wb, places, end_us, bad))
            if brand == EVENT_FAULT_BRAND and label == first_label:
                accepted_by_brand[brand] = dict(
                    zip(
                        wb["waybill_no"].to_pylist(),
                        wb["accepted_at"].cast(pa.int64()).to_pylist(),
                        strict=True,
                    )
                )
            if bad is not None:
                sec = security_records(rng, wb, bad, places.hub)
                _write_security(root, m, brand, label, sec, label == first_label)
            _write_waybills(root, m, brand, label, wb.drop_columns(list(HIDDEN)), first_label)
        tick(f"快件数据 {label} (parcels)")
    for brand in sorted(events_by_brand):
        tables = [t for t in events_by_brand[brand] if t.num_rows]
        table = pa.concat_tables(tables) if tables else empty_events()
        local_month = F.local_time_strings(table["occurred_at"])
        month_col = pc.utf8_slice_codeunits(local_month, 0, 7)
        for label in sorted(set(month_col.to_pylist())):
            part = table.filter(pc.equal(month_col, label))
            rel = f"parcels/events-{brand}-{label}.parquet"
            if brand == EVENT_FAULT_BRAND and label == first_label:
                part, faults = spoil_events(part, accepted_by_brand[brand], rel)
                m.faults.extend(faults)
            m.files.append(write_parquet(root, rel, part, "events", brand=brand, month=label))


def _end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in Asia/Shanghai, in UTC."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), BEIJING).astimezone(dt.UTC)


def _write_waybills(
    root: Path, m: DemoManifest, brand: str, label: str, wb: pa.Table, first_label: str
) -> None:
    fmt, encoding = F.waybill_format(brand)
    rel = f"parcels/waybills-{brand}-{label}.{fmt}"
    meta = {"brand": brand, "month": label}
    if fmt == "parquet":
        m.files.append(write_parquet(root, rel, wb, "waybills", **meta))
        return
    if fmt == "jsonl":
        m.files.append(write_jsonl(root, rel, F.with_text_times(wb), "waybills", **meta))
        return
    text = F.as_text(wb, naive=brand in F.NAIVE_TIME_BRANDS)
    assert encoding is not None
    if brand == FAULTY_BRAND and label == first_label:
        resend = text.slice(text.num_rows // 3, RESEND_ROWS)
        m.files.append(
            write_table_csv(
                root,
                f"parcels/resend-{brand}-{label}.csv",
                resend,
                "waybills",
                role="resend",
                note=f"{resend.num_rows} rows re-sent unchanged from {rel}",
                **meta,
            )
        )
        fix = text.slice(text.num_rows // 2, 1).to_pylist()[0]
        fix["weight_g"] = str(int(str(fix["weight_g"])) + 1000)
        fix["declared_value"] = "199.00"
        correction = pa.Table.from_pylist([fix], schema=text.schema)
        m.files.append(
            write_table_csv(
                root,
                f"parcels/correction-{brand}-{label}.csv",
                correction,
                "waybills",
                role="correction",
                note=f"corrects weight_g and declared_value of waybill "
                f"{fix['waybill_no']} first sent in {rel}",
                **meta,
            )
        )
        text, faults = spoil_rows(text, WAYBILL_FAULTS, rel)
        m.faults.extend(faults)
    m.files.append(write_table_csv(root, rel, text, "waybills", encoding=encoding, **meta))


def _write_security(
    root: Path, m: DemoManifest, brand: str, label: str, sec: pa.Table, first: bool
) -> None:
    rel = f"parcels/security-{brand}-{label}.csv"
    text = F.as_text(sec)
    if brand == "zto" and first:
        text, faults = spoil_rows(text, SECURITY_FAULTS, rel)
        m.faults.extend(faults)
    m.files.append(write_table_csv(root, rel, text, "security", brand=brand, month=label))


def _summary(m: DemoManifest) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for f in m.files:
        if f.role == "primary":
            out[f"{f.dataset}_rows"] += f.rows
        out["files"] += 1
    out["faults"] = len(m.faults)
    return dict(sorted(out.items()))


def list_faults(m: DemoManifest, file: str) -> list[Fault]:
    return [f for f in m.faults if f.file == file]


def files_of(m: DemoManifest, dataset: str) -> list[DemoFile]:
    return m.of(dataset)
