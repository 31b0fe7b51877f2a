"""The DuckDB fast path for CSV files (:mod:`youguan.ingest.sqlscan`) changes nothing but speed:
the same file ingested through it and through the Arrow reader alone gives the same outcome —
counts, error list, quarantine file, committed rows — for rows in every unusual shape."""

from __future__ import annotations

import csv
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import make_settings
from tests.ingest.factories import NOW
from youguan.auth.actor import Actor
from youguan.context import build_context, initialise
from youguan.ingest import service, sqlscan
from youguan.ingest.pipeline import Tuning

HEADER = [
    "waybill_no",
    "brand",
    "event",
    "occurred_at",
    "reason",
    "location_code",
    "facility",
    "raw_code",
    "raw_text",
]


def _row(n: int, **over: str) -> dict[str, str]:
    row = {
        "waybill_no": f"YD{n:08d}",
        "brand": "yunda",
        "event": "",
        "occurred_at": f"2024-05-{1 + n % 28:02d} 10:{n % 60:02d}:00",
        "reason": "",
        "location_code": "532801",
        "facility": "景洪分拨中心",
        "raw_code": "301",
        "raw_text": "正常签收",
    }
    row.update(over)
    return row


ODD_ROWS: list[dict[str, str]] = [
    _row(1),
    _row(2, occurred_at="2024-05-02T10:02:00+08:00"),
    _row(3, occurred_at="2024-04-30T20:00:00Z"),  # May in Beijing
    _row(4, event="delivered", raw_code="", raw_text=""),
    _row(5, event="exception", reason="lost", raw_code="", raw_text=""),
    _row(6, event="teleported"),
    _row(7, event="exception", reason="eaten"),
    _row(1, brand="YUNDA"),  # repeats row 1 once its brand is read in lower case
    _row(9, brand=" yunda "),
    _row(10, brand="nosuchbrand"),
    _row(11, brand="sf"),
    _row(12, brand=""),
    _row(13, waybill_no=" YD00000013"),
    _row(14, waybill_no="YD00000014\u3000"),
    _row(15, waybill_no=""),
    _row(16, waybill_no="Y" * 65),
    _row(17, facility="\u00a0景洪"),
    _row(18, facility="景" * 201),
    _row(19, facility="景" * 150),  # long in bytes, within 200 characters
    _row(20, facility="勐海,曼洪"),  # quoted by the CSV writer
    _row(21, occurred_at="2024-05-01 10:00:00.123"),
    _row(22, occurred_at="2024-05-01T10:00:00+0800"),
    _row(23, occurred_at="2024-05-01T10:00:00+05:30"),
    _row(24, occurred_at="2024-05-01 10:00"),
    _row(25, occurred_at="2024-02-30 10:00:00"),
    _row(26, occurred_at="2023-02-29 10:00:00"),
    _row(27, occurred_at="2024-02-29 10:00:00"),
    _row(28, occurred_at="2024-05-01 24:00:00"),
    _row(29, occurred_at="1999-12-31 23:00:00"),
    _row(30, occurred_at="2030-01-01 00:00:00"),
    _row(31, occurred_at="2024-06-01 12:09:00"),  # within the clock-skew allowance
    _row(32, occurred_at="2024-06-01 12:11:00"),  # beyond it
    _row(33, occurred_at="2024/05/01 10:00:00"),
    _row(34, occurred_at=""),
    _row(35, location_code="532800"),
    _row(36, location_code="532801000000"),
    _row(37, location_code="530000"),
    _row(38, location_code="999999"),
    _row(39, location_code="530102001"),  # a township under a known county elsewhere
    _row(40, location_code=""),
    _row(41, location_code=" 532801"),
    _row(42, raw_code="9901", raw_text="网点盘点"),  # unmapped: kept
    _row(43, raw_code="777", raw_text="正常签收"),  # mapped by its text
    _row(44, raw_code=" 301 "),
    _row(45, raw_code="\uff13\uff10\uff11"),  # full-width digits
    _row(46, raw_code="", raw_text=""),
    _row(47, raw_code="", raw_text="已揽收"),
    _row(48, raw_text="正常签收\t"),
    _row(49, raw_code="4", raw_text="问题件", reason="damaged"),
    _row(50, occurred_at=" 2024-05-01 10:00:00"),
    _row(51, occurred_at="2000-01-01 07:59:59"),  # before 2000 in UTC
    _row(52, occurred_at="2000-01-01 08:00:00"),  # the earliest instant, in Beijing time
    _row(53, occurred_at="1999-12-31T23:59:59Z"),
    _row(54, occurred_at="2000-01-01T00:00:00Z"),
    _row(55, occurred_at="2024-06-01T04:09:00Z"),  # the clock-skew allowance, in UTC
    _row(56, occurred_at="2024-06-01T04:11:00Z"),
    _row(57, occurred_at="2024-06-01T12:11:00+08:00"),
    _row(58, occurred_at="2024-05-31T16:30:00Z"),  # June in Beijing
    _row(59, event=" delivered", raw_code="", raw_text=""),
    _row(60, event="DELIVERED", raw_code="", raw_text=""),
    _row(61, event="exception", reason="LOST", raw_code="", raw_text=""),
    _row(62, event="exception", reason=" lost", raw_code="", raw_text=""),
    _row(63, brand="Sf"),
    _row(2, occurred_at="2024-05-02T10:02:00+08:00"),  # an exact repeat
    # the byte-level tests of ``sqlscan.plain_text`` and ``plain_time``
    _row(64, facility="\U00020000景洪"),  # four bytes at either end
    _row(65, facility="景洪\U00020000"),
    _row(66, facility="é景洪"),  # two bytes
    _row(67, facility="景洪é"),
    _row(68, facility="景洪\u3000"),
    _row(69, facility="\ufeff景洪"),
    _row(70, facility="景洪\u3001"),  # just beyond U+3000: plain
    _row(71, raw_text="x"),
    _row(72, waybill_no="Y" * 64),
    _row(73, occurred_at="2024-5-01 10:00:00"),
    _row(74, occurred_at="2024-05-01 10:00:60"),
    _row(75, occurred_at="2024-05-01 10:60:00"),
    _row(76, occurred_at="2024-05-01  10:00:0"),
    _row(77, occurred_at="2024-05-01 10:00:0 "),
    _row(78, occurred_at="2024-05-01x10:00:00"),
    _row(79, occurred_at="2024-05-01 10:00:00Z "),
    _row(80, occurred_at="2024-05-01 10:00:00+08:0 "),
    _row(81, occurred_at="2024-00-01 10:00:00"),
    _row(82, occurred_at="2024-05-00 10:00:00"),
    _row(83, occurred_at="2024-05-01 10:00:00+0800"),
    _row(84, occurred_at="2024-05-01 23:59:59"),
    _row(85, occurred_at="2024-12-31 00:00:00"),  # (future: rejected)
    _row(86, occurred_at="2024-05-01t10:00:00"),
]


def _write(
    path: Path, rows: list[dict[str, str]], header: list[str] = HEADER, delimiter: str = ","
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    return path


@pytest.fixture
def fresh(sqlite_template: Path, tmp_path: Path) -> Iterator[Any]:
    """A factory of contexts on fresh homes (one lake per ingest)."""
    opened: list[Any] = []

    def make(name: str) -> Any:
        home = tmp_path / name
        home.mkdir()
        shutil.copy(sqlite_template, home / "youguan.db")
        context = build_context(make_settings(home))
        initialise(context)
        opened.append(context)
        return context

    yield make
    for c in opened:
        c.close()


def _ingest(ctx: Any, path: Path, **kw: Any) -> tuple[dict[str, Any], bytes, pa.Table | None]:
    out = service.submit_file(ctx, Actor.system("t"), "events", path, now=NOW, **kw)
    summary = {
        k: getattr(out, k)
        for k in ("status", "rows", "accepted", "rejected", "duplicates", "unmapped", "errors")
    }
    home = ctx.settings.home_dir
    quarantine = (home / out.quarantine).read_bytes() if out.quarantine else b""
    files = sorted(p for p in (ctx.settings.lake_dir / "events").rglob("*.parquet"))
    data = None
    if files:
        data = pa.concat_tables([pq.read_table(f).drop_columns(["batch_id"]) for f in files])
        data = data.sort_by("source_row")
    return summary, quarantine, data


def _both(fresh: Any, monkeypatch: pytest.MonkeyPatch, path: Path, **kw: Any) -> tuple[Any, Any]:
    used: list[int] = []
    split = sqlscan.SqlScan.split

    def counting(self: sqlscan.SqlScan, batch: pa.RecordBatch, start: int) -> sqlscan.ScanBatch:
        used.append(batch.num_rows)
        return split(self, batch, start)

    with monkeypatch.context() as m:
        m.setattr(sqlscan.SqlScan, "split", counting)
        fast = _ingest(fresh("sql"), path, **kw)
    with monkeypatch.context() as m:
        m.setattr(sqlscan, "eligible", lambda ds, source: False)
        plain = _ingest(fresh("arrow"), path, **kw)
    return (fast, sum(used)), plain


@pytest.mark.parametrize("name, delimiter", [("e.csv", ","), ("e.tsv", "\t")])
def test_it_gives_the_arrow_readers_outcome_for_rows_of_every_shape(
    fresh: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, delimiter: str
) -> None:
    rows = [_row(100 + i) for i in range(300)] + ODD_ROWS
    path = _write(tmp_path / name, rows, delimiter=delimiter)
    (fast, scanned), plain = _both(fresh, monkeypatch, path)
    assert scanned == len(rows)  # the fast path read the file
    assert fast[0] == plain[0]
    assert fast[1] == plain[1] and fast[1]  # the quarantine file, byte for byte
    assert fast[2] is not None and plain[2] is not None
    assert fast[2].equals(plain[2])
    summary = fast[0]
    assert summary["duplicates"] == 2  # the upper-case brand's row and the exact repeat
    unmapped = fast[2].filter(pa.compute.invert(fast[2]["mapped"]))
    # sf sends no kdniao codes (311, and 363 once its brand is read in lower case); 9901
    assert unmapped["source_row"].to_pylist() == [311, 342, 363]
    rejected = {e.row for e in summary["errors"]}
    assert 300 + 1 not in rejected and 300 + 6 in rejected  # row numbers as in the file


def test_a_one_brand_file_looks_raw_codes_up_as_the_arrow_path_does(
    fresh: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    odd = [r for r in ODD_ROWS if r["brand"] in ("yunda", "YUNDA")]  # one brand, as written
    rows = [_row(100 + i, raw_code=str([1, 201, 301, 9901][i % 4])) for i in range(200)] + odd
    (fast, scanned), plain = _both(fresh, monkeypatch, _write(tmp_path / "one.csv", rows))
    assert scanned == len(rows)
    assert fast[0] == plain[0] and fast[1] == plain[1]
    assert fast[2] is not None and fast[2].equals(plain[2])
    assert fast[0]["unmapped"] == 1  # 9901 placed by its text 正常签收; 网点盘点 is not


def test_missing_optional_columns_a_submitting_brand_and_labels_as_headers(
    fresh: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    header = ["运单号", "发生时间", "企业原始状态码", "企业原始状态描述", "BRAND"]
    rows = [
        {
            "运单号": f"YD{i:08d}",
            "发生时间": f"2024-05-01 10:{i % 60:02d}:00",
            "企业原始状态码": "1",
            "企业原始状态描述": "已揽收",
            "BRAND": "" if i % 3 else "yunda",
        }
        for i in range(200)
    ]
    rows[7]["BRAND"] = "sf"
    path = _write(tmp_path / "labels.csv", rows, header)
    (fast, scanned), plain = _both(fresh, monkeypatch, path, brand="yunda")
    assert scanned == 200
    assert fast[0] == plain[0] and fast[1] == plain[1]
    assert fast[2] is not None and fast[2].equals(plain[2])
    assert fast[0]["rejected"] == 1  # the other brand's row


def test_a_malformed_record_sends_the_file_back_to_the_exact_reader(
    fresh: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # small batches: DuckDB refuses the record after several batches were staged
    path = _write(tmp_path / "bad.csv", [_row(i) for i in range(3000)])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("YD1,yunda,,2024-05-01 10:00:00,,532801,x,301,正常签收,extra\r\n")
        fh.write(",".join(_row(3001).values()) + "\r\n")
    tuning = Tuning(batch_bytes=4096)
    (fast, _), plain = _both(fresh, monkeypatch, path, tuning=tuning)
    assert fast[0] == plain[0] and fast[1] == plain[1]
    assert fast[0]["rejected"] == 1 and fast[0]["errors"][0].row == 3001
    assert fast[0]["rows"] == 3002
    assert fast[2] is not None and fast[2].equals(plain[2])


def test_the_division_lookup_reads_padded_codes_as_the_validation_does() -> None:
    from youguan.ingest.validate import known_division, normalise_division

    keys, read, padded = sqlscan.division_lookup()
    assert pa.compute.all(known_division(read)).as_py()
    assert normalise_division(keys).equals(read)
    assert padded.equals(pa.compute.not_equal(keys, read))


_ENDS = [
    "a",
    "~",
    " ",
    "\t",
    "\x7f",
    "\u00a0",
    "é",
    "\u2028",
    "\u3000",
    "\u3001",
    "景",
    "\ufeff",
    "\uff10",
    "\U00020000",
    "\x00",
]


def _plain_char(c: str) -> bool:  # the SQL test's rule, as the module docstring states it
    return 33 <= ord(c) <= 126 or (ord(c) > 0x3000 and ord(c) != 0xFEFF)


def test_the_byte_level_text_test_admits_exactly_the_plain_values() -> None:
    values: list[str | None] = [None, ""]
    values += [a + b for a in _ENDS for b in _ENDS] + [a + "景洪" + b for a in _ENDS for b in _ENDS]
    values += ["景" * 3, "景" * 4, "ab" * 2, "abcde"]
    arr = pa.array(values, pa.string())
    for limit in (2, 3, 4, 200):
        expected = [
            v is not None
            and v != ""
            and _plain_char(v[0])
            and _plain_char(v[-1])
            and len(v) <= limit
            for v in values
        ]
        assert sqlscan.plain_text(arr, limit).tolist() == expected
        assert sqlscan.plain_text(arr.slice(3, 50), limit).tolist() == expected[3:53]
    assert sqlscan.plain_text(pa.array(["景洪", " 景洪", "景洪\u3000", "景" * 3]), 2).tolist() == [
        True,
        False,
        False,
        False,
    ]


def test_the_byte_level_time_test_is_the_plain_time_pattern() -> None:
    pattern = re.compile(sqlscan._PLAIN_TIME, re.ASCII)  # RE2's \d: ASCII digits only
    good = ["2024-03-01 00:07:16", "2024-03-01T00:07:16Z", "2024-12-31 23:59:59+08:00"]
    values: list[str | None] = [None, "", "x", *good]
    rng = random.Random(7)
    chars = "0123456789-: TZ+x/.\u3000２"
    for text in good:  # every one- and two-character slip of the plain shapes
        for _ in range(4000):
            s = list(text)
            for _ in range(rng.randint(1, 2)):
                i = rng.randrange(len(s))
                if (op := rng.random()) < 0.6:
                    s[i] = rng.choice(chars)
                elif op < 0.8:
                    del s[i]
                else:
                    s.insert(i, rng.choice(chars))
            values.append("".join(s))
    for month in range(14):
        for day in (0, 1, 9, 10, 19, 29, 30, 31, 32, 39, 40):
            for hour in (0, 9, 10, 19, 20, 23, 24, 29, 30):
                values.append(f"2024-{month:02d}-{day:02d} {hour:02d}:59:59")
    for bad in ("60", "59", "5:", ":5", "6a", "99", "0\x00"):
        values += [f"2024-01-01 10:{bad}:00", f"2024-01-01 10:00:{bad}"]
    arr = pa.array(values, pa.string())
    expected = [v is not None and pattern.search(v) is not None and "\n" not in v for v in values]
    assert sum(expected) > 1000  # the shapes are well represented both ways
    assert sqlscan.plain_time(arr).tolist() == expected
    assert sqlscan.plain_time(arr.slice(5, 300)).tolist() == expected[5:305]
